/**
 * Figures of the "scale" benchmark, computed from what the workers report
 * (scale-worker.ts) and the bootstrap's counters between two snapshots
 * (central-load-measure.ts).
 */
import { percentile, round, summarize } from './stats.js'
import type { BootstrapDelta } from './central-load-measure.js'
import type { ScalePeerState, ScaleWorkerLoad } from './scale-worker.js'
import type { ScaleSearchOutcome } from './scale-search.js'
import type { PlannedSearch, SearchKind } from './scale-plan.js'

export type Outcome = ScaleSearchOutcome & { n: number, kind: SearchKind, failed?: string }

const p = (xs: number[], q: number): number | null => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b)
  return s.length === 0 ? null : round(percentile(s, q))
}

/** Join latency: first placement minus the moment node.start() returned (the first join attempt under way). */
export function joinFigures (states: ScalePeerState[], peers: number): Record<string, any> {
  const byArrival = [...states].sort((a, b) => a.idx - b.idx)
  const ms = (s: ScalePeerState): number => s.tPlaced != null && s.tJoin != null ? s.tPlaced - s.tJoin : NaN
  const all = byArrival.map(ms)
  const decileP50 = Array.from({ length: 10 }, (_, d) => p(byArrival.filter(s => Math.floor(s.idx * 10 / peers) === d).map(ms), 50))
  const tally = (list: (s: ScalePeerState) => string[]): Record<string, number> => {
    const errors: Record<string, number> = {}
    for (const s of states) for (const e of list(s)) errors[e] = (errors[e] ?? 0) + 1
    return Object.fromEntries(Object.entries(errors).sort((a, b) => b[1] - a[1]).slice(0, 8))
  }
  return {
    joinMs: { p50: p(all, 50), p99: p(all, 99), max: p(all, 100), n: all.filter(Number.isFinite).length },
    joinP50ByArrivalDecileMs: decileP50,
    joinMsByFirstRole: Object.fromEntries(Object.entries(countBy(states, s => s.firstRole ?? 'none')).map(([role]) => {
      const mine = states.filter(s => (s.firstRole ?? 'none') === role).map(ms)
      return [role, { p50: p(mine, 50), p99: p(mine, 99), n: mine.filter(Number.isFinite).length }]
    })),
    // which joins set the p99: early arrivals (a cold start), one role, or spread out
    slowestJoins: byArrival.filter(s => Number.isFinite(ms(s))).sort((a, b) => ms(b) - ms(a)).slice(0, 10).map(s => ({ idx: s.idx, ms: round(ms(s), 0), firstRole: s.firstRole ?? null })),
    lastOverFirstDecileP50: decileP50[0] != null && decileP50[9] != null && decileP50[0] > 0 ? round(decileP50[9] / decileP50[0]) : null,
    joinTimeouts: states.filter(s => s.joinTimeouts > 0).length,
    joinTimeoutAttempts: states.reduce((n, s) => n + s.joinTimeouts, 0),
    peersWithFailedJoins: states.filter(s => s.joinFailures > 0).length,
    joinErrors: tally(s => s.joinErrors),
    afterPlacement: {
      peersThatLostTheBootstrap: states.filter(s => s.bootstrapDisconnects > 0).length,
      bootstrapDisconnects: states.reduce((n, s) => n + s.bootstrapDisconnects, 0),
      peersWithFailedRejoins: states.filter(s => s.laterJoinFailures > 0).length,
      peersWithRejoinTimeouts: states.filter(s => s.laterJoinTimeouts > 0).length,
      rejoinErrors: tally(s => s.laterJoinErrors),
      what: 'from each peer\'s first placement to the end of the mode: peer:disconnect events for the bootstrap and failed attempts to join again (topology join:failed)'
    },
    placed: states.filter(s => s.tPlaced != null).length,
    notPlaced: states.filter(s => s.tPlaced == null).slice(0, 10).map(s => ({ idx: s.idx, error: s.error ?? null, joinErrors: s.joinErrors })),
    startLagMs: summarize(states.filter(s => s.tCreate != null).map(s => s.tCreate! - s.at)),
    firstRoles: countBy(states, s => s.firstRole ?? 'none'),
    definitions: {
      joinMs: 'first placement event minus the moment node.start() returned (the first join attempt is under way)',
      joinP50ByArrivalDecileMs: 'join p50 of each tenth of the peers in arrival order (first to last)',
      joinTimeouts: 'peers that saw at least one join attempt fail with TimeoutError or AbortError (topology join:failed events) before their first placement; later ones are in afterPlacement',
      startLagMs: 'when the worker began creating the peer minus its scheduled arrival (the workers falling behind the schedule)'
    }
  }
}

/** Members' (or central clients') indexes at their virtual server (or the bootstrap), and how long after placement. */
export function convergenceFigures (states: ScalePeerState[]): Record<string, any> {
  const owners = states.filter(s => s.tIndexOwner != null)
  const reached = owners.filter(s => s.tSynced != null)
  // a member whose index never got there counts as slower than every one that did
  const ms = owners.map(s => s.tSynced != null ? s.tSynced - s.tIndexOwner! : Infinity).sort((a, b) => a - b)
  const p99 = ms.length === 0 ? null : percentile(ms, 99)
  return {
    members: owners.length,
    atVirtualServer: reached.length,
    atVirtualServerNow: owners.filter(s => s.synced).length,
    p50Ms: ms.length === 0 || !Number.isFinite(percentile(ms, 50)) ? null : round(percentile(ms, 50)),
    p99Ms: p99 == null || !Number.isFinite(p99) ? null : round(p99),
    maxMs: reached.length === 0 ? null : round(Math.max(...reached.map(s => s.tSynced! - s.tIndexOwner!))),
    definition: 'members (central clients with virtual servers off): peers first placed in a role whose index lives elsewhere; atVirtualServer: whose node.sharing.indexSynced() was true at least once (polled every 100 ms in the worker); p99Ms: from that first placement to the first synced moment, null when more than 1% never got there'
  }
}

/** hitRate, latency to the target and requests per search, for one kind of search. */
export function searchFigures (outcomes: Outcome[], kind: SearchKind): Record<string, any> | null {
  const xs = outcomes.filter(o => o.kind === kind)
  if (xs.length === 0) return null
  const found = xs.filter(o => o.found)
  const ran = xs.filter(o => o.failed == null)
  const requests = kind === 'dht' ? ran.map(o => o.kadRequests ?? 0) : ran.map(o => o.searchRequests)
  const to: Record<string, number> = {}
  for (const o of ran) for (const [k, v] of Object.entries(o.requestsTo)) to[k] = (to[k] ?? 0) + v
  return {
    searches: xs.length,
    found: found.length,
    hitRate: round(found.length / xs.length, 4),
    p50: p(found.map(o => o.targetMs!), 50),
    p99: p(found.map(o => o.targetMs!), 99),
    requestsPerSearch: ran.length === 0 ? null : round(requests.reduce((a, b) => a + b, 0) / ran.length, 2),
    requestsPerSearchMax: ran.length === 0 ? null : Math.max(...requests),
    requestsPerHit: found.length === 0 ? null : round(found.map(o => kind === 'dht' ? o.kadRequests ?? 0 : o.searchRequests).reduce((a, b) => a + b, 0) / found.length, 2),
    ...(kind === 'dht'
      ? { kadAnsweredPerSearch: ran.length === 0 ? null : round(ran.reduce((n, o) => n + (o.kadAnswered ?? 0), 0) / ran.length, 2) }
      : { requestsPerSearchByDestination: Object.fromEntries(Object.entries(to).map(([k, v]) => [k, round(v / Math.max(1, ran.length), 2)])), failedRequests: ran.reduce((n, o) => n + o.failedRequests, 0) }),
    wholeSearchMs: { p50: p(ran.map(o => o.totalMs), 50), p99: p(ran.map(o => o.totalMs), 99) },
    targetTiers: countBy(found, o => o.targetTier ?? '?'),
    searcherRoles: countBy(xs, o => o.role ?? '?'),
    withoutDirectory: ran.filter(o => !o.hadDirectory).length,
    errors: xs.filter(o => o.error != null || o.failed != null).length,
    firstMisses: xs.filter(o => !o.found).slice(0, 5).map(o => ({ n: o.n, role: o.role, results: o.results, requestsTo: o.requestsTo, kadRequests: o.kadRequests, error: o.error ?? o.failed }))
  }
}

/** Every tiered search together: what section 0 compares between the modes. */
export function tieredFigures (outcomes: Outcome[]): Record<string, any> {
  const xs = outcomes.filter(o => o.kind !== 'dht')
  const found = xs.filter(o => o.found)
  return { searches: xs.length, found: found.length, hitRate: xs.length === 0 ? null : round(found.length / xs.length, 4), p50: p(found.map(o => o.targetMs!), 50), p99: p(found.map(o => o.targetMs!), 99) }
}

/** Idle cost of the hosted peers, from the workers' process.cpuUsage and RSS, less what the same workers used before hosting any peer. */
export function idleFigures (base: ScaleWorkerLoad[], a: ScaleWorkerLoad[], b: ScaleWorkerLoad[], baseCpuMsPerSec: number, windowMs: number, peers: number, states: ScalePeerState[]): Record<string, any> {
  const cpuMs = b.reduce((n, l, i) => n + (l.cpuUs - a[i].cpuUs) / 1000, 0)
  const cpuMsPerSec = cpuMs / (windowMs / 1000)
  const rss = b.reduce((n, l) => n + l.rssMb, 0)
  const baseRss = base.reduce((n, l) => n + l.rssMb, 0)
  const conns = states.map(s => s.connections)
  return {
    idleCpuMsPerPeerPerSec: peers > 0 ? round((cpuMsPerSec - baseCpuMsPerSec) / peers, 3) : null,
    rssMbPerPeer: peers > 0 ? round((rss - baseRss) / peers) : null,
    connectionsPerPeer: { p50: p(conns, 50), p99: p(conns, 99), max: conns.length === 0 ? null : Math.max(...conns) },
    raw: {
      windowS: round(windowMs / 1000),
      workersCpuMsPerSec: round(cpuMsPerSec),
      emptyWorkersCpuMsPerSec: round(baseCpuMsPerSec),
      workersRssMb: round(rss),
      emptyWorkersRssMb: round(baseRss),
      workersHeapUsedMb: round(b.reduce((n, l) => n + l.heapUsedMb, 0)),
      eventLoopDelayMsByWorker: b.map(l => ({ p50: round(l.eventLoopDelayMs.p50), p99: round(l.eventLoopDelayMs.p99), max: round(l.eventLoopDelayMs.max) })),
      gcPausesMsByWorker: b.map(l => gcFigures(l.gcPausesMs))
    },
    baselineSubtracted: 'yes: idleCpuMsPerPeerPerSec and rssMbPerPeer subtract what the same worker processes used before they hosted any peer (CPU rate measured over a short window, RSS at that moment); raw holds both',
    definitions: {
      idleCpuMsPerPeerPerSec: 'CPU (user + system, process.cpuUsage) of all worker processes over the idle window, per second, per hosted peer',
      connectionsPerPeer: 'libp2p.getConnections().length of each peer at the end of the idle window'
    }
  }
}

/** What one join cost the bootstrap (the arrival phase: the first arrival to the last placement). */
export function perJoinFigures (d: BootstrapDelta | undefined, joins: number): Record<string, any> {
  return {
    cpuMsPerJoin: d?.cpuSeconds == null || joins === 0 ? null : round(d.cpuSeconds * 1000 / joins, 1),
    bytesPerJoin: d == null || joins === 0 ? null : Math.round(d.socketBytes / joins),
    joins,
    arrivalPhase: d ?? null,
    definitions: {
      cpuMsPerJoin: 'CPU time (user + system, /proc) of the bootstrap process from just before the first arrival to the last placement, / peers placed',
      bytesPerJoin: 'TCP payload bytes in + out of every libp2p socket of the bootstrap (socket-counter preload: join, identify, DHT, gossipsub, ping, Noise and Yamux framing) over the same window, / peers placed'
    }
  }
}

export function idleBootstrapFigures (d: BootstrapDelta | undefined, peers: number): Record<string, any> {
  return {
    idleBytesPerPeerPerSec: d != null && d.seconds > 0 && peers > 0 ? round(d.socketBytes / d.seconds / peers, 1) : null,
    idleCpuPercent: d?.cpuSeconds == null || d.seconds <= 0 ? null : round(100 * d.cpuSeconds / d.seconds, 1),
    window: d ?? null,
    definition: 'TCP payload bytes in + out of the bootstrap\'s libp2p sockets during the idle window (nobody joining or searching), per second, per peer'
  }
}

export function plannedCounts (searches: PlannedSearch[]): Record<string, number> {
  return countBy(searches, s => s.kind)
}

export function countBy<T> (xs: T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1
  return out
}

export function gcFigures (g: ScaleWorkerLoad['gcPausesMs']): Record<string, number> {
  return { count: g.count, totalMs: round(g.totalMs), maxMs: round(g.maxMs), over100Ms: g.over100Ms }
}
