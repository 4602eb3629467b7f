import { pbStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import { boundedLengthDecoder } from './bounded-length.js'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Codec<T> {
  encode: (value: T) => Uint8Array
  decode: (buf: Uint8Array | Uint8ArrayList, opts?: any) => T
}

export interface ExchangeOptions {
  /** largest message accepted from the other side */
  maxInboundBytes: number
  signal: AbortSignal
}

/**
 * One request, one response over a fresh stream: the single
 * request/response helper every peerhive protocol uses on the asking side.
 */
export async function requestResponse<Req, Res> (stream: Stream, request: Req, req: Codec<Req>, res: Codec<Res>, opts: ExchangeOptions): Promise<Res> {
  try {
    const pb = boundedPbStream(stream, opts.maxInboundBytes)
    await pb.write(request, req, { signal: opts.signal })
    const response = await pb.read(res, { signal: opts.signal })
    await stream.close({ signal: opts.signal })
    return response
  } catch (err: any) {
    stream.abort(err)
    throw err
  }
}

/**
 * The answering side: reads one request, lets `handle` produce the response,
 * writes it and closes. A request that cannot be read (too large, malformed,
 * too slow) is answered with `onBadRequest(err)` when the stream still
 * allows it, then the stream is closed; the node keeps running.
 */
export async function answerRequest<Req, Res> (stream: Stream, req: Codec<Req>, res: Codec<Res>, opts: ExchangeOptions & {
  handle: (request: Req) => Promise<Res> | Res
  onBadRequest: (err: Error) => Res
}): Promise<void> {
  const pb = boundedPbStream(stream, opts.maxInboundBytes)
  // nothing more is expected after the request: whatever the peer leaves open goes at the deadline
  releaseAtDeadline(stream, opts.signal)
  let response: Res
  try {
    const request = await pb.read(req, { signal: opts.signal })
    response = await opts.handle(request)
  } catch (err: any) {
    if (opts.signal.aborted || stream.status !== 'open' || stream.writeStatus !== 'writable') {
      // timed out, reset or closed by the peer: there is nobody to answer
      stream.abort(err)
      throw err
    }
    response = opts.onBadRequest(err)
    try {
      await pb.write(response, res, { signal: opts.signal })
      await stream.close({ signal: opts.signal })
    } catch {
      stream.abort(err)
    }
    throw err
  }
  await pb.write(response, res, { signal: opts.signal })
  await stream.close({ signal: opts.signal })
}

function boundedPbStream (stream: Stream, maxDataLength: number): ReturnType<typeof pbStream> {
  return pbStream(stream, { maxDataLength, lengthDecoder: boundedLengthDecoder(maxDataLength) })
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
