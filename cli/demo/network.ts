/**
 * The demo's network, in this one process: a bootstrap on 127.0.0.1 and
 * three subnets of four peers on 127.0.S.H (all of 127.0.0.0/8 is loopback;
 * a node that listens on, and dials from, 127.0.S.H is seen by the bootstrap
 * in subnet 127.0.S.0/24). Every node keeps its data under one folder.
 */
import { join } from 'node:path'
import { createBootstrap, type Bootstrap, type BootstrapOptions } from '../../bootstrap/index.js'
import { createNode, type PeerhiveNode } from '../../src/node.js'
import type { Placement } from '../../src/topology/index.js'

/** Third octets of the demo's subnets. */
export const SUBNETS = [201, 202, 203] as const
/** Hosts of each subnet, in the order they join. */
export const HOSTS = [1, 2, 3, 4] as const
/**
 * Peers per virtual-server group, the virtual server included. With four
 * peers a subnet shows every rule of the election: the first peer becomes
 * the virtual server, the next two join it, the fourth is a central client.
 */
export const VS_LIMIT = 3
/** Hosts that donate CPU (one core each): two per subnet, six providers. */
export const PROVIDER_HOSTS: readonly number[] = [3, 4]

export interface DemoPeer {
  /** its loopback address, which is also its name in the demo */
  label: string
  subnet: string
  node: PeerhiveNode
  provider: boolean
}

/** A file and its metadata, shared by a peer as it starts. */
export interface SharedAtStart {
  path: string
  title: string
  keywords: string[]
}

export interface Joined {
  peer: DemoPeer
  placement: Placement
  /** from the start of the node to its placement */
  ms: number
}

export class DemoNetwork {
  bootstrap?: Bootstrap
  readonly peers: DemoPeer[] = []
  private readonly labels = new Map<string, string>()

  constructor (readonly dir: string) {}

  async startBootstrap (): Promise<Bootstrap> {
    const options: BootstrapOptions = {
      dataDir: join(this.dir, 'bootstrap'),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      vsLimit: VS_LIMIT,
      metrics: '127.0.0.1:0',
      dashboard: '127.0.0.1:0'
    }
    this.bootstrap = await createBootstrap(options)
    this.labels.set(this.bootstrap.peerId, 'bootstrap')
    return this.bootstrap
  }

  get bootstrapAddr (): string {
    if (this.bootstrap == null) throw new Error('the bootstrap has not started')
    return this.bootstrap.multiaddrs()[0]
  }

  /**
   * Starts peer 127.0.`subnet`.`host` and resolves once the bootstrap has
   * placed it. The peer shares `files` before it starts, as a daemon shares
   * its folders at start: its first DHT announcement then covers them all
   * (sharing later costs a second round of announcements).
   */
  async startPeer (subnet: number, host: number, files: SharedAtStart[] = [], signal?: AbortSignal): Promise<Joined> {
    const label = `127.0.${subnet}.${host}`
    const provider = PROVIDER_HOSTS.includes(host)
    const started = performance.now()
    const node = await createNode({
      bootstrap: this.bootstrapAddr,
      dataDir: join(this.dir, 'peers', label),
      listen: [`/ip4/${label}/tcp/0`],
      ...(provider ? { provider: true, cpus: 1, maxMemoryMb: 256 } : {}),
      start: false
    })
    const peer: DemoPeer = { label, subnet: `127.0.${subnet}.0/24`, node, provider }
    this.peers.push(peer)
    this.labels.set(node.peerId, label)
    for (const f of files) await node.share([f.path], { title: f.title, keywords: f.keywords })
    await node.start()
    const placement = await node.waitForPlacement(undefined, AbortSignal.any([AbortSignal.timeout(20_000), ...(signal != null ? [signal] : [])]))
    return { peer, placement, ms: performance.now() - started }
  }

  peer (label: string): DemoPeer {
    const peer = this.peers.find(p => p.label === label)
    if (peer == null) throw new Error(`no demo peer ${label}`)
    return peer
  }

  /** A PeerId as the demo names it: the node's loopback address, or a short PeerId for strangers. */
  label (peerId: string | null | undefined): string {
    if (peerId == null || peerId === '') return '-'
    return this.labels.get(peerId) ?? shortId(peerId)
  }

  /** Stops every node (peers at once, then the bootstrap); resolves with how many stopped. */
  async stop (): Promise<{ stopped: number, errors: string[] }> {
    const errors: string[] = []
    const results = await Promise.allSettled(this.peers.map(async p => p.node.stop()))
    results.forEach((r, i) => { if (r.status === 'rejected') errors.push(`${this.peers[i].label}: ${String(r.reason?.message ?? r.reason)}`) })
    let stopped = results.filter(r => r.status === 'fulfilled').length
    if (this.bootstrap != null) {
      try {
        await this.bootstrap.stop()
        stopped++
      } catch (err: any) {
        errors.push(`bootstrap: ${String(err?.message ?? err)}`)
      }
    }
    this.peers.length = 0
    this.bootstrap = undefined
    return { stopped, errors }
  }
}

/** 12D3KooW…a1b2c3: enough to tell PeerIds apart on a screen. */
export function shortId (peerId: string): string {
  return peerId.length <= 16 ? peerId : `${peerId.slice(0, 8)}…${peerId.slice(-6)}`
}
