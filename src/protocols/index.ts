/**
 * The wire contracts: for each peerhive protocol, its id, version, limits,
 * timeouts and error codes, used by both of its sides (see protocols/ for
 * the specs). The bootstrap imports them through here.
 */
export * from './join.js'
export * from './assignment.js'
export * from './file-index.js'
export * from './search.js'
export * from './work.js'
export * from './jobs.js'
export * from './transfer.js'
export * from './unit-output.js'
export * from './filters.js'
export * from './dht-records.js'
export * from './punch.js'
