import { join } from 'node:path'
import { FolderWatcher } from './folder-watcher.js'
import { IndexServer } from './index-server.js'
import { IndexSync } from './index-sync.js'
import { search, type SearchOptions, type SearchResult } from './search.js'
import { SearchServer, type SearchAnswer } from './search-server.js'
import { SearchForwarder } from './search-forward.js'
import { searchSessions } from './search-ask.js'
import { ShareStore } from './share-store.js'
import type { SkippedPath } from './share-policy.js'
import { SubnetIndex } from './subnet-index.js'
import { TransferServer } from './transfer/index.js'
import { getFile, type GetOptions, type GetResult } from './get-file.js'
import { PROTOCOL_TRANSFER } from './transfer/index.js'
import { matches } from './model/matching.js'
import { KnownAddrs, toWire } from './wire.js'
import { DhtAnnouncer, findFileProviders, searchDht } from './dht/index.js'
import { FilterFollower, FilterPublisher, FilterRelayReceiver, KeywordFilter, handFilterOver, linkServers } from './routing/index.js'
import { SEARCH_SESSION_IDLE_MS, type PeerhiveMetrics } from '../core/index.js'
import type { Logger, PrivateKey } from '@libp2p/interface'
import { indexEntryOf, type IndexEntry } from './model/types.js'
import type { Libp2p } from 'libp2p'

export const SHARES_FILE = 'shares.db'

/** What the sharing layer needs to know of the node's place in the network. */
export interface PlaceSource {
  placement: () => { role: string, subnet?: string | null, virtualServer: string | null, virtualServerAddrs: string[], members: string[], userSerialId: number | null }
  /** `join:succeeded`: a join (the first, or again after the bootstrap was lost) was answered */
  addEventListener: (type: 'placement' | 'join:succeeded', listener: () => void) => void
  removeEventListener: (type: 'placement' | 'join:succeeded', listener: () => void) => void
  bootstrapId: { toString: () => string }
  directory: () => Array<{ peerId: string, addrs: string[], subnet: string }> | undefined
}

export interface SharingInit {
  /**
   * The node's data directory; the share list is kept in <dataDir>/shares.db.
   * @default none (the share list is kept in memory only)
   */
  dataDir?: string
  /**
   * Folders to share at start and keep shared (NodeOptions.share).
   * @default none (required; [] shares nothing at start)
   */
  folders: string[]
  /**
   * Include hidden files and folders of `folders` (a name starting with '.').
   * @default false
   */
  shareHidden?: boolean
  /**
   * The node's Prometheus metrics, updated by sharing, search and transfers.
   * @default none (required)
   */
  metrics: PeerhiveMetrics
  /**
   * Signs this node's keyword records in the DHT
   * @default none (required)
   */
  privateKey: PrivateKey
}

/**
 * The files capability of a peer: what it shares, its index kept at its
 * virtual server (or the bootstrap), the group index and search answers
 * when it is a virtual server, and nearest-first search.
 */
export class SharingService {
  readonly shares: ShareStore
  readonly groupIndex = new SubnetIndex()
  private readonly watcher: FolderWatcher
  private readonly sync: IndexSync
  private readonly indexServer: IndexServer
  private readonly searchServer: SearchServer
  private readonly transferServer: TransferServer
  private readonly announcer: DhtAnnouncer
  private readonly forwarder: SearchForwarder
  private readonly knownAddrs: KnownAddrs
  /** a virtual server's keyword filter of its group index, published for the other servers' routing */
  readonly filterPublisher: FilterPublisher
  /** a virtual server's book of the other servers' filters (and the central index's) */
  readonly filters: FilterFollower
  /** takes the other servers' filters the bootstrap relays */
  private readonly filterRelay: FilterRelayReceiver
  private readonly log: Logger

  constructor (private readonly libp2p: Libp2p<any>, private readonly place: PlaceSource, init: SharingInit) {
    const log = libp2p.logger.forComponent('peerhive:share')
    this.log = log
    this.shares = new ShareStore(init.dataDir == null ? ':memory:' : join(init.dataDir, SHARES_FILE), { dataDir: init.dataDir })
    this.watcher = new FolderWatcher(this.shares, init.folders, err => { log.error('watching shared folders failed - %e', err) }, { hidden: init.shareHidden === true })
    this.sync = new IndexSync(libp2p, this.shares, () => ({ userSerialId: place.placement().userSerialId ?? 0, userid: libp2p.peerId.toString() }), log)
    this.indexServer = new IndexServer(libp2p, {
      refuse: peerId => {
        const p = place.placement()
        if (p.role !== 'virtual-server') return 'this node is not a virtual server'
        return p.members.includes(peerId) ? undefined : 'the sender is not a member of this virtual server\'s group'
      },
      holder: {
        apply: (provider, update) => {
          const n = this.groupIndex.apply(provider, update)
          this.filterPublisher.changed()
          return n
        }
      },
      metrics: init.metrics
    })
    this.filterPublisher = new FilterPublisher(libp2p, () => KeywordFilter.of(this.groupEntries()), log, {
      metrics: init.metrics,
      beforePublish: () => {
        const directory = place.directory()
        if (directory != null) linkServers(libp2p, directory, log)
      },
      servers: () => place.directory()?.length ?? 1,
      handOver: async bytes => { await handFilterOver(libp2p, place.bootstrapId.toString(), bytes) }
    })
    this.filters = new FilterFollower(libp2p, peerId => this.isServer(peerId), log)
    this.filterRelay = new FilterRelayReceiver(libp2p, this.filters, () => place.bootstrapId.toString(), peerId => this.isServer(peerId), log, init.metrics)
    this.searchServer = new SearchServer(libp2p, {
      refuse: () => place.placement().role === 'virtual-server' ? undefined : 'this node is not a virtual server',
      answer: async (words, limit, requester, wantServers, forwardMs) => this.answer(words, limit, requester, wantServers, forwardMs),
      isServer: peerId => this.isServer(peerId),
      sessionIdleMs: SEARCH_SESSION_IDLE_MS,
      metrics: init.metrics
    })
    this.announcer = new DhtAnnouncer(libp2p, { privateKey: init.privateKey, entries: () => this.entries() })
    this.forwarder = new SearchForwarder(libp2p)
    this.knownAddrs = new KnownAddrs(libp2p)
    this.transferServer = new TransferServer(libp2p, this.shares.serving, {
      onRequest: outcome => { init.metrics.requests.inc({ protocol: PROTOCOL_TRANSFER, outcome }) },
      onBytes: (direction, n) => { init.metrics.bytes.inc({ protocol: PROTOCOL_TRANSFER, direction }, n) }
    })
  }

  /** What the share of the `folders` at start left out (data directories, hidden entries), and why. */
  get skippedAtStart (): SkippedPath[] {
    return this.watcher.skippedAtStart
  }

  /** Fetches a file by CID from the peers that share it, verifying every piece. */
  async get (cid: string, opts: GetOptions = {}): Promise<GetResult> {
    return getFile({
      libp2p: this.libp2p,
      shares: this.shares,
      search: (words, o) => this.search(words, o),
      dhtProviders: (c, o) => findFileProviders(this.libp2p, c, o)
    }, cid, opts)
  }

  async start (): Promise<void> {
    this.place.addEventListener('placement', this.onPlacement)
    this.place.addEventListener('join:succeeded', this.onJoined)
    await this.transferServer.start()
    await this.indexServer.start()
    await this.searchServer.start()
    await this.filterRelay.start()
    await this.purgeForbidden()
    await this.watcher.start()
    this.shares.addEventListener('change', this.onChange)
    this.announcer.start()
    this.onPlacement()
  }

  async stop (): Promise<void> {
    this.place.removeEventListener('placement', this.onPlacement)
    this.place.removeEventListener('join:succeeded', this.onJoined)
    this.shares.removeEventListener('change', this.onChange)
    this.filterPublisher.stop()
    searchSessions(this.libp2p).keepWarm(undefined)
    this.filters.stop()
    await this.filterRelay.stop()
    await this.announcer.stop()
    await this.watcher.stop()
    this.sync.stop()
    await this.searchServer.stop()
    await this.indexServer.stop()
    await this.transferServer.stop()
    await this.shares.close()
  }

  /**
   * Whether this node's index is fully where searches find it: at its
   * virtual server (or the bootstrap). A virtual server answers from its own
   * share store, so its files are always found.
   */
  indexSynced (): boolean {
    return this.place.placement().role === 'virtual-server' || this.sync.isSynced()
  }

  async * search (words: string[], opts: SearchOptions = {}): AsyncGenerator<SearchResult> {
    yield * search({
      libp2p: this.libp2p,
      shares: this.shares,
      place: () => this.place.placement(),
      groupIndex: this.groupIndex,
      bootstrapId: this.place.bootstrapId.toString(),
      directory: () => this.place.directory(),
      route: words => this.route(words),
      dht: (w, o) => searchDht(this.libp2p, w, o)
    }, words, opts)
  }

  /** Before anything is indexed or announced: drops entries the share policy forbids (an older version saved them) and unannounces them. */
  private async purgeForbidden (): Promise<void> {
    const purged = await this.shares.purgeForbidden()
    if (purged.length === 0) return
    this.log('stopped sharing %d file(s) inside a peerhive data directory: %s', purged.length, purged.map(f => f.path).join(', '))
    const self = this.libp2p.peerId.toString()
    const userSerialId = this.place.placement().userSerialId ?? 0
    this.announcer.withdraw(purged.map(f => indexEntryOf(f, self, userSerialId, self)))
  }

  private readonly onChange = (): void => {
    void this.announcer.refresh().catch(() => {})
    this.filterPublisher.changed()
  }

  /** Whether `peerId` publishes filters that count: a virtual server of the directory, or the bootstrap. */
  private isServer (peerId: string): boolean {
    return peerId === this.place.bootstrapId.toString() || (this.place.directory()?.some(s => s.peerId === peerId) ?? false)
  }

  /** What this virtual server's filter covers: its own files and its group's entries. */
  private * groupEntries (): Generator<IndexEntry> {
    yield * this.entries()
    yield * this.groupIndex.entries()
  }

  /** The other servers to ask for `words`, by this virtual server's filter book, nearest first; undefined without a directory. */
  private route (words: string[]): { servers: Array<{ peerId: string, addrs: string[], subnet: string }>, centralMayMatch: boolean } | undefined {
    const directory = this.place.directory()
    if (directory == null || !this.filters.isFollowing) return undefined
    const self = this.libp2p.peerId.toString()
    return this.filters.book.route(words, directory.filter(s => s.peerId !== self), this.place.placement().subnet ?? '', this.place.bootstrapId.toString())
  }

  /** This node's files as index entries. */
  private entries (): IndexEntry[] {
    const self = this.libp2p.peerId.toString()
    const userSerialId = this.place.placement().userSerialId ?? 0
    return this.shares.list().map(f => indexEntryOf(f, self, userSerialId, self))
  }

  /** The bootstrap may have restarted and lost the filters handed over to it. */
  private readonly onJoined = (): void => {
    this.filterPublisher.handOverAgain()
  }

  private readonly onPlacement = (): void => {
    const p = this.place.placement()
    if (p.role === 'virtual-server') {
      this.groupIndex.retain(new Set(p.members))
      this.filters.start()
      this.filterPublisher.start()
      this.filterPublisher.changed()
    } else {
      this.groupIndex.clear()
      this.filterPublisher.stop()
      this.filters.stop()
    }
    // a member's searches start at its virtual server: its session stays open between them
    searchSessions(this.libp2p).keepWarm(p.role === 'member' ? p.virtualServer ?? undefined : undefined)
    if (p.role === 'member') this.sync.setTarget(p.virtualServer ?? undefined, p.virtualServerAddrs)
    else this.sync.setTarget(p.role === 'central-client' ? this.place.bootstrapId.toString() : undefined)
  }

  /**
   * A virtual server's answer: its group's entries and its own files; with wantServers, the other servers its filters route to.
   * With forwardMs, a member whose search its group cannot answer also gets those servers' hits, asked by this node.
   */
  private async answer (words: string[], limit: number, requester: string, wantServers: boolean, forwardMs?: number): Promise<SearchAnswer> {
    const self = this.libp2p.peerId.toString()
    const userSerialId = this.place.placement().userSerialId ?? 0
    const own = this.shares.list().filter(f => matches(words, f)).map(f => indexEntryOf(f, self, userSerialId, self))
    const entries = [...own, ...this.groupIndex.search(words, limit)].slice(0, limit)
    const selfAddrs = (): string[] => this.libp2p.getMultiaddrs().slice(0, 8).map(a => a.toString())
    const hits = await Promise.all(entries.map(async e => ({
      entry: toWire(e),
      provider: e.provider,
      providerAddrs: e.provider === self ? selfAddrs() : await this.knownAddrs.of(e.provider)
    })))
    const routed = wantServers ? this.route(words) : undefined
    if (routed == null) return { hits, servers: [] }
    const answer = { hits, servers: routed.servers.map(s => ({ ...s, addrs: s.addrs.slice(0, 8) })), serversRouted: true, centralMayMatch: routed.centralMayMatch }
    // the requester's own files do not answer its search (it has them already)
    const groupAnswers = hits.some(h => h.provider !== requester)
    if (forwardMs == null || groupAnswers || !this.place.placement().members.includes(requester)) return answer
    // in the routed order, so the member can go on where the forward stopped (a member is never a routed server)
    return { ...answer, forwarded: await this.forwarder.forward(routed.servers, words, limit, forwardMs) }
  }
}
