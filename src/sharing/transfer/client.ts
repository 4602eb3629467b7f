import { requestResponse } from '../../core/index.js'
import { decodeManifest, type Manifest } from '../manifest.js'
import { MAX_MANIFEST_RESPONSE_BYTES, MAX_PIECE_SIZE, RESPONSE_OVERHEAD_BYTES, PROTOCOL_TRANSFER, TRANSFER_VERSION } from './constants.js'
import { BadDataError, TransferRefusedError } from './errors.js'
import { ErrorCode, TransferRequest, TransferResponse, boundedLp, decodePieceFrame } from './wire.js'
import type { PeerId } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'
import type { Libp2p } from 'libp2p'
import { Uint8ArrayList } from 'uint8arraylist'

/**
 * The downloader's side of /peerhive/transfer/1.0.0: one function per
 * exchange, each on a fresh stream. Errors say who is at fault:
 * TransferRefusedError (the provider answered an error code), BadDataError
 * (the provider broke the protocol or sent bytes that fail verification),
 * anything else (dial, reset, timeout) is a transport failure.
 */

/** Asks `peer` for the manifest of `cid` and verifies it hashes to the CID. */
export async function fetchManifest (libp2p: Libp2p<any>, peer: PeerId, cid: CID, signal: AbortSignal): Promise<Manifest> {
  const stream = await libp2p.dialProtocol(peer, PROTOCOL_TRANSFER, { signal })
  let res: TransferResponse
  try {
    res = await requestResponse(stream, { version: TRANSFER_VERSION, cid: cid.toString(), kind: TransferRequest.Kind.MANIFEST, pieces: [] }, TransferRequest, { encode: TransferResponse.encode, decode: decodeResponse }, {
      maxInboundBytes: MAX_MANIFEST_RESPONSE_BYTES,
      signal
    })
  } catch (err: any) {
    throw asBadData(err)
  }
  if (res.error !== ErrorCode.NONE) throw new TransferRefusedError(res.error, res.message)
  let manifest: Manifest
  try {
    manifest = decodeManifest(res.manifest, cid)
  } catch (err: any) {
    throw new BadDataError(`bad manifest: ${err.message}`)
  }
  if (manifest.pieceSize > MAX_PIECE_SIZE) throw new BadDataError(`the manifest's pieces of ${manifest.pieceSize} bytes exceed the ${MAX_PIECE_SIZE} this node accepts`)
  return manifest
}

export interface FetchPiecesOptions {
  /** the manifest's piece size: no response may be larger than this plus a small overhead */
  pieceSize: number
  /** cancels the whole exchange */
  signal: AbortSignal
  /** longest wait for the stream, and for each piece */
  pieceTimeoutMs: number
  /** called with each piece (in the chunks it arrived in), in the order asked; the next is read once it resolves. Throw to end the exchange. */
  onPiece: (index: number, data: Uint8ArrayList) => Promise<void>
}

/**
 * Asks `peer` for `indices` of `cid` on one stream and hands each piece to
 * `onPiece` as it arrives. At most the bytes asked for are buffered: a
 * provider that sends more is reset.
 */
export async function fetchPieces (libp2p: Libp2p<any>, peer: PeerId, cid: string, indices: number[], opts: FetchPiecesOptions): Promise<void> {
  const stream = await libp2p.dialProtocol(peer, PROTOCOL_TRANSFER, { signal: AbortSignal.any([opts.signal, AbortSignal.timeout(opts.pieceTimeoutMs)]) })
  const maxMessage = opts.pieceSize + RESPONSE_OVERHEAD_BYTES
  const lp = boundedLp(stream, maxMessage, indices.length * maxMessage + 1024)
  try {
    const request = TransferRequest.encode({ version: TRANSFER_VERSION, cid, kind: TransferRequest.Kind.PIECES, pieces: indices })
    await lp.write(request, { signal: opts.signal })
    // nothing more to say: the provider sees our side closed
    await stream.close({ signal: opts.signal })
    for (const expected of indices) {
      let buf
      try {
        buf = await lp.read({ signal: AbortSignal.any([opts.signal, AbortSignal.timeout(opts.pieceTimeoutMs)]) })
      } catch (err: any) {
        throw asBadData(err)
      }
      const piece = readPiece(buf)
      if (piece.index !== expected) throw new BadDataError(`sent piece ${piece.index} where piece ${expected} was due`)
      await opts.onPiece(expected, piece.data)
    }
  } catch (err: any) {
    stream.abort(err)
    throw err
  }
}

/** A piece response, on the fast path when it has the usual layout; an error response throws. */
function readPiece (buf: Uint8ArrayList): { index: number, data: Uint8ArrayList } {
  let piece
  try {
    piece = decodePieceFrame(buf)
  } catch (err: any) {
    throw new BadDataError(`malformed response: ${err.message}`)
  }
  if (piece != null) return piece
  const res = decodeResponse(buf)
  if (res.error !== ErrorCode.NONE) throw new TransferRefusedError(res.error, res.message)
  return { index: res.index, data: new Uint8ArrayList(res.data) }
}

/** Decodes a response; bytes that are not one are the provider's fault. */
function decodeResponse (buf: Uint8Array | Uint8ArrayList): TransferResponse {
  try {
    return TransferResponse.decode(buf)
  } catch (err: any) {
    throw new BadDataError(`malformed response: ${err.message}`)
  }
}

/** Oversized responses are the provider's fault; transport errors are not. */
function asBadData (err: any): Error {
  switch (err?.name) {
    case 'InvalidDataLengthError':
    case 'InvalidDataLengthLengthError':
    case 'InvalidMessageLengthError':
      return new BadDataError(`response larger than allowed: ${err.message}`)
    case 'StreamBufferError':
      return new BadDataError(`sent more than was asked for: ${err.message}`)
    default:
      return err
  }
}
