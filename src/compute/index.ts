/**
 * Volunteer computing (WORK-1..WORK-10): the job format and its types, the
 * example applications, the provider's sandbox and work loop, unit outputs,
 * and the job owner's client. Other folders import compute through here.
 */
export type * from './model/types.js'

// the job owner's client (src/compute/client)
export {
  ComputeClient, FINAL_STATES, InvalidJobError, JobNotFoundError, ForbiddenError, JobsRequestError, OutputUnavailableError,
  BootstrapUnreachableError, BootstrapNotAnsweredError, BOOTSTRAP_UNREACHABLE_MS, formatDuration,
  JobStore, JOBS_DIR, JOB_FILE, isJobId, resolveJob, writeResults, unitBaseName, RESULTS_FILE, IMAGE_FILE
} from './client/index.js'
export type {
  AdminRemoveResult, ComputeClientInit, OutputSource, OwnedOutput, ResultsOptions, RetryOptions, RetryInfo, ValidateJob, WatchOptions, ResolveContext,
  ResultsSummary, UnitOutputData, UnitResultEntry, WriteResultsOptions
} from './client/index.js'

// the example applications' client side: unit splitting, and the assembly steps the results writer looks up
export { BUILTIN_ASSEMBLERS, mandelbrotSize, mandelbrotUnits } from './apps/index.js'
export type { Assembler } from './apps/index.js'

// the job validator (src/compute/model/job-spec.ts), used by the client and the bootstrap
export { validateJob, expandUnits, expandUnit, unitCount, substitute, isCid, isPlainName, normalizeCid, JOB_LIMITS, JOB_DEFAULTS, ASSEMBLERS, RANGE_PLACEHOLDERS } from './model/job-spec.js'
export type { ValidateOptions, Validated } from './model/job-spec.js'
