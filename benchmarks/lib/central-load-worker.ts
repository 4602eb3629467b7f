/**
 * Benchmark child of "central-load": hosts peerhive peers (createNode, no
 * data directory, so an in-memory share store) in this process. Each peer
 * starts at its scheduled time, shares its files, and keeps its index at
 * its virtual server (or at the bootstrap). The benchmark then asks the
 * peers to search, one request per search, and reads their state.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { peerIdFromString } from '@libp2p/peer-id'
import { createNode, type ForwardReport, type PeerhiveNode } from '../../src/index.js'
import { now } from './clock.js'
import { serveParent, stopPeers } from './proc.js'
import { watchSearchRequests } from './search-requests.js'

const PROTOCOL_SEARCH = '/peerhive/search/1.0.0'

/** One peer to host: its index, address, files, and when to start it (wall-clock ms). */
export interface HostedPeerPlan {
  idx: number
  ip: string
  subnet: number
  host: number
  at: number
  files: string[]
  title: string
  keywords: string[]
}

/** What the benchmark reads of each hosted peer. */
export interface HostedPeerState {
  idx: number
  peerId?: string
  role?: string
  virtualServer?: string | null
  members?: number
  shared: number
  synced: boolean
  /** servers in the directory the bootstrap publishes; undefined while it has none */
  directorySize?: number
  /** open libp2p connections */
  connections?: number
  error?: string
}

export interface SearchCommand {
  /** the searching peer */
  idx: number
  words: string[]
  /** the file name the search must find */
  target: string
  /** PeerId of the peer that shares it */
  provider: string
  limit: number
  timeoutMs: number
}

/** One search request the product sent during a search (on a new stream or a session's), or one its virtual server sent for it (forwarded, told by onForwarded). */
export interface SearchDial {
  to: 'own-virtual-server' | 'other-virtual-server' | 'bootstrap' | 'forwarded'
  ok: boolean
  /** error name and message when the request got no answer */
  error?: string
}

/** What a member knows of its virtual server, and whether a plain dial to it works. */
export interface MemberDiagnosis {
  idx: number
  role?: string
  synced: boolean
  connectionsToVirtualServer: number
  virtualServerAddrsInPeerStore: number
  virtualServerAddrsInDirectory: number
  /** undefined when not tried; 'ok' or the error of libp2p.dial(PeerId of the virtual server) */
  dialByPeerId?: string
}

export interface SearchOutcome {
  idx: number
  /** the searcher's role and whether it had a directory when the search began */
  role: string
  hadDirectory: boolean
  directorySize: number | null
  found: boolean
  /** the tier that returned the target, and the product's `ms` for it */
  targetTier?: string
  targetMs?: number
  /** from the call to the end of the result stream (every tier the product chose to ask) */
  totalMs: number
  results: number
  tiers: Record<string, number>
  /** results found outside the node itself */
  networkResults: number
  /** search requests sent, in order */
  dials: SearchDial[]
  error?: string
}

interface Hosted {
  plan: HostedPeerPlan
  node?: PeerhiveNode
  shared: number
  error?: string
  /** the dials of the search running now (searches of one peer run one at a time) */
  dials?: SearchDial[]
  queue: Promise<unknown>
}

const loopDelay = monitorEventLoopDelay({ resolution: 10 })
loopDelay.enable()
const hosted = new Map<number, Hosted>()
const timers = new Set<ReturnType<typeof setTimeout>>()
let stopping = false

serveParent({
  plan: (args: { bootstrap: string, peers: HostedPeerPlan[], peerTimeoutMs?: number }) => {
    for (const plan of args.peers) {
      const timer = setTimeout(() => {
        timers.delete(timer)
        void startPeer(args.bootstrap, plan, args.peerTimeoutMs)
      }, Math.max(0, plan.at - now()))
      timers.add(timer)
    }
    return { scheduled: args.peers.length }
  },
  state: (): HostedPeerState[] => [...hosted.values()].map(h => {
    const st = h.node?.status()
    return {
      idx: h.plan.idx,
      peerId: h.node?.peerId,
      role: st?.role,
      virtualServer: st?.virtualServer,
      members: st?.members.length,
      shared: h.shared,
      synced: h.node?.sharing.indexSynced() ?? false,
      directorySize: h.node?.topology.directory()?.length,
      connections: h.node?.libp2p.getConnections().length,
      error: h.error
    }
  }),
  search: async (cmd: SearchCommand): Promise<SearchOutcome> => {
    const h = hosted.get(cmd.idx)
    if (h?.node == null) throw new Error(`peer #${cmd.idx} is not running here`)
    // one search at a time per peer, so each search's dials are its own
    const run = h.queue.then(async () => searchOnce(h, cmd))
    h.queue = run.catch(() => {})
    return run
  },
  diagnose: async (args: { dial: boolean, dialTimeoutMs: number }): Promise<MemberDiagnosis[]> => diagnose(args.dial, args.dialTimeoutMs),
  /** search requests this process's peers answered (as virtual servers), by outcome */
  served: async () => {
    const byOutcome: Record<string, number> = {}
    let bytesIn = 0
    let bytesOut = 0
    for (const h of hosted.values()) {
      if (h.node == null) continue
      for (const v of (await h.node.metrics.requests.get()).values) {
        if (v.labels.protocol !== PROTOCOL_SEARCH) continue
        const k = String(v.labels.outcome)
        byOutcome[k] = (byOutcome[k] ?? 0) + v.value
      }
      for (const v of (await h.node.metrics.bytes.get()).values) {
        if (v.labels.protocol !== PROTOCOL_SEARCH) continue
        if (v.labels.direction === 'in') bytesIn += v.value
        else bytesOut += v.value
      }
    }
    return { byOutcome, bytesIn, bytesOut }
  },
  load: () => ({
    cpu: process.cpuUsage(),
    rssMb: Math.round(process.memoryUsage().rss / 1048576),
    eventLoopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 }
  }),
  stop: async () => {
    stopping = true
    for (const t of timers) clearTimeout(t)
    timers.clear()
    return stopPeers([...hosted.values()].map(h => async () => h.node?.stop()))
  }
})

async function startPeer (bootstrap: string, plan: HostedPeerPlan, peerTimeoutMs: number | undefined): Promise<void> {
  if (stopping) return
  const h: Hosted = { plan, shared: 0, queue: Promise.resolve() }
  hosted.set(plan.idx, h)
  try {
    const node = await createNode({ bootstrap, listen: [`/ip4/${plan.ip}/tcp/0`], peerTimeoutMs, start: false })
    h.node = node
    watchSearchDials(h, node)
    await node.start()
    // shared after start: the index goes out once the peer knows where it belongs
    h.shared = (await node.share(plan.files, { title: plan.title, keywords: plan.keywords })).length
  } catch (err: any) {
    h.error = `${err.name}: ${err.message}`.slice(0, 300)
  }
}

/**
 * Records the search requests the product sends (search.ts asks each tier
 * through them), only while one of the benchmark's searches runs.
 */
function watchSearchDials (h: Hosted, node: PeerhiveNode): void {
  const bootstrapId = node.topology.bootstrapId.toString()
  watchSearchRequests(node, (id, outcome) => {
    const dials = h.dials
    if (dials == null) return
    const d: SearchDial = { to: id === bootstrapId ? 'bootstrap' : id === node.status().virtualServer ? 'own-virtual-server' : 'other-virtual-server', ok: false }
    dials.push(d)
    outcome.then(() => { d.ok = true }, (err: any) => { d.error = `${err.name}: ${err.message}`.slice(0, 160) })
  })
}

async function diagnose (dial: boolean, dialTimeoutMs: number): Promise<MemberDiagnosis[]> {
  const out: MemberDiagnosis[] = []
  const dials: Array<Promise<void>> = []
  for (const h of hosted.values()) {
    const node = h.node
    if (node == null) continue
    const st = node.status()
    if (st.role !== 'member' || st.virtualServer == null) continue
    const vs = peerIdFromString(st.virtualServer)
    const known = await node.libp2p.peerStore.get(vs).then(p => p.addresses.length, () => 0)
    const d: MemberDiagnosis = {
      idx: h.plan.idx,
      role: st.role,
      synced: node.sharing.indexSynced(),
      connectionsToVirtualServer: node.libp2p.getConnections(vs).length,
      virtualServerAddrsInPeerStore: known,
      virtualServerAddrsInDirectory: node.topology.directory()?.find(s => s.peerId === st.virtualServer)?.addrs.length ?? 0
    }
    out.push(d)
    if (dial && !d.synced) {
      dials.push(node.libp2p.dial(vs, { signal: AbortSignal.timeout(dialTimeoutMs) }).then(() => { d.dialByPeerId = 'ok' }, (err: any) => { d.dialByPeerId = `${err.name}: ${err.message}`.slice(0, 160) }))
    }
  }
  await Promise.all(dials)
  return out
}

async function searchOnce (h: Hosted, cmd: SearchCommand): Promise<SearchOutcome> {
  const node = h.node!
  const dir = node.topology.directory()
  const out: SearchOutcome = {
    idx: cmd.idx,
    role: node.status().role,
    hadDirectory: dir != null,
    directorySize: dir?.length ?? null,
    found: false,
    totalMs: 0,
    results: 0,
    tiers: {},
    networkResults: 0,
    dials: []
  }
  h.dials = out.dials
  const t0 = now()
  try {
    const onForwarded = (f: ForwardReport): void => {
      for (let i = 0; i < f.asked; i++) out.dials.push({ to: 'forwarded', ok: i < f.answered, ...(i < f.answered ? {} : { error: 'no answer in time' }) })
    }
    for await (const r of node.search(cmd.words, { limit: cmd.limit, timeoutMs: cmd.timeoutMs, onForwarded })) {
      out.results++
      out.tiers[r.tier] = (out.tiers[r.tier] ?? 0) + 1
      if (r.tier !== 'local') out.networkResults++
      if (!out.found && r.filename === cmd.target && r.providers.includes(cmd.provider)) {
        out.found = true
        out.targetTier = r.tier
        out.targetMs = r.ms
      }
    }
  } catch (err: any) {
    out.error = `${err.name}: ${err.message}`.slice(0, 300)
  } finally {
    h.dials = undefined
  }
  out.totalMs = now() - t0
  return out
}
