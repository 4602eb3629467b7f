import { join } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import {
  DEFAULT_MAX_CONCURRENT_JOINS, DEFAULT_JOINS_PER_PEER, DEFAULT_MEMBER_TIMEOUT_MS, DEFAULT_PEER_TIMEOUT_MS, DEFAULT_RESTART_GRACE_MS,
  DEFAULT_SUBNET_PREFIX_V4, DEFAULT_SUBNET_PREFIX_V6, DEFAULT_VS_LIMIT,
  FILTER_TOPIC, InvalidOptionError, PeerhiveMetrics, createStack, loadOrCreateIdentity, parseHostPort, startStack, validatePrefix
} from '../src/core/index.js'
import { LocalServices, loadOrCreateToken } from '../src/api/index.js'
import { connectionKinds } from '../src/topology/index.js'
import { FilterFollower, FilterPublisher, IndexServer, KeywordFilter, SearchServer, peerhiveSelectors, peerhiveValidators } from '../src/sharing/index.js'
import { registerRelayMetrics, relayServerInit } from '../src/core/index.js'
import { CentralServer, FilterRelayServer, relayBaseAddrs, type SubnetView } from './network/index.js'
import { ComputeServer } from './compute/index.js'
import { Dashboard, bootstrapSource } from './dashboard/index.js'
import { CentralTables } from './tables/index.js'
import type { BootstrapOptions } from './options.js'
import type { NodeStatus } from '../src/index.js'
import type { Libp2p } from 'libp2p'

export const DATABASE_FILE = 'central.db'

/** The bootstrap: a seed node and the central server of seed 001. */
export class Bootstrap {
  readonly metrics = new PeerhiveMetrics()
  readonly tables: CentralTables
  /** the work manager: /peerhive/work/1.0.0, /peerhive/jobs/1.0.0, jobs, providers (its `scheduler` answers status questions) */
  readonly compute: ComputeServer
  private readonly central: CentralServer
  private readonly indexServer: IndexServer
  private readonly searchServer: SearchServer
  /** the virtual servers' keyword filters, to route central clients' searches */
  readonly filters: FilterFollower
  /** the central index's keyword filter, so virtual servers ask it only when it may match */
  readonly filterPublisher: FilterPublisher
  /** takes the virtual servers' filters and hands each server those it lacks */
  readonly filterRelay: FilterRelayServer
  private readonly startedAt = Date.now()
  private local?: LocalServices
  private dashboard?: Dashboard

  private constructor (readonly libp2p: Libp2p<any>, private readonly options: BootstrapOptions, central: (tables: CentralTables, metrics: PeerhiveMetrics) => CentralServer, banned: Set<string>) {
    this.tables = new CentralTables(join(options.dataDir, DATABASE_FILE))
    this.central = central(this.tables, this.metrics)
    try {
      this.compute = new ComputeServer(libp2p, this.metrics, {
        databasePath: join(options.dataDir, DATABASE_FILE),
        schedule: options.schedule,
        admins: options.admins,
        banned,
        reportGraceMs: options.reportGraceMs
      })
    } catch (err) {
      this.tables.close()
      throw err
    }
    const log = libp2p.logger.forComponent('peerhive:filters')
    this.filters = new FilterFollower(libp2p, peerId => this.central.isVirtualServer(peerId), log)
    this.filterPublisher = new FilterPublisher(libp2p, () => KeywordFilter.fromTexts(this.tables.searchables()), log, { metrics: this.metrics })
    this.filterRelay = new FilterRelayServer(libp2p, {
      book: this.filters.book,
      servers: () => this.central.virtualServerIds(),
      isServer: peerId => this.central.isVirtualServer(peerId),
      metrics: this.metrics,
      log
    })
    this.indexServer = new IndexServer(libp2p, {
      refuse: peerId => this.central.refuseIndex(peerId),
      holder: {
        apply: (peerId, update) => {
          const held = this.central.applyIndex(peerId, update)
          this.filterPublisher.changed()
          return held
        }
      },
      metrics: this.metrics
    })
    this.searchServer = new SearchServer(libp2p, {
      refuse: () => undefined,
      answer: (words, limit, requester, wantServers) => this.central.answerSearch(words, limit, wantServers, requester, this.filters.book),
      metrics: this.metrics
    })
  }

  static async create (options: BootstrapOptions): Promise<Bootstrap> {
    if (typeof options.dataDir !== 'string' || options.dataDir === '') throw new InvalidOptionError('the bootstrap needs a data directory (--data DIR or PEERHIVE_DATA)')
    const vsLimit = options.vsLimit ?? DEFAULT_VS_LIMIT
    if (!Number.isInteger(vsLimit) || vsLimit < 0) throw new InvalidOptionError(`--vs-limit must be an integer >= 0 (0: no virtual servers), got ${String(options.vsLimit)}`)
    const prefixes = {
      v4: validatePrefix(options.subnetPrefix ?? DEFAULT_SUBNET_PREFIX_V4, 4),
      v6: validatePrefix(options.subnetPrefixV6 ?? DEFAULT_SUBNET_PREFIX_V6, 6)
    }
    if (options.dashboard != null) parseHostPort(options.dashboard, '--dashboard')
    const peerTimeoutMs = positive(options.peerTimeoutMs ?? DEFAULT_PEER_TIMEOUT_MS, '--peer-timeout')
    const memberTimeoutMs = Math.max(peerTimeoutMs, positive(options.memberTimeoutMs ?? DEFAULT_MEMBER_TIMEOUT_MS, '--member-timeout'))
    const schedule = options.schedule ?? 'fcfs'
    if (schedule !== 'fcfs' && schedule !== 'priority') throw new InvalidOptionError(`--schedule must be fcfs or priority, got ${String(options.schedule)}`)
    for (const admin of options.admins ?? []) {
      try {
        peerIdFromString(admin)
      } catch {
        throw new InvalidOptionError(`--admin must be a PeerId, got "${admin}"`)
      }
    }
    if (options.reportGraceMs != null && (!Number.isFinite(options.reportGraceMs) || options.reportGraceMs < 0)) {
      throw new InvalidOptionError(`reportGraceMs must be a number >= 0, got ${options.reportGraceMs}`)
    }
    // banned providers (ADMIN_REMOVE with ban) are refused as soon as their PeerId is known
    const banned = new Set<string>()
    const refuse = (peerId: { toString: () => string }): boolean => banned.has(peerId.toString())
    const libp2p = await createStack({
      privateKey: await loadOrCreateIdentity(options.dataDir),
      listen: options.listen ?? ['/ip4/0.0.0.0/tcp/4001'],
      isBootstrap: true,
      // libp2p's connection monitor checks every peer at the member pace; CentralServer checks virtual servers at peerTimeoutMs
      peerTimeoutMs: memberTimeoutMs,
      dhtValidators: peerhiveValidators,
      dhtSelectors: peerhiveSelectors,
      relay: relayServerInit(options.relay),
      connectionGater: {
        denyInboundEncryptedConnection: refuse,
        denyInboundUpgradedConnection: refuse,
        denyOutboundEncryptedConnection: refuse,
        denyDialPeer: refuse
      }
    })
    const bootstrap = new Bootstrap(libp2p, options, (tables, metrics) => new CentralServer(libp2p, tables, metrics, {
      vsLimit,
      prefixes,
      allowSubnetClaims: options.allowSubnetClaims ?? false,
      peerTimeoutMs,
      restartGraceMs: positive(options.restartGraceMs ?? DEFAULT_RESTART_GRACE_MS, '--restart-grace'),
      joinsPerPeer: positive(options.joinsPerPeer ?? DEFAULT_JOINS_PER_PEER, 'joinsPerPeer'),
      maxConcurrentJoins: positive(options.maxConcurrentJoins ?? DEFAULT_MAX_CONCURRENT_JOINS, 'maxConcurrentJoins'),
      publishDelayMs: options.publishDelayMs ?? 20,
      relayAddrs: libp2p.services.relay == null ? undefined : () => relayBaseAddrs(libp2p),
      relayBulk: options.relay?.bulk === true
    }), banned)
    if (options.start !== false) await bootstrap.start()
    return bootstrap
  }

  get peerId (): string {
    return this.libp2p.peerId.toString()
  }

  multiaddrs (): string[] {
    return this.libp2p.getMultiaddrs().map(ma => ma.toString())
  }

  async start (): Promise<void> {
    if (this.libp2p.services.relay != null) registerRelayMetrics(this.metrics, this.libp2p.services.relay)
    await startStack(this.libp2p)
    await this.central.start()
    this.filters.start()
    this.filterPublisher.start()
    await this.filterRelay.start()
    this.libp2p.services.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    await this.compute.start()
    await this.indexServer.start()
    await this.searchServer.start()
    if (this.options.dashboard != null) {
      const log = this.libp2p.logger.forComponent('peerhive:dashboard')
      this.dashboard = new Dashboard(bootstrapSource(this), { at: this.options.dashboard, token: await loadOrCreateToken(this.options.dataDir), log })
      await this.dashboard.start()
    }
    this.local = new LocalServices({
      dataDir: this.options.dataDir,
      kind: 'bootstrap',
      peerId: this.peerId,
      multiaddrs: () => this.multiaddrs(),
      metrics: this.metrics,
      metricsAt: this.options.metrics,
      apiPort: this.options.apiPort,
      dashboardUrl: () => this.dashboard?.url,
      routes: {
        'GET /v1/status': () => this.status(),
        'GET /v1/subnets': () => this.subnets(),
        'GET /v1/compute/providers': () => this.compute.scheduler.providerList(),
        'GET /v1/compute/jobs': () => this.compute.scheduler.runningJobs(),
        // what `peerhive providers` and `peerhive admin remove` ask when run with the bootstrap's --data
        'GET /v1/providers': () => this.compute.scheduler.providerList(),
        'POST /v1/admin/remove': async (body: any) => {
          const peer = typeof body?.peer === 'string' ? body.peer : ''
          try {
            peerIdFromString(peer)
          } catch {
            throw new InvalidOptionError(`peer must be a PeerId, got ${JSON.stringify(peer.slice(0, 80))}`)
          }
          if (peer === this.peerId) throw new InvalidOptionError('the bootstrap cannot remove itself')
          const provider = await this.compute.removeProvider(peer, body?.ban === true)
          return { peer, ban: body?.ban === true, message: `provider ${peer} ${provider.state}`, provider }
        }
      }
    })
    await this.local.start()
  }

  async stop (): Promise<void> {
    await this.dashboard?.stop()
    await this.local?.stop()
    await this.searchServer.stop()
    await this.indexServer.stop()
    this.libp2p.services.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    this.filterPublisher.stop()
    await this.filterRelay.stop()
    this.filters.stop()
    await this.central.stop()
    await this.compute.stop()
    await this.libp2p.stop()
    this.tables.close()
  }

  /** A newly elected virtual server follows the filter topic: it gets the central index's filter at once, not within a minute. */
  private readonly onSubscriptionChange = (evt: CustomEvent<any>): void => {
    if (evt.detail.subscriptions.some((s: any) => s.subscribe === true && s.topic === FILTER_TOPIC)) this.filterPublisher.resendSoon()
  }

  /** The virtual-server table: every subnet, its virtual servers with their members, and its central clients. */
  subnets (): SubnetView[] {
    return this.central.subnets()
  }

  status (): NodeStatus {
    return {
      peerId: this.peerId,
      role: 'bootstrap',
      subnet: null,
      virtualServer: null,
      members: [],
      addresses: this.multiaddrs(),
      userSerialId: null,
      bootstrap: null,
      bootstrapConnected: null,
      reachability: null,
      relay: null,
      holePunch: null,
      portMapping: null,
      connections: connectionKinds(this.libp2p.getConnections()),
      joinError: null,
      uptimeMs: Date.now() - this.startedAt
    }
  }

  get apiUrl (): string | undefined {
    return this.local?.apiUrl
  }

  get metricsUrl (): string | undefined {
    return this.local?.metricsUrl
  }

  /** The dashboard page's URL, when the bootstrap serves one (the `dashboard` option). */
  get dashboardUrl (): string | undefined {
    return this.dashboard?.url
  }
}

/** Creates (and by default starts) a bootstrap. */
export async function createBootstrap (options: BootstrapOptions): Promise<Bootstrap> {
  return Bootstrap.create(options)
}

function positive (n: number, what: string): number {
  if (!Number.isFinite(n) || n <= 0) throw new InvalidOptionError(`${what} must be a positive number, got ${n}`)
  return n
}
