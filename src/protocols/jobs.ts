/**
 * The /peerhive/jobs/1.0.0 contract (protocols/jobs.md), in one place for
 * both sides: the job owner's client (src/compute/client) and the
 * bootstrap's jobs handler (bootstrap/compute). Where the two sides wait
 * for different times, the name says which side.
 */
export { JobsRequest, JobsResponse } from '../pb/jobs.js'

export const PROTOCOL_JOBS = '/peerhive/jobs/1.0.0'
export const JOBS_VERSION = 1

/** Largest JobsRequest: a job with many explicit units is the largest. */
export const MAX_JOBS_REQUEST_BYTES = 1024 * 1024
/** Largest JobsResponse: RESULTS and LIST answers stop adding entries before it. */
export const MAX_JOBS_RESPONSE_BYTES = 4 * 1024 * 1024
/** Jobs streams one connection may hold open at once. */
export const MAX_JOBS_STREAMS_PER_CONNECTION = 8

/** Longest a client waits for one exchange: a SUBMIT of a large job is validated and stored before the answer. */
export const JOBS_CLIENT_TIMEOUT_MS = 30_000
/** Longest the bootstrap gives one exchange. */
export const JOBS_BOOTSTRAP_TIMEOUT_MS = 5_000
