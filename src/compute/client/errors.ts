import { PeerhiveError } from '../../core/errors.js'

/**
 * A job that cannot be submitted: malformed JSON, a field out of range, a
 * missing file. `problems` lists every one of them (one per line in the
 * message); the CLI exits with the usage code.
 */
export class InvalidJobError extends PeerhiveError {
  readonly problems: string[]
  constructor (problems: string[], what = 'the job is invalid') {
    super(`${what}:\n${problems.map(p => `  - ${p}`).join('\n')}`, 'InvalidJobError')
    this.problems = problems
  }
}

/** The bootstrap knows no such job (or no such provider, for ADMIN_REMOVE). */
export class JobNotFoundError extends PeerhiveError {
  constructor (message: string) { super(message, 'JobNotFoundError') }
}

/** The bootstrap refused: not the job's owner, not an operator. */
export class ForbiddenError extends PeerhiveError {
  constructor (message: string) { super(message, 'ForbiddenError') }
}

/** Any other refusal of /peerhive/jobs/1.0.0; `code` is the JobsResponse error. */
export class JobsRequestError extends PeerhiveError {
  readonly code: string
  constructor (code: string, message: string) {
    super(`the bootstrap refused the request (${code}): ${message}`, 'JobsRequestError')
    this.code = code
  }
}

/** The output of a unit could not be had from the owner's inbox nor from any provider that holds it. */
export class OutputUnavailableError extends PeerhiveError {
  constructor (message: string) { super(message, 'OutputUnavailableError') }
}

/**
 * The bootstrap stayed unreachable for longer than a long-running call
 * (watch, results) was told to wait; the message says how to take it up
 * later. `unreachableForMs` is how long the outage had lasted.
 */
export class BootstrapUnreachableError extends PeerhiveError {
  readonly unreachableForMs: number
  constructor (message: string, unreachableForMs: number) {
    super(message, 'BootstrapUnreachableError')
    this.unreachableForMs = unreachableForMs
  }
}

/**
 * One call to the bootstrap got no answer: it could not be dialled, the
 * stream broke, or the deadline passed. `code` is the transport's (e.g.
 * ECONNREFUSED) when it had one, and `cause` the transport's error. Long
 * calls retry it (bootstrap-retry.ts); one-shot commands show it.
 */
export class BootstrapNotAnsweredError extends PeerhiveError {
  readonly code?: string
  constructor (why: string, options: { cause?: unknown, code?: string } = {}) {
    super(`the bootstrap did not answer (${why}); is it running? Jobs are kept: try again once it is back`, 'BootstrapNotAnsweredError')
    if (options.cause !== undefined) this.cause = options.cause
    if (options.code != null) this.code = options.code
  }
}
