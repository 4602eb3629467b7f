/** Errors of the provider runtime. Each has a stable `name`. */
import { PeerhiveError } from '../../core/errors.js'

/** The bootstrap answered a work request with an error code (`code`: NOT_REGISTERED, RATE_LIMITED, INTERNAL...). */
export class WorkRefusedError extends PeerhiveError {
  constructor (readonly code: string, message: string) {
    super(`the bootstrap refused the work request (${code}): ${message}`, 'WorkRefusedError')
  }
}

/** The operator removed (or banned) this provider: it stops asking for work. */
export class ProviderRemovedError extends PeerhiveError {
  constructor (message: string) { super(`the bootstrap removed this provider: ${message}`, 'ProviderRemovedError') }
}
