import { PeerhiveError } from '../src/core/errors.js'

/** A command line the CLI cannot run as given: it exits with the usage code and says what to change. */
export class UsageError extends PeerhiveError {
  constructor (message: string) { super(message, 'UsageError') }
}
