/** Errors of verified transfer. Each has a stable `name`; callers and tests match on it. */
import { PeerhiveError } from '../../core/index.js'
import type { ProviderReport } from './types.js'

/** No provider has the file: every one answered NOT_FOUND or CHANGED (or none was given). */
export class NotFoundError extends PeerhiveError {
  constructor (message: string, readonly providers: ProviderReport[] = []) {
    super(message, 'NotFoundError')
  }
}

/** The download could not complete: the providers that have the file failed or lied. The partial file is kept for a retry. */
export class DownloadFailedError extends PeerhiveError {
  constructor (message: string, readonly providers: ProviderReport[] = []) {
    super(message, 'DownloadFailedError')
  }
}

/** The caller's signal aborted the download. The partial file and its sidecar are kept for a resume. */
export class DownloadAbortedError extends PeerhiveError {
  constructor (message = 'the download was aborted') {
    super(message, 'AbortError')
  }
}

/** Another download into the same path is running in this process. */
export class DownloadInProgressError extends PeerhiveError {
  constructor (message: string) {
    super(message, 'DownloadInProgressError')
  }
}

/** A provider answered a request with an error code. */
export class TransferRefusedError extends PeerhiveError {
  constructor (readonly code: string, message: string) {
    super(`provider refused (${code}): ${message}`, 'TransferRefusedError')
  }
}

/**
 * A provider broke the protocol or sent data that fails verification (a
 * piece whose hash is wrong, a manifest that does not hash to the CID, a
 * response for another piece). It is dropped for the rest of the download.
 */
export class BadDataError extends PeerhiveError {
  constructor (message: string) {
    super(message, 'BadDataError')
  }
}
