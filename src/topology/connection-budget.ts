/**
 * A connection budget by role (issue 9, idle cost). Every open connection
 * costs pings, identify and gossipsub upkeep, and DHT walks leave many
 * behind. libp2p's own pruner acts only above maxConnections, never closes a
 * connection that carries a gossipsub stream (all of them do), and refuses
 * inbound connections once at the limit. So the node trims itself instead:
 * a while after connections open, it closes idle ones over its role's
 * budget, and never the links its role needs (the bootstrap, its virtual
 * server, its members), which are also tagged so libp2p's pruner spares them.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import type { Placement, PeerRole } from './topology-client.js'
import type { RoleComponents } from './role-components.js'
import { KEEP_ALIVE, type Connection, type Logger, type PeerId, type PeerUpdate } from '@libp2p/interface'

/** Idle connections a node keeps, by role, besides the links its role needs. */
export interface ConnectionBudgets {
  /**
   * A member, a central client or a joining node: the bootstrap, its
   * virtual server and a few DHT servers.
   * @default 8
   */
  member?: number
  /**
   * A virtual server: its members come on top; other virtual servers and
   * the DHT clients that walk through it share this.
   * @default 32
   */
  virtualServer?: number
  /**
   * How long after a connection opens the node checks its budget (DHT walks
   * open many at once; one check covers them).
   * @default 5000
   */
  checkDelayMs?: number
}

export const DEFAULT_MEMBER_CONNECTIONS = 8
export const DEFAULT_VIRTUAL_SERVER_CONNECTIONS = 32
export const DEFAULT_BUDGET_CHECK_DELAY_MS = 5_000

/** Tag that keeps a needed link out of libp2p's pruning (gossipsub tags mesh peers 100, kad-dht its closest peers 50; libp2p allows 0-100). */
const NEEDED_TAG = 'peerhive-needed'
const NEEDED_TAG_VALUE = 100

/** kad-dht's keep-alive tag on its closest peers (KEEP_ALIVE_TAG in @libp2p/kad-dht, not exported) */
const KAD_KEEP_ALIVE_TAG = `${KEEP_ALIVE}-kad-dht`

/** Streams that every connection carries while idle: they do not make it busy. */
const HOUSEKEEPING = ['/meshsub/', '/floodsub/', '/ipfs/id/', '/ipfs/ping/']

/** Connections closed at most per check, so one check stays short. */
const MAX_CLOSE_PER_CHECK = 64

/** The links a node of this placement needs: the bootstrap, and its virtual server or its members. */
export function neededPeers (placement: Placement, bootstrap: string): Set<string> {
  const needed = new Set([bootstrap])
  // a virtual server's placement names itself
  if (placement.role !== 'virtual-server' && placement.virtualServer != null) needed.add(placement.virtualServer)
  for (const m of placement.members) needed.add(m)
  return needed
}

/** How many connections a node of `role` keeps besides the ones it needs. */
export function budgetFor (role: PeerRole, budgets: ConnectionBudgets = {}): number {
  return role === 'virtual-server'
    ? budgets.virtualServer ?? DEFAULT_VIRTUAL_SERVER_CONNECTIONS
    : budgets.member ?? DEFAULT_MEMBER_CONNECTIONS
}

/** A connection with no stream beyond housekeeping (pings, identify, gossipsub) is idle. */
export function isIdle (connection: Pick<Connection, 'streams'>): boolean {
  return connection.streams.every(s => s.protocol == null || HOUSEKEEPING.some(p => s.protocol?.startsWith(p) === true))
}

export type ConnectionBudgetComponents = Pick<RoleComponents, 'logger' | 'placements' | 'events' | 'peerStore' | 'connections'>

export class ConnectionBudget {
  private readonly log: Logger
  private readonly checkDelayMs: number
  private timer?: ReturnType<typeof setTimeout>
  private tagged = new Set<string>()
  private running = false

  constructor (private readonly components: ConnectionBudgetComponents, private readonly budgets: ConnectionBudgets = {}) {
    this.log = components.logger.forComponent('peerhive:connection-budget')
    this.checkDelayMs = budgets.checkDelayMs ?? DEFAULT_BUDGET_CHECK_DELAY_MS
  }

  start (): void {
    if (this.running) return
    this.running = true
    this.components.placements.addEventListener('placement', this.onPlacement)
    this.components.events.addEventListener('connection:open', this.onOpen)
    this.components.events.addEventListener('peer:update', this.onPeerUpdate)
    this.retag()
    this.schedule()
  }

  stop (): void {
    this.running = false
    this.components.placements.removeEventListener('placement', this.onPlacement)
    this.components.events.removeEventListener('connection:open', this.onOpen)
    this.components.events.removeEventListener('peer:update', this.onPeerUpdate)
    clearTimeout(this.timer)
    this.timer = undefined
  }

  /** Closes idle connections over the budget now; resolves with how many it closed. */
  async trim (): Promise<number> {
    const placement = this.components.placements.placement()
    const needed = neededPeers(placement, this.components.placements.bootstrapId.toString())
    const budget = budgetFor(placement.role, this.budgets) + needed.size
    const connections = this.components.connections.getConnections()
    if (connections.length <= budget) return 0
    const candidates = connections.filter(c => c.status === 'open' && !needed.has(c.remotePeer.toString()) && isIdle(c))
    const tags = new Map<string, Map<string, { value: number }>>()
    for (const c of candidates) tags.set(c.remotePeer.toString(), await this.tagsOf(c.remotePeer))
    const closable = candidates.filter(c => {
      const keepAlive = [...(tags.get(c.remotePeer.toString())?.keys() ?? [])].filter(t => t.startsWith(KEEP_ALIVE))
      // kad-dht's keep-alive is dropped (see onPeerUpdate); anyone else's is respected
      return keepAlive.every(t => t === KAD_KEEP_ALIVE_TAG)
    })
    const value = (c: Connection): number => [...(tags.get(c.remotePeer.toString())?.values() ?? [])].reduce((sum, t) => sum + t.value, 0)
    // least valued first (kad-dht and gossipsub tag the peers they rely on), then the newest
    closable.sort((a, b) => value(a) - value(b) || b.timeline.open - a.timeline.open)
    const over = connections.length - budget
    const victims = closable.slice(0, Math.min(over, MAX_CLOSE_PER_CHECK))
    // busy links are left alone: look again once they may have finished
    if (victims.length < over && connections.some(c => !needed.has(c.remotePeer.toString()) && !isIdle(c))) this.schedule()
    // without its keep-alive tag the reconnect queue leaves the peer closed; kad-dht tags it again only if its closest set changes
    await Promise.all(victims.filter(c => tags.get(c.remotePeer.toString())?.has(KAD_KEEP_ALIVE_TAG) === true).map(async c =>
      this.components.peerStore.merge(c.remotePeer, { tags: { [KAD_KEEP_ALIVE_TAG]: undefined } }).catch(() => {})))
    await Promise.all(victims.map(async c => {
      try {
        await c.close({ signal: AbortSignal.timeout(1_000) })
      } catch (err: any) {
        c.abort(err)
      }
    }))
    if (victims.length > 0) this.log('closed %d idle connections (%d open, budget %d as %s)', victims.length, connections.length, budget, placement.role)
    return victims.length
  }

  private readonly onOpen = (): void => { this.schedule() }

  /**
   * kad-dht keeps its 20 closest peers connected (a keep-alive tag: the
   * reconnect queue dials them again whenever they disconnect). A DHT client
   * is in no one's routing table, so that only costs it connections. A
   * server's closest peers need not count it among theirs: they may trim
   * the link, and the reconnect queue dials it again, over and over. Every
   * node drops the tag; kad-dht's value tag (kad-close) still ranks those
   * peers first when the budget chooses what to keep.
   */
  private readonly onPeerUpdate = (evt: CustomEvent<PeerUpdate>): void => {
    const { peer } = evt.detail
    if (!peer.tags.has(KAD_KEEP_ALIVE_TAG)) return
    this.components.peerStore.merge(peer.id, { tags: { [KAD_KEEP_ALIVE_TAG]: undefined } })
      .catch((err: Error) => { this.log('could not untag %p - %e', peer.id, err) })
  }

  private readonly onPlacement = (): void => {
    this.retag()
    this.schedule()
  }

  private schedule (): void {
    if (!this.running || this.timer != null) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      if (!this.running) return
      this.trim().catch((err: Error) => { this.log.error('could not trim connections - %e', err) })
    }, this.checkDelayMs)
    this.timer.unref?.()
  }

  private async tagsOf (peer: PeerId): Promise<Map<string, { value: number }>> {
    try {
      return (await this.components.peerStore.get(peer)).tags
    } catch {
      return new Map()
    }
  }

  /** Tags the links this placement needs and untags the ones it no longer does. */
  private retag (): void {
    const needed = neededPeers(this.components.placements.placement(), this.components.placements.bootstrapId.toString())
    const changes: Array<[string, boolean]> = [
      ...[...needed].filter(p => !this.tagged.has(p)).map(p => [p, true] as [string, boolean]),
      ...[...this.tagged].filter(p => !needed.has(p)).map(p => [p, false] as [string, boolean])
    ]
    this.tagged = needed
    for (const [peer, add] of changes) {
      let id: PeerId
      try {
        id = peerIdFromString(peer)
      } catch {
        continue
      }
      this.components.peerStore.merge(id, { tags: { [NEEDED_TAG]: add ? { value: NEEDED_TAG_VALUE } : undefined } })
        .catch((err: Error) => { this.log('could not tag %s - %e', peer, err) })
    }
  }
}

export function connectionBudget (budgets: ConnectionBudgets = {}): (components: ConnectionBudgetComponents) => ConnectionBudget {
  return components => new ConnectionBudget(components, budgets)
}
