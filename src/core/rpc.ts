import { UnsupportedProtocolError, type Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { boundedLengthDecoder } from './bounded-length.js'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Codec<T> {
  encode: (value: T) => Uint8Array
  decode: (buf: Uint8Array | Uint8ArrayList, opts?: any) => T
}

/** Bytes as they are: a message encoded once and sent to many, or checked by its own decoder after it is read. */
export const rawBytes: Codec<Uint8Array> = { encode: b => b, decode: b => b instanceof Uint8Array ? b : b.subarray() }

export interface ExchangeOptions {
  /** largest message accepted from the other side */
  maxInboundBytes: number
  signal: AbortSignal
  /** told the size of every message read ('in') and written ('out'), for metrics */
  onBytes?: (direction: 'in' | 'out', bytes: number) => void
}

/**
 * One request, one response over a fresh stream (or the channel
 * openRequestChannel made): the single request/response helper every
 * peerhive protocol uses on the asking side.
 */
export async function requestResponse<Req, Res> (to: Stream | RequestChannel, request: Req, req: Codec<Req>, res: Codec<Res>, opts: ExchangeOptions): Promise<Res> {
  const channel = to instanceof RequestChannel ? to : new RequestChannel(to, opts.maxInboundBytes)
  const { stream } = channel
  const response = await channel.exchange(request, req, res, opts)
  try {
    await stream.close({ signal: opts.signal })
  } catch (err: any) {
    stream.abort(err)
    throw err
  }
  return response
}

/**
 * The asking side of a session: requests one at a time over one stream,
 * each answered before the next goes out (answerRequest with `session`).
 * The channel keeps the stream's reader, so whatever the peer sends between
 * two exchanges stays in order for the next one.
 */
export class RequestChannel {
  private readonly lp: LpStream

  /**
   * `unconfirmed`: the protocol this stream has not negotiated yet
   * (openRequestChannel); the first request proposes it, and its answer
   * comes after the listener's confirmation.
   */
  constructor (readonly stream: Stream, maxInboundBytes: number, private unconfirmed?: string) {
    this.lp = boundedLpStream(stream, maxInboundBytes)
  }

  /** Whether another request may go out: neither side has closed or reset the stream. */
  get open (): boolean {
    return this.stream.status === 'open' && this.stream.writeStatus === 'writable' && this.stream.remoteWriteStatus === 'writable'
  }

  /** Sends `request` and reads its response; any failure aborts the stream. */
  async exchange<Req, Res> (request: Req, req: Codec<Req>, res: Codec<Res>, opts: ExchangeOptions): Promise<Res> {
    try {
      const protocol = this.unconfirmed
      this.unconfirmed = undefined
      if (protocol == null) {
        await write(this.lp, req.encode(request), opts)
      } else {
        const body = req.encode(request)
        await this.lp.writeV([MULTISTREAM_LINE, protocolLine(protocol), body], { signal: opts.signal })
        opts.onBytes?.('out', body.byteLength)
        await confirmed(this.lp, protocol, opts.signal)
      }
      return res.decode(await read(this.lp, opts))
    } catch (err: any) {
      this.stream.abort(err)
      throw err
    }
  }
}

/** multistream-select's header line: the listener answers with it before its answer to the protocol. */
const MULTISTREAM_HEADER = '/multistream/1.0.0\n'
const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()
const MULTISTREAM_LINE = utf8.encode(MULTISTREAM_HEADER)

function protocolLine (protocol: string): Uint8Array {
  return utf8.encode(`${protocol}\n`)
}

/** Reads the listener's confirmation of `protocol` (its header line, then the protocol's): anything else fails. */
async function confirmed (lp: LpStream, protocol: string, signal: AbortSignal): Promise<void> {
  const header = fromUtf8.decode((await lp.read({ signal })).subarray())
  if (header !== MULTISTREAM_HEADER) throw new UnsupportedProtocolError(`the peer did not answer in multistream-select (it sent ${JSON.stringify(header.slice(0, 40))})`)
  const answer = fromUtf8.decode((await lp.read({ signal })).subarray())
  if (answer !== `${protocol}\n`) throw new UnsupportedProtocolError(`the peer does not speak ${protocol} (it answered ${JSON.stringify(answer.trim().slice(0, 60))})`)
}

/** Keeping a stream for more requests, one at a time (a session). */
export interface SessionOptions<Res> {
  /** whether the stream stays open after this response (the response says so to the peer) */
  keepOpen: (response: Res) => boolean
  /** the longest wait for the next request; then the stream is closed */
  idleMs: number
  /** the deadline of each exchange after the first (the first has `signal`) */
  exchangeMs: number
}

export interface AnswerOptions<Req, Res> extends ExchangeOptions {
  handle: (request: Req) => Promise<Res> | Res
  onBadRequest: (err: Error) => Res
  /** told when a response of `handle` has been written */
  onSent?: (response: Res) => void
  /** without it, one request per stream */
  session?: SessionOptions<Res>
}

/**
 * The answering side: reads one request, lets `handle` produce the response,
 * writes it and closes. A request that cannot be read (too large, malformed)
 * is answered with `onBadRequest(err)` when the stream still allows it, then
 * the stream is closed; the node keeps running. With `session`, it keeps
 * reading requests after a response that `keepOpen` accepts, until the peer
 * closes its side or `idleMs` pass without one.
 */
export async function answerRequest<Req, Res> (stream: Stream, req: Codec<Req>, res: Codec<Res>, opts: AnswerOptions<Req, Res>): Promise<void> {
  const lp = boundedLpStream(stream, opts.maxInboundBytes)
  let signal = opts.signal
  let request: Uint8ArrayList | undefined
  while (true) {
    // nothing more is expected after a request but the next one: whatever the peer leaves open goes at the deadline
    const release = releaseAtDeadline(stream, signal)
    let response: Res
    try {
      response = await opts.handle(req.decode(request ?? await read(lp, { ...opts, signal })))
    } catch (err: any) {
      await refuse(stream, lp, res, opts, signal, err)
      throw err
    }
    await write(lp, res.encode(response), { ...opts, signal })
    opts.onSent?.(response)
    if (opts.session?.keepOpen(response) !== true) break
    release()
    const idle = AbortSignal.timeout(opts.session.idleMs)
    try {
      request = await read(lp, { ...opts, signal: idle })
    } catch (err: any) {
      // the peer is done with the session, or went quiet
      if (idle.aborted || stream.status !== 'open' || stream.remoteWriteStatus !== 'writable') {
        await closeOrAbort(stream, AbortSignal.timeout(opts.session.exchangeMs))
        return
      }
      await refuse(stream, lp, res, opts, AbortSignal.timeout(opts.session.exchangeMs), err)
      throw err
    }
    signal = AbortSignal.timeout(opts.session.exchangeMs)
  }
  await stream.close({ signal })
}

/** A request that could not be read or handled: answered with onBadRequest when the stream still allows it, then closed. */
async function refuse<Res> (stream: Stream, lp: LpStream, res: Codec<Res>, opts: AnswerOptions<any, Res>, signal: AbortSignal, err: Error): Promise<void> {
  if (signal.aborted || stream.status !== 'open' || stream.writeStatus !== 'writable') {
    // timed out, reset or closed by the peer: there is nobody to answer
    stream.abort(err)
    return
  }
  try {
    await write(lp, res.encode(opts.onBadRequest(err)), { ...opts, signal })
    await stream.close({ signal })
  } catch {
    stream.abort(err)
  }
}

/** Closes this side of `stream`, or aborts it when even that fails. */
export async function closeOrAbort (stream: Stream, signal?: AbortSignal): Promise<void> {
  try {
    await stream.close({ signal })
  } catch (err: any) {
    stream.abort(err)
  }
}

/** Whether a read failed because the message was over its size or count limits (rather than malformed). */
export function isTooLargeError (err: Error): boolean {
  return err.name === 'InvalidDataLengthError' || err.name === 'InvalidDataLengthLengthError' || err.name === 'MaxLengthError'
}

type LpStream = ReturnType<typeof lpStream>

/** The read buffer byteStream allows by default; a message larger than this needs a larger buffer. */
const DEFAULT_READ_BUFFER = 4 * 1024 * 1024

function boundedLpStream (stream: Stream, maxDataLength: number): LpStream {
  return lpStream(stream, {
    maxDataLength,
    lengthDecoder: boundedLengthDecoder(maxDataLength),
    // room for one whole message and its length prefix, or the stream is aborted before the message is complete
    maxBufferSize: Math.max(DEFAULT_READ_BUFFER, maxDataLength + 16)
  })
}

async function read (lp: LpStream, opts: ExchangeOptions): Promise<Uint8ArrayList> {
  const buf = await lp.read({ signal: opts.signal })
  opts.onBytes?.('in', buf.byteLength)
  return buf
}

async function write (lp: LpStream, bytes: Uint8Array, opts: ExchangeOptions): Promise<void> {
  await lp.write(bytes, { signal: opts.signal })
  opts.onBytes?.('out', bytes.byteLength)
}

/** Aborts the stream when `signal` fires, unless it has closed by then; the returned function cancels that. */
function releaseAtDeadline (stream: Stream, signal: AbortSignal): () => void {
  const onAbort = (): void => {
    if (stream.status !== 'closed' && stream.status !== 'aborted' && stream.status !== 'reset') {
      stream.abort(new Error('the exchange deadline passed'))
    }
  }
  const cancel = (): void => {
    signal.removeEventListener('abort', onAbort)
    stream.removeEventListener('close', cancel)
  }
  signal.addEventListener('abort', onAbort, { once: true })
  stream.addEventListener('close', cancel, { once: true })
  return cancel
}
