/** Errors of the unit-output exchanges. Each has a stable `name`. */
import { PeerhiveError } from '../../core/errors.js'

/** The other side answered with an error code (`code`: NOT_FOUND, FORBIDDEN, HASH_MISMATCH...). */
export class OutputRefusedError extends PeerhiveError {
  constructor (readonly code: string, message: string) {
    super(`the peer refused the output exchange (${code}): ${message}`, 'OutputRefusedError')
  }
}

/** A fetched output is not the one asked for, or its bytes do not hash to its hash. */
export class BadOutputError extends PeerhiveError {
  constructor (message: string) { super(message, 'BadOutputError') }
}

/** A job id that cannot be used (empty, or longer than 128 characters). */
export class InvalidJobIdError extends PeerhiveError {
  constructor (message: string) { super(message, 'InvalidJobIdError') }
}
