/**
 * The /peerhive/transfer/1.0.0 contract (protocols/transfer.md): what a
 * downloader and a provider both hold to. The provider's and the
 * downloader's own defaults are in src/sharing/transfer/constants.ts.
 */
import { TransferResponse } from '../pb/transfer.js'

/** Why a provider refused a request. */
export const TransferError = TransferResponse.ErrorCode

/** Fetch a shared file's manifest and pieces from a provider. */
export const PROTOCOL_TRANSFER = '/peerhive/transfer/1.0.0'
export const TRANSFER_VERSION = 1
/** A request carries a CID and at most 64 indices: far below this. */
export const MAX_TRANSFER_REQUEST_BYTES = 1024
export const MAX_PIECES_PER_REQUEST = 64
/** Largest piece this node serves or accepts; a manifest with bigger pieces is refused. */
export const MAX_PIECE_SIZE = 8 * 1024 * 1024
/** Room for the protobuf fields around a piece's bytes or a manifest. */
export const RESPONSE_OVERHEAD_BYTES = 64
/** Bytes a refusal may take (its message is truncated to fit). */
export const MAX_ERROR_MESSAGE_CHARS = 256
