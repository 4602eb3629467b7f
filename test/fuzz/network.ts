import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { createStack } from '../../src/core/index.js'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { TestNetwork } from '../helpers/network.js'
import { waitUntil } from '../helpers/wait.js'
import type { PeerhiveNode } from '../../src/index.js'
import type { FuzzContext } from './targets.js'
import type { Libp2p } from 'libp2p'

const VICTIM_SUBNET_BYTE = 210
/** fuzzers and the prober live in a subnet of their own: their joins must not touch the victims' */
const FUZZER_SUBNET_BYTE = 211
const WAIT_MS = 20_000
/**
 * Failure detection is not under test here, and the whole network shares
 * one process with the fuzzers on a machine that may be busy: a generous
 * ping deadline keeps a slow ping from dropping a victim (which would change
 * the table this suite checks).
 */
const PEER_TIMEOUT_MS = 60_000

/** What must not change under fuzzing: the bootstrap's table of the victims' subnet, and each victim's own idea of its place. */
export interface Snapshot {
  table: unknown
  places: unknown[]
}

/**
 * The network under fuzz, in this process on loopback: a bootstrap, and in
 * subnet 127.0.210.0/24 a virtual server, a member that shares one file and
 * a central client. Fuzzing clients are bare peerhive stacks in 127.0.211.0/24.
 */
export class FuzzNetwork {
  private readonly net = new TestNetwork()
  private readonly clients: Array<Libp2p<any>> = []
  private nextHost = 10
  victims: PeerhiveNode[] = []
  /** placement events of the victims since the start */
  placements = 0
  /** refusals of the victims' topology clients, by sender */
  readonly refusals = new Map<string, number>()
  context!: FuzzContext

  get bootstrap (): TestNetwork['bootstrap'] {
    return this.net.bootstrap
  }

  async start (): Promise<void> {
    // the fuzzers' joins are answered on their merits, not cut short by the per-peer limit
    await this.net.startBootstrap({ vsLimit: 2, joinsPerPeer: 1_000_000, peerTimeoutMs: PEER_TIMEOUT_MS })
    const roles = ['virtual-server', 'member', 'central-client'] as const
    for (const [i, role] of roles.entries()) {
      const node = await this.net.addPeer(VICTIM_SUBNET_BYTE, i + 1, { peerTimeoutMs: PEER_TIMEOUT_MS })
      const placed = await node.waitForPlacement(undefined, AbortSignal.timeout(WAIT_MS))
      if (placed.role !== role) throw new Error(`victim ${i + 1} is ${placed.role}, expected ${role}`)
      this.victims.push(node)
    }
    const [vs, member] = this.victims
    const path = join(this.net.dataDir, 'fuzz-target.txt')
    writeFileSync(path, 'a file the fuzz suite downloads between batches\n'.repeat(500))
    const [file] = await member.share([path], { keywords: ['fuzztarget'] })
    await waitUntil('the virtual server to hold the member\'s file', () => vs.sharing.groupIndex.search(['fuzztarget'], 10).some(e => e.cid === file.cid), WAIT_MS)
    for (const v of this.victims) {
      v.addEventListener('placement', () => { this.placements++ })
      v.topology.addEventListener('assignment:rejected', evt => {
        const from = evt.detail.from ?? 'unsigned'
        this.refusals.set(from, (this.refusals.get(from) ?? 0) + 1)
      })
    }
    this.context = {
      bootstrapAddr: this.net.bootstrapAddr(),
      virtualServerAddr: vs.multiaddrs()[0],
      memberAddr: member.multiaddrs()[0],
      victimSubnet: `127.0.${VICTIM_SUBNET_BYTE}.0/24`,
      victimIds: this.victims.map(v => v.peerId),
      sharedCid: file.cid,
      sharedKeyword: 'fuzztarget'
    }
  }

  /** A bare peerhive stack with a fresh identity in the fuzzers' subnet. */
  async client (): Promise<Libp2p<any>> {
    if (this.nextHost > 254) throw new Error('out of fuzzer addresses')
    const ip = `127.0.${FUZZER_SUBNET_BYTE}.${this.nextHost++}`
    const client = await createStack({ privateKey: await generateKeyPair('Ed25519'), listen: [`/ip4/${ip}/tcp/0`], isBootstrap: false, peerTimeoutMs: PEER_TIMEOUT_MS })
    await client.start()
    this.clients.push(client)
    if (process.env.FUZZ_DEBUG != null) {
      client.addEventListener('connection:close', (evt: any) => { console.log(`${Date.now()} ${client.peerId.toString().slice(-6)} connection to ${evt.detail.remoteAddr.toString()} closed (${evt.detail.direction})`) })
    }
    return client
  }

  /** A client that is a gossip peer of every victim on `topic` (the victims' assignment topic, or the directory topic). */
  async topicClient (topic: string): Promise<Libp2p<any>> {
    const client = await this.client()
    client.services.pubsub.subscribe(topic)
    for (const v of this.victims) await client.dial(multiaddr(v.multiaddrs()[0]))
    // members follow no directory (protocols/filters.md): the victims that follow the topic
    const followers = this.victims.filter(v => v.libp2p.services.pubsub.getTopics().includes(topic))
    await waitUntil(`the victims to be gossip peers of the fuzzer on ${topic}`, () => {
      const subscribers = new Set(client.services.pubsub.getSubscribers(topic).map((p: any) => p.toString()))
      return followers.every(v => subscribers.has(v.peerId))
    }, WAIT_MS)
    return client
  }

  snapshot (): Snapshot {
    return {
      table: this.bootstrap.subnets().filter(s => s.subnet === this.context.victimSubnet),
      places: this.victims.map(v => {
        const { role, subnet, virtualServer, members, userSerialId, joinError } = v.status()
        return { role, subnet, virtualServer, members, userSerialId, joinError: joinError ?? null }
      })
    }
  }

  /** Every node of the network by name, for pings. */
  nodes (): Array<{ name: string, addr: string }> {
    return [
      { name: 'bootstrap', addr: this.context.bootstrapAddr },
      ...this.victims.map((v, i) => ({ name: ['virtual-server', 'member', 'central-client'][i], addr: v.multiaddrs()[0] }))
    ]
  }

  async stop (): Promise<void> {
    await Promise.allSettled(this.clients.map(async c => c.stop()))
    await this.net.stop()
  }
}
