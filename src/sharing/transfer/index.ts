/** Verified multi-source file transfer (SHARE-4): the provider's server and the downloader. */
export { PROTOCOL_TRANSFER, TRANSFER_VERSION, MAX_PIECES_PER_REQUEST, MAX_PIECE_SIZE } from './constants.js'
export { TransferServer } from './server.js'
export type { TransferServerInit } from './server.js'
export type { TransferStore } from '../model/types.js'
export { download } from './download.js'
export { NotFoundError, DownloadFailedError, DownloadAbortedError, DownloadInProgressError, TransferRefusedError, BadDataError } from './errors.js'
export type { DownloadOptions, DownloadResult, DownloadProgress, ProviderInfo, ProviderReport } from './types.js'
