import { lpStream } from '@libp2p/utils'
import { boundedLengthDecoder } from './bounded-length.js'
import type { Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Codec<T> {
  encode: (value: T) => Uint8Array
  decode: (buf: Uint8Array | Uint8ArrayList, opts?: any) => T
}

export interface ExchangeOptions {
  /** largest message accepted from the other side */
  maxInboundBytes: number
  signal: AbortSignal
  /** told the size of every message read ('in') and written ('out'), for metrics */
  onBytes?: (direction: 'in' | 'out', bytes: number) => void
}

/**
 * One request, one response over a fresh stream: the single
 * request/response helper every peerhive protocol uses on the asking side.
 */
export async function requestResponse<Req, Res> (stream: Stream, request: Req, req: Codec<Req>, res: Codec<Res>, opts: ExchangeOptions): Promise<Res> {
  try {
    const lp = boundedLpStream(stream, opts.maxInboundBytes)
    await write(lp, req.encode(request), opts)
    const response = res.decode(await read(lp, opts))
    await stream.close({ signal: opts.signal })
    return response
  } catch (err: any) {
    stream.abort(err)
    throw err
  }
}

/**
 * The answering side: reads one request, lets `handle` produce the response,
 * writes it and closes. A request that cannot be read (too large, malformed)
 * is answered with `onBadRequest(err)` when the stream still allows it, then
 * the stream is closed; the node keeps running.
 */
export async function answerRequest<Req, Res> (stream: Stream, req: Codec<Req>, res: Codec<Res>, opts: ExchangeOptions & {
  handle: (request: Req) => Promise<Res> | Res
  onBadRequest: (err: Error) => Res
}): Promise<void> {
  const lp = boundedLpStream(stream, opts.maxInboundBytes)
  // nothing more is expected after the request: whatever the peer leaves open goes at the deadline
  releaseAtDeadline(stream, opts.signal)
  let response: Res
  try {
    response = await opts.handle(req.decode(await read(lp, opts)))
  } catch (err: any) {
    if (opts.signal.aborted || stream.status !== 'open' || stream.writeStatus !== 'writable') {
      // timed out, reset or closed by the peer: there is nobody to answer
      stream.abort(err)
      throw err
    }
    try {
      await write(lp, res.encode(opts.onBadRequest(err)), opts)
      await stream.close({ signal: opts.signal })
    } catch {
      stream.abort(err)
    }
    throw err
  }
  await write(lp, res.encode(response), opts)
  await stream.close({ signal: opts.signal })
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

/** Aborts the stream when `signal` fires, unless it has closed by then. */
function releaseAtDeadline (stream: Stream, signal: AbortSignal): void {
  const onAbort = (): void => {
    if (stream.status !== 'closed' && stream.status !== 'aborted' && stream.status !== 'reset') {
      stream.abort(new Error('the exchange deadline passed'))
    }
  }
  signal.addEventListener('abort', onAbort, { once: true })
  stream.addEventListener('close', () => { signal.removeEventListener('abort', onAbort) }, { once: true })
}
