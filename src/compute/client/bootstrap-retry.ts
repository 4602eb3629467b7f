import { sleep } from '../../core/sleep.js'
import { Backoff } from '../../topology/backoff.js'
import { BootstrapUnreachableError } from './errors.js'

/**
 * How long a long-running client call (following a job, collecting its
 * results) keeps retrying while the bootstrap cannot be reached, before it
 * gives up. Two minutes covers a crash and a restart by a supervisor with
 * room to spare; a bootstrap down for longer needs an operator.
 */
export const BOOTSTRAP_UNREACHABLE_MS = 120_000
/** First wait before a retry; it doubles up to RETRY_MAX_MS (each with ±25 % jitter). */
export const RETRY_INITIAL_MS = 250
export const RETRY_MAX_MS = 5_000

/**
 * Answers the bootstrap gave on purpose: retrying them cannot help. Every
 * other failure (dial refused, reset, timeout, rate limit, INTERNAL from a
 * bootstrap that is stopping) is taken as the bootstrap being unreachable
 * for now.
 */
function isRefusal (err: any): boolean {
  if (err?.name === 'JobsRequestError' && err.code === 'INTERNAL') return false
  return REFUSALS.has(err?.name)
}

const REFUSALS = new Set([
  'InvalidJobError', 'JobNotFoundError', 'ForbiddenError', 'JobsRequestError', 'UnsupportedVersionError',
  'MalformedMessageError', 'MessageTooLargeError', 'InvalidOptionError', 'OutputUnavailableError'
])

/** Told before each wait for a retry. */
export interface RetryInfo {
  /** why the last attempt failed */
  error: Error
  /** ms since the first failed attempt of this outage began */
  unreachableForMs: number
  /** ms until the next attempt */
  retryInMs: number
  /** how many attempts failed in this outage */
  attempt: number
}

export interface RetryOptions {
  /** give up once the bootstrap has been unreachable this long (ms) */
  unreachableMs: number
  signal?: AbortSignal
  onRetry?: (info: RetryInfo) => void
  /** what the caller was doing, for the give-up message: "job <id> is ..." */
  giveUpNote: string
}

/**
 * Runs `call` and, while it fails because the bootstrap is unreachable,
 * runs it again with a bounded back-off. Throws BootstrapUnreachableError
 * once the outage has lasted `unreachableMs`; a refusal or the caller's
 * abort is thrown at once.
 */
export async function withBootstrapRetry<T> (call: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const backoff = new Backoff(RETRY_INITIAL_MS, RETRY_MAX_MS)
  let since: number | undefined
  let attempt = 0
  for (;;) {
    const startedAt = Date.now()
    try {
      return await call()
    } catch (err: any) {
      if (opts.signal?.aborted === true || isRefusal(err)) throw err
      // the outage began when the first failed attempt began (a dial can hang up to its timeout)
      since ??= startedAt
      attempt++
      const unreachableForMs = Date.now() - since
      // the transport's own reason, under the one-shot wording of callJobs
      const error = asError(err?.cause ?? err)
      if (unreachableForMs >= opts.unreachableMs) {
        throw new BootstrapUnreachableError(`the bootstrap has been unreachable for ${formatDuration(unreachableForMs)} (${error.message}); ${opts.giveUpNote}`, unreachableForMs)
      }
      const retryInMs = Math.min(backoff.delay(), RETRY_MAX_MS, opts.unreachableMs - unreachableForMs)
      opts.onRetry?.({ error, unreachableForMs, retryInMs, attempt })
      await sleep(retryInMs, opts.signal)
    }
  }
}

/**
 * What failed, as an Error: a read on a stream that closes under it rejects
 * with the StreamCloseEvent itself (js-libp2p v3), not an Error.
 */
function asError (err: any): Error {
  if (err instanceof Error) return err
  if (err?.type === 'close') return new Error(`the stream to the bootstrap closed${err.error instanceof Error ? `: ${String(err.error.message)}` : ''}`)
  return new Error(String(err?.message ?? err))
}

/** "2 min", "1.5 s": how long the bootstrap was unreachable, for people. */
export function formatDuration (ms: number): string {
  if (ms >= 60_000) return `${Math.round(ms / 6_000) / 10} min`
  return `${Math.round(ms / 100) / 10} s`
}
