import { PeerhiveError } from '../../core/index.js'

/** Why a keyword record was refused; stable, for logs and tests. */
export type KeywordRecordProblem =
  | 'MALFORMED_KEY'
  | 'MALFORMED_RECORD'
  | 'TOO_LARGE'
  | 'TOO_MANY_ENTRIES'
  | 'UNSUPPORTED_VERSION'
  | 'UNSUPPORTED_KEY_TYPE'
  | 'BAD_SIGNATURE'
  | 'WRONG_WORD'
  | 'EXPIRED'
  | 'BAD_TIME'
  | 'FIELD_TOO_LONG'

/** A keyword record that the DHT validator refuses. Every node refuses the same records for the same reason. */
export class InvalidKeywordRecordError extends PeerhiveError {
  readonly problem: KeywordRecordProblem
  constructor (problem: KeywordRecordProblem, message: string) {
    super(`${problem}: ${message}`, 'InvalidKeywordRecordError')
    this.problem = problem
  }
}

/** What we tried to publish does not fit a keyword record (for example, an entry of someone else). */
export class KeywordRecordBuildError extends PeerhiveError {
  constructor (message: string) { super(message, 'KeywordRecordBuildError') }
}

/** A provide or put that no peer of the DHT took; the announcer retries. */
export class NotAnnouncedError extends PeerhiveError {
  constructor (message: string) { super(message, 'NotAnnouncedError') }
}
