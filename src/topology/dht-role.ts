/**
 * Which nodes serve the DHT (issue 9). A node that serves the DHT is dialled
 * by every walk that passes near its key: a Noise handshake, identify and
 * gossipsub for each new walker. Members, central clients and joining nodes
 * were made DHT clients first (that was most of an idle peer's CPU). Then
 * virtual servers stopped serving too: at 1,000 arriving peers their
 * workers spent their time on the members' walks, the members' own index
 * pushes to them failed in the handshake about nine times each, and a
 * member's index reached its virtual server after 131 s (median; 230 s at
 * p99). With the bootstrap serving alone, walks ride the connection every
 * peer keeps to it anyway: the index arrived after 2.6 s (p99 5.3 s), and
 * joins took 0.9 s (p99 2.7 s, against 7 to 9 s). A virtual server's load
 * is its group's; a DHT server's is the whole network's churn.
 *
 * So under `auto` every peer is a DHT client (it still publishes and
 * searches) and the DHT is served by the bootstrap and by the daemons an
 * operator starts with `--dht-mode server` (long-lived, well-connected
 * seed nodes), which spread the records among them as the network grows.
 */
import type { Placement, PeerRole } from './topology-client.js'
import type { ReachabilityService } from './reachability.js'
import type { RoleComponents } from './role-components.js'
import type { Logger } from '@libp2p/interface'

export type DhtMode = 'client' | 'server'

/** `auto`: peerhive's rule (see dhtModeFor); `server` or `client`: always that mode. */
export type DhtModeOption = 'auto' | DhtMode

export const DHT_MODE_OPTIONS: readonly DhtModeOption[] = ['auto', 'server', 'client']

/**
 * The mode a node of `role` runs: under `auto` a client whatever its role
 * (see above), else the operator's fixed mode; and a client behind NAT
 * whatever the operator asked, since nobody outside its home can dial it
 * (issue 11), and a server others cannot reach only slows their walks.
 */
export function dhtModeFor (_role: PeerRole, option: DhtModeOption = 'auto', behindNat = false): DhtMode {
  return option === 'server' && !behindNat ? 'server' : 'client'
}

/**
 * How often a DHT client walks the network to keep its routing table fresh
 * (kad-dht's table refresh and self-query). kad-dht does both every 5
 * minutes in either mode, and a refresh is one lookup per bucket: at 1,000
 * peers, about 7 lookups of about 12 requests each per member every 5
 * minutes is some 280 requests a second, most of them to servers the
 * member has to dial. A client's own lookups (announcing,
 * searching) keep its table fresh enough to start the next one; servers,
 * which others route through, walk more often (SERVER_DHT_UPKEEP_MS).
 */
export const CLIENT_DHT_UPKEEP_MS = 60 * 60_000

/**
 * How often a DHT server walks the network: go-libp2p-kad-dht's 10 minutes
 * (js kad-dht's default is 5), each server at its own pace within
 * SERVER_UPKEEP_JITTER of it. Servers elected together (the first minute of
 * a network, a bootstrap restart) otherwise walked together: at 1,000 peers
 * the 100 servers refreshed within seconds of each other 5 minutes after
 * their election, the workers' event loops stalled for 5 to 13 s, and the
 * searches running then missed one in six.
 */
export const SERVER_DHT_UPKEEP_MS = 10 * 60_000
export const SERVER_UPKEEP_JITTER = 0.25

interface ModalDht {
  getMode: () => DhtMode
  setMode: (mode: DhtMode) => Promise<void>
  refreshRoutingTable: () => Promise<void>
  /** kad-dht internals (not in its types), set by setUpkeep */
  routingTableRefresh?: { refreshInterval?: number }
  querySelf?: { interval?: number }
}

export type DhtRoleComponents = Pick<RoleComponents, 'logger' | 'placements' | 'dht'> & {
  /** whether the node is behind NAT, and an event when that changes; none: never */
  reachability?: Pick<ReachabilityService, 'reachability' | 'addEventListener' | 'removeEventListener'>
}

export interface DhtRoleInit {
  /** NodeOptions.dhtMode; @default 'auto' */
  mode?: DhtModeOption
}

/** Keeps the node's DHT in the mode dhtModeFor gives its role (switching when a placement changes it), at that mode's walking pace. */
export class DhtRole {
  private readonly log: Logger
  /** mode changes run one after another, in placement order */
  private chain: Promise<void> = Promise.resolve()
  private running = false
  /** this node's walk interval as a server; undefined when kad-dht does not expose its schedule */
  private readonly serverUpkeepMs?: number

  private readonly option: DhtModeOption

  constructor (private readonly components: DhtRoleComponents, init: DhtRoleInit = {}) {
    this.log = components.logger.forComponent('peerhive:dht-role')
    this.option = init.mode ?? 'auto'
    const dht = this.dht()
    // a kad-dht without these fields keeps its own schedule (test/integration/dht-role.spec.ts notices the change)
    if (typeof dht.routingTableRefresh?.refreshInterval === 'number' && typeof dht.querySelf?.interval === 'number') {
      this.serverUpkeepMs = Math.round(SERVER_DHT_UPKEEP_MS * (1 - SERVER_UPKEEP_JITTER + 2 * SERVER_UPKEEP_JITTER * Math.random()))
    }
    this.setUpkeep(dht.getMode())
  }

  /** The routing-table upkeep interval the node runs now (ms), if kad-dht exposes it. */
  upkeepMs (): number | undefined {
    return this.dht().routingTableRefresh?.refreshInterval
  }

  /** The mode the node runs now. */
  mode (): DhtMode {
    return this.dht().getMode()
  }

  start (): void {
    if (this.running) return
    this.running = true
    this.components.placements.addEventListener('placement', this.onPlacement)
    this.components.reachability?.addEventListener('reachability', this.onReachability)
    this.follow(this.components.placements.placement().role)
  }

  /** Resolves once every mode change asked for so far is done. */
  async settled (): Promise<void> {
    await this.chain
  }

  async stop (): Promise<void> {
    this.running = false
    this.components.placements.removeEventListener('placement', this.onPlacement)
    this.components.reachability?.removeEventListener('reachability', this.onReachability)
    await this.chain
  }

  private readonly onPlacement = (evt: CustomEvent<Placement>): void => {
    this.follow(evt.detail.role)
  }

  private readonly onReachability = (): void => {
    this.follow(this.components.placements.placement().role)
  }

  private follow (role: PeerRole): void {
    this.chain = this.chain.then(async () => {
      if (!this.running) return
      const behindNat = this.components.reachability?.reachability() === 'behind-nat'
      const wanted = dhtModeFor(role, this.option, behindNat)
      if (behindNat && this.option === 'server') this.log.error('behind NAT: a DHT client despite --dht-mode server, since nobody outside this home can dial it')
      const dht = this.dht()
      if (dht.getMode() === wanted) return
      await dht.setMode(wanted)
      this.setUpkeep(wanted)
      this.log('DHT %s mode (%s%s)', wanted, role, behindNat ? ', behind NAT' : '')
      // a new server walks the network, so that the other servers put it in their tables and send it records
      if (wanted === 'server') await dht.refreshRoutingTable()
    }).catch((err: Error) => {
      this.log.error('could not switch the DHT mode - %e', err)
    })
  }

  /** Walks hourly as a client, every 10 minutes or so as a server; the next scheduled walk runs at the new pace. */
  private setUpkeep (mode: DhtMode): void {
    const serverMs = this.serverUpkeepMs
    const dht = this.dht()
    if (serverMs == null || dht.routingTableRefresh == null || dht.querySelf == null) return
    const ms = mode === 'client' ? CLIENT_DHT_UPKEEP_MS : serverMs
    dht.routingTableRefresh.refreshInterval = ms
    dht.querySelf.interval = ms
  }

  private dht (): ModalDht {
    return this.components.dht as ModalDht
  }
}

export function dhtRole (init: DhtRoleInit = {}): (components: DhtRoleComponents) => DhtRole {
  return components => new DhtRole(components, init)
}
