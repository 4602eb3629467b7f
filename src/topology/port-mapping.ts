/**
 * Port mapping on the home router (issue 11): a node behind NAT asks its
 * router, over UPnP IGD, to forward a port of the router's public address to
 * its own listening port, then announces the public address and joins again.
 * The bootstrap then lists the node by that address (and probes it, for the
 * election), so others dial the node directly and need neither the relay nor
 * a hole punch.
 *
 * libp2p's own @libp2p/upnp-nat refuses any gateway whose public address is
 * in a reserved range (its double-NAT check), documentation ranges included,
 * and confirms its addresses only through @libp2p/autonat. peerhive has the
 * bootstrap for that, so this service drives the same UPnP client
 * (@achingbrain/nat-port-mapper) itself.
 */
import { upnpNat, type Gateway, type UPnPNAT } from '@achingbrain/nat-port-mapper'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { isLanAddress, isRelayedAddress } from '../core/lan-addresses.js'
import { Backoff } from './backoff.js'
import type { Reachability, ReachabilityEvents } from './reachability.js'
import type { ComponentLogger, Logger, TypedEventTarget } from '@libp2p/interface'

export interface PortMappingStatus {
  /** `off`: not asked to map; `idle`: the node needs no mapping; `no-gateway`: no UPnP router answered */
  state: 'off' | 'idle' | 'searching' | 'mapped' | 'no-gateway' | 'failed'
  /** the router that maps, as its control URL's host:port */
  gateway?: string
  /** each forward: the node's own address, and the router's public one that leads to it */
  mappings: Array<{ internal: string, external: string }>
  /** why the last search or mapping failed */
  error?: string
}

/** the slice of libp2p's address manager the service writes to (not in libp2p's public API) */
export interface MappedAddressSink {
  addPublicAddressMapping: (internalIp: string, internalPort: number, externalIp: string, externalPort: number, protocol: 'tcp') => void
  confirmObservedAddr: (addr: Multiaddr, options?: { ttl?: number }) => void
}

export interface PortMappingComponents {
  logger: ComponentLogger
  reachability: TypedEventTarget<ReachabilityEvents> & { reachability: () => Reachability }
  /** the node's addresses now (libp2p.getMultiaddrs) */
  addresses: () => Multiaddr[]
  addressManager: MappedAddressSink
  /** joins the bootstrap again, so it lists the node by its mapped address */
  joinAgain: () => void
  /** names the forward on the router, for whoever reads its table */
  description: string
}

export interface PortMappingInit {
  /** false: never search for a router; @default true */
  enabled?: boolean
  /** how long one search for a UPnP router lasts; @default 5000 */
  searchTimeoutMs?: number
  /** first wait before a failed search or mapping is tried again (it doubles up to retryMaxMs); @default 30000 */
  retryInitialMs?: number
  /** @default 600000 */
  retryMaxMs?: number
  /** the UPnP client (a test may pass its own) */
  client?: UPnPNAT
}

/** a confirmed mapping stays in the address list for as long as it exists */
const FOREVER_MS = 100 * 365 * 24 * 3600_000

/** The node's own LAN addresses a router could forward to: IPv4, TCP, not relayed. */
export function mappableAddresses (addresses: Multiaddr[]): Array<{ host: string, port: number }> {
  const out: Array<{ host: string, port: number }> = []
  for (const ma of addresses) {
    const parts = ma.getComponents()
    if (parts.length < 2 || parts[0].name !== 'ip4' || parts[1].name !== 'tcp' || isRelayedAddress(ma)) continue
    const host = parts[0].value ?? ''
    const port = Number(parts[1].value)
    if (!isLanAddress(host) || !(port > 0)) continue
    if (!out.some(a => a.host === host && a.port === port)) out.push({ host, port })
  }
  return out
}

export class PortMappingService {
  private readonly log: Logger
  private readonly backoff: Backoff
  private readonly client?: UPnPNAT
  private readonly searchTimeoutMs: number
  private status: PortMappingStatus
  private gateway?: Gateway
  private readonly mapped = new Map<string, { host: string, port: number, externalHost: string, externalPort: number }>()
  private retry?: ReturnType<typeof setTimeout>
  private controller?: AbortController
  private working = false

  constructor (private readonly components: PortMappingComponents, init: PortMappingInit = {}) {
    this.log = components.logger.forComponent('peerhive:port-mapping')
    this.backoff = new Backoff(init.retryInitialMs ?? 30_000, init.retryMaxMs ?? 600_000)
    this.searchTimeoutMs = init.searchTimeoutMs ?? 5_000
    const enabled = init.enabled ?? true
    this.status = { state: enabled ? 'idle' : 'off', mappings: [] }
    if (enabled) this.client = init.client ?? upnpNat({ description: components.description, autoRefresh: true })
  }

  start (): void {
    if (this.client == null || this.controller != null) return
    this.controller = new AbortController()
    this.components.reachability.addEventListener('reachability', this.onReachability)
    if (this.components.reachability.reachability() === 'behind-nat') void this.map()
  }

  /** Stops, and removes its forwards from the router (within a second). */
  async stop (): Promise<void> {
    if (this.controller == null) return
    this.controller.abort()
    this.controller = undefined
    clearTimeout(this.retry)
    this.components.reachability.removeEventListener('reachability', this.onReachability)
    await this.gateway?.stop({ signal: AbortSignal.timeout(1_000) }).catch(err => { this.log.error('could not remove the port forwards - %e', err) })
    this.gateway = undefined
  }

  /** The router's public IPs that forward to this node. */
  externalIps (): Set<string> {
    return new Set([...this.mapped.values()].map(m => m.externalHost))
  }

  portMapping (): PortMappingStatus {
    return { ...this.status, mappings: [...this.mapped.values()].map(m => ({ internal: `${m.host}:${m.port}`, external: `${m.externalHost}:${m.externalPort}` })) }
  }

  private readonly onReachability = (evt: CustomEvent<Reachability>): void => {
    if (evt.detail === 'behind-nat') void this.map()
  }

  /** Finds the router (once) and forwards every listening address not forwarded yet; tries again later on a failure. */
  private async map (): Promise<void> {
    const signal = this.controller?.signal
    if (this.client == null || signal == null || signal.aborted || this.working) return
    this.working = true
    clearTimeout(this.retry)
    try {
      const gateway = this.gateway ?? await this.findGateway(this.client, signal)
      if (gateway == null) {
        this.status = { state: 'no-gateway', mappings: [] }
        this.log('no UPnP router answered within %d ms', this.searchTimeoutMs)
        this.again()
        return
      }
      this.gateway = gateway
      const added = await this.forward(gateway, signal)
      this.status = { state: this.mapped.size > 0 ? 'mapped' : 'failed', gateway: `${gateway.host}:${gateway.port}`, mappings: [], ...(this.mapped.size > 0 ? {} : { error: 'the node has no LAN address to forward to' }) }
      this.backoff.reset()
      if (added > 0) this.components.joinAgain()
    } catch (err: any) {
      if (signal.aborted) return
      this.status = { state: 'failed', mappings: [], ...(this.gateway == null ? {} : { gateway: `${this.gateway.host}:${this.gateway.port}` }), error: `${String(err.name)}: ${String(err.message)}` }
      this.log.error('could not map a port on the router - %e', err)
      this.again()
    } finally {
      this.working = false
    }
  }

  private async findGateway (client: UPnPNAT, outer: AbortSignal): Promise<Gateway | undefined> {
    this.status = { state: 'searching', mappings: [] }
    const search = new AbortController()
    const signal = AbortSignal.any([outer, search.signal, AbortSignal.timeout(this.searchTimeoutMs)])
    try {
      for await (const gateway of client.findGateways({ signal, searchInterval: 1_000 })) {
        if (gateway.family !== 'IPv4') continue
        search.abort()
        return gateway
      }
    } catch (err: any) {
      if (!signal.aborted) throw err
    }
    return undefined
  }

  /** Forwards the addresses not forwarded yet; how many it added. */
  private async forward (gateway: Gateway, signal: AbortSignal): Promise<number> {
    let added = 0
    for (const { host, port } of mappableAddresses(this.components.addresses())) {
      const key = `${host}:${port}`
      if (this.mapped.has(key)) continue
      const m = await gateway.map(port, host, { protocol: 'TCP', description: this.components.description, signal })
      const external = multiaddr(`/ip4/${m.externalHost}/tcp/${m.externalPort}`)
      this.components.addressManager.addPublicAddressMapping(host, port, m.externalHost, m.externalPort, 'tcp')
      // announced at once: the router said it forwards, and the bootstrap's probe checks it
      this.components.addressManager.confirmObservedAddr(external, { ttl: FOREVER_MS })
      this.mapped.set(key, { host, port, externalHost: m.externalHost, externalPort: m.externalPort })
      this.log('the router forwards %s to %s', external.toString(), key)
      added++
    }
    return added
  }

  private again (): void {
    if (this.controller == null) return
    const delay = this.backoff.delay()
    this.retry = setTimeout(() => { if (this.components.reachability.reachability() === 'behind-nat') void this.map() }, delay)
  }
}

export function portMapping (init: PortMappingInit = {}): (components: PortMappingComponents) => PortMappingService {
  return components => new PortMappingService(components, init)
}
