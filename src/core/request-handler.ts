/**
 * The skeleton every peerhive request handler shares (search, file index,
 * join, work, jobs, unit output): answers a stream with answerRequest,
 * counts each request's outcome in peerhive_protocol_requests_total and its
 * bytes in peerhive_protocol_bytes_total, answers a request it cannot read
 * with the protocol's own error, and logs a stream that failed. Whatever
 * the peer sends, the node keeps running.
 */
import { answerRequest, isTooLargeError, type Codec, type SessionOptions } from './rpc.js'
import type { PeerhiveMetrics } from './metrics.js'
import type { Logger, Stream } from '@libp2p/interface'
import type { RateLimiter } from '@libp2p/utils'

export interface RequestHandlerInit<Req, Res> {
  protocol: string
  request: Codec<Req>
  response: Codec<Res>
  maxInboundBytes: number
  /** the deadline of the stream's first exchange */
  timeoutMs: number
  /** the outcome label of a response: `ok` or its error code (`req` is absent when the request could not be read) */
  outcomeOf: (res: Res, req?: Req) => string
  /** the answer to a request that could not be read (`tooLarge`: over maxInboundBytes or a field's limit) */
  badRequest: (err: Error, tooLarge: boolean) => Res
  /** without it, one request per stream */
  session?: SessionOptions<Res>
  metrics?: PeerhiveMetrics
  log: Logger
  /** told the size of every message read ('in') and written ('out'), besides the metric */
  onBytes?: (direction: 'in' | 'out', bytes: number) => void
  /** told every outcome counted */
  onOutcome?: (outcome: string) => void
}

/**
 * Answers the requests of one stream from `peer` with `handle`. Outcomes:
 * `ok` or the response's error code once it is sent; `TIMEOUT` when the
 * first deadline passed before an answer went out; `STREAM_ERROR` when the
 * stream failed otherwise.
 */
export async function serveRequests<Req, Res> (stream: Stream, peer: string, init: RequestHandlerInit<Req, Res>, handle: (req: Req) => Promise<Res> | Res): Promise<void> {
  const { protocol, metrics } = init
  const signal = AbortSignal.timeout(init.timeoutMs)
  // the latest request's outcome: counted once its answer is out, or at the stream's end
  let outcome: string | undefined
  let answered = 0
  const count = (): void => {
    if (outcome == null) return
    metrics?.requests.inc({ protocol, outcome })
    init.onOutcome?.(outcome)
    outcome = undefined
  }
  try {
    await answerRequest(stream, init.request, init.response, {
      maxInboundBytes: init.maxInboundBytes,
      signal,
      session: init.session,
      onBytes: (direction, bytes) => {
        metrics?.bytes.inc({ protocol, direction }, bytes)
        init.onBytes?.(direction, bytes)
      },
      handle: async req => {
        const res = await handle(req)
        outcome = init.outcomeOf(res, req)
        return res
      },
      onSent: () => {
        answered++
        count()
      },
      onBadRequest: err => {
        const res = init.badRequest(err, isTooLargeError(err))
        outcome = init.outcomeOf(res)
        return res
      }
    })
  } catch (err: any) {
    init.log('a %s request from %s ended with an error - %e', protocol, peer, err)
    // an answer that could not be sent, or a stream that failed before any request
    if (outcome === 'ok' || (outcome == null && answered === 0)) outcome = signal.aborted && answered === 0 ? 'TIMEOUT' : 'STREAM_ERROR'
  } finally {
    count()
  }
}

/** Takes one request from `key`'s allowance; false when it is used up. */
export function tryConsume (limiter: RateLimiter, key: string): boolean {
  try {
    limiter.consume(key)
    return true
  } catch {
    return false
  }
}
