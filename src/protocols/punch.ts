/**
 * The /peerhive/punch/1.0.0 contract (protocols/punch.md): two peers behind
 * NAT routers, joined by a relayed connection, agree on a port each, so that
 * one can dial the other directly through both routers.
 */
export const PROTOCOL_PUNCH = '/peerhive/punch/1.0.0'
export const PUNCH_VERSION = 1

/** Each side sends one PunchMessage (punch.proto): version, IPv4 address, port. */
export const MAX_PUNCH_MESSAGE_BYTES = 32
/** The whole exchange on the relayed stream. */
export const PUNCH_EXCHANGE_TIMEOUT_MS = 5_000
/** The direct connection through both routers, from the answer (its first SYN may be dropped: TCP sends it again after 1 s). */
export const PUNCH_DIAL_TIMEOUT_MS = 5_000
/** One peer is not punched to again within this long (either side). */
export const PUNCH_PEER_INTERVAL_MS = 60_000
/** Punches a node answers per minute, all peers together. */
export const PUNCH_ANSWERS_PER_MINUTE = 30
