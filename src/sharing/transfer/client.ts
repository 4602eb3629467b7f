import { Uint8ArrayList } from 'uint8arraylist'
import { requestResponse } from '../../core/index.js'
import { decodeManifest, type Manifest } from '../model/manifest.js'
import { MAX_MANIFEST_RESPONSE_BYTES, MAX_PIECE_SIZE, RESPONSE_OVERHEAD_BYTES, PROTOCOL_TRANSFER, TRANSFER_VERSION } from './constants.js'
import { connectionForData } from './direct-connection.js'
import { BadDataError, TransferRefusedError } from './errors.js'
import { IdleTimer } from './flow.js'
import { ErrorCode, TransferRequest, TransferResponse, boundedLp, decodePieceFrame, type LpStream } from './wire.js'
import type { PeerId, Stream } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'
import type { Libp2p } from 'libp2p'

/**
 * The downloader's side of /peerhive/transfer/1.0.0: the manifest exchange,
 * and streams of piece requests. Errors say who is at fault:
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

export interface PieceStreamOptions {
  /** the manifest's piece size: no response may be larger than this plus a small overhead */
  pieceSize: number
  /** the most pieces asked for and not yet read at any time: the read buffer is sized to them */
  maxOutstanding: number
  /** cancels everything on the stream */
  signal: AbortSignal
  /** longest wait for the stream to open, and longest time without a byte while pieces are due */
  pieceTimeoutMs: number
}

/**
 * One stream to a provider that carries successive PIECES requests, so
 * that the next batch can be asked for while the current one arrives and
 * the stream's flow-control window stays open between batches. The caller
 * must never have more than `maxOutstanding` pieces asked for and unread:
 * the read buffer holds exactly that much, and a provider that sends more
 * is reset.
 */
export class PieceStream {
  /**
   * @param relayed the stream runs over a relayed connection (libp2p opens new streams on a direct one, once there is
   * one, but a stream stays on its connection)
   */
  private constructor (private readonly stream: Stream, private readonly lp: LpStream, private readonly idle: IdleTimer, private readonly signal: AbortSignal, readonly relayed: boolean) {}

  static async open (libp2p: Libp2p<any>, peer: PeerId, opts: PieceStreamOptions): Promise<PieceStream> {
    const signal = AbortSignal.any([opts.signal, AbortSignal.timeout(opts.pieceTimeoutMs)])
    // libp2p.dialProtocol's two steps, to learn which connection the stream is on (and to prefer a direct one)
    const connection = await connectionForData(libp2p, peer, signal)
    const stream = await connection.newStream(PROTOCOL_TRANSFER, { signal, maxOutboundStreams: 64 })
    const maxMessage = opts.pieceSize + RESPONSE_OVERHEAD_BYTES
    // a piece may wait behind others on a busy link; only a stream on which nothing arrives is given up
    const idle = new IdleTimer(opts.pieceTimeoutMs, `piece stream to ${peer.toString()}`)
    stream.addEventListener('message', () => { idle.touch() })
    stream.addEventListener('close', () => { idle.clear() }, { once: true })
    return new PieceStream(stream, boundedLp(stream, maxMessage, opts.maxOutstanding * maxMessage + 1024), idle, AbortSignal.any([opts.signal, idle.signal]), !connection.direct)
  }

  /** Asks for `indices` of `cid`; their pieces come in that order, after those of earlier requests. */
  async request (cid: string, indices: number[]): Promise<void> {
    const request = TransferRequest.encode({ version: TRANSFER_VERSION, cid, kind: TransferRequest.Kind.PIECES, pieces: indices })
    this.idle.touch()
    await this.lp.write(request, { signal: this.signal })
  }

  /** Reads the next piece, which must be `expected`, in the chunks it arrived in. */
  async read (expected: number): Promise<Uint8ArrayList> {
    let buf
    try {
      buf = await this.lp.read({ signal: this.signal })
    } catch (err: any) {
      throw asBadData(err)
    }
    const piece = readPiece(buf)
    if (piece.index !== expected) throw new BadDataError(`sent piece ${piece.index} where piece ${expected} was due`)
    return piece.data
  }

  /** Ends the stream once every request was answered: the provider sees our side closed and closes its own. */
  async close (): Promise<void> {
    try {
      await this.stream.close({ signal: this.signal })
    } catch (err: any) {
      this.stream.abort(err)
    } finally {
      this.idle.clear()
    }
  }

  abort (err: Error): void {
    this.idle.clear()
    this.stream.abort(err)
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
