/**
 * The /peerhive/join/1.0.0 contract (protocols/join.md), in one place for
 * both sides: the peer (src/topology) and the bootstrap.
 */
export { JoinError, JoinRequest, JoinResponse } from '../pb/join.js'

export const PROTOCOL_JOIN = '/peerhive/join/1.0.0'

/** Largest JoinRequest. */
export const MAX_JOIN_REQUEST_BYTES = 4 * 1024
/** Largest JoinResponse: it carries the subnet's table. */
export const MAX_JOIN_RESPONSE_BYTES = 256 * 1024
/** Longest a join exchange may take, either side (a peer's first attempt; see JOIN_TIMEOUT_MAX_MS). */
export const JOIN_TIMEOUT_MS = 5_000
/**
 * A peer whose join attempts time out waits twice as long on each next
 * attempt, up to this. A bootstrap that answers slowly under load still
 * answers: at 1,000 arriving peers, fixed 5 s attempts timed out and were
 * sent again about 3,900 times, and the bootstrap spent its CPU on joins
 * whose peers had already given up.
 */
export const JOIN_TIMEOUT_MAX_MS = 30_000
/** Join streams one connection may hold open at once. */
export const MAX_JOIN_STREAMS_PER_CONNECTION = 4
