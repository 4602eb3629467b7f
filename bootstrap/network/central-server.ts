import { RateLimiter } from '@libp2p/utils'
import { peerIdFromString } from '@libp2p/peer-id'
import {
  JOIN_TIMEOUT_MS, MAX_JOIN_REQUEST_BYTES, SWEEP_INTERVAL_MS, DIRECTORY_TOPIC, PROTOCOL_JOIN, MAX_JOIN_STREAMS_PER_CONNECTION, WIRE_VERSION,
  JoinError, JoinRequest, JoinResponse, assignmentTopic, encodeSubnetTable, publishCounted, serveRequests, tryConsume,
  type PeerhiveMetrics, type SubnetPrefixes
} from '../../src/core/index.js'
import { Election, type SubnetState } from '../election/index.js'
import { JoinRefusal, checkJoin, refusal } from './join-request.js'
import { PublicRelays, oneAddressPerRelay } from './public-relays.js'
import { DebouncedPublisher } from './publisher.js'
import { Republisher } from './republisher.js'
import { AssignmentPusher } from './assignment-pusher.js'
import { DirectoryPublisher } from './directory-publisher.js'
import { probeTcp } from './reachability.js'
import { ServerLiveness } from './server-liveness.js'
import { toWire, type FilterBook, type IndexEntry, type SearchAnswer } from '../../src/sharing/index.js'
import type { CentralTables, PeerRecord } from '../tables/index.js'
import type { Connection, PeerId, Stream, Logger } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

export interface CentralServerInit {
  vsLimit: number
  prefixes: SubnetPrefixes
  allowSubnetClaims: boolean
  peerTimeoutMs: number
  restartGraceMs: number
  joinsPerPeer: number
  maxConcurrentJoins: number
  publishDelayMs: number
  /** the bootstrap's own dialable addresses, with /p2p/<bootstrap>, when it relays for peers behind NAT */
  relayAddrs?: () => string[]
  /**
   * the bootstrap's relay carries file and unit data (--relay-bulk): it then
   * names only itself to peers behind NAT, since a download that met a
   * public peer's limited relay first would fail
   */
  relayBulk?: boolean
}

/** One row of `peerhive subnets --json`. */
export interface SubnetView {
  subnet: string
  virtualServers: Array<{ peerId: string, addresses: string[], clientCount: number, limitCount: number, members: string[] }>
  centralClients: string[]
}

const PROBE_TIMEOUT_MS = 1_000
/**
 * Repeats of a subnet's new table on its topic, then the steady pace. The
 * join answer carries the table to the joiner, and the AssignmentPusher
 * (with retries) brings every peer whose own place changed its new table;
 * gossip repeats are only a safety net, and each goes to the whole subnet.
 */
const TABLE_REPEATS_MS = [3_000]
const TABLE_STEADY_MS = 60_000
const MAX_CENTRAL_ENTRIES_PER_PEER = 50_000

/**
 * The central server (seed 001): answers joins, runs the election, keeps
 * the tables in SQLite, publishes each subnet's table on gossipsub, and
 * drops peers that are gone (connection closed, or silent past the
 * failure-detection time).
 */
export class CentralServer {
  private readonly election: Election
  private readonly addresses = new Map<string, string[]>()
  private readonly peerIds = new Map<string, PeerId>()
  /** peers that joined since this process started; saved peers get a grace period to come back */
  private readonly confirmed = new Set<string>()
  private readonly limiter: RateLimiter
  private readonly publisher: DebouncedPublisher
  private readonly republisher: Republisher
  private readonly pusher: AssignmentPusher
  private readonly directory: DirectoryPublisher
  private readonly liveness: ServerLiveness
  /** public peers that relay for peers behind NAT, beside the bootstrap */
  private readonly publicRelays: PublicRelays
  private readonly log: Logger
  private graceUntil = 0
  private inFlight = 0
  private sweepTimer?: ReturnType<typeof setInterval>
  private running = false

  constructor (private readonly libp2p: Libp2p<any>, private readonly tables: CentralTables, private readonly metrics: PeerhiveMetrics, private readonly init: CentralServerInit) {
    this.election = new Election({ limit: init.vsLimit })
    this.limiter = new RateLimiter({ points: init.joinsPerPeer, duration: 10 })
    this.publisher = new DebouncedPublisher(init.publishDelayMs, async subnet => this.publish(subnet))
    this.republisher = new Republisher(async (subnet, bytes) => this.send(subnet, bytes), TABLE_REPEATS_MS, TABLE_STEADY_MS)
    this.log = libp2p.logger.forComponent('peerhive:central')
    this.pusher = new AssignmentPusher(libp2p, metrics, this.log, id => this.addresses.get(id) ?? [])
    this.directory = new DirectoryPublisher(libp2p, () => tables.nextSeq(), () => this.directoryEntries(), metrics, this.log)
    this.liveness = new ServerLiveness(libp2p, () => this.election.serverIds().map(id => this.peerIdOf(id)), init.peerTimeoutMs, this.log)
    this.publicRelays = new PublicRelays(id => this.election.candidate(id)?.reachable === true)
  }

  async start (): Promise<void> {
    const saved = this.tables.load()
    this.election.restore(saved.subnets, saved.peers)
    for (const p of saved.peers) this.addresses.set(p.peerId, p.addresses)
    this.graceUntil = Date.now() + this.init.restartGraceMs
    this.running = true
    await this.libp2p.handle(PROTOCOL_JOIN, (stream: Stream, connection: Connection) => { void this.onJoinStream(stream, connection) }, {
      maxInboundStreams: MAX_JOIN_STREAMS_PER_CONNECTION,
      maxOutboundStreams: 1
    })
    this.libp2p.addEventListener('peer:disconnect', this.onDisconnect)
    this.libp2p.services.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    this.sweepTimer = setInterval(() => { this.sweep() }, SWEEP_INTERVAL_MS)
    this.republisher.start()
    this.directory.start()
    this.liveness.start()
    this.updateGauges()
  }

  async stop (): Promise<void> {
    this.running = false
    clearInterval(this.sweepTimer)
    this.publisher.stop()
    this.republisher.stop()
    this.pusher.stop()
    this.directory.stop()
    this.liveness.stop()
    this.libp2p.removeEventListener('peer:disconnect', this.onDisconnect)
    this.libp2p.services.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    await this.libp2p.unhandle(PROTOCOL_JOIN)
  }

  subnets (): SubnetView[] {
    return this.election.table().map(s => ({
      subnet: s.subnet,
      virtualServers: s.servers.map(g => ({
        peerId: g.server,
        addresses: this.addresses.get(g.server) ?? [],
        clientCount: 1 + g.members.length,
        limitCount: g.limit,
        members: g.members
      })),
      centralClients: s.centralClients
    }))
  }

  /** Why `peerId` may not push its index to the central index: only central clients may. */
  refuseIndex (peerId: string): string | undefined {
    const place = this.election.placementOf(peerId)
    if (place?.role === 'central-client') return undefined
    return place == null ? 'the sender has not joined this bootstrap' : `the sender is a ${place.role}; its index belongs at its virtual server`
  }

  /** Applies a central client's index update to the client index. */
  applyIndex (peerId: string, update: { reset: boolean, added: IndexEntry[], removed: string[] }): number {
    const subnet = this.election.candidate(peerId)?.subnet ?? ''
    return this.tables.applyIndex(peerId, subnet, update, MAX_CENTRAL_ENTRIES_PER_PEER)
  }

  /** Tier 3 of a search: the client index's hits, and the servers to ask next (with a book: routed, protocols/filters.md). */
  answerSearch (words: string[], limit: number, wantServers: boolean, requester?: string, book?: FilterBook): SearchAnswer {
    const hits = this.tables.searchIndex(words, limit).map(e => ({ entry: toWire(e), provider: e.provider, providerAddrs: this.addresses.get(e.provider) ?? [] }))
    if (!wantServers) return { hits, servers: [] }
    const servers = this.directoryEntries().filter(s => s.peerId !== requester)
    if (book == null) return { hits, servers: servers.slice(0, 1024) }
    const subnet = requester == null ? '' : this.election.candidate(requester)?.subnet ?? ''
    // the central index's hits are in this answer already
    return { hits, servers: book.route(words, servers, subnet).servers.slice(0, 1024), serversRouted: true, centralMayMatch: false }
  }

  /** Whether `peerId` is a virtual server now (its keyword filter counts). */
  isVirtualServer (peerId: string): boolean {
    return this.election.placementOf(peerId)?.role === 'virtual-server'
  }

  /** Every virtual server's PeerId now, without copying the tables. */
  virtualServerIds (): string[] {
    return this.election.serverIds()
  }

  /** Every virtual server, with its addresses and subnet. */
  private directoryEntries (): Array<{ peerId: string, addrs: string[], subnet: string }> {
    return this.election.table().flatMap(s => s.servers.map(g => ({ peerId: g.server, addrs: (this.addresses.get(g.server) ?? []).slice(0, 8), subnet: s.subnet })))
  }

  private async onJoinStream (stream: Stream, connection: Connection): Promise<void> {
    const peerId = connection.remotePeer.toString()
    this.inFlight++
    try {
      await serveRequests(stream, peerId, {
        protocol: PROTOCOL_JOIN,
        request: JoinRequest,
        response: JoinResponse,
        maxInboundBytes: MAX_JOIN_REQUEST_BYTES,
        timeoutMs: JOIN_TIMEOUT_MS,
        outcomeOf: res => res.error === JoinError.NONE ? 'ok' : res.error,
        badRequest: (err, tooLarge) => {
          // bad requests use up the peer's allowance too
          tryConsume(this.limiter, peerId)
          const code = tooLarge ? JoinError.MESSAGE_TOO_LARGE : JoinError.MALFORMED_MESSAGE
          return refusal(code, code === JoinError.MESSAGE_TOO_LARGE ? `join request larger than ${MAX_JOIN_REQUEST_BYTES} bytes (${err.message})` : err.message)
        },
        metrics: this.metrics,
        log: this.log
      }, req => this.join(peerId, connection, req))
    } finally {
      this.inFlight--
    }
  }

  private join (peerId: string, connection: Connection, req: JoinRequest): JoinResponse {
    try {
      if (req.version !== WIRE_VERSION) {
        throw new JoinRefusal(JoinError.UNSUPPORTED_VERSION, `join version ${req.version} is not supported; this bootstrap speaks version ${WIRE_VERSION}`)
      }
      if (this.inFlight > this.init.maxConcurrentJoins) {
        throw new JoinRefusal(JoinError.RATE_LIMITED, 'the bootstrap is handling too many joins; retry later')
      }
      if (!tryConsume(this.limiter, peerId)) {
        throw new JoinRefusal(JoinError.RATE_LIMITED, `more than ${this.init.joinsPerPeer} joins in 10 s from this peer; retry later`)
      }
      if (!this.running) throw new JoinRefusal(JoinError.INTERNAL, 'the bootstrap is stopping')
      // chosen once per join (asked for only when the peer is behind NAT): the listed addresses and the answer name the same relays
      let relays: string[] | undefined
      const relaysOnce = (): string[] => (relays ??= this.relaysFor(peerId))
      const checked = checkJoin(req, connection.remoteAddr, peerId, { ...this.init, relayAddrs: relaysOnce })
      // a relay is handed out only once the bootstrap's probe reached it (it must be dialable from every home)
      this.publicRelays.offer(peerId, checked.addresses[0] ?? '', checked.behindNat || checked.addresses.length === 0 ? 0 : req.relaySlots)
      const previous = this.election.candidate(peerId)
      const change = this.election.join({
        peerId,
        subnet: checked.subnet,
        joinedAt: Date.now(),
        reachable: previous?.reachable ?? false,
        cpus: checked.cpus,
        memoryMb: checked.memoryMb
      })
      const addressesChanged = JSON.stringify(this.addresses.get(peerId)) !== JSON.stringify(checked.addresses)
      this.addresses.set(peerId, checked.addresses)
      this.confirmed.add(peerId)
      const changed = new Set(change.changedSubnets)
      if (addressesChanged) changed.add(checked.subnet)
      this.persist(changed)
      this.publisher.schedule(changed)
      // a peer behind NAT is not dialable from outside its home, and its LAN addresses are not the bootstrap's to probe
      if (!checked.behindNat) this.probe(peerId, checked.addresses)
      this.updateGauges()
      this.log('peer %s joined %s as %s', peerId, checked.subnet, change.placement?.role)
      return {
        version: WIRE_VERSION,
        error: JoinError.NONE,
        message: '',
        userSerialId: this.tables.userFor(peerId),
        subnet: checked.subnet,
        observedAddr: connection.remoteAddr.toString(),
        table: this.answerTable(peerId, checked.subnet),
        relayAddrs: checked.behindNat ? oneAddressPerRelay(relaysOnce()) : []
      }
    } catch (err: any) {
      if (err instanceof JoinRefusal) return refusal(err.code, err.message)
      this.log.error('join from %s failed - %e', peerId, err)
      return refusal(JoinError.INTERNAL, 'internal error in the bootstrap')
    }
  }

  private readonly onDisconnect = (evt: CustomEvent<any>): void => {
    this.remove(evt.detail.toString(), 'disconnected')
  }

  /**
   * A new follower of the directory needs it. A new subscriber of a
   * subnet's topic needs nothing: its join answer carried the table, and a
   * change of its place is pushed to it; a resend would go to the whole
   * subnet at every join.
   */
  private readonly onSubscriptionChange = (evt: CustomEvent<any>): void => {
    for (const sub of evt.detail.subscriptions) {
      if (sub.subscribe === true && sub.topic === DIRECTORY_TOPIC) this.directory.resend()
    }
  }

  /** Drops peers with no connection: at once for peers seen since start, after the grace period for saved ones. */
  private sweep (): void {
    const now = Date.now()
    for (const id of this.election.peerIds()) {
      if (!this.confirmed.has(id) && now < this.graceUntil) continue
      if (this.libp2p.getConnections(this.peerIdOf(id)).length === 0) this.remove(id, 'no connection')
    }
  }

  /** A parsed PeerId per peer, kept while it is in the tables: the sweep would parse every peer's every 500 ms. */
  private peerIdOf (id: string): PeerId {
    let peer = this.peerIds.get(id)
    if (peer == null) this.peerIds.set(id, peer = peerIdFromString(id))
    return peer
  }

  private remove (peerId: string, why: string): void {
    if (this.election.candidate(peerId) == null) return
    const change = this.election.leave(peerId)
    this.addresses.delete(peerId)
    this.publicRelays.remove(peerId)
    this.confirmed.delete(peerId)
    this.peerIds.delete(peerId)
    this.log('peer %s left (%s)', peerId, why)
    this.persist(change.changedSubnets)
    this.publisher.schedule(change.changedSubnets)
    this.updateGauges()
  }

  /**
   * The relays a peer behind NAT reserves slots on, each address with
   * /p2p/<relay>: a public peer's first (it spares the bootstrap), then the
   * bootstrap's own, unless that one relays bulk data.
   */
  private relaysFor (peerId: string): string[] {
    const own = this.init.relayAddrs?.() ?? []
    if (this.init.relayBulk === true && own.length > 0) return own
    const pub = this.publicRelays.relayFor(peerId)
    return pub == null ? own : [pub, ...own]
  }

  private probe (peerId: string, addresses: string[]): void {
    const m = /^\/ip[46]\/([^/]+)\/tcp\/(\d+)/.exec(addresses[0] ?? '')
    if (m == null) return
    void probeTcp(m[1], Number(m[2]), PROBE_TIMEOUT_MS).then(reachable => {
      if (this.election.candidate(peerId)?.reachable !== reachable) {
        this.election.updateHost(peerId, { reachable })
        const subnet = this.election.candidate(peerId)?.subnet
        if (subnet != null) this.persist([subnet])
      }
    })
  }

  private persist (subnets: Iterable<string>): void {
    for (const subnet of subnets) {
      const state = this.election.subnet(subnet)
      this.tables.saveSubnet(subnet, state, this.recordsOf(state))
      // only central clients keep entries in the client index; members' go to their virtual server
      this.tables.dropIndexExcept(subnet, new Set(state?.centralClients ?? []))
    }
  }

  private recordsOf (state: SubnetState | undefined): Map<string, PeerRecord> {
    const records = new Map<string, PeerRecord>()
    if (state == null) return records
    const ids = [...state.servers.flatMap(g => [g.server, ...g.members]), ...state.centralClients]
    for (const id of ids) {
      const c = this.election.candidate(id)
      if (c != null) records.set(id, { ...c, addresses: this.addresses.get(id) ?? [] })
    }
    return records
  }

  /** The table for a join answer; the peer will not need it pushed again. */
  private answerTable (peerId: string, subnet: string): Uint8Array<ArrayBuffer> {
    const bytes = encodeSubnetTable(this.tableOf(subnet))
    this.pusher.told(subnet, this.election.subnet(subnet), peerId)
    return bytes
  }

  private tableOf (subnet: string): import('../../src/core/index.js').SubnetTable {
    const state = this.election.subnet(subnet)
    return {
      version: WIRE_VERSION,
      seq: this.tables.nextSeq(),
      subnet,
      issuedAt: Date.now(),
      servers: (state?.servers ?? []).map(g => ({ peerId: g.server, addrs: this.addresses.get(g.server) ?? [], members: g.members, limit: g.limit })),
      centralClients: state?.centralClients ?? []
    }
  }

  private async publish (subnet: string): Promise<void> {
    if (!this.running) return
    let bytes: Uint8Array
    try {
      bytes = encodeSubnetTable(this.tableOf(subnet))
    } catch (err: any) {
      this.log.error('could not encode the table of %s - %e', subnet, err)
      return
    }
    this.directory.changed()
    const state = this.election.subnet(subnet)
    if (state == null) this.republisher.forget(subnet)
    else this.republisher.published(subnet, bytes)
    this.pusher.changed(subnet, state, bytes)
    await this.send(subnet, bytes)
  }

  private async send (subnet: string, bytes: Uint8Array): Promise<void> {
    if (!this.running) return
    try {
      await publishCounted(this.libp2p.services.pubsub, assignmentTopic(subnet), bytes, 'assignments', this.metrics)
    } catch (err: any) {
      this.log.error('could not publish the table of %s - %e', subnet, err)
    }
  }

  private updateGauges (): void {
    for (const [role, n] of Object.entries(this.election.roleCounts())) this.metrics.peers.set({ role }, n)
  }
}
