/**
 * The /peerhive/unit-output/1.0.0 contract (protocols/unit-output.md): a
 * provider hands a unit's output to the job's owner, or the owner fetches
 * it. Both sides size and time their exchanges by these. The answering
 * side's own defaults are in src/compute/outputs/constants.ts.
 */
import { OutputResponse } from '../pb/unit-output.js'

/** Why an exchange was refused. */
export const UnitOutputError = OutputResponse.Error

export const PROTOCOL_UNIT_OUTPUT = '/peerhive/unit-output/1.0.0'
export const UNIT_OUTPUT_VERSION = 1

const KiB = 1024
const MiB = 1024 * KiB

/** The largest output a job may ask for (compute.md, `maxOutputBytes`). */
export const MAX_UNIT_OUTPUT_BYTES = 64 * MiB
/** Room for the ids, the hash and the file names around an output's bytes. */
export const OUTPUT_MESSAGE_OVERHEAD = 64 * KiB
/** No message of this protocol is ever larger: the largest output plus its overhead. */
export const MAX_OUTPUT_MESSAGE_BYTES = MAX_UNIT_OUTPUT_BYTES + OUTPUT_MESSAGE_OVERHEAD
/** A request that carries no output (FETCH), and any answer that carries none. */
export const MAX_SMALL_MESSAGE_BYTES = 4 * KiB
/** Output files of one unit (unit-output.proto). */
export const MAX_OUTPUT_FILES = 64
/** Longest job id accepted. */
export const MAX_JOB_ID_LENGTH = 128
/** Longest `message` of an error answer, in characters. */
export const MAX_ERROR_MESSAGE = 256

/** Every exchange gets at least this long... */
export const MIN_EXCHANGE_TIMEOUT_MS = 5_000
/** ...plus one second per this many bytes it may carry... */
export const EXCHANGE_BYTES_PER_SECOND = 2 * MiB
/** ...and never more than this. */
export const MAX_EXCHANGE_TIMEOUT_MS = 30_000

/** The deadline of an exchange that may carry `bytes`: 5 s plus 1 s per 2 MiB, at most 30 s. */
export function exchangeTimeoutMs (bytes: number): number {
  return Math.min(MAX_EXCHANGE_TIMEOUT_MS, MIN_EXCHANGE_TIMEOUT_MS + Math.ceil(1000 * bytes / EXCHANGE_BYTES_PER_SECOND))
}

/** The largest message carrying an output of a unit whose bound is `maxOutputBytes`. */
export function outputMessageLimit (maxOutputBytes: number): number {
  return Math.min(MAX_OUTPUT_MESSAGE_BYTES, Math.max(0, maxOutputBytes) + OUTPUT_MESSAGE_OVERHEAD)
}
