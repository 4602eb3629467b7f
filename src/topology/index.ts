export { TopologyClient } from './topology-client.js'
export type { JoinFailure, Placement, PeerRole, TopologyEvents, TopologyInit } from './topology-client.js'
export { describeJoinFailure } from './join-failure.js'
export { Backoff } from './backoff.js'
