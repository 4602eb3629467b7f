/** Checks runUnit's options against the sandbox's hard bounds before a worker is started. */
import { InvalidOptionError } from '../../core/errors.js'
import {
  MAX_ARGS, MAX_ARGS_BYTES, MAX_FILE_NAME_BYTES, MAX_INPUT_BYTES, MAX_INPUT_FILES, MAX_MEMORY_BYTES,
  MAX_MODULE_BYTES, MAX_OUTPUT_BYTES, WASM_PAGE_BYTES
} from './constants.js'
import { InvalidModuleError } from './errors.js'
import type { RunUnitOptions, WorkerJob } from './types.js'

const encoder = new TextEncoder()

/**
 * The bytes alone: posting a view to the worker would copy its whole
 * underlying buffer (a pooled Buffer, a slice of a large file...).
 */
function ownBytes (view: Uint8Array): Uint8Array {
  return view.byteOffset === 0 && view.byteLength === view.buffer.byteLength ? view : view.slice()
}

function checkInteger (value: unknown, name: string, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(`${name} must be an integer from ${min} to ${max}`)
  }
}

function checkArgs (args: unknown): string[] {
  if (!Array.isArray(args) || args.length > MAX_ARGS) throw new InvalidOptionError(`args must be an array of at most ${MAX_ARGS} strings`)
  let bytes = 0
  for (const a of args) {
    if (typeof a !== 'string' || a.includes('\0')) throw new InvalidOptionError('each argument must be a string without NUL')
    bytes += encoder.encode(a).length + 1
  }
  if (bytes > MAX_ARGS_BYTES) throw new InvalidOptionError(`the arguments take more than ${MAX_ARGS_BYTES} bytes`)
  return [...args]
}

/** input names are plain file names: the input directory is flat */
export function isPlainFileName (name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0') &&
    encoder.encode(name).length <= MAX_FILE_NAME_BYTES
}

function checkInputs (inputs: unknown): Record<string, Uint8Array> {
  if (inputs === undefined) return {}
  if (typeof inputs !== 'object' || inputs === null) throw new InvalidOptionError('inputs must map file names to bytes')
  const entries = Object.entries(inputs)
  if (entries.length > MAX_INPUT_FILES) throw new InvalidOptionError(`at most ${MAX_INPUT_FILES} input files`)
  let total = 0
  for (const [name, bytes] of entries) {
    if (!isPlainFileName(name)) throw new InvalidOptionError(`bad input file name ${JSON.stringify(name)}`)
    if (!(bytes instanceof Uint8Array)) throw new InvalidOptionError(`input ${name} is not a Uint8Array`)
    total += bytes.length
  }
  if (total > MAX_INPUT_BYTES) throw new InvalidOptionError(`the inputs take more than ${MAX_INPUT_BYTES} bytes`)
  return Object.fromEntries(entries.map(([name, bytes]) => [name, ownBytes(bytes)]))
}

export function checkOptions (opts: RunUnitOptions): WorkerJob {
  if (!(opts.wasm instanceof Uint8Array)) throw new InvalidOptionError('wasm must be a Uint8Array')
  if (opts.wasm.length > MAX_MODULE_BYTES) throw new InvalidModuleError(`the module is larger than ${MAX_MODULE_BYTES} bytes`)
  checkInteger(opts.timeoutMs, 'timeoutMs', 1, 2 ** 31 - 1)
  checkInteger(opts.maxMemoryBytes, 'maxMemoryBytes', WASM_PAGE_BYTES, MAX_MEMORY_BYTES)
  checkInteger(opts.maxOutputBytes, 'maxOutputBytes', 0, MAX_OUTPUT_BYTES)
  return {
    wasm: ownBytes(opts.wasm),
    args: checkArgs(opts.args),
    inputs: checkInputs(opts.inputs),
    maxMemoryBytes: opts.maxMemoryBytes,
    maxOutputBytes: opts.maxOutputBytes
  }
}
