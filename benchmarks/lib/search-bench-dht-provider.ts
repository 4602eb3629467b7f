/**
 * Benchmark child of "search": hosts DHT-only providers. Each is a plain
 * peerhive libp2p stack (createStack with the peerhive DHT validators and
 * selectors) that never joins the bootstrap, so no virtual server and no
 * central index holds its files: they can only be found in the DHT. It
 * dials a few peers of the network (so it is in their routing tables and
 * they in its), shares its files in an in-memory ShareStore, and announces
 * them with the product's DhtAnnouncer, the way SharingService does.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { createStack } from '../../src/core/index.js'
import { DhtAnnouncer, ShareStore, peerhiveSelectors, peerhiveValidators, searchDht, type AnnounceReport, type IndexEntry } from '../../src/sharing/index.js'
import { now, sleep } from './clock.js'
import { serveParent, stopPeers } from './proc.js'
import type { Libp2p } from 'libp2p'

/** One DHT-only provider to host. */
export interface DhtProviderPlan {
  idx: number
  ip: string
  files: string[]
  title: string
  keywords: string[]
}

export interface DhtProviderState {
  idx: number
  peerId?: string
  connections: number
  routingTable: number
  shared: number
  /** announce rounds run, and the last one's report */
  rounds: number
  last?: AnnounceReport
  /** a round reported no failure (every file and word announced) */
  announced: boolean
  msToAnnounce?: number
  error?: string
}

interface Hosted {
  plan: DhtProviderPlan
  libp2p?: Libp2p<any>
  store?: ShareStore
  announcer?: DhtAnnouncer
  state: DhtProviderState
}

const hosted = new Map<number, Hosted>()
let stopping = false

serveParent({
  /** starts every provider, dials `dialTo`, shares, and runs announce rounds (bounded) until one reports no failure */
  start: async (args: { providers: DhtProviderPlan[], dialTo: string[], peerTimeoutMs: number, maxRounds: number, roundGapMs: number }) => {
    for (const plan of args.providers) {
      const h: Hosted = { plan, state: { idx: plan.idx, connections: 0, routingTable: 0, shared: 0, rounds: 0, announced: false } }
      hosted.set(plan.idx, h)
      void runProvider(h, args).catch((err: any) => { h.state.error = `${err.name}: ${err.message}`.slice(0, 300) })
    }
    return { started: args.providers.length }
  },
  state: (): DhtProviderState[] => [...hosted.values()].map(h => ({
    ...h.state,
    connections: h.libp2p?.getConnections().length ?? 0,
    routingTable: h.libp2p?.services.dht.routingTable?.size ?? 0
  })),
  /** a DHT search from another provider than `owner` (a diagnosis of a missed DHT-only target, after the measurement) */
  dhtSearch: async (args: { word: string, owner: number, timeoutMs: number }) => {
    const from = [...hosted.values()].find(h => h.plan.idx !== args.owner && h.libp2p != null)
    if (from?.libp2p == null) return { error: 'no other provider' }
    const t0 = now()
    const providers: string[] = []
    for await (const e of searchDht(from.libp2p as any, [args.word], { timeoutMs: args.timeoutMs })) providers.push(e.provider)
    return { from: from.plan.idx, found: providers.length, ms: Math.round(now() - t0) }
  },
  stop: async () => {
    stopping = true
    return stopPeers([...hosted.values()].map(h => async () => {
      await h.announcer?.stop()
      await h.libp2p?.stop()
      await h.store?.close()
    }))
  }
})

async function runProvider (h: Hosted, args: { dialTo: string[], peerTimeoutMs: number, maxRounds: number, roundGapMs: number }): Promise<void> {
  const t0 = now()
  const privateKey = await generateKeyPair('Ed25519')
  const libp2p = h.libp2p = await createStack({
    privateKey,
    listen: [`/ip4/${h.plan.ip}/tcp/0`],
    isBootstrap: false,
    peerTimeoutMs: args.peerTimeoutMs,
    dhtValidators: peerhiveValidators,
    dhtSelectors: peerhiveSelectors
  })
  await libp2p.start()
  h.state.peerId = libp2p.peerId.toString()
  // in the DHT: connected to a few network peers (identify puts them in its routing table, and it in theirs)
  await Promise.allSettled(args.dialTo.map(async a => libp2p.dial(multiaddr(a), { signal: AbortSignal.timeout(10_000) })))
  const store = h.store = new ShareStore(':memory:')
  h.state.shared = (await store.share(h.plan.files, { title: h.plan.title, keywords: h.plan.keywords })).length
  const self = libp2p.peerId.toString()
  const entries = (): IndexEntry[] => store.list().map(f => ({ cid: f.cid, filename: f.filename, directory: f.directory, size: f.size, title: f.title, keywords: f.keywords, provider: self, userSerialId: 0, userid: self }))
  // no start(): the benchmark runs the rounds itself, so it knows when one fully succeeded
  const announcer = h.announcer = new DhtAnnouncer(libp2p as any, { privateKey, entries, operationTimeoutMs: 20_000 })
  for (let round = 0; round < args.maxRounds && !stopping; round++) {
    const report = await announcer.announceAll()
    h.state.rounds++
    h.state.last = report
    if (report.failed === 0 && !report.noPeers) {
      h.state.announced = true
      h.state.msToAnnounce = Math.round(now() - t0)
      return
    }
    await sleep(args.roundGapMs)
  }
}
