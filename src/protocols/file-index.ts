/**
 * The /peerhive/index/1.0.0 contract (protocols/file-index.md), in one
 * place for both sides: the member or central client that pushes its index
 * (src/sharing) and the virtual server or bootstrap that keeps it.
 */
export { IndexError } from '../pb/file-index.js'

/** A member pushes its file index to its virtual server (a central client: to the bootstrap). */
export const PROTOCOL_INDEX = '/peerhive/index/1.0.0'
/** Largest IndexUpdate. */
export const MAX_INDEX_UPDATE_BYTES = 1024 * 1024
/** Largest IndexAck. */
export const MAX_INDEX_ACK_BYTES = 1024
/** Entries per index update message; a larger snapshot is sent in several. */
export const INDEX_BATCH = 1024
/** Longest one index exchange may take, either side. */
export const INDEX_TIMEOUT_MS = 10_000
