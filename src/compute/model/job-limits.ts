/** The bounds and defaults of the job format (protocols/compute.md, "The job file"). */
import { MAX_ARGS, MAX_ARGS_BYTES, MAX_FILE_NAME_BYTES } from '../sandbox/constants.js'

/** Bounds of the job format (compute.md). */
export const JOB_LIMITS = {
  maxNameChars: 200,
  maxUnits: 100_000,
  /** arguments of one unit; argv[0] ("app") is added by the provider */
  maxArgs: MAX_ARGS,
  /** UTF-8 bytes of one unit's arguments, each with its NUL terminator, argv[0] included */
  maxArgsBytes: MAX_ARGS_BYTES,
  maxInputs: 256,
  maxFileNameBytes: MAX_FILE_NAME_BYTES,
  /** longest input path or CID as written in an unresolved job */
  maxInputChars: 4096,
  memoryMb: { min: 1, max: 4096 },
  diskMb: { min: 0, max: 65536 },
  replication: { min: 1, max: 16 },
  quorum: { min: 1, max: 16 },
  deadlineMs: { min: 100, max: 86_400_000 },
  maxAttempts: { max: 64 },
  priority: { min: -100, max: 100 },
  maxResultFiles: 64,
  maxOutputBytes: { min: 1, max: 64 * 1024 * 1024 },
  maxCost: 1e12,
  /** problems listed before the list is cut short */
  maxProblems: 1000
} as const

/** Defaults applied to fields a job leaves out. */
export const JOB_DEFAULTS = {
  quorum: 1,
  /** replication defaults to the quorum */
  deadlineMs: 600_000,
  /** maxAttempts defaults to replication + 3 (at most 64) */
  extraAttempts: 3,
  priority: 0,
  stdout: true,
  maxOutputBytes: 16 * 1024 * 1024,
  adaptive: false,
  memoryMb: 64,
  diskMb: 64,
  cost: 1
} as const

/** The assembly steps `job results` knows. */
export const ASSEMBLERS = ['mandelbrot-png'] as const

/** The placeholders a range may use in its args and inputs. */
export const RANGE_PLACEHOLDERS = ['from', 'to', 'index'] as const
