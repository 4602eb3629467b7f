/**
 * peerhive CLI processes on the test network: a bootstrap on a public host
 * and daemons on public hosts or in homes, each sharing a file of its own,
 * with the commands a user would run on each host.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CliNode, peerhive, type CliResult } from '../helpers/cli.js'
import { waitUntil } from '../helpers/wait.js'
import type { Netlab } from './netlab.js'
import type { NodeStatus } from '../../src/index.js'

/** each home router's public address has a /30 of its own (netlab.ts), so a /30 is one home */
export const HOME_SUBNET_PREFIX = 30

export interface LabHit { cid: string, filename: string, tier: string, providers: string[] }

export class LabPeers {
  readonly nodes = new Map<string, CliNode>()
  bootstrapAddr = ''

  constructor (private readonly lab: Netlab, private readonly dir: string) {}

  dataOf (host: string): string {
    return join(this.dir, host)
  }

  /** The file `host` shares: sonata-of-<host>.txt, about 400 KB. */
  fileOf (host: string): string {
    return join(this.dir, `shared-${host}`, `sonata-of-${host}.txt`)
  }

  peerId (host: string): string {
    return this.nodes.get(host)?.peerId ?? ''
  }

  /** Starts the bootstrap on public host `host`, on port 4001, with one subnet per home. */
  async startBootstrap (host: string, extra: string[] = []): Promise<void> {
    const boot = await CliNode.start(['bootstrap', '--listen', '/ip4/0.0.0.0/tcp/4001', '--subnet-prefix', String(HOME_SUBNET_PREFIX), ...extra], this.dataOf(host), {}, this.lab.netnsOf(host))
    this.nodes.set(host, boot)
    this.bootstrapAddr = `/ip4/${this.lab.hosts.get(host)!.address}/tcp/4001/p2p/${boot.peerId}`
  }

  /** Starts a daemon on `host` that shares its own file. */
  async startPeer (host: string, extra: string[] = []): Promise<CliNode> {
    const shared = join(this.dir, `shared-${host}`)
    mkdirSync(shared, { recursive: true })
    writeFileSync(this.fileOf(host), `the sonata of ${host}\n`.repeat(20_000))
    const node = await CliNode.start(['daemon', '--bootstrap', this.bootstrapAddr, '--listen', '/ip4/0.0.0.0/tcp/4001', '--share', shared, ...extra], this.dataOf(host), {}, this.lab.netnsOf(host))
    this.nodes.set(host, node)
    return node
  }

  /** `peerhive <args> --data <host's>`, run on `host` (killed after `timeoutMs`). */
  async cli (host: string, args: string[], timeoutMs?: number): Promise<CliResult> {
    return peerhive([...args, '--data', this.dataOf(host)], {}, this.lab.netnsOf(host), timeoutMs)
  }

  async status (host: string): Promise<NodeStatus | undefined> {
    const r = await this.cli(host, ['status', '--json'])
    return r.code === 0 ? JSON.parse(r.stdout) : undefined
  }

  async search (host: string, word: string, extra: string[] = []): Promise<LabHit[]> {
    const r = await this.cli(host, ['search', word, '--json', '--timeout', '8000', ...extra])
    return r.stdout.trim().split('\n').filter(l => l !== '').map(l => JSON.parse(l))
  }

  /** Waits until each of `hosts` holds a slot on the bootstrap's relay. */
  async relaysReserved (hosts: string[], timeoutMs: number): Promise<void> {
    await waitUntil('every home peer to hold a relay slot', async () => {
      for (const host of hosts) {
        if ((await this.status(host))?.relay?.state !== 'reserved') return false
      }
      return true
    }, timeoutMs, 500)
  }

  sha256 (path: string): string {
    return createHash('sha256').update(readFileSync(path)).digest('hex')
  }

  /** The last lines of every process's output (for a failed test). */
  logs (chars = 3_000): string {
    return [...this.nodes].map(([host, n]) => `--- ${host}\n${n.text().slice(-chars)}`).join('\n')
  }

  async stopAll (): Promise<void> {
    await Promise.all([...this.nodes.values()].map(async n => n.stop()))
  }
}
