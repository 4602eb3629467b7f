/** The public shapes of runUnit, and the messages between it and its worker. */

export interface RunUnitOptions {
  /**
   * The unit's application: a WASI preview1 command module
   * @default none (required)
   */
  wasm: Uint8Array
  /**
   * Argv, program name first
   * @default none (required)
   */
  args: string[]
  /**
   * The files the unit finds in /input, by name (flat, no '/')
   * @default {} (an empty /input)
   */
  inputs?: Record<string, Uint8Array>
  /**
   * Wall-clock deadline of the run, worker start and compilation included; past it the run is killed
   * @default none (required)
   */
  timeoutMs: number
  /**
   * The cap on the unit's linear memory, rounded down to whole 64 KiB pages
   * @default none (required)
   */
  maxMemoryBytes: number
  /**
   * The bound on stdout plus the output files' sizes
   * @default none (required)
   */
  maxOutputBytes: number
  /**
   * Aborting it kills the run
   * @default none
   */
  signal?: AbortSignal
}

export interface UnitResult {
  /** 0 when _start returned, else the code given to proc_exit */
  exitCode: number
  stdout: Uint8Array
  /** the first 64 KiB of stderr */
  stderr: Uint8Array
  /** the files the unit wrote to /output */
  files: Record<string, Uint8Array>
  /** how long compilation, instantiation and _start took */
  ms: number
  /** the size the unit's memory reached */
  peakMemoryBytes: number
}

/** what runUnit hands its worker */
export interface WorkerJob {
  wasm: Uint8Array
  args: string[]
  inputs: Record<string, Uint8Array>
  maxMemoryBytes: number
  maxOutputBytes: number
}

export type FailureName = 'InvalidModuleError' | 'SandboxMemoryError' | 'SandboxOutputError' | 'SandboxTrapError'

/** what the worker answers */
export type WorkerReply =
  | { kind: 'done', exitCode: number, stdout: Uint8Array, stderr: Uint8Array, files: Array<[string, Uint8Array]>, ms: number, peakMemoryBytes: number }
  | { kind: 'failed', error: FailureName, message: string }
