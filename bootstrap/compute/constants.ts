/**
 * Limits and defaults of the bootstrap's work manager; the limits of the
 * work and jobs protocols themselves are in src/protocols (work.ts, jobs.ts).
 */

/** Replicas one provider may hold at once. */
export const MAX_REPLICAS_PER_PROVIDER = 256

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
