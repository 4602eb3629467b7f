/**
 * Benchmark child of `idle`: hosts peerhive peers the way users run them
 * (createNode with a data directory and one shared file each), reports
 * their CPU, memory, connections, roles and DHT modes, and runs DHT-only
 * searches from them.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'
import { createNode, type PeerhiveNode } from '../../src/index.js'
import { searchDht } from '../../src/sharing/dht/index.js'
import { now } from './clock.js'
import { serveParent, stopPeers } from './proc.js'

export interface IdlePeerPlan {
  idx: number
  ip: string
  /** wall-clock ms */
  at: number
  /** the one file it shares; its name holds a word only this peer has */
  fileName: string
}

interface Hosted { node?: PeerhiveNode, placedAt?: number, error?: string }

const hosted = new Map<number, Hosted>()
const timers = new Set<ReturnType<typeof setTimeout>>()
let stopping = false
let profiler: Session | undefined

serveParent({
  plan: (args: { bootstrap: string, dir: string, peers: IdlePeerPlan[], options: Record<string, unknown> }) => {
    for (const plan of args.peers) {
      const timer = setTimeout(() => {
        timers.delete(timer)
        void startPeer(args.bootstrap, args.dir, plan, args.options)
      }, Math.max(0, plan.at - now()))
      timers.add(timer)
    }
    return { scheduled: args.peers.length }
  },
  status: () => ({
    t: now(),
    cpu: process.cpuUsage(),
    rssMb: process.memoryUsage().rss / 1048576,
    peers: [...hosted.entries()].map(([idx, h]) => ({
      idx,
      placed: h.placedAt != null,
      error: h.error,
      role: h.node?.status().role,
      connections: h.node?.libp2p.getConnections().length ?? 0,
      dhtMode: h.node?.libp2p.services.dht.getMode(),
      routingTable: h.node?.libp2p.services.dht.routingTable?.size
    }))
  }),
  /** a DHT-only search from one hosted peer: how many results, how long */
  searchDht: async (args: { idx: number, words: string[], timeoutMs: number }) => {
    const node = hosted.get(args.idx)?.node
    if (node == null) throw new Error(`peer ${args.idx} is not running`)
    const started = now()
    const found: string[] = []
    for await (const e of searchDht(node.libp2p, args.words, { signal: AbortSignal.timeout(args.timeoutMs) })) {
      found.push(e.filename)
      if (found.length >= 5) break
    }
    return { found, ms: now() - started }
  },
  /** the V8 CPU profiler, around the quiet window only */
  profileStart: async () => {
    profiler = new Session()
    profiler.connect()
    await profiler.post('Profiler.enable')
    await profiler.post('Profiler.start')
    return true
  },
  profileStop: async (args: { file: string }) => {
    if (profiler == null) throw new Error('no profile running')
    const { profile } = await profiler.post('Profiler.stop')
    profiler.disconnect()
    profiler = undefined
    writeFileSync(args.file, JSON.stringify(profile))
    return true
  },
  stop: async () => {
    stopping = true
    for (const t of timers) clearTimeout(t)
    timers.clear()
    return stopPeers([...hosted.values()].map(h => async () => h.node?.stop()))
  }
}, 600_000)

async function startPeer (bootstrap: string, dir: string, plan: IdlePeerPlan, options: Record<string, unknown>): Promise<void> {
  if (stopping) return
  const h: Hosted = {}
  hosted.set(plan.idx, h)
  try {
    const dataDir = join(dir, `peer-${plan.idx}`)
    const shared = join(dir, `share-${plan.idx}`)
    mkdirSync(dataDir, { recursive: true })
    mkdirSync(shared, { recursive: true })
    writeFileSync(join(shared, plan.fileName), `the file of peer ${plan.idx}\n`)
    const node = await createNode({ bootstrap, listen: [`/ip4/${plan.ip}/tcp/0`], dataDir, share: [shared], ...options, start: false })
    h.node = node
    node.addEventListener('placement', () => { h.placedAt ??= now() })
    await node.start()
  } catch (err: any) {
    h.error = `${err.name}: ${err.message}`.slice(0, 200)
  }
}
