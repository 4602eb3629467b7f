/** Limits and defaults of the bootstrap's work manager (protocols/work.md, protocols/jobs.md). */

/** Largest WorkRequest (work.proto). */
export const MAX_WORK_REQUEST_BYTES = 64 * 1024
/** Largest WorkResponse (work.proto); a FETCH answer stops adding units before it. */
export const MAX_WORK_RESPONSE_BYTES = 1024 * 1024
/** Largest JobsRequest (jobs.proto). */
export const MAX_JOBS_REQUEST_BYTES = 1024 * 1024
/** Largest JobsResponse (jobs.proto). */
export const MAX_JOBS_RESPONSE_BYTES = 4 * 1024 * 1024
/** Longest one work exchange may take at the bootstrap. */
export const WORK_TIMEOUT_MS = 5_000
/** Longest one jobs exchange may take at the bootstrap. */
export const JOBS_TIMEOUT_MS = 5_000
/** Work streams one connection may hold open at once. */
export const MAX_WORK_STREAMS_PER_CONNECTION = 8
/** Jobs streams one connection may hold open at once. */
export const MAX_JOBS_STREAMS_PER_CONNECTION = 8

/** Units one FETCH may ask for. */
export const MAX_UNITS_PER_FETCH = 64
/** Results one REPORT may carry. */
export const MAX_RESULTS_PER_REPORT = 256
/** Cancelled replica ids one answer carries; the rest follow in later answers. */
export const MAX_CANCELLED_PER_ANSWER = 256
/** Replicas one provider may hold at once. */
export const MAX_REPLICAS_PER_PROVIDER = 256
/** Apps a provider may list. */
export const MAX_PROVIDER_APPS = 64

/** How often the deadline sweep runs. */
export const DEFAULT_SWEEP_INTERVAL_MS = 250
/** A replica times out this long after its deadline, to allow for the report's trip. */
export const DEFAULT_REPORT_GRACE_MS = 1_000
/** retry_ms of a FETCH answer without units. */
export const DEFAULT_RETRY_MS = 1_000
/** Valid results in a row that make a provider trusted (adaptive replication). */
export const TRUST_STREAK = 10

/** Work requests one peer may make per 10 s. */
export const DEFAULT_WORK_REQUESTS_PER_PEER = 2_000
/** Jobs requests one peer may make per 10 s. */
export const DEFAULT_JOBS_REQUESTS_PER_PEER = 200
/** Running jobs one owner may have at once. */
export const MAX_RUNNING_JOBS_PER_OWNER = 64
/** Jobs a LIST answer carries, newest first. */
export const MAX_LISTED_JOBS = 500
/** Providers a PROVIDERS answer carries, most recently seen first. */
export const MAX_LISTED_PROVIDERS = 5_000
/** Units a RESULTS answer carries at most (it also stops before the response limit). */
export const MAX_RESULT_UNITS = 100_000
/** Errors kept per job (failed units' last errors). */
export const MAX_JOB_ERRORS = 20
/** Validations remembered per running job for its ETA. */
export const ETA_SAMPLES = 256
/** Cancelled replica ids remembered per provider until they are told. */
export const MAX_CANCEL_NOTICES = 4_096
