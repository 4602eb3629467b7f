/**
 * Errors of the sandbox. Each has a stable `name`; the work loop and tests
 * match on it. Every one of them ends the unit's run, never the provider.
 */
import { PeerhiveError } from '../../core/errors.js'

/** The unit ran past its deadline and its worker was killed. */
export class SandboxTimeoutError extends PeerhiveError {
  constructor (readonly timeoutMs: number) {
    super(`the unit ran past its deadline of ${timeoutMs} ms and was killed`, 'SandboxTimeoutError')
  }
}

/**
 * The unit needed more memory than the cap: its memory could not grow, or
 * it declares an initial memory above the cap.
 */
export class SandboxMemoryError extends PeerhiveError {
  constructor (message: string) { super(message, 'SandboxMemoryError') }
}

/** stdout plus output files went past the output bound; the run was stopped. */
export class SandboxOutputError extends PeerhiveError {
  constructor (readonly maxOutputBytes: number) {
    super(`the unit's output went past its bound of ${maxOutputBytes} bytes and was refused`, 'SandboxOutputError')
  }
}

/** The unit ended abnormally: a trap (unreachable, out of bounds, stack overflow...). */
export class SandboxTrapError extends PeerhiveError {
  constructor (message: string) { super(message, 'SandboxTrapError') }
}

/** The bytes are not a WASI command the sandbox accepts. Running it again will not help. */
export class InvalidModuleError extends PeerhiveError {
  constructor (message: string) { super(message, 'InvalidModuleError') }
}

/** The caller's signal aborted the run; the unit was killed. */
export class SandboxAbortedError extends PeerhiveError {
  constructor (message = 'the run was aborted') { super(message, 'AbortError') }
}
