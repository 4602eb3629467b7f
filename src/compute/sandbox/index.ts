/**
 * The sandbox (WORK-6): a work unit runs as a WASI preview1 command in a
 * worker thread, against our own in-memory WASI host. It sees its inputs
 * in /input, writes its outputs to /output, and reaches nothing else. A
 * deadline, a memory cap and an output bound end runaway units; the
 * provider keeps running.
 */
export { runUnit } from './run.js'
export { prepareModule } from './prepare-module.js'
export type { PreparedModule } from './prepare-module.js'
export type { RunUnitOptions, UnitResult } from './types.js'
export {
  InvalidModuleError, SandboxAbortedError, SandboxMemoryError, SandboxOutputError, SandboxTimeoutError, SandboxTrapError
} from './errors.js'
export {
  MAX_ARGS, MAX_ARGS_BYTES, MAX_FILE_NAME_BYTES, MAX_INPUT_BYTES, MAX_INPUT_FILES, MAX_MEMORY_BYTES, MAX_MODULE_BYTES,
  MAX_OPEN_FDS, MAX_OUTPUT_BYTES, MAX_OUTPUT_FILES, STDERR_KEEP_BYTES
} from './constants.js'
