import { MAX_SEARCH_HITS, SEARCH_TIMEOUT_MS, InvalidOptionError } from '../core/index.js'
import type { SearchHit, SearchResponse, ServerRef } from '../pb/search.js'
import { matches, queryWords } from './model/matching.js'
import { askIndex, askRounds } from './search-ask.js'
import { fromWire } from './wire.js'
import { byNearness } from './routing/index.js'
import type { SubnetIndex } from './subnet-index.js'
import type { ShareStore } from './share-store.js'
import { indexEntryOf, type FileMeta, type IndexEntry } from './model/types.js'
import { SEARCH_TIERS, type SearchTier } from './model/tiers.js'
import type { Libp2p } from 'libp2p'

/** One search result line (`peerhive search --json`). */
export interface SearchResult extends FileMeta {
  /** PeerIds of the peers that share it, as this tier knows them */
  providers: string[]
  /** every distinct file name those providers share it under; `filename` is the first */
  names: string[]
  /** addresses of those providers, where known */
  providerAddrs: Record<string, string[]>
  tier: SearchTier
  /** ms since the search started */
  ms: number
}

export interface SearchOptions {
  /**
   * Stop after this many results.
   * @default 50
   */
  limit?: number
  /**
   * Deadline for the whole search in ms.
   * @default 5000
   */
  timeoutMs?: number
  /**
   * Ask every tier even when a nearer one found results.
   * @default false
   */
  exhaustive?: boolean
  /**
   * Report every provider of a file: a farther tier's hit for a CID already
   * reported comes again, with only its new providers (how downloads
   * gather sources).
   * @default false
   */
  everyProvider?: boolean
  /**
   * Ask the DHT even when the indexes (subnet, other subnets, central)
   * found results; a download that has providers already need not wait for
   * the slowest tier.
   * @default true
   */
  dhtWhenFound?: boolean
  /**
   * Ask only these tiers (for example `['dht']`: is the file in the DHT?).
   * @default every tier
   */
  tiers?: SearchTier[]
  /**
   * Told each tier as the search asks it (the node's own files count as the
   * `local` tier), so a search that finds nothing can say where it looked.
   * @default none
   */
  onTier?: (tier: SearchTier) => void
  /**
   * Aborting it ends the search early; the results found so far are returned.
   * @default none
   */
  signal?: AbortSignal
  /**
   * Told of each index that did not answer (its virtual server, another
   * subnet's, or the bootstrap's central index, when it is down or
   * restarting). The search goes on with the other tiers either way.
   * @default none
   */
  onUnreachable?: (report: UnreachableTier) => void
  /**
   * Told when this node's virtual server asked the routed servers for it
   * (forwarding, protocols/search.md): how many it asked, and how many answered.
   * @default none
   */
  onForwarded?: (report: ForwardReport) => void
}

/** What a member's virtual server did for its search in the remote tier. */
export interface ForwardReport {
  /** the virtual server that asked */
  via: string
  asked: number
  answered: number
}

/** An index that did not answer a search. */
export interface UnreachableTier {
  /** 'subnet': this node's virtual server; 'remote': another subnet's; 'central': the bootstrap */
  tier: 'subnet' | 'remote' | 'central'
  peerId: string
  message: string
}

export interface SearchContext {
  libp2p: Libp2p<any>
  shares: ShareStore
  /** this node's place: its role and its virtual server */
  place: () => { role: string, virtualServer: string | null, virtualServerAddrs?: string[], subnet?: string | null }
  /** the group's index, when this node is a virtual server */
  groupIndex: SubnetIndex
  bootstrapId: string
  /** every virtual server, as the bootstrap last published it; undefined before the first directory arrives (members do not follow it) */
  directory?: () => ServerRef[] | undefined
  /** a virtual server's routing of the remote tier by its keyword-filter book; undefined when it cannot route (no directory yet) */
  route?: (words: string[]) => { servers: ServerRef[], centralMayMatch: boolean } | undefined
  /** the DHT tier, when the node has one */
  dht?: (words: string[], opts: { signal: AbortSignal, limit: number }) => AsyncIterable<IndexEntry>
}

/** One index may take at most this share of the search's time, so a hung one leaves the farther tiers theirs. */
const ASK_SHARE = 0.5
const MIN_ASK_MS = 250
/**
 * Of one exchange's time, the share a member's virtual server may spend
 * asking the routed servers for it (forwarding); the rest covers the
 * exchange itself on loaded peers, and the member asks the servers the
 * forward did not reach.
 */
const FORWARD_SHARE = 0.5

/**
 * Nearest-first search (SHARE-3): the node's own files, then its virtual
 * server, then the other virtual servers and the central index (via the
 * bootstrap), then the DHT. Results stream out as each tier answers; a
 * farther tier is asked only when the nearer ones found nothing (unless
 * `exhaustive`), which is what keeps the central server's load low.
 */
export async function * search (ctx: SearchContext, query: string[], opts: SearchOptions = {}): AsyncGenerator<SearchResult> {
  const words = queryWords(query)
  if (words.length === 0) throw new InvalidOptionError('a search needs at least one word')
  const limit = Math.min(MAX_SEARCH_HITS, Math.max(1, opts.limit ?? 50))
  const budgetMs = opts.timeoutMs ?? SEARCH_TIMEOUT_MS
  const deadline = AbortSignal.any([AbortSignal.timeout(budgetMs), ...(opts.signal != null ? [opts.signal] : [])])
  const askMs = Math.min(SEARCH_TIMEOUT_MS, Math.max(MIN_ASK_MS, Math.floor(budgetMs * ASK_SHARE)))
  const ask = async (peerId: string, wantServers: boolean, ref?: ServerRef, forwardTimeoutMs?: number): Promise<SearchResponse> =>
    askIndex(ctx.libp2p, peerId, words, { limit, wantServers, forwardTimeoutMs }, AbortSignal.any([deadline, AbortSignal.timeout(askMs)]), ref)
  const started = performance.now()
  const seen = new Set<string>()
  const self = ctx.libp2p.peerId.toString()
  let found = 0
  let networkFound = 0

  const emit = function * (tier: SearchTier, hits: Array<{ entry: IndexEntry, addrs: string[] }>): Generator<SearchResult> {
    const byCid = new Map<string, SearchResult>()
    for (const { entry, addrs } of hits) {
      if (opts.everyProvider === true) {
        const pair = `${entry.cid} ${entry.provider}`
        if (seen.has(pair)) continue
        seen.add(pair)
      } else {
        // a CID is reported once, by the nearest tier, with all the providers that tier knows
        if (seen.has(entry.cid) && !byCid.has(entry.cid)) continue
        seen.add(entry.cid)
      }
      let r = byCid.get(entry.cid)
      if (r == null) {
        r = { cid: entry.cid, filename: entry.filename, directory: entry.directory, size: entry.size, title: entry.title, keywords: entry.keywords, providers: [], names: [], providerAddrs: {}, tier, ms: 0 }
        byCid.set(entry.cid, r)
      }
      if (!r.names.includes(entry.filename)) r.names.push(entry.filename)
      if (!r.providers.includes(entry.provider)) {
        r.providers.push(entry.provider)
        if (addrs.length > 0) r.providerAddrs[entry.provider] = addrs
      }
    }
    for (const r of byCid.values()) {
      if (found >= limit) return
      found++
      if (tier !== 'local') networkFound++
      yield { ...r, ms: Math.round(performance.now() - started) }
    }
  }
  // an index that fails is skipped, and reported (not when the search's own deadline cut it short)
  const skip = (tier: UnreachableTier['tier'], peerId: string) => (err: any): undefined => {
    // a stream closing under a read rejects with its close event, not an Error
    if (!deadline.aborted) opts.onUnreachable?.({ tier, peerId, message: String(err?.message ?? err?.error?.message ?? (err?.type === 'close' ? 'the stream closed' : err)) })
    return undefined
  }
  const done = (): boolean => found >= limit || deadline.aborted || (networkFound > 0 && opts.exhaustive !== true)

  const wanted = new Set(opts.tiers ?? SEARCH_TIERS)
  const asked = new Set<SearchTier>()
  const asking = (tier: SearchTier): void => {
    if (asked.has(tier)) return
    asked.add(tier)
    opts.onTier?.(tier)
  }

  // 1. this node's own files
  if (wanted.has('local')) {
    asking('local')
    const local = ctx.shares.list().filter(f => matches(words, f)).map(f => ({ entry: indexEntryOf(f, self, 0, self), addrs: [] }))
    yield * emit('local', local)
  }

  // 2. the subnet: this node's virtual server, or its own group index when it is one.
  // A member's request also asks its virtual server to route the remote tier (want_servers) and, unless the
  // search is exhaustive, to ask the routed servers itself when its group has no match (forward).
  const place = ctx.place()
  let routed: { servers: ServerRef[], centralMayMatch: boolean } | undefined
  /** how many of the routed servers, nearest first, the virtual server asked for this node and heard out (forwarding) */
  let forwardedTo = 0
  if (!wanted.has('subnet')) {
    // a virtual server routes by its filters all the same; a member gets its routed list from the bootstrap
    if (place.role === 'virtual-server') routed = ctx.route?.(words)
  } else if (place.role === 'virtual-server') {
    asking('subnet')
    yield * emit('subnet', ctx.groupIndex.search(words, limit).map(entry => ({ entry, addrs: [] })))
    routed = ctx.route?.(words)
  } else if (place.role === 'member' && place.virtualServer != null) {
    asking('subnet')
    const ref = { peerId: place.virtualServer, addrs: (place.virtualServerAddrs ?? []).map(a => a.replace(/\/p2p\/[^/]+$/, '')), subnet: '' }
    const forwardMs = opts.exhaustive === true || !wanted.has('remote') ? undefined : Math.floor(askMs * FORWARD_SHARE)
    const res = await ask(place.virtualServer, wanted.has('remote'), ref, forwardMs).catch(skip('subnet', place.virtualServer))
    if (res != null) yield * emit('subnet', hitsOf(res.hits))
    if (res?.serversRouted === true) routed = { servers: res.servers, centralMayMatch: res.centralMayMatch }
    if (res?.serversRouted === true && res.forwarded && wanted.has('remote')) {
      forwardedTo = res.serversDone
      opts.onForwarded?.({ via: place.virtualServer, asked: res.serversAsked, answered: res.serversAnswered })
      asking('remote')
      yield * emit('remote', hitsOf(res.remoteHits))
    }
  }
  if (done()) return

  // 3. the other virtual servers whose keyword filters may match (filters.md), nearest first; then the central index.
  // Without a routed list (a central client, a member whose virtual server did not route, a virtual server
  // without a directory yet), the bootstrap's answer carries one; with the bootstrap down, the directory if known.
  if (wanted.has('remote')) {
    const others = (servers: ServerRef[]): ServerRef[] => servers.filter(s => s.peerId !== self && s.peerId !== place.virtualServer)
    let askedCentral = false
    let servers: ServerRef[] = routed?.servers ?? []
    // the remote tier is looked at even when the filters rule every server out
    asking('remote')
    if (routed == null) {
      const central = await ask(ctx.bootstrapId, true).catch(skip('central', ctx.bootstrapId))
      askedCentral = true
      if (central != null) yield * emit('remote', hitsOf(central.hits))
      // an older bootstrap lists every server: nearest first all the same
      servers = central?.servers ?? ctx.directory?.() ?? []
      if (central?.serversRouted !== true) servers = byNearness(place.subnet ?? '', servers)
    }
    // the ones the virtual server did not ask for this node before its time was up (forwarding), or all of them
    const targets = others(servers).slice(forwardedTo)
    // a nearer round found results: the farther servers are not asked (unless exhaustive)
    for await (const { res } of askRounds(ctx.libp2p, targets, async s => ask(s.peerId, false).catch(skip('remote', s.peerId)), done)) {
      if (res != null) yield * emit('remote', hitsOf(res.hits))
    }
    // central clients' files are only in the central index; its filter tells whether it may hold a match
    // (an exhaustive search asks every tier: it is asked all the same)
    const centralMayMatch = routed == null || routed.centralMayMatch || opts.exhaustive === true
    if (!askedCentral && centralMayMatch && (networkFound === 0 || opts.exhaustive === true) && found < limit && !deadline.aborted) {
      asking('remote')
      const central = await ask(ctx.bootstrapId, false).catch(skip('central', ctx.bootstrapId))
      if (central != null) yield * emit('remote', hitsOf(central.hits))
    }
  }
  if (done()) return
  if (networkFound > 0 && opts.dhtWhenFound === false) return

  // 4. the DHT
  if (ctx.dht != null && wanted.has('dht')) {
    asking('dht')
    for await (const entry of ctx.dht(words, { signal: deadline, limit })) {
      yield * emit('dht', [{ entry, addrs: [] }])
      if (found >= limit) return
    }
  }
}

function hitsOf (hits: SearchHit[]): Array<{ entry: IndexEntry, addrs: string[] }> {
  return hits.filter(h => h.entry != null).map(h => ({ entry: fromWire(h.entry as any, h.provider), addrs: h.providerAddrs }))
}

