/**
 * One search phase of the "central-load" benchmark: an idle window, then the
 * seeded searches (a closed or an open loop), and what they cost the
 * bootstrap and the virtual servers, where they were answered, and how fast.
 */
import { now, sleep } from './clock.js'
import { cpuSecondsOf, type CliBootstrap } from './cli-bootstrap.js'
import { countBy, round, subtractRecords, sumRecords, summarize, type Summary } from './stats.js'
import { deltaOf, snapshotBootstrap } from './central-load-measure.js'
import { dialFigures, emptyOutcome, missCause, whyCentral, type Outcome, type PlannedSearch } from './central-load-figures.js'
import { sameServers, tableShape } from './central-load-plan.js'
import { PACED_MAX_IN_FLIGHT, closedLoop, paced } from './load-pacing.js'
import type { Child } from './proc.js'
import type { SearchOutcome } from './central-load-worker.js'

/** The idle window before each phase: the bootstrap's background traffic. */
export const IDLE_WINDOW_MS = 5_000
/** The longest a phase may take. */
export const SEARCH_PHASE_MAX_MS = 60_000
export const SEARCH_LIMIT = 10
export const SEARCH_TIMEOUT_MS = 5_000

export interface PhaseContext {
  mode: { name: string }
  boot: CliBootstrap
  workers: Child[]
  workerOf: Map<number, Child>
  peerIdOf: Map<number, string>
  /** peers whose index was at their virtual server (or the bootstrap), or that are virtual servers, when the phase began */
  indexedAtStart: Set<number>
  /** the run's notes, which the phase adds to */
  notes: string[]
  progress: (line: string) => void
}

/** A closed loop (a fixed number of searches in flight) or an open one (a fixed rate of starts). */
export type Pacing = { concurrency: number } | { perSec: number }

/** An idle window (the bootstrap's background traffic), then the workload; the bootstrap's figures cover the workload only. */
export async function searchPhase (ctx: PhaseContext, label: string, searches: PlannedSearch[], yardstick: (go: () => boolean) => Promise<{ ms: number[], failures: number }>, pacing: Pacing, maxMs = SEARCH_PHASE_MAX_MS): Promise<{ idleWindow: Record<string, any>, figures: Record<string, any>, echo: Summary | null }> {
  const { boot, workers, workerOf, peerIdOf } = ctx
  const tag = `[${ctx.mode.name}]`
  const workersCpu = (): number => workers.map(w => cpuSecondsOf(w.pid) ?? 0).reduce((a, b) => a + b, 0)
  const idleA = await snapshotBootstrap(boot, 'idle start')
  const idleCpuA = workersCpu()
  await sleep(IDLE_WINDOW_MS)
  const idleB = await snapshotBootstrap(boot, `${label} start`)
  const idle = deltaOf(boot, idleA, idleB)
  const idlePeerCpuPercent = idle.seconds > 0 ? round(100 * (workersCpu() - idleCpuA) / idle.seconds, 1) : null
  const servedBefore = await servedBy(workers)
  const cpuBefore = workers.map(w => cpuSecondsOf(w.pid) ?? 0).reduce((a, b) => a + b, 0)
  const tableBefore = await boot.api<any[]>('/v1/subnets').catch(() => [])

  const outcomes: Outcome[] = []
  let searching = true
  const deadline = now() + maxMs
  const echo = yardstick(() => searching)
  const tPhase = now()
  const runOne = async (s: PlannedSearch): Promise<void> => {
    const provider = peerIdOf.get(s.target)
    const base = { n: s.n, kind: s.kind, filename: s.filename, target: s.target }
    if (provider == null || !peerIdOf.has(s.searcher)) {
      outcomes.push({ ...emptyOutcome(s.searcher), ...base, failed: 'the searcher or the target peer is not running' })
      return
    }
    try {
      const o = await workerOf.get(s.searcher)!.call<SearchOutcome>('search', { idx: s.searcher, words: [s.filename], target: s.filename, provider, limit: SEARCH_LIMIT, timeoutMs: SEARCH_TIMEOUT_MS }, SEARCH_TIMEOUT_MS + 10_000)
      outcomes.push({ ...o, ...base })
    } catch (err: any) {
      outcomes.push({ ...emptyOutcome(s.searcher), ...base, failed: String(err.message).split('\n')[0].slice(0, 200) })
    }
  }
  const startedLate = 'perSec' in pacing ? await paced(searches, pacing.perSec, deadline, runOne) : await closedLoop(searches, pacing.concurrency, deadline, runOne)
  const phaseMs = now() - tPhase
  searching = false
  const end = await snapshotBootstrap(boot, `${label} end`)
  const echoSamples = await echo
  const phase = deltaOf(boot, idleB, end)
  const servedAfter = await servedBy(workers)
  const cpuAfter = workers.map(w => cpuSecondsOf(w.pid) ?? 0).reduce((a, b) => a + b, 0)
  const tableAfter = await boot.api<any[]>('/v1/subnets').catch(() => [])
  const loads = await Promise.all(workers.map(async w => w.call('load', {}, 5_000).catch(() => null)))
  if (outcomes.length < searches.length) ctx.notes.push(`mode ${ctx.mode.name}, ${label}: only ${outcomes.length} of ${searches.length} searches ran within ${round(maxMs, 0)} ms`)
  outcomes.sort((a, b) => a.n - b.n)

  const idleRate = idle.seconds > 0 ? idle.socketBytes / idle.seconds : 0
  const aboveIdle = Math.max(0, phase.socketBytes - idleRate * phase.seconds)
  const found = outcomes.filter(o => o.found)
  const ran = outcomes.filter(o => o.failed == null)
  const vsServed = sumValues(servedAfter.byOutcome) - sumValues(servedBefore.byOutcome)
  const figures = {
    pacing: 'perSec' in pacing
      ? { startsPerSec: pacing.perSec, maxInFlight: PACED_MAX_IN_FLIGHT, startedLate, rule: 'search i starts i / startsPerSec s into the phase, whether or not the earlier ones have answered; startedLate: searches that waited for one of maxInFlight to end' }
      : { inFlight: pacing.concurrency, rule: 'a fixed number of searches in flight: the next starts when one ends' },
    seconds: round(phaseMs / 1000, 2),
    searches: outcomes.length,
    found: found.length,
    misses: outcomes.length - found.length,
    missesByKind: Object.fromEntries(countBy(outcomes.filter(o => !o.found), o => o.kind)),
    missesByCause: Object.fromEntries(countBy(outcomes.filter(o => !o.found), o => missCause(o, ctx.indexedAtStart))),
    missList: outcomes.filter(o => !o.found).slice(0, 12).map(o => ({ n: o.n, kind: o.kind, searcher: o.idx, role: o.role, target: o.filename, targetIndexed: ctx.indexedAtStart.has(o.target), results: o.results, tiers: o.tiers, dials: o.dials, error: o.error ?? o.failed })),
    errors: outcomes.filter(o => o.error != null || o.failed != null).length,
    bootstrap: phase,
    socketBytesAboveIdle: round(aboveIdle, 0),
    perSearch: {
      bootstrapSearchRequests: perSearch(phase.searchRequests, outcomes.length, 4),
      bootstrapSearchBytes: perSearch(phase.searchBytes, outcomes.length),
      bootstrapSearchBytesIn: perSearch(phase.searchBytesIn, outcomes.length),
      bootstrapSearchBytesOut: perSearch(phase.searchBytesOut, outcomes.length),
      bootstrapSocketBytes: perSearch(phase.socketBytes, outcomes.length),
      bootstrapSocketBytesAboveIdle: perSearch(aboveIdle, outcomes.length),
      bootstrapCpuMs: phase.cpuSeconds == null ? null : perSearch(phase.cpuSeconds * 1000, outcomes.length)
    },
    whyTheBootstrapWasAsked: whyCentral(ran, phase.searchRequests, ctx.indexedAtStart),
    virtualServersServed: {
      searchRequests: vsServed,
      byOutcome: subtractRecords(servedAfter.byOutcome, servedBefore.byOutcome),
      searchBytes: servedAfter.bytesIn + servedAfter.bytesOut - servedBefore.bytesIn - servedBefore.bytesOut,
      perSearch: perSearch(vsServed, outcomes.length, 2),
      what: 'search requests answered by the hosted peers (their own peerhive_protocol_requests_total; only virtual servers answer): where the load went'
    },
    searchRequestsSent: dialFigures(ran),
    targetTiers: Object.fromEntries(countBy(found, o => o.targetTier ?? '?')),
    targetTiersByKind: {
      subnet: Object.fromEntries(countBy(found.filter(o => o.kind === 'subnet'), o => o.targetTier ?? '?')),
      remote: Object.fromEntries(countBy(found.filter(o => o.kind === 'remote'), o => o.targetTier ?? '?'))
    },
    resultTiers: sumRecords(outcomes.map(o => o.tiers)),
    searcherRoles: Object.fromEntries(countBy(outcomes, o => o.role)),
    // members route through their virtual server and never follow the directory
    searchesWithoutDirectory: ran.filter(o => o.role !== 'member' && !o.hadDirectory).length,
    latencyMs: {
      toTarget: summarize(found.map(o => o.targetMs!)),
      toTargetByKind: {
        subnet: summarize(found.filter(o => o.kind === 'subnet').map(o => o.targetMs!)),
        remote: summarize(found.filter(o => o.kind === 'remote').map(o => o.targetMs!))
      },
      wholeSearch: summarize(ran.map(o => o.totalMs)),
      wholeSearchByKind: {
        subnet: summarize(ran.filter(o => o.kind === 'subnet').map(o => o.totalMs)),
        remote: summarize(ran.filter(o => o.kind === 'remote').map(o => o.totalMs))
      },
      definitions: {
        toTarget: 'the product\'s `ms` of the result that is the target (time since the search started), found searches only',
        wholeSearch: 'from the call to node.search() to the end of its result stream (every tier the product chose to ask), measured in the worker'
      }
    },
    tableStable: JSON.stringify(tableShape(tableBefore)) === JSON.stringify(tableShape(tableAfter)) && sameServers(tableBefore, tableAfter),
    peerProcesses: {
      cpuPercent: round(100 * (cpuAfter - cpuBefore) / (phaseMs / 1000), 1),
      workers: loads.map((l: any, i) => l == null ? null : { name: workers[i].name, rssMb: l.rssMb, eventLoopDelayMs: { p50: round(l.eventLoopDelayMs.p50), p99: round(l.eventLoopDelayMs.p99), max: round(l.eventLoopDelayMs.max) } })
    }
  }
  ctx.progress(`${tag} ${label}: ${figures.searches} searches in ${figures.seconds} s, ${figures.found} found, ${figures.misses} missed ${JSON.stringify(figures.missesByCause)}; bootstrap: ${phase.searchRequests} search requests, ${phase.searchBytes} search bytes, ${phase.socketBytes} socket bytes; target tiers ${JSON.stringify(figures.targetTiers)}; p50/p99 to target ${figures.latencyMs.toTarget?.p50}/${figures.latencyMs.toTarget?.p99} ms`)
  return {
    idleWindow: { ...idle, socketBytesPerSec: round(idleRate, 0), peerProcessesCpuPercent: idlePeerCpuPercent, what: 'the bootstrap with every peer up and nobody searching, just before the phase (background: pings, gossipsub heartbeats and republished tables/directory, DHT)' },
    figures,
    echo: summarize(echoSamples.ms)
  }
}

export async function servedBy (workers: Child[]): Promise<{ byOutcome: Record<string, number>, bytesIn: number, bytesOut: number }> {
  const all = await Promise.all(workers.map(async w => w.call('served', {}, 10_000).catch(() => null)))
  return {
    byOutcome: sumRecords(all.filter(x => x != null).map(x => x.byOutcome)),
    bytesIn: all.reduce((n, x) => n + (x?.bytesIn ?? 0), 0),
    bytesOut: all.reduce((n, x) => n + (x?.bytesOut ?? 0), 0)
  }
}

export function perSearch (x: number, n: number, digits = 1): number | null {
  return n > 0 ? round(x / n, digits) : null
}

function sumValues (r: Record<string, number>): number {
  return Object.values(r).reduce((a, b) => a + b, 0)
}

