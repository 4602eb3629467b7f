/** Errors carry a stable `name`; tests and callers match on it. */
export class PeerhiveError extends Error {
  constructor (message: string, name: string) {
    super(message)
    this.name = name
  }
}

export class InvalidOptionError extends PeerhiveError {
  constructor (message: string) { super(message, 'InvalidOptionError') }
}

export class JoinRejectedError extends PeerhiveError {
  readonly code: string
  constructor (code: string, message: string) {
    super(`bootstrap refused the join (${code}): ${message}`, 'JoinRejectedError')
    this.code = code
  }
}

export class MalformedMessageError extends PeerhiveError {
  constructor (message: string) { super(message, 'MalformedMessageError') }
}

export class MessageTooLargeError extends PeerhiveError {
  constructor (message: string) { super(message, 'MessageTooLargeError') }
}

export class UnsupportedVersionError extends PeerhiveError {
  constructor (message: string) { super(message, 'UnsupportedVersionError') }
}

export class RateLimitedError extends PeerhiveError {
  constructor (message: string) { super(message, 'RateLimitedError') }
}

export class SubnetMismatchError extends PeerhiveError {
  constructor (message: string) { super(message, 'SubnetMismatchError') }
}

export class NoDaemonError extends PeerhiveError {
  constructor (message: string) { super(message, 'NoDaemonError') }
}

/** A listen address the node cannot bind: a port in use, an IP not on this host, a transport it does not run. */
export class CannotListenError extends PeerhiveError {
  /** every address that failed, with a reason a person can act on */
  readonly failures: Array<{ address: string, reason: string }>
  constructor (failures: Array<{ address: string, reason: string }>, options?: { cause?: unknown }) {
    super(failures.map(f => `cannot listen on ${f.address}: ${f.reason}`).join('; '), 'CannotListenError')
    this.failures = failures
    if (options?.cause !== undefined) this.cause = options.cause
  }
}

/** The identity file of a data directory cannot be read, or holds a key peerhive does not use. */
export class InvalidIdentityError extends PeerhiveError {
  constructor (message: string) { super(message, 'InvalidIdentityError') }
}

/** A database was written by a newer peerhive, whose schema this one does not know. */
export class DatabaseTooNewError extends PeerhiveError {
  constructor (message: string) { super(message, 'DatabaseTooNewError') }
}

/**
 * A length prefix longer than any message the reader accepts. The name is
 * the one libp2p's own length-prefixed reader gives the same fault, so
 * isTooLargeError (rpc.ts) sees one kind.
 */
export class InvalidDataLengthLengthError extends PeerhiveError {
  constructor (message: string) { super(message, 'InvalidDataLengthLengthError') }
}
