/**
 * One mode of the "scale" benchmark (virtual servers off or on): a fresh
 * bootstrap (the real CLI) and fresh workers; the peers arrive; the
 * benchmark waits for their indexes; an idle window; then the seeded
 * searches. Every wait ends at a deadline derived from the run's watchdog.
 */
import { setPriority } from 'node:os'
import { join } from 'node:path'
import { now, pollUntil, sleep } from './clock.js'
import { CliBootstrap } from './cli-bootstrap.js'
import { Child } from './proc.js'
import { round, sumRecords } from './stats.js'
import { deltaOf, snapshotBootstrap, type BootstrapDelta, type BootstrapSnapshot } from './central-load-measure.js'
import {
  convergenceFigures, gcFigures, idleBootstrapFigures, idleFigures, joinFigures, perJoinFigures, searchFigures, tieredFigures, type Outcome
} from './scale-measure.js'
import type { PlannedSearch, ScalePeerPlan } from './scale-plan.js'
import type { ScalePeerState, ScaleWorkerLoad } from './scale-worker.js'
import type { ScaleSearchOutcome } from './scale-search.js'

export interface ModeSpec { name: 'off' | 'on', vsLimit: number, idle: boolean, dht: boolean }

export interface ModeContext {
  plans: ScalePeerPlan[]
  subnets: number
  searches: PlannedSearch[]
  tmp: string
  workers: number
  ratePerSec: number
  peerTimeoutMs?: number
  dataDirs: boolean
  /** whether the bootstrap keeps its higher priority during the searches ('bootstrap') or drops to the workers' ('equal') */
  searchPriority: 'equal' | 'bootstrap'
  concurrency: number
  searchTimeoutMs: number
  dhtSearchTimeoutMs: number
  settleMs: number
  idleMs: number
  /** absolute time (ms) by which this mode must have ended, shutdown included */
  deadline: number
  /** the last mode leaves its processes to the benchmark's exit */
  last: boolean
  progress: (line: string) => void
  notes: string[]
  /** the running bootstrap, for the benchmark's error path */
  onBootstrap: (b: CliBootstrap | undefined) => void
}

const PLACE_TIMEOUT_MS = 30_000
const POLL_MS = 1_000
const SHUTDOWN_MS = 15_000
/** after the indexes converge: the idle window, the tiered searches and the DHT searches need at least this */
const TAIL_MIN_MS = 60_000
/** the idle window's reads (workers, bootstrap) take this much on top of it on a saturated machine */
const IDLE_OVERHEAD_MS = 25_000
const SEARCH_LIMIT = 10
const SNAPSHOT_TIMEOUT_MS = 15_000
/** the index wait ends when its counts have not moved for this long */
const STALL_MS = 45_000
const lib = (file: string): string => new URL(`./${file}`, import.meta.url).pathname

/** Fills `out` as it goes, so that a run cut short by the watchdog still reports what it measured. */
export async function runMode (mode: ModeSpec, ctx: ModeContext, out: Record<string, any>): Promise<void> {
  const t0 = now()
  const tag = `[${mode.name}]`
  const peers = ctx.plans.length
  Object.assign(out, { vsLimit: mode.vsLimit, peers, timelineS: {} })
  // seconds from the mode's start at which each phase ended: where the 10 minutes go
  const mark = (phase: string): void => { out.timelineS[phase] = round((now() - t0) / 1000, 1) }
  // workers get room for their peers' heaps (a V8 default would cap them near 2-4 GB)
  const workers = await Promise.all(Array.from({ length: ctx.workers }, async (_, i) =>
    Child.fork(`${mode.name}-worker-${i}`, lib('scale-worker.js'), [], { NODE_OPTIONS: '--max-old-space-size=6144' }, 60_000)))
  out.workerNice = workers.map(w => renice(w.proc.pid, WORKER_NICE)).every(Boolean) ? WORKER_NICE : 0
  const loads = async (): Promise<ScaleWorkerLoad[]> => Promise.all(workers.map(async w => w.call<ScaleWorkerLoad>('load', {}, 30_000)))
  // a worker too busy to answer in time keeps its last answer: one slow poll must not end the run
  const lastStates: ScalePeerState[][] = workers.map(() => [])
  const states = async (): Promise<ScalePeerState[]> => (await Promise.all(workers.map(async (w, i) => {
    lastStates[i] = await w.call<ScalePeerState[]>('state', {}, 10_000).catch(() => lastStates[i])
    return lastStates[i]
  }))).flat()

  // the empty workers' own cost, subtracted from the idle figures
  const base0 = await loads()
  await sleep(2_000)
  const base = await loads()
  const baseCpuMsPerSec = base.reduce((n, l, i) => n + (l.cpuUs - base0[i].cpuUs) / 1000, 0) / 2

  // a bootstrap too loaded to answer in time costs its figures, not the run
  const snap = async (label: string): Promise<BootstrapSnapshot | undefined> => snapshotBootstrap(boot, label, SNAPSHOT_TIMEOUT_MS).catch((err: Error) => {
    ctx.notes.push(`mode ${mode.name}: no bootstrap snapshot "${label}": ${err.message.split('\n')[0]}`)
    return undefined
  })
  const delta = (a?: BootstrapSnapshot, b?: BootstrapSnapshot): BootstrapDelta | undefined => a == null || b == null ? undefined : deltaOf(boot, a, b)
  const boot = await CliBootstrap.start(join(ctx.tmp, mode.name, 'bootstrap'),
    ['--listen', '/ip4/127.0.0.1/tcp/0', '--vs-limit', String(mode.vsLimit), '--metrics', '127.0.0.1:0'])
  ctx.onBootstrap(boot)
  mark('workersAndBootstrapReady')
  ctx.progress(`${tag} bootstrap ${boot.info.peerId} at ${boot.multiaddr} (pid ${boot.pid}), --vs-limit ${mode.vsLimit}; ${workers.length} workers`)

  // --- arrival: one peer every 1000/rate ms, peer i in worker i mod W
  const intervalMs = 1000 / ctx.ratePerSec
  const epoch = now() + 1_000
  const perWorker: ScalePeerPlan[][] = workers.map(() => [])
  const workerOf = new Map<number, Child>()
  ctx.plans.forEach((p, i) => {
    perWorker[i % workers.length].push({ ...p, at: epoch + p.idx * intervalMs })
    workerOf.set(p.idx, workers[i % workers.length])
  })
  const lastArrival = epoch + (peers - 1) * intervalMs
  const arrivalStart = await snap('before the first arrival')
  const arrivalLoads = await loads()
  const arrivalT0 = now()
  await Promise.all(workers.map(async (w, i) => w.call('plan', {
    bootstrap: boot.multiaddr, peers: perWorker[i], peerTimeoutMs: ctx.peerTimeoutMs, dataRoot: ctx.dataDirs ? join(ctx.tmp, mode.name, 'peers') : undefined
  }, 30_000)))
  let st: ScalePeerState[] = []
  let printed = 0
  const placedAll = await pollUntil(async () => {
    st = await states()
    const settled = st.filter(s => s.tPlaced != null || s.error != null).length
    if (now() - printed > 10_000) {
      printed = now()
      ctx.progress(`${tag} ${st.filter(s => s.tPlaced != null).length}/${peers} placed`)
    }
    return st.length === peers && settled === peers
  }, Math.min(lastArrival - now() + PLACE_TIMEOUT_MS, ctx.deadline - now() - SHUTDOWN_MS - TAIL_MIN_MS), POLL_MS)
  const placed = st.filter(s => s.tPlaced != null).length
  const lastPlaced = Math.max(0, ...st.map(s => s.tPlaced ?? 0))
  const arrivalEnd = await snap('all placed')
  const arrivalCpu = workersCpu(arrivalLoads, await loads(), now() - arrivalT0, baseCpuMsPerSec, placed)
  out.arrival = {
    ratePerSec: ctx.ratePerSec,
    allPlaced: placedAll === true,
    placed,
    lastPlacementAfterFirstArrivalMs: round(lastPlaced - epoch, 0),
    ...joinFigures(st, peers)
  }
  out.bootstrapPerJoin = perJoinFigures(delta(arrivalStart, arrivalEnd), placed)
  out.workersPerJoin = arrivalCpu
  mark('arrivedAndPlaced')
  ctx.progress(`${tag} ${placed}/${peers} placed; join p50 ${out.arrival.joinMs.p50} ms, p99 ${out.arrival.joinMs.p99} ms; ${out.arrival.joinTimeouts} peers saw a join timeout; bootstrap ${out.bootstrapPerJoin.cpuMsPerJoin} ms CPU and ${out.bootstrapPerJoin.bytesPerJoin} B per join`)

  // --- every index where searches find it, every peer holding the directory (bounded by what the budget leaves)
  // members route through their virtual server and never follow the directory; servers and central clients do
  const wantDirectory = (s: ScalePeerState): boolean => mode.vsLimit > 0 && s.role !== 'member' ? (s.directorySize ?? 0) >= ctx.subnets : true
  const convergeBy = ctx.deadline - SHUTDOWN_MS - TAIL_MIN_MS - (mode.idle ? ctx.settleMs + ctx.idleMs + IDLE_OVERHEAD_MS : 0)
  const readiness = (): Record<string, number> => ({
    placed: st.filter(s => mode.vsLimit > 0 ? s.role === 'virtual-server' || s.role === 'member' : s.role === 'central-client').length,
    shared: st.filter(s => s.shared === ctx.plans[s.idx].files.length).length,
    indexed: st.filter(s => s.role === 'virtual-server' || s.synced).length,
    directory: st.filter(wantDirectory).length
  })
  let seen = ''
  let movedAt = now()
  const converged = await pollUntil(async (): Promise<true | 'stalled' | false> => {
    st = await states()
    const r = readiness()
    if (Object.values(r).every(v => v === peers)) return true
    // nothing changed for a while: waiting longer will not help, and the rest of the run needs the time
    if (JSON.stringify(r) !== seen) {
      seen = JSON.stringify(r)
      movedAt = now()
    }
    return now() - movedAt > STALL_MS ? 'stalled' : false
  }, Math.max(0, convergeBy - now()), POLL_MS)
  mark('indexWaitEnded')
  // peers placed after the arrival phase's end still count in the join figures (cpuMsPerJoin keeps its window)
  Object.assign(out.arrival, joinFigures(st, peers), { placedAtArrivalEnd: placed })
  out.convergence = { converged: converged === true, stalled: converged === 'stalled', msAfterLastArrival: round(now() - lastArrival, 0), readiness: readiness(), waitedUntilMsAfterLastArrival: round(convergeBy - lastArrival, 0) }
  ctx.progress(`${tag} ${converged === true ? 'converged' : 'NOT converged'} ${round((now() - lastArrival) / 1000, 1)} s after the last arrival: ${JSON.stringify(readiness())}`)
  if (converged !== true) ctx.notes.push(`mode ${mode.name}: not every peer was placed, indexed and holding the directory when the wait ended (${JSON.stringify(readiness())} of ${peers}); the rest of the run went on`)

  // --- idle window: nobody joining or searching
  if (mode.idle) {
    await sleep(Math.min(ctx.settleMs, Math.max(0, ctx.deadline - now() - SHUTDOWN_MS - TAIL_MIN_MS - ctx.idleMs - IDLE_OVERHEAD_MS)))
    await Promise.all(workers.map(async w => w.call('resetLoopDelay', {}, 20_000)))
    const a = await loads()
    const ta = now()
    const bootA = await snap('idle start')
    await sleep(ctx.idleMs)
    const b = await loads()
    const windowMs = now() - ta
    const bootB = await snap('idle end')
    st = await states()
    out.idle = { ...idleFigures(base, a, b, baseCpuMsPerSec, windowMs, st.length, st), bootstrap: idleBootstrapFigures(delta(bootA, bootB), st.length) }
    // BENCH_SCALE_DIAG=1: what the peers did on the network in this window alone (idle work that grows with the network shows here)
    if (b.some(l => l.diagnosis != null)) out.idle.diagnosis = idleDiagnosis(a, b)
    mark('idleWindowEnded')
    const lagging = b.filter(l => l.eventLoopDelayMs.p50 > 100).length
    if (lagging > 0) ctx.notes.push(`mode ${mode.name}: ${lagging} of ${b.length} workers had an event-loop delay p50 above 100 ms in the idle window (saturated: the peers wanted more CPU than they got), so idleCpuMsPerPeerPerSec is a lower bound there`)
    ctx.progress(`${tag} idle: ${out.idle.idleCpuMsPerPeerPerSec} ms CPU/peer/s, ${out.idle.rssMbPerPeer} MB/peer, connections p50 ${out.idle.connectionsPerPeer.p50} max ${out.idle.connectionsPerPeer.max}; bootstrap ${out.idle.bootstrap.idleBytesPerPeerPerSec} B/peer/s`)
  }

  // --- searches: the tiered ones (bootstrap counters around them only), then the DHT alone
  const peerIdOf = new Map(st.filter(s => s.peerId != null).map(s => [s.idx, s.peerId!]))
  const tiered = ctx.searches.filter(s => s.kind !== 'dht')
  const dht = mode.dht ? ctx.searches.filter(s => s.kind === 'dht') : []
  const dhtReserve = dht.length > 0 ? Math.min(60_000, (ctx.deadline - now() - SHUTDOWN_MS) / 3) : 0
  // the central index and the virtual servers each have a host of their own in a deployment: from here on neither is favoured
  out.bootstrapNiceDuringSearches = ctx.searchPriority === 'equal' && out.workerNice > 0 && renice(boot.pid, out.workerNice) ? out.workerNice : 0
  const searchA = await snap('searches start')
  const outcomes = await runSearches(tiered, ctx, workerOf, peerIdOf, ctx.deadline - SHUTDOWN_MS - dhtReserve)
  const searchB = await snap('searches end')
  mark('tieredSearchesEnded')
  outcomes.push(...await runSearches(dht, ctx, workerOf, peerIdOf, ctx.deadline - SHUTDOWN_MS))
  const bootSearch = delta(searchA, searchB)
  mark('dhtSearchesEnded')
  out.search = {
    subnet: searchFigures(outcomes, 'subnet'),
    remote: searchFigures(outcomes, 'remote'),
    dht: searchFigures(outcomes, 'dht'),
    tiered: tieredFigures(outcomes),
    bootstrap: {
      searchRequests: bootSearch?.searchRequests ?? null,
      searchRequestsPerSearch: bootSearch == null || tiered.length === 0 ? null : round(bootSearch.searchRequests / Math.max(1, outcomes.filter(o => o.kind !== 'dht').length), 4),
      searchBytes: bootSearch?.searchBytes ?? null,
      window: bootSearch,
      definition: 'peerhive_protocol_requests_total{protocol="/peerhive/search/1.0.0"} of the bootstrap (every outcome) during the tiered searches only'
    },
    planned: { tiered: tiered.length, dht: dht.length }
  }
  if (outcomes.length < tiered.length + dht.length) ctx.notes.push(`mode ${mode.name}: only ${outcomes.length} of ${tiered.length + dht.length} searches ran before the deadline`)
  const s = out.search
  ctx.progress(`${tag} searches: subnet ${s.subnet?.found}/${s.subnet?.searches} p99 ${s.subnet?.p99} ms; remote ${s.remote?.found}/${s.remote?.searches} p99 ${s.remote?.p99} ms, ${s.remote?.requestsPerSearch} req/search; dht ${s.dht?.found ?? '-'}/${s.dht?.searches ?? '-'} p99 ${s.dht?.p99 ?? '-'} ms; bootstrap ${bootSearch?.searchRequests ?? '?'} search requests`)

  // the members whose index reached their virtual server late still count, up to now
  st = await states()
  out.indexConvergence = convergenceFigures(st)
  const lastLoads = await Promise.all(workers.map(async w => w.call<ScaleWorkerLoad>('load', {}, 5_000).catch(() => undefined)))
  out.processes = { workerLoads: lastLoads.filter((l): l is ScaleWorkerLoad => l != null).map(l => ({ rssMb: round(l.rssMb), eventLoopDelayMs: { p99: round(l.eventLoopDelayMs.p99), max: round(l.eventLoopDelayMs.max) }, gcPausesMs: gcFigures(l.gcPausesMs) })) }
  const diagnoses = lastLoads.flatMap(l => l?.diagnosis == null ? [] : [l.diagnosis])
  if (diagnoses.length > 0) out.diagnosis = sumCounts(diagnoses)
  if (!ctx.last) {
    // nothing more to measure here: SIGKILL is quick, where 1,000 peers stopping politely can take longer than the budget allows
    for (const w of workers) w.kill('SIGKILL')
    await Promise.race([Promise.all(workers.map(async w => w.exited)), sleep(5_000)])
    out.bootstrapExit = await boot.stop()
    ctx.onBootstrap(undefined)
  }
  out.durationS = round((now() - t0) / 1000, 1)
}

async function runSearches (searches: PlannedSearch[], ctx: ModeContext, workerOf: Map<number, Child>, peerIdOf: Map<number, string>, deadline: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = []
  let next = 0
  await Promise.all(Array.from({ length: ctx.concurrency }, async () => {
    // a search starts only if it can end (its own deadline, plus the reply) before `deadline`
    const timeoutMs = searches[0]?.kind === 'dht' ? ctx.dhtSearchTimeoutMs : ctx.searchTimeoutMs
    while (next < searches.length && now() + timeoutMs + 2_000 < deadline) {
      const s = searches[next++]
      const provider = peerIdOf.get(s.target)
      const empty: Outcome = { n: s.n, kind: s.kind, found: false, totalMs: NaN, results: 0, searchRequests: 0, requestsTo: {}, failedRequests: 0, hadDirectory: false }
      if (provider == null || !peerIdOf.has(s.searcher)) {
        outcomes.push({ ...empty, failed: 'the searcher or the target peer is not running' })
        continue
      }
      try {
        const o = await workerOf.get(s.searcher)!.call<ScaleSearchOutcome>('search', { idx: s.searcher, kind: s.kind, target: s.filename, provider, limit: SEARCH_LIMIT, timeoutMs }, timeoutMs + 15_000)
        outcomes.push({ ...o, n: s.n, kind: s.kind })
      } catch (err: any) {
        outcomes.push({ ...empty, failed: String(err.message).split('\n')[0].slice(0, 200) })
      }
    }
  }))
  return outcomes.sort((a, b) => a.n - b.n)
}

/**
 * Peer workers run at a lower CPU priority than the bootstrap. In a
 * deployment the bootstrap has a host of its own, and every peer its own
 * machine; here 1,000 peers share 2 cores with it, and with equal shares
 * the 8 busy workers left the bootstrap about a ninth of the machine, less
 * than the joins it had to answer (at 500 peers, 108 joins timed out
 * instead of 11).
 */
export const WORKER_NICE = 10

/** Lowers a process's priority to `nice`; false where that is not allowed (the mode's figures then say 0). */
function renice (pid: number | undefined, nice: number): boolean {
  if (pid == null) return false
  try {
    setPriority(pid, nice)
    return true
  } catch {
    return false
  }
}

/** The diagnosis counters' growth from `a` to `b`, added up over the workers, largest first. */
function idleDiagnosis (a: ScaleWorkerLoad[], b: ScaleWorkerLoad[]): Record<string, number> {
  const grown = b.map((l, i) => Object.fromEntries(Object.entries(l.diagnosis ?? {}).map(([k, n]) => [k, n - (a[i]?.diagnosis?.[k] ?? 0)]).filter(([, n]) => (n as number) > 0)))
  return sumCounts(grown)
}

/** The workers' diagnosis counters, added up, largest first. */
function sumCounts (parts: Array<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(sumRecords(parts)).sort((a, b) => b[1] - a[1]))
}

/**
 * The peers' CPU while the network fills: what an arrival costs the
 * workers (its own start and join, and what it makes the others do), and
 * how much of the machine the workers got. Joins slow down once the
 * workers ask for more than the cores left to them.
 */
function workersCpu (a: ScaleWorkerLoad[], b: ScaleWorkerLoad[], windowMs: number, baseCpuMsPerSec: number, placed: number): Record<string, unknown> {
  const cpuMs = b.reduce((n, l, i) => n + (l.cpuUs - a[i].cpuUs) / 1000, 0) - baseCpuMsPerSec * windowMs / 1000
  return {
    cpuMsPerJoin: placed > 0 ? round(cpuMs / placed, 1) : null,
    cpuMsPerSec: round(cpuMs / (windowMs / 1000)),
    seconds: round(windowMs / 1000, 1),
    definitions: {
      cpuMsPerJoin: 'CPU (user + system, process.cpuUsage) of all worker processes from just before the first arrival to the last placement, less the empty workers\' own, / peers placed',
      cpuMsPerSec: 'the same CPU per second of that window (2,000 is both cores)'
    }
  }
}
