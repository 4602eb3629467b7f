import { PeerhiveError } from '../../core/errors.js'

/** A shared file no longer matches its manifest: it was changed after it was shared. */
export class FileChangedError extends PeerhiveError {
  constructor (message: string) { super(message, 'FileChangedError') }
}

/** The CID asked for is not shared by this node. */
export class NotSharedError extends PeerhiveError {
  constructor (message: string) { super(message, 'NotSharedError') }
}

/** A peer answered a search with an error; `code` is its SearchError (e.g. RATE_LIMITED, NOT_A_SERVER). */
export class SearchRefusedError extends PeerhiveError {
  readonly code: string
  constructor (peer: string, code: string, message: string) {
    super(`${peer} refused the search (${code}): ${message}`, 'SearchRefusedError')
    this.code = code
  }
}
