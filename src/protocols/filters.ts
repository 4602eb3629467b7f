/**
 * The keyword filters' contract (protocols/filters.md): the gossipsub topic
 * the virtual servers and the bootstrap publish their filters on, and the
 * sizes every receiver checks. How often a node publishes is its own
 * policy (src/sharing/routing/filter-topic.ts).
 */

/** Keyword filters of the virtual servers' group indexes and of the central index. */
export const FILTER_TOPIC = '/peerhive/filters/1'
/** Bytes of a filter's bit array: at least this many (a tiny group still gets a useful filter)... */
export const MIN_FILTER_BYTES = 64
/** ... and at most this many (a huge group's filter saturates: more false positives, never a miss). */
export const MAX_FILTER_BYTES = 32 * 1024
/** A whole KeywordFilter message, bits and header. */
export const MAX_FILTER_MESSAGE_BYTES = MAX_FILTER_BYTES + 1024
/** A virtual server hands its new filter to the bootstrap (request: KeywordFilter, answer: FilterAck). */
export const PROTOCOL_FILTER = '/peerhive/filter/1.0.0'
/** The bootstrap hands a virtual server the other servers' filters (request: FilterRelay, answer: FilterAck). */
export const PROTOCOL_FILTER_RELAY = '/peerhive/filter-relay/1.0.0'
/** A whole FilterRelay message: at least 15 full-size filters, or hundreds of small ones. */
export const MAX_FILTER_RELAY_BYTES = 512 * 1024
/** Filters in one FilterRelay: a book's worth. */
export const MAX_RELAYED_FILTERS = 4_097
/** A FilterAck, its message included. */
export const MAX_FILTER_ACK_BYTES = 1024
/** Longest a filter hand-over or a relay may take, either side. */
export const FILTER_EXCHANGE_TIMEOUT_MS = 10_000
export { FilterAck, FilterError, FilterRelay } from '../pb/filters.js'
export type { RelayedFilter } from '../pb/filters.js'
