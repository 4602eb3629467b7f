/**
 * Benchmark child: hosts peerhive peers (createNode, no data directory) in
 * this process. It starts each peer at its scheduled time, reports its
 * first placement with the times taken on the way, forwards every later
 * placement event, and answers status requests.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createNode, type PeerhiveNode } from '../../src/index.js'
import { now } from './clock.js'
import { serveParent, stopPeers } from './proc.js'

/** One peer to start: its index in the arrival order, its address, when to start it (wall-clock ms). */
export interface PeerPlan {
  idx: number
  ip: string
  at: number
}

/** What a worker reports about one peer's join. */
export interface JoinRecord {
  idx: number
  ip: string
  pid: number
  peerId?: string
  /** scheduled start */
  at: number
  /** before createNode({ start: false }) */
  tCreate?: number
  /** before node.start() */
  tStart?: number
  /** node.start() resolved: the topology's first join attempt is under way */
  tJoin?: number
  /** first connection to the bootstrap open (TCP + Noise + Yamux done) */
  tConnected?: number
  /** first 'placement' event */
  tPlaced?: number
  role?: string
  subnet?: string | null
  /** distinct join errors the node reported before its first placement */
  joinErrors: string[]
  /** set when the peer failed to start or was never placed */
  error?: string
}

export interface PlacementEvent {
  idx: number
  peerId: string
  role: string
  subnet: string | null
  virtualServer: string | null
  seq: number
  t: number
}

interface Hosted { node?: PeerhiveNode, rec: JoinRecord, bootstrapDisconnects: number[] }

const loopDelay = monitorEventLoopDelay({ resolution: 10 })
loopDelay.enable()
const hosted = new Map<number, Hosted>()
const timers = new Set<ReturnType<typeof setTimeout>>()
let stopping = false

const parent = serveParent({
  plan: (args: { bootstrap: string, peers: PeerPlan[], placeTimeoutMs: number, peerTimeoutMs?: number }) => {
    for (const plan of args.peers) {
      const timer = setTimeout(() => {
        timers.delete(timer)
        void startPeer(args.bootstrap, plan, args.placeTimeoutMs, args.peerTimeoutMs)
      }, Math.max(0, plan.at - now()))
      timers.add(timer)
    }
    return { scheduled: args.peers.length }
  },
  status: () => ({
    cpu: process.cpuUsage(),
    rssMb: Math.round(process.memoryUsage().rss / 1048576),
    eventLoopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    peers: [...hosted.values()].map(h => ({
      idx: h.rec.idx,
      peerId: h.rec.peerId,
      placed: h.rec.tPlaced != null,
      bootstrapDisconnects: h.bootstrapDisconnects,
      connections: h.node?.libp2p.getConnections().length ?? 0,
      status: h.node?.status()
    }))
  }),
  stop: async () => {
    stopping = true
    for (const t of timers) clearTimeout(t)
    timers.clear()
    return stopPeers([...hosted.values()].map(h => async () => h.node?.stop()))
  }
})

async function startPeer (bootstrap: string, plan: PeerPlan, placeTimeoutMs: number, peerTimeoutMs: number | undefined): Promise<void> {
  if (stopping) return
  const rec: JoinRecord = { idx: plan.idx, ip: plan.ip, pid: process.pid, at: plan.at, joinErrors: [] }
  const h: Hosted = { rec, bootstrapDisconnects: [] }
  hosted.set(plan.idx, h)
  try {
    rec.tCreate = now()
    const node = await createNode({ bootstrap, listen: [`/ip4/${plan.ip}/tcp/0`], peerTimeoutMs, start: false })
    h.node = node
    rec.peerId = node.peerId
    node.addEventListener('placement', evt => {
      const t = now()
      const p = evt.detail
      if (rec.tPlaced == null) {
        rec.tPlaced = t
        rec.role = p.role
        rec.subnet = p.subnet
        parent.emit('placed', rec)
      }
      parent.emit('placement', { idx: plan.idx, peerId: node.peerId, role: p.role, subnet: p.subnet, virtualServer: p.virtualServer, seq: p.seq, t } satisfies PlacementEvent)
    })
    const bootstrapId = node.topology.bootstrapId
    node.libp2p.addEventListener('connection:open', evt => {
      if (rec.tConnected == null && evt.detail.remotePeer.equals(bootstrapId)) rec.tConnected = now()
    })
    node.libp2p.addEventListener('peer:disconnect', evt => {
      if (evt.detail.equals(bootstrapId) && !stopping) h.bootstrapDisconnects.push(now())
    })
    rec.tStart = now()
    await node.start()
    rec.tJoin = now()
    // note why joins fail until the first placement (bounded: stops at placement or timeout)
    const deadline = rec.tJoin + placeTimeoutMs
    const watch = setInterval(() => {
      const err = node.topology.joinError()
      if (err != null) {
        const text = `${err.name}: ${err.message}`.slice(0, 200)
        if (!rec.joinErrors.includes(text) && rec.joinErrors.length < 5) rec.joinErrors.push(text)
      }
      if (rec.tPlaced != null || stopping || now() > deadline) {
        clearInterval(watch)
        if (rec.tPlaced == null && !stopping) {
          rec.error = `not placed within ${placeTimeoutMs} ms`
          parent.emit('unplaced', rec)
        }
      }
    }, 25)
  } catch (err: any) {
    rec.error = `could not start: ${err.name}: ${err.message}`
    parent.emit('unplaced', rec)
  }
}
