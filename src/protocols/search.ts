/**
 * The /peerhive/search/1.0.0 contract (protocols/search.md), in one place
 * for both sides: the searcher (src/sharing) and the index that answers, a
 * virtual server or the bootstrap.
 */
export { SearchError } from '../pb/search.js'

/** Search a virtual server's group index, or the bootstrap's central index. */
export const PROTOCOL_SEARCH = '/peerhive/search/1.0.0'
/** Largest SearchRequest. */
export const MAX_SEARCH_REQUEST_BYTES = 4 * 1024
/** Largest SearchResponse. */
export const MAX_SEARCH_RESPONSE_BYTES = 1024 * 1024
/** Hits one answer carries, whatever the asker's limit. */
export const MAX_SEARCH_HITS = 256
/** A whole search's default deadline, and the longest one exchange may take at the answering side. */
export const SEARCH_TIMEOUT_MS = 5_000
/**
 * How long a virtual server keeps an idle search session (protocols/search.md);
 * an asker stops reusing its idle stream after SEARCH_SESSION_REUSE_MS, well
 * before, so a request does not meet the server's close on the way.
 */
export const SEARCH_SESSION_IDLE_MS = 60_000
export const SEARCH_SESSION_REUSE_MS = 40_000
