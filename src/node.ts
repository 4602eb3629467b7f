import { TypedEventEmitter } from 'main-event'
import { generateKeyPair } from '@libp2p/crypto/keys'
import {
  DAEMON_PING_INTERVAL_MS, DEFAULT_BACKOFF_INITIAL_MS, DEFAULT_BACKOFF_MAX_MS, DEFAULT_DAEMON_PEER_TIMEOUT_MS,
  InvalidOptionError, PeerhiveMetrics, createStack, loadOrCreateIdentity, registerRelayMetrics, relayServerInit, startStack
} from './core/index.js'
import { LocalServices, computeRoutes, sharingRoutes } from './api/index.js'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ComputeClient } from './compute/index.js'
import { OwnerInbox, UnitOutputServer } from './compute/outputs/index.js'
import { ComputeProvider } from './compute/provider/index.js'
import { pushable } from 'it-pushable'
import { ForbiddenShareError, SharingService, peerhiveSelectors, peerhiveValidators, type GetOptions, type GetResult, type SearchOptions, type SearchResult, type ShareOptions, type ShareReport, type ShareStore } from './sharing/index.js'
import {
  DHT_MODE_OPTIONS, TopologyClient, connectionBudget, connectionKinds, dhtModeFor, dhtRole, gossipPace, holePunch, portMapping, reachability, roleComponents,
  type ConnectionBudget, type DhtRole, type GossipPace, type HolePunchService, type PortMappingService, type JoinFailure, type Placement, type PeerRole, type ReachabilityService
} from './topology/index.js'
import type { NodeOptions } from './options.js'
import type { NodeStatus } from './status.js'
import type { Libp2p } from 'libp2p'
import type { PrivateKey } from '@libp2p/interface'

export interface PeerhiveNodeEvents {
  placement: CustomEvent<Placement>
  /** a join attempt failed (the bootstrap is unreachable, is another node, refused...); the node retries at `nextRetryAt` */
  'join:failed': CustomEvent<JoinFailure>
  /** the node joined the bootstrap, after `failedAttempts` failed attempts */
  'join:succeeded': CustomEvent<{ failedAttempts: number }>
}

/** A peer daemon: one libp2p stack that joins the bootstrap and follows its assignments. */
export class PeerhiveNode extends TypedEventEmitter<PeerhiveNodeEvents> {
  readonly metrics: PeerhiveMetrics
  /** files: what this node shares, its index at its virtual server, search */
  readonly sharing: SharingService
  /** volunteer computing, as a job's owner: submit, follow, collect results (protocols/jobs.md) */
  readonly compute: ComputeClient
  /** outputs providers delivered for this node's jobs: <data>/jobs/<id>/outputs */
  readonly inbox: OwnerInbox
  /** with `provider: true`: the work loop that runs other peers' work units */
  readonly provider?: ComputeProvider
  /** /peerhive/unit-output/1.0.0: takes PUSHes of this node's jobs' outputs, answers FETCHes from the provider's outbox */
  private readonly outputServer: UnitOutputServer
  private readonly startedAt = Date.now()
  private local?: LocalServices
  /** DHT client or server by role (NodeOptions.dhtMode) */
  readonly dhtRole: DhtRole
  /** closes idle connections over the role's budget */
  private readonly connectionBudget: ConnectionBudget
  /** gossipsub's heartbeat by role */
  readonly gossipPace: GossipPace
  /** whether others can dial this node, and its relay slot when they cannot */
  readonly reachability: ReachabilityService
  /** direct connections to other homes, set up over relayed ones */
  readonly holePunch: HolePunchService
  /** a port forward on the home router (UPnP), so others dial this node directly */
  readonly portMapping: PortMappingService

  /**
   * @param workDir the data directory, or a temporary folder (removed at stop) for a node without one
   */
  private constructor (readonly libp2p: Libp2p<any>, readonly topology: TopologyClient, metrics: PeerhiveMetrics, privateKey: PrivateKey, private readonly options: NodeOptions, private readonly workDir: string) {
    super()
    this.metrics = metrics
    if (libp2p.services.relay != null) registerRelayMetrics(metrics, libp2p.services.relay)
    this.sharing = new SharingService(libp2p, topology, { dataDir: options.dataDir, folders: options.share ?? [], shareHidden: options.shareHidden, metrics, privateKey })
    const components = roleComponents(libp2p, topology)
    // not in libp2p's public API: relay reservations listen on it, and hole punches dial through it from a chosen port
    const transports = (libp2p as any).components.transportManager
    this.reachability = reachability()({
      logger: libp2p.logger,
      topology,
      addresses: () => libp2p.getMultiaddrs(),
      listen: async addrs => transports.listen(addrs),
      mappedIps: () => this.portMapping.externalIps()
    })
    this.portMapping = portMapping({ enabled: options.upnp })({
      logger: libp2p.logger,
      reachability: this.reachability,
      addresses: () => libp2p.getMultiaddrs(),
      // not in libp2p's public API either: a forwarded port is announced through it
      addressManager: (libp2p as any).components.addressManager,
      joinAgain: () => { topology.joinAgain() },
      description: `peerhive ${libp2p.peerId.toString()}`
    })
    this.holePunch = holePunch()({
      logger: libp2p.logger,
      events: libp2p,
      handle: async (protocol, handler, opts) => libp2p.handle(protocol, handler, opts),
      unhandle: async protocol => libp2p.unhandle(protocol),
      transports,
      dial: async (addrs, opts) => libp2p.dial(addrs, opts),
      reachability: () => this.reachability.reachability(),
      observedAddr: () => topology.observedAddr()
    })
    this.dhtRole = dhtRole({ mode: options.dhtMode })({ ...components, reachability: this.reachability })
    this.connectionBudget = connectionBudget()(components)
    this.gossipPace = gossipPace()(components)
    topology.addEventListener('placement', evt => { this.safeDispatchEvent('placement', { detail: evt.detail }) })
    topology.addEventListener('join:failed', evt => { this.safeDispatchEvent('join:failed', { detail: evt.detail }) })
    topology.addEventListener('join:succeeded', evt => { this.safeDispatchEvent('join:succeeded', { detail: evt.detail }) })
    this.inbox = new OwnerInbox(workDir, { libp2p, resultSpec: jobId => this.compute.resultSpec(jobId) })
    this.compute = new ComputeClient({
      libp2p,
      bootstrap: topology.bootstrapAddr,
      dataDir: workDir,
      share: async path => {
        const { shared: [file] } = await this.shares.shareReport([path], { hidden: true })
        // a job's input is named by the user, so hidden is fine; a secret never is
        if (file == null) throw new ForbiddenShareError(path)
        return file
      },
      nameOf: async cid => this.nameOf(cid),
      indexSynced: () => this.sharing.indexSynced(),
      outputs: this.inbox
    })
    if (options.provider === true) {
      this.provider = new ComputeProvider(libp2p, {
        dataDir: workDir,
        fetchByCid: async (cid, outPath, signal) => this.sharing.get(cid, { outPath, signal }),
        bootstrap: topology.bootstrapAddr,
        cpus: options.cpus,
        maxMemoryMb: options.maxMemoryMb,
        apps: options.apps,
        // a job this node owns and also runs: its outputs go straight to its own inbox
        deliverToSelf: async output => this.outputServer.pushLocal(output),
        // Test hook, deliberately undocumented for users: PEERHIVE_FAULT=wrong-output makes this
        // provider flip a byte of every output (a Byzantine provider, for the quorum tests).
        faults: { wrongOutput: process.env.PEERHIVE_FAULT === 'wrong-output' }
      })
    }
    this.outputServer = new UnitOutputServer(libp2p, {
      outbox: this.provider?.outbox,
      ownsJob: jobId => this.compute.ownsJob(jobId),
      resultSpec: jobId => this.compute.resultSpec(jobId),
      accept: async output => this.inbox.put(output),
      maxOutputBytes: () => this.compute.jobs.largestOutputBytes(),
      metrics
    })
  }

  static async create (options: NodeOptions): Promise<PeerhiveNode> {
    if (typeof options.bootstrap !== 'string' || options.bootstrap === '') {
      throw new InvalidOptionError('a bootstrap multiaddr is required, for example --bootstrap /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW...')
    }
    for (const folder of options.share ?? []) {
      const info = await stat(folder).catch(() => undefined)
      if (info?.isDirectory() !== true) throw new InvalidOptionError(`cannot share ${folder}: no such folder`)
    }
    const privateKey = options.dataDir == null ? await generateKeyPair('Ed25519') : await loadOrCreateIdentity(options.dataDir)
    const peerTimeoutMs = options.peerTimeoutMs ?? DEFAULT_DAEMON_PEER_TIMEOUT_MS
    const dhtMode = options.dhtMode ?? 'auto'
    if (!DHT_MODE_OPTIONS.includes(dhtMode)) throw new InvalidOptionError(`dhtMode must be one of ${DHT_MODE_OPTIONS.join(', ')}; got "${String(dhtMode)}"`)
    // a public peer may relay for peers behind NAT; the bootstrap hands it out once it reached it
    const relay = relayServerInit({ slots: options.relaySlots ?? 0 })
    const libp2p = await createStack({
      privateKey,
      relay,
      listen: options.listen ?? ['/ip4/0.0.0.0/tcp/0'],
      isBootstrap: false,
      peerTimeoutMs,
      pingIntervalMs: Math.max(DAEMON_PING_INTERVAL_MS, Math.floor(peerTimeoutMs / 2)),
      // a joining node is no virtual server yet
      dhtMode: dhtModeFor('joining', dhtMode),
      dhtValidators: peerhiveValidators,
      dhtSelectors: peerhiveSelectors
    })
    let topology: TopologyClient
    try {
      topology = new TopologyClient(libp2p, {
        bootstrap: options.bootstrap,
        claimedSubnet: options.subnet,
        backoffInitialMs: options.backoffInitialMs ?? DEFAULT_BACKOFF_INITIAL_MS,
        backoffMaxMs: options.backoffMaxMs ?? DEFAULT_BACKOFF_MAX_MS,
        relaySlots: relay == null ? 0 : options.relaySlots
      })
    } catch (err) {
      await libp2p.stop()
      throw err
    }
    const workDir = options.dataDir ?? await mkdtemp(join(tmpdir(), 'peerhive-node-'))
    let node: PeerhiveNode
    try {
      node = new PeerhiveNode(libp2p, topology, new PeerhiveMetrics(), privateKey, options, workDir)
    } catch (err) {
      // a bad provider option (cpus, maxMemoryMb): nothing was started yet
      await libp2p.stop()
      if (options.dataDir == null) await rm(workDir, { recursive: true, force: true })
      throw err
    }
    if (options.start !== false) {
      try {
        await node.start()
      } catch (err) {
        await node.stop().catch(() => {})
        throw err
      }
    }
    return node
  }

  get peerId (): string {
    return this.libp2p.peerId.toString()
  }

  /** Listen addresses, each ending with /p2p/<PeerId>. */
  multiaddrs (): string[] {
    return this.libp2p.getMultiaddrs().map(ma => ma.toString())
  }

  async start (): Promise<void> {
    await startStack(this.libp2p)
    await this.compute.start()
    await this.outputServer.start()
    if (this.options.dataDir != null) {
      this.local = new LocalServices({
        dataDir: this.options.dataDir,
        kind: 'daemon',
        peerId: this.peerId,
        multiaddrs: () => this.multiaddrs(),
        metrics: this.metrics,
        metricsAt: this.options.metrics,
        apiPort: this.options.apiPort,
        routes: {
          'GET /v1/status': () => this.status(),
          ...sharingRoutes({
            files: () => this.shares.list(),
            search: (words, opts) => this.search(words, opts),
            share: async (paths, opts) => this.shareReport(paths, opts),
            get: (cid, opts) => this.getLines(cid, opts),
            unshare: cid => this.shares.unshare(cid)
          }),
          ...computeRoutes(this.compute),
          'GET /v1/provider': () => this.provider?.status() ?? { state: 'off' }
        }
      })
      await this.local.start()
    }
    await this.sharing.start()
    this.dhtRole.start()
    this.connectionBudget.start()
    this.gossipPace.start()
    this.reachability.start()
    this.portMapping.start()
    await this.holePunch.start()
    await this.topology.start()
    await this.provider?.start()
  }

  async stop (): Promise<void> {
    await this.provider?.stop()
    await this.outputServer.stop()
    await this.topology.stop()
    this.connectionBudget.stop()
    this.gossipPace.stop()
    this.reachability.stop()
    await this.portMapping.stop()
    await this.holePunch.stop()
    await this.dhtRole.stop()
    await this.sharing.stop()
    await this.local?.stop()
    await this.libp2p.stop()
    if (this.options.dataDir == null) await rm(this.workDir, { recursive: true, force: true })
  }

  /** The file name a CID is shared under: this node's own, else the nearest index that knows it. */
  private async nameOf (cid: string): Promise<string | undefined> {
    const own = this.shares.get(cid)
    if (own != null) return own.filename
    for await (const r of this.search([cid], { limit: 1, timeoutMs: 3_000 })) {
      if (r.cid === cid) return r.filename
    }
    return undefined
  }

  /** What this node shares. */
  get shares (): ShareStore {
    return this.sharing.shares
  }

  /** Fetches a file by CID from the peers that share it (nearest first, every piece verified). */
  async get (cid: string, opts: GetOptions = {}): Promise<GetResult> {
    return this.sharing.get(cid, opts)
  }

  /** `get` for the local API: progress lines, then the result line. */
  private getLines (cid: string, where: Pick<GetOptions, 'outPath' | 'outDir' | 'overwrite' | 'signal'>): AsyncIterable<unknown> {
    const lines = pushable<unknown>({ objectMode: true })
    let last = 0
    this.get(cid, {
      ...where,
      onProgress: p => {
        // a few lines a second is enough for a progress bar
        if (Date.now() - last < 200 && p.pieces < p.totalPieces) return
        last = Date.now()
        lines.push({ progress: p })
      }
    }).then(result => { lines.push({ result }); lines.end() }, err => { lines.end(err) })
    return lines
  }

  /** Nearest-first search; results stream out as the tiers answer. */
  search (words: string[], opts: SearchOptions = {}): AsyncGenerator<SearchResult> {
    return this.sharing.search(words, opts)
  }

  /**
   * Shares files and folders (every file under them) where they lie. Never
   * shares anything inside a peerhive data directory; hidden files under a
   * folder only with `hidden`. shareReport also tells what was left out.
   */
  async share (paths: string[], opts: ShareOptions = {}): Promise<ReturnType<ShareStore['list']>> {
    return this.shares.share(paths, opts)
  }

  /** share, with the list of what was left out and why. */
  async shareReport (paths: string[], opts: ShareOptions = {}): Promise<ShareReport> {
    return this.shares.shareReport(paths, opts)
  }

  /** Resolves once the bootstrap has placed this node (in one of `roles`, when given). */
  async waitForPlacement (roles?: PeerRole[], signal?: AbortSignal): Promise<Placement> {
    return this.topology.waitFor(roles, signal)
  }

  status (): NodeStatus {
    const p = this.topology.placement()
    return {
      peerId: this.peerId,
      role: p.role,
      subnet: p.subnet,
      virtualServer: p.virtualServer,
      members: p.members,
      addresses: this.multiaddrs(),
      userSerialId: p.userSerialId,
      bootstrap: this.topology.bootstrapAddr.toString(),
      bootstrapConnected: this.topology.bootstrapConnected(),
      joinError: this.topology.lastJoinFailure()?.reason ?? null,
      reachability: this.reachability.reachability(),
      relay: this.reachability.reachability() === 'behind-nat' ? this.reachability.relayState() : null,
      holePunch: this.reachability.reachability() === 'behind-nat' ? this.holePunch.stats() : null,
      portMapping: this.portMapping.portMapping(),
      connections: connectionKinds(this.libp2p.getConnections()),
      uptimeMs: Date.now() - this.startedAt
    }
  }

  get apiUrl (): string | undefined {
    return this.local?.apiUrl
  }

  get metricsUrl (): string | undefined {
    return this.local?.metricsUrl
  }
}

/** Creates (and by default starts) a peer daemon. */
export async function createNode (options: NodeOptions): Promise<PeerhiveNode> {
  return PeerhiveNode.create(options)
}
