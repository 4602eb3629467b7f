/**
 * One run of the scale model: a synthetic network of one size and shape
 * driven through the bootstrap's in-memory code, each operation timed,
 * and a yardstick (plain Map inserts, a JSON encode of the same directory)
 * timed in the same process.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { SWEEP_INTERVAL_MS } from '../../src/core/index.js'
import { Directory } from '../../src/pb/assignment.js'
import { SimulatedBootstrap } from './scale-model-bootstrap.js'
import { buildPeers, seededRandom, type PeerSet } from './scale-model-peers.js'
import { sqliteCost, type SqliteCost } from './scale-model-sqlite.js'
import { percentile, round, summarize, type Summary } from './stats.js'

setFlagsFromString('--expose-gc')
const collect = runInNewContext('gc') as () => void

/** Heap in use after a full collection. */
export function heapUsed (): number {
  collect()
  collect()
  return process.memoryUsage().heapUsed
}

/** Median wall time in ms of `fn` over `times` runs. */
function medianMs (times: number, fn: () => unknown): number {
  const xs: number[] = []
  for (let i = 0; i < times; i++) {
    const t = performance.now()
    fn()
    xs.push(performance.now() - t)
  }
  return round(percentile(xs.sort((a, b) => a - b), 50), 3)
}

export interface ModelRun {
  peers: number
  distribution: string
  subnets: number
  largestSubnet: number
  roles: Record<string, number>
  /** Election.join plus the join answer's table and the pusher's note, per join */
  joinUs: Summary | null
  /** joins whose answer could not be encoded (subnet table over 256 KiB): the real bootstrap answers INTERNAL */
  joinAnswersTooLarge: number
  /** CentralServer.updateGauges after every join and leave: a copy of the whole table */
  updateGaugesMs: number
  /** of which: sorting the subnet names as Election.table() does (localeCompare with options), and with one cached Intl.Collator */
  tableSortMs: { localeCompare: number, cachedCollator: number }
  /** CentralServer.sweep, every SWEEP_INTERVAL_MS: parse every placed peer's id (the connection lookup not included) */
  sweepMs: number
  sweepCpuMsPerSec: number
  heapBytesPerPeer: number
  tables: { bytesP50: number, bytesMax: number, tooLarge: number, bytesPerPeer: number }
  /** CentralServer.publish of one subnet (table encode, republisher, pusher), per subnet */
  publishUs: number
  /** one steady-state republish tick with every subnet due */
  republishRoundMs: number
  republishRoundBytes: number
  directory: { servers: number, bytes: number, fits: boolean, error?: string, buildMs: number, jsonBytes: number, jsonEncodeMs: number, pbEncodeMs: number }
  leaveUs: { member: Summary | null, failover: Summary | null }
  sqlite: SqliteCost
  yardstick: { mapInsertUs: number, perJoinVsMapInsert: number | null, directoryPbVsJson: number | null }
}

export interface RunOptions {
  vsLimit: number
  leaveSample: number
  sqliteJoinSample: number
}

export async function runModel (set: PeerSet, opts: RunOptions): Promise<ModelRun> {
  const n = set.peers.length
  const heap0 = heapUsed()
  const sim = new SimulatedBootstrap(opts.vsLimit)
  const joinTimes = new Float64Array(n)
  let tooLarge = 0
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    try {
      sim.join(set.peers[i])
    } catch (err: any) {
      if (err.name !== 'MessageTooLargeError') throw err
      tooLarge++
    }
    joinTimes[i] = (performance.now() - t) * 1000
  }
  const heapBytesPerPeer = Math.round((heapUsed() - heap0) / n)

  let roles: Record<string, number> = {}
  const updateGaugesMs = medianMs(3, () => { roles = sim.countRoles() })
  const sweepMs = medianMs(3, () => sim.sweep())
  // in arrival order, as the election's Map holds them
  const names = [...new Set(set.peers.map(p => p.subnet))]
  const collator = new Intl.Collator('en', { numeric: true })
  const tableSortMs = {
    localeCompare: medianMs(3, () => [...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))),
    cachedCollator: medianMs(3, () => [...names].sort(collator.compare))
  }

  const subnets = sim.subnets()
  const sizes: number[] = []
  let weighted = 0
  let tablesTooLarge = 0
  for (const s of subnets) {
    const t = sim.tableSize(s.subnet)
    const members = s.servers.reduce((k, g) => k + 1 + g.members.length, 0) + s.centralClients.length
    sizes.push(t.bytes)
    weighted += t.bytes * members
    if (!t.fits) tablesTooLarge++
  }
  sizes.sort((a, b) => a - b)

  const t0 = performance.now()
  let published = 0
  for (const s of subnets) {
    try {
      sim.publish(s.subnet)
      published++
    } catch (err: any) {
      if (err.name !== 'MessageTooLargeError') throw err
    }
  }
  const publishUs = round((performance.now() - t0) * 1000 / Math.max(1, published))
  sim.republished = { sends: 0, bytes: 0 }
  const t1 = performance.now()
  await sim.republishRound()
  const republishRoundMs = round(performance.now() - t1, 3)
  const republishRoundBytes = sim.republished.bytes

  let built = sim.buildDirectory()
  const buildMs = medianMs(3, () => { built = sim.buildDirectory() })
  const entries = sim.directoryEntries()
  const message = { version: 1, seq: 1, issuedAt: Date.now(), servers: entries }
  let jsonBytes = 0
  const jsonEncodeMs = medianMs(5, () => { jsonBytes = Buffer.byteLength(JSON.stringify(message)) })
  const pbEncodeMs = medianMs(5, () => Directory.encode(message))

  const sqlite = sqliteCost(sim, opts.vsLimit, opts.sqliteJoinSample)

  // yardstick: as many inserts into a plain Map as there were joins
  const yard = new Map<string, { subnet: string, role: string }>()
  const ty = performance.now()
  for (const p of set.peers) yard.set(p.peerId, { subnet: p.subnet, role: 'member' })
  const mapInsertUs = round((performance.now() - ty) * 1000 / n, 4)

  // leaves last: they change the table
  const random = seededRandom(11)
  const members: string[] = []
  const servers: string[] = []
  for (const s of subnets) {
    for (const g of s.servers) {
      servers.push(g.server)
      for (const m of g.members) members.push(m)
    }
  }
  const timeLeaves = (ids: string[]): Summary | null => {
    const picked = new Set<string>()
    const want = Math.min(opts.leaveSample, ids.length)
    for (let i = 0; picked.size < want && i < want * 20; i++) picked.add(ids[Math.floor(random() * ids.length)])
    const xs: number[] = []
    for (const id of picked) {
      const t = performance.now()
      sim.leave(id)
      xs.push((performance.now() - t) * 1000)
    }
    return summarize(xs)
  }
  const member = timeLeaves(members)
  const failover = timeLeaves(servers)

  const joinSummary = summarize(Array.from(joinTimes))
  return {
    peers: n,
    distribution: set.distribution,
    subnets: set.subnetSizes.length,
    largestSubnet: Math.max(...set.subnetSizes),
    roles,
    joinUs: joinSummary,
    joinAnswersTooLarge: tooLarge,
    updateGaugesMs,
    tableSortMs,
    sweepMs,
    sweepCpuMsPerSec: round(sweepMs * 1000 / SWEEP_INTERVAL_MS),
    heapBytesPerPeer,
    tables: { bytesP50: percentile(sizes, 50), bytesMax: sizes[sizes.length - 1], tooLarge: tablesTooLarge, bytesPerPeer: Math.round(weighted / n) },
    publishUs,
    republishRoundMs,
    republishRoundBytes,
    directory: { servers: built.servers, bytes: built.bytes, fits: built.fits, ...(built.error == null ? {} : { error: built.error }), buildMs, jsonBytes, jsonEncodeMs, pbEncodeMs },
    leaveUs: { member, failover },
    sqlite,
    yardstick: {
      mapInsertUs,
      perJoinVsMapInsert: joinSummary == null || mapInsertUs === 0 ? null : round(joinSummary.mean / mapInsertUs, 0),
      directoryPbVsJson: jsonEncodeMs === 0 ? null : round(pbEncodeMs / jsonEncodeMs, 2)
    }
  }
}

/** How many peers one subnet holds before its table no longer fits 256 KiB (joins past it get no answer). */
export function subnetCeiling (vsLimit: number, maxPeers = 6_000, step = 100): { peersThatFit: number, bytesAtCeiling: number, bytesPerPeer: number } {
  const sim = new SimulatedBootstrap(vsLimit)
  const set = buildPeers('uniform', [maxPeers], 3)
  let fit = { peers: 0, bytes: 0 }
  for (let i = 0; i < set.peers.length; i++) {
    try {
      sim.join(set.peers[i])
    } catch (err: any) {
      if (err.name !== 'MessageTooLargeError') throw err
    }
    if ((i + 1) % step !== 0) continue
    const t = sim.tableSize(set.peers[i].subnet)
    if (!t.fits) break
    fit = { peers: i + 1, bytes: t.bytes }
  }
  return { peersThatFit: fit.peers, bytesAtCeiling: fit.bytes, bytesPerPeer: fit.peers === 0 ? 0 : round(fit.bytes / fit.peers, 1) }
}
