export { TopologyClient } from './topology-client.js'
export type { Placement, PeerRole, TopologyEvents, TopologyInit } from './topology-client.js'
export { Backoff, sleep } from './backoff.js'
