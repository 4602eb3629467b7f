/** Defaults of the provider runtime; the limits of the work protocol itself are in src/protocols/work.ts. */

const MiB = 1024 * 1024

/**
 * Units a provider holds waiting beyond its cores. A REPORT and FETCH round
 * trip includes the bootstrap's fsync (tens of ms); with one unit waiting,
 * a core that finishes starts the next at once.
 */
export const QUEUED_UNITS = 1

/** @default memory cap per unit, MiB */
export const DEFAULT_MAX_MEMORY_MB = 512
/** How often the provider says HELLO again, ms. */
export const DEFAULT_HELLO_INTERVAL_MS = 60_000
/** With every core busy, the provider still asks the bootstrap this often, to learn of cancelled replicas, ms. */
export const DEFAULT_POLL_INTERVAL_MS = 5_000
/** How long a finished result may wait for others to share its REPORT, ms. */
export const DEFAULT_REPORT_DELAY_MS = 50
/** FETCH again after this when the bootstrap gave nothing and no retry_ms, ms. */
export const DEFAULT_RETRY_MS = 1_000
/** retry_ms is clamped to this range. */
export const MIN_RETRY_MS = 50
export const MAX_RETRY_MS = 60_000
/** Back-off after a failed exchange with the bootstrap: from, doubling up to. */
export const BACKOFF_INITIAL_MS = 250
export const BACKOFF_MAX_MS = 10_000

/** The cache of apps and inputs fetched by CID: total size. */
export const DEFAULT_CACHE_MAX_BYTES = 1024 * MiB
/** Folder names under the data directory. */
export const CACHE_DIR = 'compute-cache'
export const OUTBOX_DIR = 'outbox'

/** PUSHes of outputs in flight at once, all owners. */
export const MAX_CONCURRENT_PUSHES = 4
/** An undelivered output is pushed again after 1, 2, 4... minutes, this many times in all. */
export const MAX_PUSH_ATTEMPTS = 6
export const PUSH_RETRY_BASE_MS = 60_000
/** Outputs pushed again per retry round (every 30 s), at most. */
export const MAX_RETRIES_PER_ROUND = 32

/** Downloads the bandwidth figure is measured over (the most recent ones). */
export const BANDWIDTH_WINDOW = 16

/** A replica's input or app must be fetched and the unit run within its deadline; the run gets at least this. */
export const MIN_RUN_MS = 100
