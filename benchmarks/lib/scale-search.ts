/**
 * Searches of the "scale" benchmark, run inside a worker, and the requests
 * each one cost:
 * - tiered searches (subnet, remote) through node.search(), counting the
 *   search requests the product sent (search-requests.ts, as
 *   central-load-worker.ts does);
 * - DHT searches through the product's DHT tier alone (searchDht, what
 *   node.search() asks last), counting the Kademlia requests it made from
 *   the query events of the peer's DHT service.
 */
import { searchDht } from '../../src/sharing/dht/index.js'
import { findProviders, getKeywordRecord } from '../../src/sharing/dht/dht-ops.js'
import { keywordKey, wordCid } from '../../src/sharing/dht/keys.js'
import { DIAG_ENABLED, bump } from './scale-diag.js'
import { now } from './clock.js'
import { watchSearchRequests } from './search-requests.js'
import type { ForwardReport, PeerhiveNode } from '../../src/index.js'
import type { ScalePeerPlan, SearchKind } from './scale-plan.js'


export interface Hosted {
  plan: ScalePeerPlan
  node?: PeerhiveNode
  /** the search streams of the search running now (searches of one peer run one at a time) */
  dials?: SearchDial[]
  queue: Promise<unknown>
}

export interface ScaleSearchCommand {
  idx: number
  kind: SearchKind
  /** the file name searched for: one word only that file has */
  target: string
  /** PeerId of the peer that shares it */
  provider: string
  limit: number
  timeoutMs: number
}

export interface SearchDial {
  /** forwarded: a routed server the searcher's virtual server asked for it (the product's onForwarded) */
  to: 'own-virtual-server' | 'other-virtual-server' | 'bootstrap' | 'forwarded'
  ok: boolean
}

export interface ScaleSearchOutcome {
  found: boolean
  /** the tier that returned the target */
  targetTier?: string
  /** ms from the start of the search to the target's result (the product's own `ms` for tiered searches) */
  targetMs?: number
  /** from the call to the end of the result stream */
  totalMs: number
  results: number
  /** tiered: search requests sent (failed ones included), and the ones the searcher's virtual server sent for it */
  searchRequests: number
  requestsTo: Record<string, number>
  failedRequests: number
  /** dht: Kademlia requests (DIAL_PEER query events: one stream each) and the ones that got an answer */
  kadRequests?: number
  kadAnswered?: number
  role?: string
  hadDirectory: boolean
  error?: string
}

/** Records the search requests a benchmark search sends (only while one runs), on new streams and sessions' alike. */
export function countSearchDials (h: Hosted, node: PeerhiveNode): void {
  const bootstrapId = node.topology.bootstrapId.toString()
  watchSearchRequests(node, (id, outcome) => {
    const dials = h.dials
    if (dials == null) return
    const d: SearchDial = { to: id === bootstrapId ? 'bootstrap' : id === node.topology.placement().virtualServer ? 'own-virtual-server' : 'other-virtual-server', ok: false }
    dials.push(d)
    outcome.then(() => { d.ok = true }, () => {})
  })
}

export async function searchTiers (h: Hosted, cmd: ScaleSearchCommand): Promise<ScaleSearchOutcome> {
  const node = h.node!
  const dials: SearchDial[] = []
  const out: ScaleSearchOutcome = { found: false, totalMs: 0, results: 0, searchRequests: 0, requestsTo: {}, failedRequests: 0, role: node.topology.placement().role, hadDirectory: node.topology.directory() != null }
  h.dials = dials
  const t0 = now()
  try {
    const onForwarded = (f: ForwardReport): void => {
      for (let i = 0; i < f.asked; i++) dials.push({ to: 'forwarded', ok: i < f.answered })
    }
    for await (const r of node.search([cmd.target], { limit: cmd.limit, timeoutMs: cmd.timeoutMs, onForwarded })) {
      out.results++
      if (!out.found && r.filename === cmd.target && r.providers.includes(cmd.provider)) {
        out.found = true
        out.targetTier = r.tier
        out.targetMs = r.ms
      }
    }
  } catch (err: any) {
    out.error = `${err.name}: ${err.message}`.slice(0, 200)
  } finally {
    h.dials = undefined
  }
  out.totalMs = now() - t0
  out.searchRequests = dials.length
  out.failedRequests = dials.filter(d => !d.ok).length
  for (const d of dials) out.requestsTo[d.to] = (out.requestsTo[d.to] ?? 0) + 1
  return out
}

/** The DHT tier alone, as node.search() calls it, through a view of the DHT service that counts its requests. */
export async function searchDhtOnly (h: Hosted, cmd: ScaleSearchCommand): Promise<ScaleSearchOutcome> {
  const node = h.node!
  const libp2p = node.libp2p as any
  const out: ScaleSearchOutcome = { found: false, totalMs: 0, results: 0, searchRequests: 0, requestsTo: {}, failedRequests: 0, kadRequests: 0, kadAnswered: 0, role: node.topology.placement().role, hadDirectory: node.topology.directory() != null }
  const dht = libp2p.services?.dht
  if (dht == null) return { ...out, error: 'the node has no DHT service' }
  const tally = async function * (events: AsyncIterable<any>): AsyncGenerator<any> {
    for await (const e of events) {
      if (e?.name === 'DIAL_PEER') out.kadRequests!++
      if (e?.name === 'PEER_RESPONSE') out.kadAnswered!++
      yield e
    }
  }
  const counting = new Proxy(dht, {
    get (target, prop) {
      if (prop === 'get' || prop === 'findProviders') return (key: unknown, options: unknown) => tally(target[prop](key, options))
      const v = target[prop]
      return typeof v === 'function' ? v.bind(target) : v
    }
  })
  const host = { peerId: libp2p.peerId, logger: libp2p.logger, services: { dht: counting } }
  const t0 = now()
  try {
    for await (const entry of searchDht(host, [cmd.target], { limit: cmd.limit, timeoutMs: cmd.timeoutMs })) {
      out.results++
      if (!out.found && entry.filename === cmd.target && entry.provider === cmd.provider) {
        out.found = true
        out.targetTier = 'dht'
        out.targetMs = now() - t0
      }
    }
  } catch (err: any) {
    out.error = `${err.name}: ${err.message}`.slice(0, 200)
  }
  out.totalMs = now() - t0
  if (!out.found && DIAG_ENABLED) await classifyMiss(dht, cmd)
  return out
}

/** Why a DHT search missed: were the target's word provider record and keyword record findable afterwards? */
async function classifyMiss (dht: any, cmd: ScaleSearchCommand): Promise<void> {
  const signal = AbortSignal.timeout(10_000)
  let publisher = false
  let publishers = 0
  try {
    for await (const p of findProviders(dht, wordCid(cmd.target), { signal, limit: 20 })) {
      publishers++
      if (p.id.toString() === cmd.provider) publisher = true
    }
  } catch {
    // the lookup failed: the publishers found so far stand
  }
  const record = await getKeywordRecord(dht, keywordKey(cmd.target, cmd.provider), { signal: AbortSignal.timeout(10_000), quorum: 1 }).catch(() => undefined)
  bump(`dht miss: word publishers found ${publishers > 0 ? (publisher ? 'with the target' : 'without the target') : 'none'}, keyword record ${record != null ? 'found' : 'not found'}`)
}
