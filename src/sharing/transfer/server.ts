import { RateLimiter } from '@libp2p/utils'
import { FileChangedError, NotSharedError } from '../model/errors.js'
import { Manifest, parseCid } from '../model/manifest.js'
import {
  CLOSE_GRACE_MS, DEFAULT_MAX_EXCHANGES, DEFAULT_MAX_EXCHANGES_PER_PEER, DEFAULT_MAX_INBOUND_STREAMS, DEFAULT_PIECE_TIMEOUT_MS,
  DEFAULT_REQUESTS_PER_PEER, DEFAULT_REQUEST_TIMEOUT_MS, MAX_PIECES_PER_REQUEST, MAX_PIECE_SIZE, MAX_TRANSFER_REQUEST_BYTES,
  PROTOCOL_TRANSFER, TRANSFER_VERSION
} from './constants.js'
import { tryConsume } from '../../core/request-handler.js'
import { sendFrame } from './flow.js'
import { ErrorCode, TransferRequest, TransferResponse, boundedLp, encodePieceFrame, errorResponse, type LpStream } from './wire.js'
import type { TransferStore } from '../model/types.js'
import type { Connection, Logger, Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

export interface TransferServerInit {
  /**
   * Transfer streams one connection may hold open.
   * @default 16
   */
  maxInboundStreams?: number
  /**
   * Transfer streams one peer may have in progress (over all its connections) before BUSY.
   * @default 16
   */
  maxExchangesPerPeer?: number
  /**
   * Transfer streams in progress, all peers, before BUSY.
   * @default 64
   */
  maxExchanges?: number
  /**
   * Requests one peer may make per 10 s before BUSY.
   * @default 10000
   */
  requestsPerPeer?: number
  /**
   * Each request must arrive within this of the stream's opening or the last answer.
   * @default 5000
   */
  requestTimeoutMs?: number
  /**
   * Longest read of a piece from the store, and longest time the downloader may take no bytes.
   * @default 30000
   */
  pieceTimeoutMs?: number
  /**
   * Told the outcome of every request: `ok`, an error code, `TIMEOUT` or `STREAM_ERROR` (one per stream that failed)
   * @default none
   */
  onRequest?: (outcome: string, kind: 'manifest' | 'pieces' | 'unknown') => void
  /**
   * Told the size of every message read ('in') and written ('out')
   * @default none
   */
  onBytes?: (direction: 'in' | 'out', bytes: number) => void
}

/** A request the provider answers with an error code, then closes. */
class Refusal extends Error {
  constructor (readonly code: ErrorCode, message: string) {
    super(message)
    this.name = 'Refusal'
  }
}

/**
 * The provider side of /peerhive/transfer/1.0.0 (protocols/transfer.md):
 * serves manifests and batches of pieces of what the store shares. Streams,
 * requests, messages and waits are all bounded; a bad request gets an error
 * answer and its stream is closed, and the node keeps serving the others.
 */
export class TransferServer {
  private readonly log: Logger
  private readonly limiter: RateLimiter
  private readonly perPeer = new Map<string, number>()
  private readonly streams = new Set<Stream>()
  private running = false
  private readonly maxExchangesPerPeer: number
  private readonly maxExchanges: number
  private readonly requestTimeoutMs: number
  private readonly pieceTimeoutMs: number

  constructor (private readonly libp2p: Libp2p<any>, private readonly store: TransferStore, private readonly init: TransferServerInit = {}) {
    this.log = libp2p.logger.forComponent('peerhive:transfer:server')
    this.limiter = new RateLimiter({ points: init.requestsPerPeer ?? DEFAULT_REQUESTS_PER_PEER, duration: 10 })
    this.maxExchangesPerPeer = init.maxExchangesPerPeer ?? DEFAULT_MAX_EXCHANGES_PER_PEER
    this.maxExchanges = init.maxExchanges ?? DEFAULT_MAX_EXCHANGES
    this.requestTimeoutMs = init.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
    this.pieceTimeoutMs = init.pieceTimeoutMs ?? DEFAULT_PIECE_TIMEOUT_MS
  }

  /** transfer streams in progress now */
  get active (): number {
    return this.streams.size
  }

  async start (): Promise<void> {
    if (this.running) return
    await this.libp2p.handle(PROTOCOL_TRANSFER, (stream: Stream, connection: Connection) => { void this.onStream(stream, connection) }, {
      maxInboundStreams: this.init.maxInboundStreams ?? DEFAULT_MAX_INBOUND_STREAMS,
      // this node's own downloads open streams of this protocol too
      maxOutboundStreams: 64
    })
    this.running = true
  }

  async stop (): Promise<void> {
    if (!this.running) return
    this.running = false
    await this.libp2p.unhandle(PROTOCOL_TRANSFER)
    for (const stream of this.streams) stream.abort(new Error('the provider is stopping'))
    this.streams.clear()
    this.perPeer.clear()
  }

  /**
   * One stream: requests answered in turn until the downloader closes its
   * side. An error answer (or any failure) ends the stream.
   */
  private async onStream (stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    let kind: 'manifest' | 'pieces' | 'unknown' = 'unknown'
    this.streams.add(stream)
    this.perPeer.set(peer, (this.perPeer.get(peer) ?? 0) + 1)
    // the downloader sends requests of at most 1 KiB, a few at a time; more unread than this is an abuse
    const lp = boundedLp(stream, MAX_TRANSFER_REQUEST_BYTES, 16 * MAX_TRANSFER_REQUEST_BYTES)
    const gone = closedSignal(stream)
    // a stream's requests are for one file, as a rule: its manifest is decoded once
    const manifests = new ManifestCache()
    try {
      for (let n = 0; ; n++) {
        kind = 'unknown'
        const request = await this.nextRequest(stream, lp, n === 0)
        if (request == null) break
        kind = request.kind === TransferRequest.Kind.PIECES ? 'pieces' : 'manifest'
        this.admit(peer, request)
        if (request.kind === TransferRequest.Kind.MANIFEST) await this.sendManifest(lp, request.cid)
        else await this.sendPieces(stream, request, gone, manifests)
        this.init.onRequest?.('ok', kind)
      }
      await stream.close({ signal: AbortSignal.timeout(this.pieceTimeoutMs) })
    } catch (err: any) {
      let outcome: string
      if (err instanceof Refusal) {
        outcome = err.code
        this.log('refused %s request from %p: %s %s', kind, connection.remotePeer, err.code, err.message)
        await this.refuse(stream, lp, err)
      } else {
        outcome = err.name === 'TimeoutError' ? 'TIMEOUT' : 'STREAM_ERROR'
        this.log('%s exchange with %p failed - %e', kind, connection.remotePeer, err)
        stream.abort(err)
      }
      this.init.onRequest?.(outcome, kind)
    } finally {
      this.releaseLater(stream)
      this.streams.delete(stream)
      const left = (this.perPeer.get(peer) ?? 1) - 1
      if (left <= 0) this.perPeer.delete(peer)
      else this.perPeer.set(peer, left)
    }
  }

  /**
   * The next request, or undefined when the downloader closed its side after
   * an earlier one. Bytes that are not a request become a BAD_REQUEST refusal.
   */
  private async nextRequest (stream: Stream, lp: LpStream, first: boolean): Promise<TransferRequest | undefined> {
    let buf
    try {
      buf = await lp.read({ signal: AbortSignal.timeout(this.requestTimeoutMs) })
    } catch (err: any) {
      if (!first && err.name === 'UnexpectedEOFError') return undefined
      if (stream.status !== 'open' || stream.writeStatus !== 'writable') throw err
      if (err.name === 'TimeoutError' || err.name === 'AbortError' || err.name === 'UnexpectedEOFError') throw err
      throw new Refusal(ErrorCode.BAD_REQUEST, requestError(err))
    }
    this.init.onBytes?.('in', buf.byteLength)
    try {
      return TransferRequest.decode(buf)
    } catch (err: any) {
      throw new Refusal(ErrorCode.BAD_REQUEST, requestError(err))
    }
  }

  /** Checks the request's version and the peer's allowance; throws a Refusal. */
  private admit (peer: string, request: TransferRequest): void {
    if (request.version !== TRANSFER_VERSION) {
      throw new Refusal(ErrorCode.UNSUPPORTED_VERSION, `transfer version ${request.version} is not supported; this provider speaks version ${TRANSFER_VERSION}`)
    }
    if (!this.running) throw new Refusal(ErrorCode.BUSY, 'the provider is stopping')
    if ((this.perPeer.get(peer) ?? 0) > this.maxExchangesPerPeer) {
      throw new Refusal(ErrorCode.BUSY, `more than ${this.maxExchangesPerPeer} exchanges at once from this peer`)
    }
    if (this.streams.size > this.maxExchanges) throw new Refusal(ErrorCode.BUSY, 'the provider is serving too many exchanges; retry later')
    if (!tryConsume(this.limiter, peer)) {
      throw new Refusal(ErrorCode.BUSY, `more than ${this.init.requestsPerPeer ?? DEFAULT_REQUESTS_PER_PEER} requests in 10 s from this peer; retry later`)
    }
  }

  /** The store's manifest bytes of a CID given as text; refusals for a bad or unknown CID. */
  private async manifestBytes (cidText: string): Promise<{ bytes: Uint8Array, cid: string }> {
    let cid: string
    try {
      cid = parseCid(cidText).toString()
    } catch (err: any) {
      throw new Refusal(ErrorCode.BAD_REQUEST, err.message)
    }
    const bytes = await this.store.manifestBytes(cid)
    if (bytes == null) throw new Refusal(ErrorCode.NOT_FOUND, `${cid} is not shared here`)
    return { bytes, cid }
  }

  private async sendManifest (lp: LpStream, cidText: string): Promise<void> {
    const { bytes } = await this.manifestBytes(cidText)
    await this.writeMessage(lp, TransferResponse.encode({ manifest: bytes as Uint8Array<ArrayBuffer> }))
  }

  private async sendPieces (stream: Stream, request: TransferRequest, gone: AbortSignal, manifests: ManifestCache): Promise<void> {
    // asked again for each request: the store may have stopped sharing the file since
    const { bytes, cid } = await this.manifestBytes(request.cid)
    const manifest = manifests.decode(cid, bytes)
    const indices = request.pieces
    if (indices.length === 0 || indices.length > MAX_PIECES_PER_REQUEST) {
      throw new Refusal(ErrorCode.BAD_REQUEST, `ask for 1 to ${MAX_PIECES_PER_REQUEST} pieces per request, not ${indices.length}`)
    }
    if (manifest.pieceSize > MAX_PIECE_SIZE) throw new Refusal(ErrorCode.INTERNAL, `pieces of ${manifest.pieceSize} bytes are over this provider's limit`)
    const seen = new Set<number>()
    for (const index of indices) {
      if (index >= manifest.pieces.length) throw new Refusal(ErrorCode.BAD_REQUEST, `piece ${index} is out of range (the file has ${manifest.pieces.length} pieces)`)
      if (seen.has(index)) throw new Refusal(ErrorCode.BAD_REQUEST, `piece ${index} is asked for twice`)
      seen.add(index)
    }
    // the next piece is read from disk while the current one is sent
    let next = this.readPiece(cid, indices[0], gone)
    for (let i = 0; i < indices.length; i++) {
      const data = await next
      if (i + 1 < indices.length) next = this.readPiece(cid, indices[i + 1], gone)
      const frame = encodePieceFrame(indices[i], data)
      // at most about one piece waits in the stream's buffer while the next is read from disk
      await sendFrame(stream, frame, manifest.pieceSize, this.pieceTimeoutMs, gone)
      this.init.onBytes?.('out', frame.byteLength)
    }
  }

  /**
   * Reads a piece, within the piece timeout and only while the stream lives;
   * store errors become the matching refusal. Never rejects unobserved.
   */
  private readPiece (cid: string, index: number, gone: AbortSignal): Promise<Uint8Array> {
    const deadline = AbortSignal.any([gone, AbortSignal.timeout(this.pieceTimeoutMs)])
    const read = untilAborted(this.store.readPiece(cid, index), deadline).catch((err: any) => {
      if (gone.aborted) throw err
      if (deadline.aborted) throw new Refusal(ErrorCode.INTERNAL, `reading piece ${index} took longer than ${this.pieceTimeoutMs} ms`)
      if (err instanceof NotSharedError || err?.name === 'NotSharedError') throw new Refusal(ErrorCode.NOT_FOUND, err.message)
      if (err instanceof FileChangedError || err?.name === 'FileChangedError') throw new Refusal(ErrorCode.CHANGED, err.message)
      this.log.error('reading piece %d of %s failed - %e', index, cid, err)
      throw new Refusal(ErrorCode.INTERNAL, 'the provider could not read the piece')
    })
    read.catch(() => {})
    return read
  }

  private async writeMessage (lp: LpStream, bytes: Uint8Array): Promise<void> {
    await lp.write(bytes, { signal: AbortSignal.timeout(this.pieceTimeoutMs) })
    this.init.onBytes?.('out', bytes.byteLength)
  }

  /** Answers with an error code and closes; a stream that cannot take it any more is reset. */
  private async refuse (stream: Stream, lp: LpStream, refusal: Refusal): Promise<void> {
    try {
      if (stream.status !== 'open' || stream.writeStatus !== 'writable') throw refusal
      const bytes = errorResponse(refusal.code, refusal.message)
      await lp.write(bytes, { signal: AbortSignal.timeout(this.requestTimeoutMs) })
      this.init.onBytes?.('out', bytes.byteLength)
      await stream.close({ signal: AbortSignal.timeout(this.requestTimeoutMs) })
    } catch {
      stream.abort(refusal)
    }
  }

  /** After an error answer, the downloader gets a grace period to close its side; then the stream is reset. */
  private releaseLater (stream: Stream): void {
    if (stream.status !== 'open') return
    const timer = setTimeout(() => {
      if (stream.status === 'open') stream.abort(new Error('the downloader did not close the stream'))
    }, CLOSE_GRACE_MS)
    timer.unref?.()
    stream.addEventListener('close', () => { clearTimeout(timer) }, { once: true })
  }
}

/** The last manifest a stream used, decoded (a large file's manifest is up to 1 MiB). */
class ManifestCache {
  private last?: { cid: string, bytes: Uint8Array, manifest: Manifest }

  decode (cid: string, bytes: Uint8Array): Manifest {
    // comparing the bytes costs far less than decoding them again
    if (this.last?.cid !== cid || !Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(this.last.bytes)) {
      this.last = { cid, bytes, manifest: Manifest.decode(bytes) }
    }
    return this.last.manifest
  }
}

/** Aborts when the stream closes, resets or is aborted. */
function closedSignal (stream: Stream): AbortSignal {
  const controller = new AbortController()
  if (stream.status !== 'open') controller.abort(new Error('the stream is closed'))
  else stream.addEventListener('close', () => { controller.abort(new Error('the stream is closed')) }, { once: true })
  return controller.signal
}

/** `promise`, or a rejection as soon as `signal` aborts. */
async function untilAborted<T> (promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) throw signal.reason
  let onAbort: (() => void) | undefined
  try {
    return await Promise.race([promise, new Promise<never>((_resolve, reject) => {
      onAbort = () => { reject(signal.reason) }
      signal.addEventListener('abort', onAbort, { once: true })
    })])
  } finally {
    if (onAbort != null) signal.removeEventListener('abort', onAbort)
  }
}

function requestError (err: any): string {
  if (err?.name === 'InvalidDataLengthError' || err?.name === 'InvalidDataLengthLengthError') {
    return `request larger than ${MAX_TRANSFER_REQUEST_BYTES} bytes`
  }
  if (err?.name === 'MaxLengthError') return `a request asks for at most ${MAX_PIECES_PER_REQUEST} pieces`
  return `malformed request: ${String(err?.message ?? err)}`
}
