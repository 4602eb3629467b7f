import { PeerhiveError } from '../../src/core/index.js'

/** Why the work manager refused a request; the server turns `code` into the protocol's error enum. */
export type RefusalCode = 'NOT_REGISTERED' | 'REMOVED' | 'NOT_FOUND' | 'FORBIDDEN' | 'INVALID_JOB' | 'RATE_LIMITED' | 'MALFORMED_MESSAGE'

/**
 * A request the work manager refuses. It is thrown before anything changes,
 * so a refusal never needs a rollback.
 */
export class ComputeRefusal extends PeerhiveError {
  constructor (readonly code: RefusalCode, message: string) {
    super(message, 'ComputeRefusal')
  }
}
