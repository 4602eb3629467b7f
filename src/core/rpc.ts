import { pbStream } from '@libp2p/utils'
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
}

/**
 * One request, one response over a fresh stream: the single
 * request/response helper every peerhive protocol uses on the asking side.
 */
export async function requestResponse<Req, Res> (stream: Stream, request: Req, req: Codec<Req>, res: Codec<Res>, opts: ExchangeOptions): Promise<Res> {
  try {
    const pb = pbStream(stream, { maxDataLength: opts.maxInboundBytes })
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
  const pb = pbStream(stream, { maxDataLength: opts.maxInboundBytes })
  let response: Res
  try {
    const request = await pb.read(req, { signal: opts.signal })
    response = await opts.handle(request)
  } catch (err: any) {
    if (opts.signal.aborted) {
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
