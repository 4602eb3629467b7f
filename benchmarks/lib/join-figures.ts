/** What the "join" benchmark makes of what it recorded: arrival, placement, per-join, idle, failover and process figures, and its notes. */
import { PROTOCOL_JOIN } from '../../src/protocols/index.js'
import { byLabel, sumOf, type Sample } from './prometheus.js'
import { round, subtractRecords, summarize } from './stats.js'
import type { Child } from './proc.js'
import type { SocketSnapshot } from './socket-counter.js'
import type { JoinRecord, PeerPlan } from './join-worker.js'

/** The bootstrap (and the peer processes) at one moment. */
export interface Snapshot {
  label: string
  t: number
  metrics: Sample[]
  sockets: SocketSnapshot
  bootstrapCpuS?: number
  childCpuS: number
  /** the bootstrap's ports: its libp2p listener and its HTTP servers, to tell its sockets apart */
  ports: { libp2p: number, http: number[] }
}

export function delta (a: Snapshot, b: Snapshot, name: string, match: Record<string, string> = {}): number {
  return sumOf(b.metrics, name, match) - sumOf(a.metrics, name, match)
}

export function socketDelta (a: Snapshot, b: Snapshot): Record<string, { read: number, written: number, sockets: number }> {
  const out: Record<string, { read: number, written: number, sockets: number }> = {}
  const kind = (key: string): string => {
    if (key === 'dialed') return 'dialedByBootstrap'
    const port = Number(key.split(':')[1])
    if (port === b.ports.libp2p) return 'libp2pInbound'
    if (b.ports.http.includes(port)) return 'localHttp'
    return `other:${key}`
  }
  for (const key of new Set([...Object.keys(a.sockets.buckets), ...Object.keys(b.sockets.buckets)])) {
    const x = a.sockets.buckets[key] ?? { bytesRead: 0, bytesWritten: 0, sockets: 0 }
    const y = b.sockets.buckets[key] ?? { bytesRead: 0, bytesWritten: 0, sockets: 0 }
    const k = kind(key)
    const o = out[k] ??= { read: 0, written: 0, sockets: 0 }
    o.read += y.bytesRead - x.bytesRead
    o.written += y.bytesWritten - x.bytesWritten
    o.sockets += y.sockets - x.sockets
  }
  return out
}

export function totals (a: Snapshot, b: Snapshot): Record<string, any> {
  const sockets = socketDelta(a, b)
  const libp2pIn = (sockets.libp2pInbound?.read ?? 0) + (sockets.dialedByBootstrap?.read ?? 0)
  const libp2pOut = (sockets.libp2pInbound?.written ?? 0) + (sockets.dialedByBootstrap?.written ?? 0)
  return {
    fromTo: `${a.label} -> ${b.label}`,
    seconds: round((b.t - a.t) / 1000, 2),
    joinRequests: delta(a, b, 'peerhive_protocol_requests_total', { protocol: PROTOCOL_JOIN }),
    joinRequestsByOutcome: subtractRecords(byLabel(b.metrics, 'peerhive_protocol_requests_total', 'outcome', { protocol: PROTOCOL_JOIN }), byLabel(a.metrics, 'peerhive_protocol_requests_total', 'outcome', { protocol: PROTOCOL_JOIN })),
    joinBytesIn: delta(a, b, 'peerhive_protocol_bytes_total', { protocol: PROTOCOL_JOIN, direction: 'in' }),
    joinBytesOut: delta(a, b, 'peerhive_protocol_bytes_total', { protocol: PROTOCOL_JOIN, direction: 'out' }),
    assignmentBytesOut: delta(a, b, 'peerhive_protocol_bytes_total', { protocol: 'gossipsub:assignments', direction: 'out' }),
    directoryBytesOut: delta(a, b, 'peerhive_protocol_bytes_total', { protocol: 'gossipsub:directory', direction: 'out' }),
    tablesPublished: delta(a, b, 'peerhive_assignments_published_total'),
    socketBytesIn: libp2pIn,
    socketBytesOut: libp2pOut,
    socketsOpened: (sockets.libp2pInbound?.sockets ?? 0) + (sockets.dialedByBootstrap?.sockets ?? 0),
    socketsByKind: sockets,
    cpuSeconds: a.bootstrapCpuS != null && b.bootstrapCpuS != null ? round(b.bootstrapCpuS - a.bootstrapCpuS) : null
  }
}

export function perJoin (a: Snapshot, b: Snapshot, joins: number): Record<string, any> {
  const t = totals(a, b)
  const per = (x: number): number | null => joins > 0 ? round(x / joins, 1) : null
  return {
    joins,
    requests: per(t.joinRequests),
    bytesIn: per(t.joinBytesIn),
    bytesOut: per(t.joinBytesOut),
    assignmentBytesOut: per(t.assignmentBytesOut),
    directoryBytesOut: per(t.directoryBytesOut),
    tablesPublished: per(t.tablesPublished),
    socketBytesIn: per(t.socketBytesIn),
    socketBytesOut: per(t.socketBytesOut),
    socketsOpened: per(t.socketsOpened),
    cpuMs: t.cpuSeconds == null ? null : per(t.cpuSeconds * 1000),
    peerProcessesCpuMs: per((b.childCpuS - a.childCpuS) * 1000),
    definitions: {
      requests: 'join requests the bootstrap handled (peerhive_protocol_requests_total, every outcome) / peers placed; above 1 means retries',
      'bytesIn/bytesOut': 'join message bytes (protobuf, without framing) from peerhive_protocol_bytes_total / peers placed',
      assignmentBytesOut: 'signed tables published on gossipsub, times the subscribers the bootstrap knew (peerhive_protocol_bytes_total{protocol="gossipsub:assignments"}) / peers placed',
      directoryBytesOut: 'the same for the directory of virtual servers (protocol="gossipsub:directory")',
      'socketBytesIn/Out': 'every TCP payload byte of the bootstrap\'s libp2p sockets (Noise + Yamux framing, identify, DHT, gossipsub, ping, the join itself, and the reachability probes) during the whole arrival phase / peers placed; exact for the process (socket-counter preload), excludes its local HTTP API/metrics sockets and TCP/IP headers',
      cpuMs: 'CPU time (user + system, /proc) of the bootstrap process during the arrival phase / peers placed',
      peerProcessesCpuMs: 'CPU time of all peer processes (workers, victims) and the echo server during the arrival phase / peers placed: what a join costs the rest of the network on this machine (DHT dials, Noise handshakes, identify, gossipsub)'
    },
    totals: t
  }
}

export function idleFigures (a: Snapshot, b: Snapshot, peers: number): Record<string, any> {
  const t = totals(a, b)
  const s = (b.t - a.t) / 1000
  return {
    windowS: round(s),
    peers: peers,
    socketBytesInPerSec: round(t.socketBytesIn / s, 0),
    socketBytesOutPerSec: round(t.socketBytesOut / s, 0),
    socketBytesPerPeerPerSec: round((t.socketBytesIn + t.socketBytesOut) / s / Math.max(1, peers), 1),
    joinRequests: t.joinRequests,
    tablesPublished: t.tablesPublished,
    cpuPercent: t.cpuSeconds == null ? null : round(100 * t.cpuSeconds / s, 1),
    peerProcessesCpuPercent: round(100 * (b.childCpuS - a.childCpuS) / s, 1),
    what: 'the bootstrap with every peer placed and nobody joining (pings, gossipsub heartbeats, DHT)'
  }
}

export function failoverFigures (killed: Array<Record<string, any>>, silent: Array<Record<string, any>>): Record<string, any> {
  const pick = (xs: Array<Record<string, any>>, key: string): number[] => xs.map(x => x[key]).filter((v): v is number => typeof v === 'number')
  const summary = (xs: Array<Record<string, any>>): Record<string, any> => {
    const all = summarize(pick(xs, 'allMembersMs'))
    return {
      groups: xs.length,
      measured: all?.n ?? 0,
      p50: all?.p50 ?? null,
      max: all?.max ?? null,
      allMembersMs: all,
      bootstrapTableMs: summarize(pick(xs, 'bootstrapTableMs')),
      everyMemberMs: summarize(xs.flatMap(x => x.memberMs ?? [])),
      perGroup: xs
    }
  }
  return {
    definition: 'from the signal to the victim virtual server until every former member of its group has reported the same new virtual server in a placement event (allMembersMs); bootstrapTableMs is when GET /v1/subnets (polled every 20 ms) stopped naming the victim',
    sigkill: summary(killed),
    sigstop: { ...summary(silent), what: 'the victim is frozen, so no FIN/RST reaches anyone: only the connection monitor\'s pings can find it (peer timeout 10 s by default)' },
    p50: summary(killed).p50,
    max: summary(killed).max
  }
}

export function tableFigures (table: any[]): Record<string, any> {
  const groupSizes: Record<string, number> = {}
  let centralClients = 0
  for (const row of table) {
    for (const g of row.virtualServers) groupSizes[g.clientCount] = (groupSizes[g.clientCount] ?? 0) + 1
    centralClients += row.centralClients.length
  }
  return { subnets: table.length, groupSizesAtEnd: groupSizes, centralClientsAtEnd: centralClients, when: 'after the failover phase' }
}

export function processFigures (workers: Child[], statuses: any[], a: Snapshot, b: Snapshot): Record<string, any> {
  return {
    bootstrapCpuS: a.bootstrapCpuS != null && b.bootstrapCpuS != null ? round(b.bootstrapCpuS - a.bootstrapCpuS) : null,
    childrenCpuS: round(b.childCpuS - a.childCpuS),
    workers: statuses.filter(s => s.name.startsWith('worker')).map(s => ({
      name: s.name,
      peers: s.peers.length,
      rssMb: s.rssMb,
      cpuS: round((s.cpu.user + s.cpu.system) / 1e6),
      eventLoopDelayMs: { p50: round(s.eventLoopDelayMs.p50), p99: round(s.eventLoopDelayMs.p99), max: round(s.eventLoopDelayMs.max) }
    })),
    workerCount: workers.length,
    note: 'CPU seconds from the baseline (before the first arrival) to the end of the failover phase; children = workers, victims and the echo server'
  }
}

export function arrivalFigures (plans: PeerPlan[], intervalMs: number, records: Map<number, JoinRecord>, unplaced: Map<number, JoinRecord>, layout: { firstSubnet: number, subnets: number, ratePerSec: number }): Record<string, any> {
  const recs = [...records.values(), ...unplaced.values()]
  // most joins in flight at once: from first join attempt to first placement
  const edges = [...records.values()].filter(r => r.tJoin != null && r.tPlaced != null).flatMap(r => [[r.tJoin!, 1], [r.tPlaced!, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1])
  let inFlight = 0
  let maxInFlight = 0
  for (const [, d] of edges) { inFlight += d; maxInFlight = Math.max(maxInFlight, inFlight) }
  return {
    pattern: `constant rate: one new peer every ${round(intervalMs)} ms; subnets interleaved (peer k is 127.0.${layout.firstSubnet}+(k mod ${layout.subnets}).1+(k div ${layout.subnets})), so each subnet gains a peer every ${round(intervalMs * layout.subnets)} ms`,
    ratePerSec: layout.ratePerSec,
    intervalMs: round(intervalMs),
    durationMs: round(plans[plans.length - 1].at - plans[0].at, 0),
    maxJoinsInFlight: maxInFlight,
    startLagMs: summarize(recs.filter(r => r.tCreate != null).map(r => r.tCreate! - r.at)),
    startLagDefinition: 'when a worker actually began creating the peer, minus its scheduled arrival (how far the workers fell behind the schedule)',
    createToJoinMs: summarize(recs.filter(r => r.tJoin != null && r.tCreate != null).map(r => r.tJoin! - r.tCreate!))
  }
}

export function placementFigures (statuses: any[], records: Map<number, JoinRecord>, unplaced: Map<number, JoinRecord>): Record<string, any> {
  const roles: Record<string, number> = {}
  for (const r of records.values()) roles[r.role ?? '?'] = (roles[r.role ?? '?'] ?? 0) + 1
  const withErrors = [...records.values(), ...unplaced.values()].filter(r => r.joinErrors.length > 0)
  const errorCounts: Record<string, number> = {}
  for (const r of withErrors) for (const e of r.joinErrors) errorCounts[e] = (errorCounts[e] ?? 0) + 1
  const disconnects = statuses.flatMap(s => s.peers).reduce((n: number, p: any) => n + p.bootstrapDisconnects.length, 0)
  return {
    placed: records.size,
    notPlaced: [...unplaced.values()].map(r => ({ idx: r.idx, ip: r.ip, error: r.error, joinErrors: r.joinErrors })),
    firstRoles: roles,
    peersThatSawJoinErrors: withErrors.length,
    joinErrors: errorCounts,
    bootstrapDisconnectsAfterStart: disconnects,
    connectionsPerPeer: summarize(statuses.flatMap(s => s.peers).map((p: any) => p.connections)),
    bootstrapDisconnectsNote: 'peer:disconnect events for the bootstrap seen by surviving peers, from their start to the end of the failover phase'
  }
}

/** The notes every run gets, and the ones its figures call for. */
export function addNotes (result: Record<string, any>, notes: string[], setup: { workers: number, victims: number, peerTimeoutMs?: number, consistencyTimeoutMs: number }): void {
  const m = result.machine
  notes.push(`${m.cpus} CPUs shared by the bootstrap, ${setup.workers} workers, ${setup.victims} victims, the echo server and this process: the latencies include CPU contention (load average ${m.loadavgAtStart.join('/')} at start)`)
  notes.push('all peers share one machine and loopback; the subnets are 127.0.S.0/24 addresses on lo')
  if (setup.peerTimeoutMs != null) notes.push(`the hosted peers run with peerTimeoutMs ${setup.peerTimeoutMs} (product default 10000): each peer pings each of its connections every peerTimeoutMs/2, the DHT leaves every peer with tens of connections, and with 200 peers on ${m.cpus} CPUs the default pings alone take a large share of the machine; the bootstrap keeps the default, so the failover figures are unaffected. BENCH_JOIN_PEER_TIMEOUT_MS=default runs the product default`)
  notes.push(`joinLatencyMs is dominated by CPU contention on this machine (every join makes the new peer's DHT connect to tens of peers: see bootstrapPerJoin.peerProcessesCpuMs and placement.connectionsPerPeer); ratios against the idle yardstick therefore mostly measure that contention, and ratios against the yardstick under load (sampled during the arrivals) are the fairer comparison`)
  if (result.placement.notPlaced.length > 0) notes.push(`${result.placement.notPlaced.length} peers were never placed (see placement.notPlaced)`)
  if (result.placement.peersThatSawJoinErrors > 0) notes.push(`${result.placement.peersThatSawJoinErrors} peers saw a failed join attempt before their first placement (see placement.joinErrors)`)
  if (result.bootstrapPerJoin.requests != null && result.bootstrapPerJoin.requests > 1.0001) notes.push(`the bootstrap handled ${result.bootstrapPerJoin.requests} join requests per placed peer (retries)`)
  if (result.consistency.allAgreeMs == null) notes.push(`peers and the bootstrap table did not all agree within ${setup.consistencyTimeoutMs} ms (${result.consistency.agreeing}/${result.consistency.total})`)
  if (result.yardstick.failures > 0) notes.push(`${result.yardstick.failures} yardstick exchanges failed`)
  for (const f of [...result.failoverMs.sigkill.perGroup, ...result.failoverMs.sigstop.perGroup]) {
    if (f.skipped != null) notes.push(`failover ${f.subnet}: skipped, ${f.skipped}`)
    else if (f.timedOut === true) notes.push(`failover ${f.subnet} (${f.signal}): not complete within the time limit (table ${f.bootstrapTableMs} ms, ${f.membersReported}/${f.groupSize - 1} members reported)`)
    else if (f.newVirtualServerAgrees !== true) notes.push(`failover ${f.subnet}: the members' new virtual server differs from the bootstrap table's`)
  }
  notes.push('socket bytes are exact TCP payload counts of the bootstrap process (Node net.*.socket diagnostics channels, via a preload); they include identify, DHT, gossipsub and ping traffic besides the joins')
}
