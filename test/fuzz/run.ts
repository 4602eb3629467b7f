import { isDeepStrictEqual } from 'node:util'
import { loadavg } from 'node:os'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { frame } from '../helpers/raw-join.js'
import { FuzzNetwork, type Snapshot } from './network.js'
import { Prng } from './prng.js'
import { STRATEGIES, hugePrefix, mutation, randomBytes, truncated, unframed, type Strategy } from './strategies.js'
import { TARGETS, type FuzzContext, type StreamTarget, type Target, type TopicTarget } from './targets.js'
import type { Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

export interface FuzzOptions {
  /** cases per target */
  cases: number
  seed: number
  /** cases per target between two health checks; @default max(25, cases / 10) */
  batchSize?: number
  /** only the targets whose name contains one of these */
  only?: string[]
  /** progress lines */
  log?: (line: string) => void
  /** heap growth (after gc) over the baseline that counts as unbounded; @default 384 MiB */
  maxHeapGrowthBytes?: number
}

export interface TargetFigures {
  name: string
  cases: number
  strategies: Record<string, number>
  /** how the fuzzer's streams ended: answered (a decodable answer), closed (no answer), reset, refused (not opened) */
  outcomes: Record<string, number>
  /** error codes of the answers */
  codes: Record<string, number>
  floodStreams: number
  /** stalled streams the target ended itself, and the longest it took */
  slowReleased: number
  slowRefused: number
  slowMaxMs: number
  /** topic targets: messages published, and refusals the victims reported for them */
  published: number
  refusedByVictims: number
  /** total time of the cases of each strategy, ms (the slow writers' is the time the target took to free the stream) */
  strategyMs: Record<string, number>
  /** time spent on this target's batches (targets run side by side) */
  busyMs: number
  failures: string[]
}

export interface FuzzReport {
  seed: number
  casesPerTarget: number
  rounds: number
  durationMs: number
  loadAverage: number[]
  baselineHeapMb: number
  peakHeapAfterGcMb: number
  peakRssMb: number
  targets: TargetFigures[]
  /** everything that went wrong: empty when the suite passes */
  failures: string[]
}

/** Longer than any target's own exchange deadline (unit-output allows 30 s): a stream still open after this hangs. */
const CASE_TIMEOUT_MS = 45_000
const MAX_ANSWER_BYTES = 8 * 1024 * 1024
/** Cases of one target in flight at once (floods open many streams within one case). */
const CONCURRENCY = 6

/**
 * Runs the hostile-input suite: `cases` per target, in rounds; after each
 * round every node must still answer, the victims' table and places must be
 * as before, the heap must stay near its baseline, and nothing may have
 * thrown uncaught. Deterministic in the bytes it sends for a given seed.
 */
export async function runFuzz (opts: FuzzOptions): Promise<FuzzReport> {
  const log = opts.log ?? (() => {})
  const started = Date.now()
  const targets = TARGETS.filter(t => opts.only == null || opts.only.some(o => t.name.includes(o)))
  const batchSize = opts.batchSize ?? Math.max(25, Math.ceil(opts.cases / 10))
  const rounds = Math.ceil(opts.cases / batchSize)
  const failures: string[] = []
  const uncaught: string[] = []
  const onUncaught = (err: unknown): void => { uncaught.push(`uncaught: ${describe(err)}`) }
  const onUnhandled = (err: unknown): void => { uncaught.push(`unhandled rejection: ${describe(err)}`) }
  process.on('uncaughtException', onUncaught)
  process.on('unhandledRejection', onUnhandled)
  const gc = exposeGc()
  let peakRss = process.memoryUsage().rss
  const rssTimer = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss) }, 200)
  rssTimer.unref()

  const net = new FuzzNetwork()
  const figures = targets.map(t => emptyFigures(t.name))
  try {
    await net.start()
    const ctx = net.context
    const prober = await net.client()
    const staller = await net.client()
    // a batch's stalled streams go out at once: past libp2p's default of 64 outbound streams per protocol the
    // staller itself would refuse them, not the target (the DHT's own protocol keeps the DHT's limit)
    for (const protocol of new Set(targets.flatMap(t => t.kind === 'stream' ? [t.protocol] : []))) {
      if (staller.getProtocols().includes(protocol)) continue
      await staller.handle(protocol, (stream: Stream) => { stream.abort(new Error('the staller serves nothing')) }, { maxOutboundStreams: 4096 })
    }
    // one fuzzing client per target, so that one target's rate limits and stream caps do not blunt another's cases
    const fuzzers: Array<Libp2p<any>> = []
    for (const t of targets) fuzzers.push(t.kind === 'topic' ? await net.topicClient(t.topic(ctx)) : await net.client())
    const rng = new Prng(opts.seed)
    const targetRngs = targets.map(() => rng.fork())

    const before = net.snapshot()
    failures.push(...await checkHealth(net, prober, targets, ctx))
    const baselineHeap = heapAfterGc(gc)
    let peakHeap = baselineHeap
    log(`seed ${opts.seed}: ${targets.length} targets, ${opts.cases} cases each in ${rounds} rounds; baseline heap ${mb(baselineHeap)} MB`)

    for (let round = 0; round < rounds && failures.length === 0; round++) {
      const n = Math.min(batchSize, opts.cases - round * batchSize)
      await Promise.all(targets.map(async (t, i) => {
        const t0 = Date.now()
        const f = figures[i]
        if (t.kind === 'stream') await streamBatch(t, ctx, fuzzers[i], staller, targetRngs[i], n, f)
        else await topicBatch(t, ctx, fuzzers[i], targetRngs[i], n, f)
        f.busyMs += Date.now() - t0
      }))
      const roundFailures = [...uncaught.splice(0), ...figures.flatMap(f => f.failures.splice(0).map(e => `${f.name}: ${e}`))]
      roundFailures.push(...await checkHealth(net, prober, targets, ctx))
      roundFailures.push(...checkUnchanged(net, before))
      const heap = heapAfterGc(gc)
      peakHeap = Math.max(peakHeap, heap)
      const maxGrowth = opts.maxHeapGrowthBytes ?? 384 * 1024 * 1024
      if (heap > baselineHeap + maxGrowth) roundFailures.push(`heap after gc ${mb(heap)} MB, more than ${mb(maxGrowth)} MB over the baseline ${mb(baselineHeap)} MB`)
      for (const f of roundFailures) failures.push(`round ${round + 1} (seed ${opts.seed}): ${f}`)
      log(`round ${round + 1}/${rounds}: ${(round * batchSize) + n} cases per target, heap ${mb(heap)} MB, rss ${mb(process.memoryUsage().rss)} MB, ${roundFailures.length} failures`)
    }
    for (const [i, t] of targets.entries()) {
      if (t.kind === 'topic') figures[i].refusedByVictims = net.refusals.get(fuzzers[i].peerId.toString()) ?? 0
    }
    return {
      seed: opts.seed,
      casesPerTarget: opts.cases,
      rounds,
      durationMs: Date.now() - started,
      loadAverage: loadavg().map(l => Math.round(l * 100) / 100),
      baselineHeapMb: mb(baselineHeap),
      peakHeapAfterGcMb: mb(peakHeap),
      peakRssMb: mb(peakRss),
      targets: figures,
      failures
    }
  } finally {
    clearInterval(rssTimer)
    await net.stop()
    process.off('uncaughtException', onUncaught)
    process.off('unhandledRejection', onUnhandled)
  }
}

function emptyFigures (name: string): TargetFigures {
  return { name, cases: 0, strategies: {}, strategyMs: {}, outcomes: {}, codes: {}, floodStreams: 0, slowReleased: 0, slowRefused: 0, slowMaxMs: 0, published: 0, refusedByVictims: 0, busyMs: 0, failures: [] }
}

function bump (counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by
}

/** One batch of `n` cases on a protocol: one-shot streams and floods from `fuzzer`, stalled streams from `staller`. */
async function streamBatch (t: StreamTarget, ctx: FuzzContext, fuzzer: Libp2p<any>, staller: Libp2p<any>, rng: Prng, n: number, f: TargetFigures): Promise<void> {
  const addr = t.at(ctx)
  // the stalled streams go over a connection that is already up: opened all at once on a fresh one, libp2p would close it (more than 10 early streams)
  await staller.services.ping.ping(multiaddr(addr), { signal: AbortSignal.timeout(CASE_TIMEOUT_MS) }).catch(() => {})
  const stalls: Array<Promise<void>> = []
  const cases: Array<() => Promise<void>> = []
  for (let i = 0; i < n; i++) {
    const strategy = rng.pick(STRATEGIES)
    f.cases++
    bump(f.strategies, strategy)
    const caseRng = rng.fork()
    if (strategy === 'slow-writer') {
      stalls.push(slowWriter(t, staller, addr, frame(t.valid(caseRng, ctx)), caseRng, f))
      continue
    }
    if (strategy === 'flood') {
      const streams = caseRng.range(16, 48)
      const payloads = Array.from({ length: streams }, () => caseRng.chance(0.5) ? frame(t.valid(caseRng, ctx)) : randomBytes(caseRng, t.maxRequestBytes))
      cases.push(async () => {
        const t0 = Date.now()
        f.floodStreams += streams
        await Promise.all(payloads.map(async p => { record(f, await oneShot(t, fuzzer, addr, p)) }))
        bump(f.strategyMs, strategy, Date.now() - t0)
      })
      continue
    }
    const bytes = strategy === 'random'
      ? randomBytes(caseRng, t.maxRequestBytes)
      : strategy === 'huge-prefix'
        ? hugePrefix(caseRng, t.maxRequestBytes)
        : strategy === 'truncated' ? truncated(caseRng, t.valid(caseRng, ctx)) : mutation(caseRng, t.valid(caseRng, ctx))
    cases.push(async () => {
      const t0 = Date.now()
      record(f, await oneShot(t, fuzzer, addr, bytes))
      bump(f.strategyMs, strategy, Date.now() - t0)
    })
  }
  let next = 0
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < cases.length) await cases[next++]()
  }))
  await Promise.all(stalls)
}

type Outcome = { kind: 'answered', code: string, answer: unknown } | { kind: 'closed' | 'reset' | 'refused' } | { kind: 'failure', why: string }

function record (f: TargetFigures, o: Outcome): void {
  if (o.kind === 'failure') {
    bump(f.outcomes, 'failure')
    f.failures.push(o.why)
    return
  }
  bump(f.outcomes, o.kind)
  if (o.kind === 'answered') bump(f.codes, o.code)
  // hostile input has an answer of its own (MALFORMED_MESSAGE, MESSAGE_TOO_LARGE...); INTERNAL means a handler threw on it
  if (o.kind === 'answered' && o.code === 'INTERNAL') f.failures.push('answered INTERNAL: a handler failed on hostile input')
}

/** Writes `bytes` on a fresh stream, closes the writable end and reads one answer. */
async function oneShot (t: StreamTarget, client: Libp2p<any>, addr: string, bytes: Uint8Array): Promise<Outcome> {
  const signal = AbortSignal.timeout(CASE_TIMEOUT_MS)
  let stream: Stream
  try {
    stream = await openStream(client, addr, t.protocol, signal)
  } catch (err: any) {
    if (signal.aborted) return { kind: 'failure', why: `opening a stream took more than ${CASE_TIMEOUT_MS} ms` }
    if (process.env.FUZZ_DEBUG != null) console.log(Date.now(), client.peerId.toString().slice(-6), t.name, 'refused', describe(err))
    return { kind: 'refused' }
  }
  try {
    const lp = lpStream(stream, { maxDataLength: MAX_ANSWER_BYTES })
    let answer
    try {
      // not waiting for 'drain': a target that answers early must not deadlock the fuzzer
      stream.send(bytes)
      void stream.close({ signal }).catch(() => {})
      answer = await lp.read({ signal })
    } catch (err: any) {
      if (signal.aborted) return { kind: 'failure', why: `no answer and no end of stream within ${CASE_TIMEOUT_MS} ms after ${bytes.byteLength} bytes (${hex(bytes)})` }
      return { kind: err.name === 'UnexpectedEOFError' ? 'closed' : 'reset' }
    }
    try {
      const decoded = t.decode(answer)
      return { kind: 'answered', code: String(t.code(decoded)), answer: decoded }
    } catch (err: any) {
      return { kind: 'failure', why: `an answer that does not decode (${err.message}) to ${hex(bytes)}` }
    }
  } finally {
    stream.abort(new Error('case done'))
  }
}

/**
 * A stream of `protocol` to `addr`. A target may close the whole connection
 * of a fuzzer (libp2p does when a fresh connection opens more than 10
 * streams at once: MaxEarlyStreamsError, then a GoAway). js-libp2p then
 * keeps the dead connection as "open" until its connection monitor's next
 * ping fails, and hands it out to every dial: hang it up, and dial anew.
 */
async function openStream (client: Libp2p<any>, addr: string, protocol: string, signal: AbortSignal): Promise<Stream> {
  const ma = multiaddr(addr)
  try {
    return await client.dialProtocol(ma, protocol, { signal }) as Stream
  } catch (err: any) {
    if (err.name !== 'ConnectionClosedError' && err.name !== 'MuxerClosedError') throw err
    const peer = peerIdFromString(ma.getComponents().find(c => c.name === 'p2p')?.value ?? '')
    await client.hangUp(peer, { signal }).catch(() => {})
    return await client.dialProtocol(ma, protocol, { signal }) as Stream
  }
}

/** Writes part of a valid message and stalls: the target must end the stream itself, at its own deadline. */
async function slowWriter (t: StreamTarget, staller: Libp2p<any>, addr: string, whole: Uint8Array, rng: Prng, f: TargetFigures): Promise<void> {
  let stream: Stream
  try {
    stream = await openStream(staller, addr, t.protocol, AbortSignal.timeout(CASE_TIMEOUT_MS))
  } catch (err: any) {
    // over the target's stream limit for one connection: refused, which is also a way to stay bounded
    if (process.env.FUZZ_DEBUG != null) console.log(Date.now(), staller.peerId.toString().slice(-6), t.name, 'stall refused', describe(err))
    f.slowRefused++
    return
  }
  const started = Date.now()
  try {
    stream.send(whole.subarray(0, rng.int(whole.byteLength)))
  } catch {
    // the target ended the stream before a byte went out
  }
  let timer: ReturnType<typeof setTimeout> | undefined
  const held = new Promise<'held'>(resolve => { timer = setTimeout(() => { resolve('held') }, CASE_TIMEOUT_MS) })
  const ended = (async () => {
    try {
      for await (const _ of stream) { /* whatever the target says before it ends the stream */ }
    } catch {}
    return 'ended' as const
  })()
  const result = await Promise.race([ended, held])
  clearTimeout(timer)
  if (result === 'held') f.failures.push(`held a stalled stream open for ${CASE_TIMEOUT_MS} ms`)
  else {
    f.slowReleased++
    f.slowMaxMs = Math.max(f.slowMaxMs, Date.now() - started)
    bump(f.strategyMs, 'slow-writer', Date.now() - started)
  }
  stream.abort(new Error('case done'))
}

/** One batch on a topic: everything published by the fuzzer, signed with its own key (the only key it has). */
async function topicBatch (t: TopicTarget, ctx: FuzzContext, client: Libp2p<any>, rng: Prng, n: number, f: TargetFigures): Promise<void> {
  const topic = t.topic(ctx)
  const publish = async (data: Uint8Array): Promise<void> => {
    f.published++
    try {
      await client.services.pubsub.publish(topic, data)
      bump(f.outcomes, 'published')
    } catch (err: any) {
      bump(f.outcomes, `publish failed: ${err.name}`)
    }
  }
  // on a topic, the stalled writer has no meaning: that share goes to well-formed forgeries
  const strategies = ['random', 'huge-prefix', 'truncated', 'mutation', 'flood', 'forged'] as const
  for (let i = 0; i < n; i++) {
    const strategy = rng.pick(strategies)
    f.cases++
    bump(f.strategies, strategy)
    switch (strategy) {
      case 'random': await publish(unframed(randomBytes(rng, t.maxRequestBytes))); break
      // a field claiming a huge length, or a message past the table limit
      case 'huge-prefix': await publish(rng.chance(0.8) ? hugePrefix(rng, t.maxRequestBytes) : rng.bytes(t.maxRequestBytes + 1)); break
      case 'truncated': await publish(unframed(truncated(rng, t.valid(rng, ctx)))); break
      case 'mutation': await publish(unframed(mutation(rng, t.valid(rng, ctx)))); break
      case 'flood': await Promise.all(Array.from({ length: rng.range(16, 48) }, () => t.valid(rng, ctx)).map(publish)); break
      case 'forged': await publish(t.valid(rng, ctx)); break
    }
  }
}

/** Every node answers a ping, and every protocol target answers its probe as a healthy node does. */
async function checkHealth (net: FuzzNetwork, prober: Libp2p<any>, targets: Target[], ctx: FuzzContext): Promise<string[]> {
  const failures: string[] = []
  for (const { name, addr } of net.nodes()) {
    try {
      await prober.services.ping.ping(multiaddr(addr), { signal: AbortSignal.timeout(10_000) })
    } catch (err: any) {
      failures.push(`${name} does not answer a ping: ${describe(err)}`)
    }
  }
  for (const t of targets) {
    if (t.kind !== 'stream' || t.probe == null) continue
    const outcome = await oneShot(t, prober, t.at(ctx), frame(t.probe(ctx)))
    if (outcome.kind !== 'answered') failures.push(`${t.name} did not answer a valid request: ${outcome.kind === 'failure' ? outcome.why : outcome.kind}`)
    else if (t.healthy != null && !t.healthy(outcome.answer, ctx)) failures.push(`${t.name} answered a valid request with ${outcome.code}`)
  }
  return failures
}

function checkUnchanged (net: FuzzNetwork, before: Snapshot): string[] {
  const failures: string[] = []
  const now = net.snapshot()
  if (!isDeepStrictEqual(now.table, before.table)) failures.push(`the bootstrap's table of the victims' subnet changed: ${JSON.stringify(before.table)} -> ${JSON.stringify(now.table)}`)
  if (!isDeepStrictEqual(now.places, before.places)) failures.push(`a victim's place changed: ${JSON.stringify(before.places)} -> ${JSON.stringify(now.places)}`)
  if (net.placements !== 0) failures.push(`${net.placements} placement events at the victims`)
  return failures
}

function exposeGc (): (() => void) | undefined {
  if (typeof (globalThis as any).gc === 'function') return (globalThis as any).gc
  try {
    setFlagsFromString('--expose-gc')
    return runInNewContext('gc')
  } catch {
    return undefined
  }
}

function heapAfterGc (gc: (() => void) | undefined): number {
  gc?.()
  gc?.()
  return process.memoryUsage().heapUsed
}

function mb (bytes: number): number {
  return Math.round(bytes / 1024 / 1024)
}

function hex (bytes: Uint8Array): string {
  const shown = Buffer.from(bytes.subarray(0, 48)).toString('hex')
  return bytes.byteLength > 48 ? `${shown}... (${bytes.byteLength} bytes)` : shown
}

function describe (err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err)
}
