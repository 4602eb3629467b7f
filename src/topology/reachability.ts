/**
 * Whether others can dial this node, and a relay slot when they cannot
 * (issue 11). The bootstrap answers every join with the address it saw the
 * node connect from. When that address is not one of the node's own, a NAT
 * router stands between them: nobody outside the home can dial the node, so
 * it reserves a slot on the circuit relays the bootstrap names (its own, and
 * a public peer's that offers one) and advertises the relayed addresses
 * (libp2p's address manager adds them to the node's addresses, identify
 * pushes them to its peers, the DHT hands them out).
 */
import { networkInterfaces } from 'node:os'
import { isIPv4, isIPv6 } from 'node:net'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { TypedEventEmitter } from 'main-event'
import { isRelayedAddress } from '../core/lan-addresses.js'
import { Backoff } from './backoff.js'
import type { TopologyClient } from './topology-client.js'
import type { ComponentLogger, Connection, Logger } from '@libp2p/interface'

/**
 * `direct`: the bootstrap saw one of this node's own addresses; `mapped`: it
 * saw a router's that forwards a port to this node (UPnP); `behind-nat`: it
 * saw a router's that does not.
 */
export type Reachability = 'unknown' | 'direct' | 'mapped' | 'behind-nat'

export interface RelayState {
  /** `none`: the node needs no relay */
  state: 'none' | 'reserving' | 'reserved' | 'lost' | 'failed'
  /** the node's relayed addresses (with /p2p-circuit) */
  addrs: string[]
  /** why the last reservation failed */
  error?: string
}

export interface ReachabilityComponents {
  logger: ComponentLogger
  topology: Pick<TopologyClient, 'addEventListener' | 'removeEventListener' | 'observedAddr' | 'bootstrapAddr' | 'relayAddrs' | 'joinAgain'>
  /** the node's addresses now (libp2p.getMultiaddrs) */
  addresses: () => Multiaddr[]
  /** listens on more addresses (the transport manager's listen): a /p2p-circuit address reserves a relay slot */
  listen: (addrs: Multiaddr[]) => Promise<void>
  /** the public IPs of routers that forward a port to this node (port mapping) */
  mappedIps?: () => Set<string>
}

export interface ReachabilityInit {
  /** first wait before a failed reservation is tried again (it doubles up to retryMaxMs); @default 2000 */
  retryInitialMs?: number
  /** @default 60000 */
  retryMaxMs?: number
}

/** The IP of a multiaddr, if it has one. */
function ipOf (ma: Multiaddr): string | undefined {
  return ma.getComponents().find(c => c.name === 'ip4' || c.name === 'ip6')?.value
}

/** Every address of this host's interfaces. */
function interfaceIps (): Set<string> {
  const ips = new Set<string>()
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) ips.add(i.address)
  return ips
}

/**
 * Whether `observed` (the address the bootstrap saw) is the node's own:
 * one of its interfaces' or listen addresses, or a loopback address (the
 * bootstrap runs on this host); or a router's that forwards to the node
 * (`mapped`).
 */
export function reachabilityOf (observed: string | undefined, own: Iterable<string>, mapped: ReadonlySet<string> = new Set()): Reachability {
  if (observed == null) return 'unknown'
  let ip: string | undefined
  try {
    ip = ipOf(multiaddr(observed))
  } catch {
    return 'unknown'
  }
  if (ip == null || (!isIPv4(ip) && !isIPv6(ip))) return 'unknown'
  if (ip.startsWith('127.') || ip === '::1') return 'direct'
  if (mapped.has(ip)) return 'mapped'
  return new Set(own).has(ip) ? 'direct' : 'behind-nat'
}

export interface ReachabilityEvents {
  /** the node's reachability changed (after a join) */
  reachability: CustomEvent<Reachability>
}

/** How many of `connections` are direct, and how many go through a relay. */
export function connectionKinds (connections: Array<Pick<Connection, 'remoteAddr'>>): { direct: number, relayed: number } {
  const relayed = connections.filter(c => isRelayedAddress(c.remoteAddr)).length
  return { direct: connections.length - relayed, relayed }
}

export class ReachabilityService extends TypedEventEmitter<ReachabilityEvents> {
  private readonly log: Logger
  private readonly backoff: Backoff
  private current: Reachability = 'unknown'
  private relay: RelayState = { state: 'none', addrs: [] }
  private retry?: ReturnType<typeof setTimeout>
  private running = false

  constructor (private readonly components: ReachabilityComponents, init: ReachabilityInit = {}) {
    super()
    this.log = components.logger.forComponent('peerhive:reachability')
    this.backoff = new Backoff(init.retryInitialMs ?? 2_000, init.retryMaxMs ?? 60_000)
  }

  start (): void {
    if (this.running) return
    this.running = true
    this.components.topology.addEventListener('join:succeeded', this.onJoin)
  }

  stop (): void {
    this.running = false
    this.components.topology.removeEventListener('join:succeeded', this.onJoin)
    clearTimeout(this.retry)
  }

  reachability (): Reachability {
    return this.current
  }

  /** The relay slots this node holds, or why it has none (`lost`: with the relays' connections, until the next join). */
  relayState (): RelayState {
    const addrs = this.relayAddrs()
    return { ...this.relay, state: this.relay.state === 'reserved' && addrs.length === 0 ? 'lost' : this.relay.state, addrs }
  }

  private readonly onJoin = (): void => {
    const own = interfaceIps()
    for (const ma of this.components.addresses()) {
      const ip = ipOf(ma)
      if (ip != null) own.add(ip)
    }
    const next = reachabilityOf(this.components.topology.observedAddr(), own, this.components.mappedIps?.())
    const changed = next !== this.current
    this.current = next
    if (changed) {
      this.log('reachability: %s (the bootstrap saw %s)', next, this.components.topology.observedAddr())
      this.safeDispatchEvent('reachability', { detail: next })
    }
    if (next === 'behind-nat') void this.reserve()
  }

  /** This node's relayed addresses, through any relay. */
  private relayAddrs (): string[] {
    return this.components.addresses().filter(isRelayedAddress).map(ma => ma.toString())
  }

  /** The relays the bootstrap named at the last join (its own, when it named none), that this node holds no slot on. */
  private relaysToReserve (): Multiaddr[] {
    const named = this.components.topology.relayAddrs()
    const relays = named.length > 0 ? named : [this.components.topology.bootstrapAddr]
    const held = this.relayAddrs()
    return relays.filter(r => !held.some(a => a.includes(`/p2p/${r.getComponents().at(-1)?.value ?? ''}/p2p-circuit/`)))
  }

  /** Reserves a slot on each relay the bootstrap named that the node holds none on, unless it is reserving. */
  private async reserve (): Promise<void> {
    if (!this.running || this.relay.state === 'reserving') return
    const missing = this.relaysToReserve()
    if (missing.length === 0) return
    clearTimeout(this.retry)
    this.relay = { state: 'reserving', addrs: [] }
    const errors: string[] = []
    for (const relay of missing) {
      try {
        await this.components.listen([relay.encapsulate('/p2p-circuit')])
      } catch (err: any) {
        errors.push(`${relay.toString()}: ${String(err.name)}: ${String(err.message)}`)
        this.log.error('could not reserve a relay slot on %a - %e', relay, err)
      }
    }
    const error = errors.length === 0 ? {} : { error: errors.join('; ') }
    this.relay = { state: this.relayAddrs().length > 0 ? 'reserved' : 'failed', addrs: [], ...error }
    if (errors.length === 0) {
      this.backoff.reset()
      this.log('reserved relay slots: %s', this.relayAddrs().join(', '))
    } else if (this.running) {
      const delay = this.backoff.delay()
      this.log('trying the relays that refused again in %d ms', delay)
      // holding no slot at all, the node asks the bootstrap again: a public relay may have come (or gone) since
      const held = this.relayAddrs().length > 0
      this.retry = setTimeout(() => { if (held) void this.reserve(); else this.components.topology.joinAgain() }, delay)
    }
  }
}

export function reachability (init: ReachabilityInit = {}): (components: ReachabilityComponents) => ReachabilityService {
  return components => new ReachabilityService(components, init)
}
