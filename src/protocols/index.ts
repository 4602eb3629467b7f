/**
 * The wire contracts: for each peerhive protocol, its id, version, limits,
 * timeouts and error codes, used by both of its sides (see protocols/ for
 * the specs). The bootstrap imports them through here.
 */
export * from './work.js'
export * from './jobs.js'
