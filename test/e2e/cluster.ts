/**
 * Shared plumbing for the end-to-end specs: a bootstrap and daemons run as
 * real `peerhive` processes on loopback, queried only through the CLI.
 *
 * Every process is tracked; `stopAll()` stops them (SIGTERM, then SIGKILL
 * after a bounded wait), and a process-exit hook SIGKILLs anything still
 * alive if mocha exits early.
 */
import { join } from 'node:path'
import { CliNode, peerhive, peerhiveJson } from '../helpers/cli.js'
import type { NodeStatus } from '../../src/index.js'
import type { SubnetView } from '../../bootstrap/index.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'

/** Log what the topology and central server do, without the (chatty) DHT. Captured per process, printed on failure. */
const DEBUG_ENV = { DEBUG: process.env.PEERHIVE_E2E_DEBUG ?? 'peerhive:*,-peerhive:dht*' }

export type { NodeStatus } from '../../src/index.js'
export type SubnetRow = SubnetView
export type VirtualServerRow = SubnetView['virtualServers'][number]

/**
 * Bound on waits that have no limit of their own in the spec (a placement, a daemon catching up
 * with a published table). Generous: on a loaded 2-core machine starting node takes seconds.
 */
export const WAIT_MS = 30_000
/** Between two CLI polls; each poll starts a node process, so polling too often adds load. */
export const POLL_MS = 250

const live = new Set<CliNode>()
process.once('exit', () => {
  for (const n of live) {
    try { n.proc.kill('SIGKILL') } catch {}
  }
})

function track (node: CliNode): CliNode {
  live.add(node)
  void node.exited.then(() => { live.delete(node) })
  return node
}

function isRunning (node: CliNode): boolean {
  return node.proc.exitCode == null && node.proc.signalCode == null
}

/** Stops a process: `signal` first, SIGKILL if it is still there after `graceMs`. Resolves with how it ended. */
export async function stopProcess (node: CliNode, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000): Promise<{ code: number | null, signal: NodeJS.Signals | null, forced: boolean }> {
  let forced = false
  if (isRunning(node)) {
    node.proc.kill(signal)
    const timer = new Promise<'timeout'>(resolve => { setTimeout(() => { resolve('timeout') }, graceMs).unref() })
    if (await Promise.race([node.exited, timer]) === 'timeout' && isRunning(node)) {
      forced = true
      node.proc.kill('SIGKILL')
    }
  }
  await node.exited
  return { code: node.proc.exitCode, signal: node.proc.signalCode, forced }
}

/** SIGKILLs a process (kill -9) and resolves once it is gone. */
export async function kill9 (node: CliNode): Promise<void> {
  if (isRunning(node)) node.proc.kill('SIGKILL')
  await node.exited
}

export class Cluster {
  bootstrap!: CliNode
  readonly daemons = new Map<string, CliNode>()
  private readonly all: CliNode[] = []
  private readonly dir = tempDir('peerhive-e2e-')

  /**
   * @param port fixed TCP port of the bootstrap on 127.0.0.1, so a restart can reuse it
   * @param bootstrapArgs extra `peerhive bootstrap` options (for example --vs-limit 3)
   */
  constructor (readonly port: number, readonly bootstrapArgs: string[] = []) {}

  get bootstrapDir (): string {
    return join(this.dir.path, 'bootstrap')
  }

  /** Starts the bootstrap (or starts it again on the same data directory and port). */
  async startBootstrap (extraArgs: string[] = []): Promise<CliNode> {
    const node = track(await CliNode.start(['bootstrap', '--listen', `/ip4/127.0.0.1/tcp/${this.port}`, ...this.bootstrapArgs, ...extraArgs], this.bootstrapDir, DEBUG_ENV))
    this.all.push(node)
    this.bootstrap = node
    return node
  }

  /** The bootstrap's multiaddr with /p2p/<id>, from its node.json. */
  bootstrapAddr (): string {
    const addr = this.bootstrap.info()?.multiaddrs.find(a => a.startsWith(`/ip4/127.0.0.1/tcp/${this.port}/p2p/`))
    if (addr == null) throw new Error(`the bootstrap does not list /ip4/127.0.0.1/tcp/${this.port}: ${JSON.stringify(this.bootstrap.info())}`)
    return addr
  }

  /** Starts `peerhive daemon` listening on (and dialling from) 127.0.subnet.host. */
  async startDaemon (name: string, subnet: number, host: number, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliNode> {
    const node = track(await CliNode.start(['daemon', '--bootstrap', this.bootstrapAddr(), '--listen', `/ip4/127.0.${subnet}.${host}/tcp/0`, ...extraArgs], join(this.dir.path, name), { ...DEBUG_ENV, ...env }))
    this.all.push(node)
    this.daemons.set(name, node)
    return node
  }

  /** Starts a daemon and waits until the bootstrap has placed it (its own status leaves 'joining'). */
  async startPlaced (name: string, subnet: number, host: number): Promise<{ node: CliNode, status: NodeStatus }> {
    const node = await this.startDaemon(name, subnet, host)
    const status = await this.waitPlaced(node)
    return { node, status }
  }

  async waitPlaced (node: CliNode, timeoutMs = WAIT_MS): Promise<NodeStatus> {
    return waitUntil(`${node.dataDir} to be placed`, async () => {
      const s = await status(node)
      return s.role !== 'joining' ? s : undefined
    }, timeoutMs, POLL_MS)
  }

  /** `peerhive subnets --json` asked of the bootstrap. */
  async subnets (): Promise<SubnetRow[]> {
    return peerhiveJson(['subnets', '--data', this.bootstrapDir])
  }

  /** Captured output of every process, for a failed test's report. */
  logs (maxLines = 60): string {
    return this.all.map(n => {
      const lines = n.text().split('\n')
      return `----- ${n.dataDir} (pid ${n.proc.pid}, ${isRunning(n) ? 'running' : `exited ${n.proc.exitCode ?? n.proc.signalCode}`}) -----\n${lines.slice(-maxLines).join('\n')}`
    }).join('\n')
  }

  /** Stops every process still running (SIGTERM, then SIGKILL), then removes the temporary directory. */
  async stopAll (): Promise<void> {
    await Promise.all(this.all.map(async n => stopProcess(n, 'SIGTERM', 5_000)))
    this.dir.cleanup()
  }
}

/** `peerhive status --json` of a daemon or the bootstrap. */
export async function status (node: CliNode): Promise<NodeStatus> {
  return peerhiveJson(['status', '--data', node.dataDir])
}

export { peerhive, peerhiveJson, CliNode }

/** One subnet's row of a `subnets --json` answer. */
export function rowOf (table: SubnetRow[], subnet: string): SubnetRow | undefined {
  return table.find(r => r.subnet === subnet)
}

/** Every peer id a table lists, virtual servers, members and central clients. */
export function peersIn (table: SubnetRow[]): string[] {
  return table.flatMap(r => [...r.virtualServers.flatMap(v => [v.peerId, ...v.members]), ...r.centralClients])
}

/** The table with addresses left out: who serves whom, and the counts. */
export function shape (table: SubnetRow[]): unknown[] {
  return table.map(r => ({
    subnet: r.subnet,
    virtualServers: r.virtualServers.map(v => ({ peerId: v.peerId, members: v.members, clientCount: v.clientCount, limitCount: v.limitCount })),
    centralClients: r.centralClients
  }))
}

/** Checks that a daemon's own status matches what the bootstrap's table says of it; returns a reason when it does not. */
export function disagreement (table: SubnetRow[], s: NodeStatus): string | undefined {
  const row = table.find(r => r.subnet === s.subnet)
  if (row == null) return `${s.peerId} says subnet ${s.subnet}, which the bootstrap does not list`
  const asServer = row.virtualServers.find(v => v.peerId === s.peerId)
  const asMemberOf = row.virtualServers.find(v => v.members.includes(s.peerId))
  if (asServer != null) {
    if (s.role !== 'virtual-server' || s.virtualServer !== s.peerId) return `${s.peerId} is a virtual server for the bootstrap but says ${s.role} (virtual server ${s.virtualServer})`
    if (JSON.stringify(s.members) !== JSON.stringify(asServer.members)) return `${s.peerId} lists members ${JSON.stringify(s.members)}, the bootstrap ${JSON.stringify(asServer.members)}`
    return undefined
  }
  if (asMemberOf != null) {
    if (s.role !== 'member' || s.virtualServer !== asMemberOf.peerId) return `${s.peerId} is a member of ${asMemberOf.peerId} for the bootstrap but says ${s.role} (virtual server ${s.virtualServer})`
    return undefined
  }
  if (row.centralClients.includes(s.peerId)) {
    if (s.role !== 'central-client' || s.virtualServer !== null) return `${s.peerId} is a central client for the bootstrap but says ${s.role} (virtual server ${s.virtualServer})`
    return undefined
  }
  return `${s.peerId} (${s.role}) is not in the bootstrap's table of ${s.subnet}`
}

/** Fetches a Prometheus counter's value (0 when absent) from a node's metrics URL in node.json. */
export async function metric (node: CliNode, name: string, labels: Record<string, string>): Promise<number> {
  const url = (node.info() as any)?.metrics as string | undefined
  if (url == null) throw new Error(`${node.dataDir} serves no metrics`)
  const text = await (await fetch(url, { signal: AbortSignal.timeout(5_000) })).text()
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`)
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{')) continue
    const inside = line.slice(name.length + 1, line.indexOf('}'))
    const have = inside.split(',')
    if (want.every(w => have.includes(w))) return Number(line.slice(line.indexOf('}') + 1).trim())
  }
  return 0
}
