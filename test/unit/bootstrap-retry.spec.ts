/**
 * withBootstrapRetry: which failures are retried (no answer, INTERNAL,
 * RATE_LIMITED), which end the call at once (the bootstrap's refusals, the
 * caller's abort), the bounded back-off, and the give-up bound.
 */
import assert from 'node:assert/strict'
import { RETRY_INITIAL_MS, RETRY_MAX_MS, withBootstrapRetry, type RetryInfo } from '../../src/compute/client/bootstrap-retry.js'
import { JobNotFoundError, JobsRequestError } from '../../src/compute/client/errors.js'
import { RateLimitedError } from '../../src/core/index.js'
import { StreamCloseEvent } from '@libp2p/interface'

/** A call that fails with each of `errors` in turn, then answers 'ok'. */
function failing (errors: Error[]): { call: () => Promise<string>, calls: () => number } {
  let n = 0
  return {
    call: async () => {
      const err = errors[n++]
      if (err != null) throw err
      return 'ok'
    },
    calls: () => n
  }
}

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })

describe('unit: withBootstrapRetry', () => {
  it('retries failures without an answer, INTERNAL and RATE_LIMITED, with back-off from 250 ms, until an answer', async () => {
    const f = failing([refused, new JobsRequestError('INTERNAL', 'stopping'), new RateLimitedError('slow down')])
    const retries: RetryInfo[] = []
    assert.equal(await withBootstrapRetry(f.call, { unreachableMs: 60_000, giveUpNote: 'job x', onRetry: i => { retries.push(i) } }), 'ok')
    assert.equal(f.calls(), 4)
    assert.deepEqual(retries.map(r => r.attempt), [1, 2, 3])
    // 250, 500, 1000 ms, each with ±25 % jitter
    retries.forEach((r, i) => {
      const base = RETRY_INITIAL_MS * 2 ** i
      assert.ok(r.retryInMs >= base * 0.75 && r.retryInMs <= base * 1.25, `retry ${i + 1} after ${r.retryInMs} ms`)
    })
  })

  it('retries a stream that closes under a read (js-libp2p rejects with the StreamCloseEvent) and reports it as an Error', async () => {
    const f = failing([new StreamCloseEvent(false, new Error('connection reset')) as any])
    const retries: RetryInfo[] = []
    assert.equal(await withBootstrapRetry(f.call, { unreachableMs: 60_000, giveUpNote: 'job x', onRetry: i => { retries.push(i) } }), 'ok')
    assert.equal(retries.length, 1)
    assert.ok(retries[0].error instanceof Error)
    assert.equal(retries[0].error.message, 'the stream to the bootstrap closed: connection reset')
  })

  it('throws a refusal of the bootstrap at once', async () => {
    const f = failing([new JobNotFoundError('no such job'), refused])
    await assert.rejects(withBootstrapRetry(f.call, { unreachableMs: 60_000, giveUpNote: 'job x' }), { name: 'JobNotFoundError' })
    assert.equal(f.calls(), 1)
  })

  it('gives up with BootstrapUnreachableError once the outage reaches the bound, naming what was going on', async () => {
    let calls = 0
    const retries: RetryInfo[] = []
    await assert.rejects(withBootstrapRetry(async () => { calls++; throw refused }, { unreachableMs: 300, giveUpNote: 'job abc is still known to it', onRetry: i => { retries.push(i) } }), (err: any) => {
      assert.equal(err.name, 'BootstrapUnreachableError')
      assert.ok(err.unreachableForMs >= 300, String(err.unreachableForMs))
      assert.match(err.message, /^the bootstrap has been unreachable for [\d.]+ s \(connect ECONNREFUSED 127\.0\.0\.1:1\); job abc is still known to it$/)
      return true
    })
    assert.ok(calls >= 2, `it retried before giving up (${calls} calls)`)
    assert.ok(retries.every(r => r.retryInMs <= RETRY_MAX_MS && r.unreachableForMs + r.retryInMs <= 300), JSON.stringify(retries))
  })

  it('stops at once when the caller aborts', async () => {
    const controller = new AbortController()
    let calls = 0
    const running = withBootstrapRetry(async () => { calls++; throw refused }, { unreachableMs: 60_000, giveUpNote: 'job x', signal: controller.signal, onRetry: () => { controller.abort(new Error('caller gone')) } })
    await assert.rejects(running, { message: 'caller gone' })
    assert.equal(calls, 1)
  })
})
