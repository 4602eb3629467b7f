/**
 * The /peerhive/work/1.0.0 contract (protocols/work.md), in one place for
 * both sides: the provider's work loop (src/compute/provider) and the
 * bootstrap's work manager (bootstrap/compute). Where the two sides wait
 * for different times, the name says which side.
 */
export { ReplicaResult, WorkRequest, WorkResponse } from '../pb/work.js'
export type { WorkUnit } from '../pb/work.js'

export const PROTOCOL_WORK = '/peerhive/work/1.0.0'
export const WORK_VERSION = 1

/** Largest WorkRequest. */
export const MAX_WORK_REQUEST_BYTES = 64 * 1024
/** Largest WorkResponse; a FETCH answer stops adding units before it. */
export const MAX_WORK_RESPONSE_BYTES = 1024 * 1024
/** Units one FETCH may ask for. */
export const MAX_UNITS_PER_FETCH = 64
/** Results one REPORT may carry. */
export const MAX_RESULTS_PER_REPORT = 256
/** Longest `error` text of a result, in characters, so that a full REPORT fits in a request. */
export const MAX_RESULT_ERROR_CHARS = 160
/** Apps a provider may list. */
export const MAX_PROVIDER_APPS = 64
/** Cancelled replica ids one answer carries; the rest follow in later answers. */
export const MAX_CANCELLED_PER_ANSWER = 256
/** Work streams one connection may hold open at once. */
export const MAX_WORK_STREAMS_PER_CONNECTION = 8

/** Longest a provider waits for one exchange: the bootstrap's fsync and a busy event loop included. */
export const WORK_PROVIDER_TIMEOUT_MS = 10_000
/** Longest the bootstrap gives one exchange, from the request's first byte to the answer's last. */
export const WORK_BOOTSTRAP_TIMEOUT_MS = 5_000
