import { TypedEventEmitter } from 'main-event'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import {
  ASSIGNMENT_TIMEOUT_MS, DIAL_TIMEOUT_MS, DIRECTORY_TOPIC, JOIN_TIMEOUT_MAX_MS, JOIN_TIMEOUT_MS, MAX_JOIN_RESPONSE_BYTES, MAX_TABLE_BYTES, PROTOCOL_ASSIGNMENT, PROTOCOL_JOIN, WIRE_VERSION,
  AssignmentAck, JoinError, JoinRejectedError, JoinRequest, JoinResponse, InvalidOptionError,
  answerRequest, assignmentTopic, checkedSubnetTable, decodeDirectory, decodeSubnetTable, openRequestChannel, parseCidr, pause, placeIn, requestResponse,
  type Directory, type SubnetTable
} from '../core/index.js'
import { Backoff } from './backoff.js'
import { describeJoinFailure } from './join-failure.js'
import { probeHost } from './host-info.js'
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

export type PeerRole = 'joining' | 'virtual-server' | 'member' | 'central-client'

/** What a peer knows of its own place in the network (NET-9). */
export interface Placement {
  role: PeerRole
  subnet: string | null
  virtualServer: string | null
  /** for a virtual server, its members */
  members: string[]
  /** addresses of the node's virtual server, when it is a member */
  virtualServerAddrs: string[]
  userSerialId: number | null
  /** sequence number of the table this placement comes from */
  seq: number
}

export interface TopologyEvents {
  /** the peer's placement changed (a join answer or a signed table from the bootstrap) */
  placement: CustomEvent<Placement>
  /** a message on the assignment topic was refused (not from the bootstrap, malformed, stale) */
  'assignment:rejected': CustomEvent<{ from: string | null, reason: string }>
  /** a join attempt failed; the node tries again at `nextRetryAt` */
  'join:failed': CustomEvent<JoinFailure>
  /** the node joined the bootstrap, after `failedAttempts` failed attempts (0: at the first try) */
  'join:succeeded': CustomEvent<{ failedAttempts: number }>
}

export interface JoinFailure {
  /** why, in words a person can act on; the same text for every retry of one cause */
  reason: string
  error: Error
  /** failed attempts since the node last held a join (1 for the first) */
  attempt: number
  /** when the next attempt starts (epoch ms) */
  nextRetryAt: number
}

export interface TopologyInit {
  bootstrap: string
  claimedSubnet?: string
  backoffInitialMs: number
  backoffMaxMs: number
  /** slots of this node's own circuit relay, told the bootstrap so it may hand the relay to peers behind NAT; 0: none */
  relaySlots?: number
}

/**
 * The peer side of the topology: joins the bootstrap (and joins again, with
 * back-off, whenever the connection is lost), then follows the signed tables
 * of its subnet on gossipsub. It acts only on tables the bootstrap signed.
 */
export class TopologyClient extends TypedEventEmitter<TopologyEvents> {
  readonly bootstrapAddr: Multiaddr
  readonly bootstrapId: PeerId
  private readonly claimedSubnet: string
  private readonly log: Logger
  private readonly backoff: Backoff
  private current: Placement = { role: 'joining', subnet: null, virtualServer: null, members: [], virtualServerAddrs: [], userSerialId: null, seq: 0 }
  private topic?: string
  private controller?: AbortController
  private rejoin?: PromiseWithResolvers<void>
  private lastFailure?: JoinFailure
  private failedAttempts = 0
  /** how long the next join attempt may take: doubled after each attempt that timed out */
  private joinTimeoutMs = JOIN_TIMEOUT_MS
  private connected = false
  private servers?: Directory
  private followingDirectory = false
  /** this node's address as the bootstrap saw it at the last join (a NAT router's, behind one) */
  private observed?: string
  /** the relays the bootstrap named at the last join, for a node behind NAT */
  private relays: Multiaddr[] = []
  private readonly relaySlots: number

  constructor (private readonly libp2p: Libp2p<any>, init: TopologyInit) {
    super()
    try {
      this.bootstrapAddr = multiaddr(init.bootstrap)
    } catch (err: any) {
      throw new InvalidOptionError(`--bootstrap is not a multiaddr: "${init.bootstrap}" (${err.message})`)
    }
    const id = this.bootstrapAddr.getComponents().find(c => c.name === 'p2p')?.value
    if (id == null) throw new InvalidOptionError(`--bootstrap must end with /p2p/<bootstrap PeerId> so assignments can be verified; got "${init.bootstrap}"`)
    this.bootstrapId = peerIdFromString(id)
    this.claimedSubnet = init.claimedSubnet == null ? '' : parseCidr(init.claimedSubnet).canonical
    this.relaySlots = init.relaySlots ?? 0
    this.backoff = new Backoff(init.backoffInitialMs, init.backoffMaxMs)
    this.log = libp2p.logger.forComponent('peerhive:topology')
  }

  placement (): Placement {
    return { ...this.current, members: [...this.current.members], virtualServerAddrs: [...this.current.virtualServerAddrs] }
  }

  /** Whether the node holds a live join with the bootstrap (false while it retries). */
  bootstrapConnected (): boolean {
    return this.connected
  }

  /** Every virtual server of the network, as the bootstrap last published it (undefined until the first arrives; a member, which does not follow it, never gets one). */
  directory (): Directory['servers'] | undefined {
    return this.servers?.servers
  }

  /** This node's address as the bootstrap saw its connection at the last join, for example /ip4/203.0.113.2/tcp/50212. */
  observedAddr (): string | undefined {
    return this.observed
  }

  /** The circuit relays the bootstrap named at the last join, each with /p2p/<relay> (for a node behind NAT; empty otherwise). */
  relayAddrs (): Multiaddr[] {
    return [...this.relays]
  }

  /** The last error a join failed with, if the node has not joined since. */
  joinError (): Error | undefined {
    return this.lastFailure?.error
  }

  /** The last failed join (why, in words, and when the next attempt starts), if the node has not joined since. */
  lastJoinFailure (): JoinFailure | undefined {
    return this.lastFailure == null ? undefined : { ...this.lastFailure }
  }

  /** Joins the bootstrap again once the current join (or attempt) is done: the node's addresses changed. */
  joinAgain (): void {
    this.rejoin?.resolve()
  }

  async start (): Promise<void> {
    this.controller = new AbortController()
    this.libp2p.services.pubsub.addEventListener('message', this.onMessage)
    this.libp2p.addEventListener('peer:disconnect', this.onDisconnect)
    await this.libp2p.handle(PROTOCOL_ASSIGNMENT, (stream: Stream, connection: Connection) => { void this.onPush(stream, connection) }, {
      maxInboundStreams: 2,
      maxOutboundStreams: 1
    })
    void this.joinLoop(this.controller.signal)
  }

  async stop (): Promise<void> {
    this.controller?.abort()
    this.rejoin?.resolve()
    this.libp2p.services.pubsub.removeEventListener('message', this.onMessage)
    this.libp2p.removeEventListener('peer:disconnect', this.onDisconnect)
    this.setTopic(undefined)
    this.followDirectory(false)
    await this.libp2p.unhandle(PROTOCOL_ASSIGNMENT)
  }

  /** Resolves once the node holds one of `roles` (any assigned role by default). */
  async waitFor (roles: PeerRole[] = ['virtual-server', 'member', 'central-client'], signal?: AbortSignal): Promise<Placement> {
    if (roles.includes(this.current.role)) return this.placement()
    return new Promise((resolve, reject) => {
      const onPlacement = (evt: CustomEvent<Placement>): void => {
        if (roles.includes(evt.detail.role)) {
          cleanup()
          resolve(evt.detail)
        }
      }
      const onAbort = (): void => {
        cleanup()
        reject(signal?.reason ?? new Error('aborted'))
      }
      const cleanup = (): void => {
        this.removeEventListener('placement', onPlacement)
        signal?.removeEventListener('abort', onAbort)
      }
      this.addEventListener('placement', onPlacement)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  private async joinLoop (signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.rejoin = Promise.withResolvers<void>()
      try {
        await this.joinOnce(signal)
        this.lastFailure = undefined
        this.connected = true
        this.backoff.reset()
        this.safeDispatchEvent('join:succeeded', { detail: { failedAttempts: this.failedAttempts } })
        this.failedAttempts = 0
        this.joinTimeoutMs = JOIN_TIMEOUT_MS
        await this.rejoin.promise
        this.connected = false
        continue
      } catch (err: any) {
        if (signal.aborted) return
        this.log('join failed - %e', err)
        const delay = this.backoff.delay()
        this.joinFailed(err, Date.now() + delay)
        await pause(delay, signal)
      }
    }
  }

  private joinFailed (err: Error, nextRetryAt: number): void {
    this.failedAttempts++
    const failure: JoinFailure = { reason: describeJoinFailure(err, this.bootstrapAddr, this.bootstrapId, this.joinTimeoutMs), error: err, attempt: this.failedAttempts, nextRetryAt }
    // the loop returns before this on its own abort: an AbortError here is the attempt's deadline
    if (err.name === 'TimeoutError' || err.name === 'AbortError') this.joinTimeoutMs = Math.min(JOIN_TIMEOUT_MAX_MS, this.joinTimeoutMs * 2)
    this.lastFailure = failure
    this.safeDispatchEvent('join:failed', { detail: { ...failure } })
  }

  private async joinOnce (outer: AbortSignal): Promise<void> {
    // the connection first, on the dial's own deadline: a join timeout that also covered a slow handshake threw the
    // handshake away, and the next attempt paid for it again at both ends
    if (this.libp2p.getConnections(this.bootstrapId).length === 0) {
      await this.libp2p.dial(this.bootstrapAddr, { signal: AbortSignal.any([outer, AbortSignal.timeout(DIAL_TIMEOUT_MS)]) })
    }
    const signal = AbortSignal.any([outer, AbortSignal.timeout(this.joinTimeoutMs)])
    const channel = await openRequestChannel(this.libp2p, this.bootstrapAddr, PROTOCOL_JOIN, MAX_JOIN_RESPONSE_BYTES, { signal })
    const request: JoinRequest = {
      version: WIRE_VERSION,
      listenAddrs: this.libp2p.getMultiaddrs().map(ma => ma.decapsulateCode(421).toString()).slice(0, 16),
      host: probeHost(),
      claimedSubnet: this.claimedSubnet,
      relaySlots: this.relaySlots
    }
    const res = await requestResponse(channel, request, JoinRequest, JoinResponse, { maxInboundBytes: MAX_JOIN_RESPONSE_BYTES, signal })
    if (res.error !== JoinError.NONE) throw new JoinRejectedError(res.error, res.message)
    const table = decodeSubnetTable(res.table)
    if (table.subnet !== res.subnet) throw new JoinRejectedError('MALFORMED_MESSAGE', 'the join answer names two different subnets')
    this.current = { ...this.current, userSerialId: res.userSerialId }
    this.observed = res.observedAddr === '' ? undefined : res.observedAddr
    // the relays to reserve on: multiaddrs that end in /p2p/<relay>, others dropped
    this.relays = res.relayAddrs.flatMap(a => {
      try {
        const ma = multiaddr(a)
        return ma.getComponents().at(-1)?.name === 'p2p' ? [ma] : []
      } catch { return [] }
    })
    this.setTopic(assignmentTopic(res.subnet))
    // a direct, authenticated answer: taken even if its seq is lower (a bootstrap restored from a backup)
    this.apply(table, true)
  }

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    if (evt.detail.equals(this.bootstrapId)) {
      this.log('lost the bootstrap; joining again')
      this.rejoin?.resolve()
    }
  }

  private readonly onMessage = (evt: CustomEvent<any>): void => {
    const msg = evt.detail
    if (msg.topic !== this.topic && msg.topic !== DIRECTORY_TOPIC) return
    const from: string | null = msg.type === 'signed' ? msg.from.toString() : null
    if (msg.type !== 'signed' || !msg.from.equals(this.bootstrapId)) {
      this.reject(from, 'not signed by the bootstrap')
      return
    }
    if (msg.topic === DIRECTORY_TOPIC) {
      try {
        const directory = decodeDirectory(msg.data)
        if (directory.seq > (this.servers?.seq ?? 0)) this.servers = directory
      } catch (err: any) {
        this.reject(from, err.message)
      }
      return
    }
    let table: SubnetTable
    try {
      table = decodeSubnetTable(msg.data)
    } catch (err: any) {
      this.reject(from, err.message)
      return
    }
    this.accept(table, from)
  }

  /** A table pushed over a direct stream; the connection authenticates the sender (Noise). */
  private async onPush (stream: Stream, connection: Connection): Promise<void> {
    const from = connection.remotePeer.toString()
    if (!connection.remotePeer.equals(this.bootstrapId)) {
      this.reject(from, 'assignments are taken only from the bootstrap')
      stream.abort(new Error('assignments are taken only from the bootstrap'))
      return
    }
    try {
      await answerRequest(stream, checkedSubnetTable, AssignmentAck, {
        maxInboundBytes: MAX_TABLE_BYTES,
        signal: AbortSignal.timeout(ASSIGNMENT_TIMEOUT_MS),
        handle: table => {
          this.accept(table, from)
          return { seq: this.current.seq }
        },
        onBadRequest: err => {
          this.reject(from, err.message)
          return { seq: this.current.seq }
        }
      })
    } catch (err: any) {
      this.log('a pushed assignment failed - %e', err)
    }
  }

  /** Applies a table from the bootstrap if it is of our subnet and newer than what we hold. */
  private accept (table: SubnetTable, from: string | null): void {
    if (table.subnet !== this.current.subnet) {
      this.reject(from, `table of ${table.subnet}, but this peer is in ${this.current.subnet ?? 'no subnet'}`)
      return
    }
    if (table.seq <= this.current.seq) return
    this.apply(table, false)
  }

  private reject (from: string | null, reason: string): void {
    this.log('ignored a table from %s: %s', from, reason)
    this.safeDispatchEvent('assignment:rejected', { detail: { from, reason } })
  }

  private apply (table: SubnetTable, fromJoin: boolean): void {
    const self = this.libp2p.peerId.toString()
    const place = placeIn(table, self)
    if (place == null) {
      if (fromJoin) throw new JoinRejectedError('INTERNAL', 'the bootstrap answered with a table that does not place this peer')
      // the bootstrap dropped us (for example it timed us out); join again
      this.current = { ...this.current, role: 'joining', virtualServer: null, members: [], virtualServerAddrs: [], seq: table.seq }
      this.rejoin?.resolve()
      return
    }
    const previous = this.current
    this.current = { ...place, subnet: table.subnet, userSerialId: this.current.userSerialId, seq: table.seq }
    // members search through their virtual server, which routes for them: only servers and central clients need the directory
    this.followDirectory(place.role === 'virtual-server' || place.role === 'central-client')
    if (place.role === 'member' && place.virtualServer !== previous.virtualServer) this.connectToVirtualServer(place.virtualServerAddrs)
    if (previous.role !== this.current.role || previous.virtualServer !== this.current.virtualServer ||
        previous.members.join() !== this.current.members.join() || previous.subnet !== this.current.subnet) {
      this.log('now %s in %s (virtual server %s)', this.current.role, this.current.subnet, this.current.virtualServer)
      this.safeDispatchEvent('placement', { detail: this.placement() })
    }
  }

  private connectToVirtualServer (addrs: string[]): void {
    const server = this.current.virtualServer
    if (addrs.length === 0 || server == null) return
    const multiaddrs = addrs.map(a => multiaddr(a))
    // remembered, so that every later dial of the virtual server (index pushes, searches) knows where it is
    void this.libp2p.peerStore.merge(peerIdFromString(server), { multiaddrs: multiaddrs.map(ma => ma.decapsulateCode(421)) })
      .catch((err: Error) => { this.log('could not store the virtual server\'s addresses - %e', err) })
    void this.libp2p.dial(multiaddrs, { signal: AbortSignal.timeout(JOIN_TIMEOUT_MS) })
      .catch((err: Error) => { this.log('could not reach the virtual server - %e', err) })
  }

  private setTopic (topic: string | undefined): void {
    if (topic === this.topic) return
    if (this.topic != null) this.unfollow(this.topic)
    this.topic = topic
    if (topic != null) this.follow(topic)
  }

  private followDirectory (on: boolean): void {
    if (on === this.followingDirectory) return
    this.followingDirectory = on
    if (on) this.follow(DIRECTORY_TOPIC)
    else this.unfollow(DIRECTORY_TOPIC)
  }

  /** Subscribes to a topic of the bootstrap's; anything on it that the bootstrap did not sign is refused and not forwarded. */
  private follow (topic: string): void {
    const pubsub = this.libp2p.services.pubsub
    pubsub.topicValidators.set(topic, (_peer: PeerId, msg: any) => {
      if (msg.type === 'signed' && msg.from.equals(this.bootstrapId)) return TopicValidatorResult.Accept
      this.log('refused a message on %s from %s: not signed by the bootstrap', topic, msg.from?.toString())
      this.safeDispatchEvent('assignment:rejected', { detail: { from: msg.from?.toString() ?? null, reason: 'not signed by the bootstrap' } })
      return TopicValidatorResult.Reject
    })
    pubsub.subscribe(topic)
  }

  private unfollow (topic: string): void {
    const pubsub = this.libp2p.services.pubsub
    pubsub.unsubscribe(topic)
    pubsub.topicValidators.delete(topic)
  }
}
