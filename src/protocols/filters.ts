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
