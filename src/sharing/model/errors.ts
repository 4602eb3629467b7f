import { PeerhiveError } from '../../core/index.js'

/** A shared file no longer matches its manifest: it was changed after it was shared. */
export class FileChangedError extends PeerhiveError {
  constructor (message: string) { super(message, 'FileChangedError') }
}

/** The CID asked for is not shared by this node. */
export class NotSharedError extends PeerhiveError {
  constructor (message: string) { super(message, 'NotSharedError') }
}
