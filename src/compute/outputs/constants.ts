/**
 * The answering side's defaults of /peerhive/unit-output/1.0.0
 * (protocols/unit-output.md), and its wire contract from
 * src/protocols/unit-output.ts.
 */
export {
  PROTOCOL_UNIT_OUTPUT, UNIT_OUTPUT_VERSION, MAX_UNIT_OUTPUT_BYTES, OUTPUT_MESSAGE_OVERHEAD, MAX_OUTPUT_MESSAGE_BYTES, MAX_SMALL_MESSAGE_BYTES,
  MAX_OUTPUT_FILES, MAX_JOB_ID_LENGTH, MAX_ERROR_MESSAGE, MIN_EXCHANGE_TIMEOUT_MS, EXCHANGE_BYTES_PER_SECOND, MAX_EXCHANGE_TIMEOUT_MS,
  exchangeTimeoutMs, outputMessageLimit
} from '../../protocols/unit-output.js'

const MiB = 1024 * 1024

/** Requests one peer may make per 10 s before RATE_LIMITED. */
export const DEFAULT_REQUESTS_PER_PEER = 600
/** Exchanges in progress from one peer before RATE_LIMITED. */
export const DEFAULT_MAX_EXCHANGES_PER_PEER = 4
/** Exchanges in progress, all peers, before RATE_LIMITED. */
export const DEFAULT_MAX_EXCHANGES = 16
/** Streams of this protocol one connection may hold open, each way. */
export const MAX_STREAMS_PER_CONNECTION = 8

/** Outbox defaults: total size, entries, and how long an output is kept. */
export const DEFAULT_OUTBOX_MAX_BYTES = 1024 * MiB
export const DEFAULT_OUTBOX_MAX_ENTRIES = 10_000
export const DEFAULT_OUTBOX_TTL_MS = 7 * 24 * 3600_000

/** Different outputs (hashes) the owner keeps of one unit; more are refused. */
export const DEFAULT_MAX_VARIANTS_PER_UNIT = 8
