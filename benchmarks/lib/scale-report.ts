/**
 * The "scale" benchmark's headline figures, the goals judged
 * against them, and the growth table that results files keep across runs
 * (one row per network size; a run replaces only its own size's row).
 */
import { existsSync, readFileSync } from 'node:fs'
import { fraction } from './central-load-measure.js'

const pick = (s: Record<string, any> | null | undefined): Record<string, any> | null =>
  s == null ? null : { hitRate: s.hitRate, p50: s.p50, p99: s.p99, requestsPerSearch: s.requestsPerSearch, searches: s.searches }

/** The figures the issue asks for, from the mode with virtual servers on (or the only mode that ran). */
export function headline (mode: Record<string, any>): Record<string, any> {
  return {
    joinMs: { p50: mode.arrival?.joinMs?.p50 ?? null, p99: mode.arrival?.joinMs?.p99 ?? null },
    joinP50ByArrivalDecileMs: mode.arrival?.joinP50ByArrivalDecileMs ?? null,
    joinTimeouts: mode.arrival?.joinTimeouts ?? null,
    idleCpuMsPerPeerPerSec: mode.idle?.idleCpuMsPerPeerPerSec ?? null,
    rssMbPerPeer: mode.idle?.rssMbPerPeer ?? null,
    connectionsPerPeer: mode.idle == null ? null : { p50: mode.idle.connectionsPerPeer.p50, max: mode.idle.connectionsPerPeer.max },
    cpuMsPerJoin: mode.bootstrapPerJoin?.cpuMsPerJoin ?? null,
    bytesPerJoin: mode.bootstrapPerJoin?.bytesPerJoin ?? null,
    workersCpuMsPerJoin: mode.workersPerJoin?.cpuMsPerJoin ?? null,
    idleBytesPerPeerPerSec: mode.idle?.bootstrap?.idleBytesPerPeerPerSec ?? null,
    indexConvergence: mode.indexConvergence == null ? null : { members: mode.indexConvergence.members, atVirtualServer: mode.indexConvergence.atVirtualServer, p99Ms: mode.indexConvergence.p99Ms },
    search: { subnet: pick(mode.search?.subnet), remote: pick(mode.search?.remote), dht: pick(mode.search?.dht) }
  }
}

/** Section 0 of the issue: with virtual servers on, every target found, p99 no worse than the central index's, at most 2% of its bootstrap search requests. */
export function sectionZero (off: Record<string, any> | undefined, on: Record<string, any> | undefined, samePeers: boolean): Record<string, any> | null {
  if (off?.search == null || on?.search == null) return null
  const onT = on.search.tiered
  const offT = off.search.tiered
  const requestRatio = fraction(on.search.bootstrap.searchRequests, off.search.bootstrap.searchRequests)
  const p99Ratio = fraction(onT.p99, offT.p99, 2)
  return {
    on: { ...onT, bootstrapSearchRequests: on.search.bootstrap.searchRequests },
    off: { ...offT, bootstrapSearchRequests: off.search.bootstrap.searchRequests },
    p99OnOverOff: p99Ratio,
    bootstrapSearchRequestsOnOverOff: requestRatio,
    goals: {
      onFindsEveryTarget: onT.searches > 0 && onT.found === onT.searches,
      onP99NoWorseThanOff: onT.p99 != null && offT.p99 != null ? onT.p99 <= offT.p99 : null,
      bootstrapRequestsAtMost2Percent: requestRatio == null ? null : requestRatio <= 0.02
    },
    comparable: samePeers ? 'yes: the same peers and the same seeded searches in both modes' : 'no: the off mode ran with fewer peers (BENCH_SCALE_OFF_PEERS), so its searches differ; the request ratio is per search',
    definitions: {
      searches: 'the tiered searches (subnet and remote kinds) of the seeded workload',
      p99: 'latency to the target (the product\'s ms of the result that is the target), found searches only',
      bootstrapSearchRequests: 'search requests the bootstrap handled during the tiered searches (its peerhive_protocol_requests_total)'
    }
  }
}

/** The other goals of the issue (sections 2 to 5), judged on the mode with virtual servers on. */
export function otherGoals (h: Record<string, any>, peers: number): Record<string, any> {
  const d = h.joinP50ByArrivalDecileMs as Array<number | null> | null
  const c = h.indexConvergence
  const le = (x: number | null | undefined, limit: number): boolean | null => x == null ? null : x <= limit
  return {
    atPeers: peers,
    note: 'the issue sets these at 1,000 peers; at other sizes they are indicative',
    idleCpuAtMost1MsPerPeerPerSec: le(h.idleCpuMsPerPeerPerSec, 1),
    rssAtMost6MbPerPeer: le(h.rssMbPerPeer, 6),
    joinP99AtMost500Ms: le(h.joinMs.p99, 500),
    lastDecileJoinP50AtMost1_5xFirst: d == null || d[0] == null || d[9] == null ? null : d[9] <= 1.5 * d[0],
    noJoinTimeouts: h.joinTimeouts == null ? null : h.joinTimeouts === 0,
    everyIndexAtItsVirtualServer: c == null ? null : c.members > 0 && c.atVirtualServer === c.members,
    indexConvergenceP99Under10s: c?.p99Ms == null ? false : c.p99Ms < 10_000,
    subnetHitRate100: h.search.subnet == null ? null : h.search.subnet.hitRate === 1,
    remoteRequestsPerSearchBelow4: h.search.remote?.requestsPerSearch == null ? null : h.search.remote.requestsPerSearch < 4,
    remoteRule: 'requestsPerSearch below 3 + the servers that really hold a match (exactly 1 here: every file name is unique)',
    dhtHitRate: h.search.dht?.hitRate ?? null
  }
}

/** The growth table of an earlier results file, if any (a broken file starts a new table). */
export function previousGrowth (file: string): Record<string, any> {
  try {
    if (!existsSync(file)) return {}
    const old = JSON.parse(readFileSync(file, 'utf8'))
    return old?.growth != null && typeof old.growth === 'object' ? old.growth : {}
  } catch {
    return {}
  }
}

/** One row of the growth table: the headline figures of one run at one size. */
export function growthRow (date: string, peers: number, subnets: number, h: Record<string, any>, zero: Record<string, any> | null, loadavg: Record<string, any>): Record<string, any> {
  return {
    date,
    peers,
    subnets,
    ...h,
    sectionZero: zero == null ? null : { p99OnOverOff: zero.p99OnOverOff, bootstrapSearchRequestsOnOverOff: zero.bootstrapSearchRequestsOnOverOff, goals: zero.goals },
    loadavg
  }
}
