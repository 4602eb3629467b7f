/**
 * Benchmark child of "scale": hosts peerhive peers (createNode) in this
 * process. Each peer starts at its scheduled time and shares its files; the
 * worker notes when it was placed, whether a join attempt timed out, and
 * when its index first reached its virtual server (or the bootstrap). The
 * benchmark reads that state, this process's CPU and memory, and asks the
 * peers to search (scale-search.ts).
 */
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks'
import { join } from 'node:path'
import { createNode, type PeerhiveNode } from '../../src/index.js'
import { now } from './clock.js'
import { profileFromEnv } from './cpu-profile.js'
import { serveParent, stopPeers } from './proc.js'
import { DIAG_ENABLED, diagCounts, watchNode } from './scale-diag.js'
import { countSearchDials, searchTiers, searchDhtOnly, type Hosted, type ScaleSearchCommand } from './scale-search.js'
import type { ScalePeerPlan } from './scale-plan.js'

/** What the benchmark reads of each hosted peer. */
export interface ScalePeerState {
  idx: number
  peerId?: string
  /** scheduled start; before createNode; node.start() returned; first placement */
  at: number
  tCreate?: number
  tJoin?: number
  tPlaced?: number
  firstRole?: string
  role?: string
  virtualServer?: string | null
  /** first placement in a role whose index lives elsewhere (member, central client) */
  tIndexOwner?: number
  /** first moment node.sharing.indexSynced() was true after that */
  tSynced?: number
  synced: boolean
  shared: number
  directorySize?: number
  connections: number
  /** failed join attempts before the first placement */
  joinFailures: number
  /** of those, the ones that were a timeout (TimeoutError or AbortError) */
  joinTimeouts: number
  joinErrors: string[]
  /** after the first placement: times the peer lost its connection to the bootstrap, failed attempts to join again, and how many timed out */
  bootstrapDisconnects: number
  laterJoinFailures: number
  laterJoinTimeouts: number
  laterJoinErrors: string[]
  error?: string
}

export interface ScaleWorkerLoad {
  cpuUs: number
  rssMb: number
  heapUsedMb: number
  eventLoopDelayMs: { p50: number, p99: number, max: number }
  /** garbage-collection pauses since the last resetLoopDelay: a stalled event loop is often a major GC of a large heap */
  gcPausesMs: GcPauses
  /** BENCH_SCALE_DIAG=1: what this worker's peers did on the network (scale-diag.ts) */
  diagnosis?: Record<string, number>
}

interface PlanArgs {
  bootstrap: string
  peers: ScalePeerPlan[]
  peerTimeoutMs?: number
  /** a data directory per peer under it (the way users run peers); none: in-memory share store */
  dataRoot?: string
}

/** the benchmark's watchdog is 10 minutes; this child never outlives it by much */
const MAX_LIFETIME_MS = 660_000
const SYNC_POLL_MS = 100

const loopDelay = monitorEventLoopDelay({ resolution: 10 })
loopDelay.enable()

interface GcPauses { count: number, totalMs: number, maxMs: number, over100Ms: number }
let gc: GcPauses = { count: 0, totalMs: 0, maxMs: 0, over100Ms: 0 }
new PerformanceObserver(list => {
  for (const e of list.getEntries()) {
    gc.count++
    gc.totalMs += e.duration
    gc.maxMs = Math.max(gc.maxMs, e.duration)
    if (e.duration > 100) gc.over100Ms++
  }
}).observe({ entryTypes: ['gc'] })
const hosted = new Map<number, Hosted & { state: ScalePeerState }>()
profileFromEnv('scale-worker')
const timers = new Set<ReturnType<typeof setTimeout>>()
let stopping = false

// index convergence: the first time each member's (or central client's) index is acknowledged
const syncWatch = setInterval(() => {
  for (const h of hosted.values()) {
    const s = h.state
    if (h.node == null || s.tIndexOwner == null || s.tSynced != null) continue
    if (h.node.sharing.indexSynced()) s.tSynced = now()
  }
}, SYNC_POLL_MS)

serveParent({
  plan: (args: PlanArgs) => {
    for (const plan of args.peers) {
      const timer = setTimeout(() => {
        timers.delete(timer)
        void startPeer(args, plan)
      }, Math.max(0, plan.at - now()))
      timers.add(timer)
    }
    return { scheduled: args.peers.length }
  },
  state: (): ScalePeerState[] => [...hosted.values()].map(h => {
    // the placement alone: node.status() (addresses, connection kinds) of every peer every second cost the workers 2-3 % of their CPU
    const p = h.node?.topology.placement()
    const s = h.state
    s.role = p?.role
    s.virtualServer = p?.virtualServer
    s.synced = h.node?.sharing.indexSynced() ?? false
    s.directorySize = h.node?.topology.directory()?.length
    s.connections = h.node?.libp2p.getConnections().length ?? 0
    return s
  }),
  load: (): ScaleWorkerLoad => {
    const cpu = process.cpuUsage()
    const mem = process.memoryUsage()
    return {
      cpuUs: cpu.user + cpu.system,
      rssMb: mem.rss / 1048576,
      heapUsedMb: mem.heapUsed / 1048576,
      eventLoopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
      gcPausesMs: { ...gc },
      ...(DIAG_ENABLED ? { diagnosis: diagCounts() } : {})
    }
  },
  resetLoopDelay: () => {
    loopDelay.reset()
    gc = { count: 0, totalMs: 0, maxMs: 0, over100Ms: 0 }
  },
  search: async (cmd: ScaleSearchCommand) => {
    const h = hosted.get(cmd.idx)
    if (h?.node == null) throw new Error(`peer #${cmd.idx} is not running here`)
    // one search at a time per peer, so the streams each one opens are its own
    const run = h.queue.then(async () => cmd.kind === 'dht' ? searchDhtOnly(h, cmd) : searchTiers(h, cmd))
    h.queue = run.catch(() => {})
    return run
  },
  stop: async () => {
    stopping = true
    clearInterval(syncWatch)
    for (const t of timers) clearTimeout(t)
    timers.clear()
    return stopPeers([...hosted.values()].map(h => async () => h.node?.stop()))
  }
}, MAX_LIFETIME_MS)

async function startPeer (args: PlanArgs, plan: ScalePeerPlan): Promise<void> {
  if (stopping) return
  const state: ScalePeerState = { idx: plan.idx, at: plan.at, synced: false, shared: 0, connections: 0, joinFailures: 0, joinTimeouts: 0, joinErrors: [], bootstrapDisconnects: 0, laterJoinFailures: 0, laterJoinTimeouts: 0, laterJoinErrors: [] }
  const h = { plan, state, queue: Promise.resolve() as Promise<unknown> } as Hosted & { state: ScalePeerState }
  hosted.set(plan.idx, h)
  try {
    state.tCreate = now()
    const node: PeerhiveNode = await createNode({
      bootstrap: args.bootstrap,
      listen: [`/ip4/${plan.ip}/tcp/0`],
      peerTimeoutMs: args.peerTimeoutMs,
      // a diagnosis knob (BENCH_SCALE_DHT_MODE=client: no peer serves the DHT); the product's rule by default
      dhtMode: dhtModeKnob(),
      dataDir: args.dataRoot == null ? undefined : join(args.dataRoot, `peer-${plan.idx}`),
      start: false
    })
    h.node = node
    state.peerId = node.peerId
    countSearchDials(h, node)
    watchNode(node)
    node.addEventListener('placement', evt => {
      const p = evt.detail
      const t = now()
      if (state.tPlaced == null) {
        state.tPlaced = t
        state.firstRole = p.role
      }
      if (state.tIndexOwner == null && (p.role === 'member' || p.role === 'central-client')) state.tIndexOwner = t
    })
    node.topology.addEventListener('join:failed', evt => {
      if (stopping) return
      const err: any = evt.detail.error
      const timeout = err?.name === 'TimeoutError' || err?.name === 'AbortError'
      const text = `${err?.name ?? err?.type}: ${evt.detail.reason}`.slice(0, 200)
      const later = state.tPlaced != null
      if (later) {
        state.laterJoinFailures++
        if (timeout) state.laterJoinTimeouts++
      } else {
        state.joinFailures++
        if (timeout) state.joinTimeouts++
      }
      const errors = later ? state.laterJoinErrors : state.joinErrors
      if (!errors.includes(text) && errors.length < 3) errors.push(text)
    })
    const bootstrapId = node.topology.bootstrapId
    node.libp2p.addEventListener('peer:disconnect', evt => {
      if (!stopping && state.tPlaced != null && evt.detail.equals(bootstrapId)) state.bootstrapDisconnects++
    })
    await node.start()
    state.tJoin = now()
    // shared after start: the index goes out once the peer knows where it belongs
    state.shared = (await node.share(plan.files)).length
  } catch (err: any) {
    state.error = `${err.name}: ${err.message}`.slice(0, 300)
  }
}

function dhtModeKnob (): 'auto' | 'server' | 'client' | undefined {
  const mode = process.env.BENCH_SCALE_DHT_MODE
  return mode === 'auto' || mode === 'server' || mode === 'client' ? mode : undefined
}
