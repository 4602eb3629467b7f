/**
 * The central side of the network (NET-1..NET-8 at the bootstrap): joins
 * and their checks, the peers' table and its liveness, the subnet tables and
 * the directory it publishes and pushes. The election's rules are in
 * ../election; the peer side is src/topology.
 */
export { CentralServer } from './central-server.js'
export type { CentralServerInit, SubnetView } from './central-server.js'
export { FilterRelayServer } from './filter-relay.js'
export type { FilterRelayServerInit } from './filter-relay.js'
export { relayBaseAddrs } from './relay.js'
