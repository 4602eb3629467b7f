import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { pollUntil } from './clock.js'
import { Spawned } from './proc.js'
import { scrape, type Sample } from './prometheus.js'
import type { SocketSnapshot } from './socket-counter.js'

/** The package root, from dist/benchmarks/lib. */
export const ROOT = new URL('../../../', import.meta.url).pathname
export const BIN = join(ROOT, 'bin', 'peerhive.js')
const SOCKET_COUNTER = new URL('./socket-counter.js', import.meta.url)

export interface NodeJson { peerId: string, pid: number, multiaddrs: string[], api: string, metrics?: string }

/**
 * A bootstrap run as the real CLI (`node bin/peerhive.js bootstrap ...`) in
 * its own process, with the socket-counter preload. Read through its
 * node.json, its local API and its metrics endpoint.
 */
export class CliBootstrap {
  private socketSeq = 0

  private constructor (readonly proc: Spawned, readonly dataDir: string, readonly info: NodeJson, private readonly token: string, private readonly socketsFile: string) {}

  static async start (dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliBootstrap> {
    mkdirSync(dataDir, { recursive: true })
    const socketsFile = join(dataDir, '..', 'bootstrap-sockets.json')
    const proc = Spawned.start('bootstrap', process.execPath,
      ['--import', SOCKET_COUNTER.href, BIN, 'bootstrap', '--data', dataDir, ...args],
      { ...env, PEERHIVE_BENCH_SOCKETS_FILE: socketsFile })
    const info = await pollUntil(() => {
      if (!proc.alive) throw new Error(`the bootstrap exited at start:\n${proc.output.text(30)}`)
      const i = readJson<NodeJson>(join(dataDir, 'node.json'))
      return i?.pid === proc.pid ? i : undefined
    }, 30_000, 50)
    if (info == null) {
      await proc.stop(1_000)
      throw new Error(`the bootstrap did not write node.json within 30 s:\n${proc.output.text(30)}`)
    }
    const token = readFileSync(join(dataDir, 'api.token'), 'utf8').trim()
    return new CliBootstrap(proc, dataDir, info, token, socketsFile)
  }

  get pid (): number {
    return this.proc.pid
  }

  /** Its first listen multiaddr, ending with /p2p/<PeerId>. */
  get multiaddr (): string {
    return this.info.multiaddrs[0]
  }

  get libp2pPort (): number {
    return Number(/\/tcp\/(\d+)/.exec(this.multiaddr)?.[1])
  }

  get httpPorts (): number[] {
    return [this.info.api, this.info.metrics ?? ''].map(u => Number(/:(\d+)(\/|$)/.exec(u.replace(/^https?:\/\//, ''))?.[1])).filter(p => p > 0)
  }

  /** GET on its local API (what `peerhive subnets --json` calls). */
  async api<T = any> (path: string, timeoutMs = 3_000): Promise<T> {
    const res = await fetch(this.info.api + path, { headers: { authorization: `Bearer ${this.token}` }, signal: AbortSignal.timeout(timeoutMs) })
    if (!res.ok) throw new Error(`GET ${path} answered ${res.status}`)
    return res.json() as Promise<T>
  }

  async metrics (timeoutMs = 5_000): Promise<Sample[]> {
    if (this.info.metrics == null) throw new Error('the bootstrap serves no metrics')
    return scrape(this.info.metrics, timeoutMs)
  }

  /** Bytes of every TCP socket the process has had, from the preload (SIGUSR2, then wait for the file). */
  async sockets (timeoutMs = 3_000): Promise<SocketSnapshot> {
    const seq = ++this.socketSeq
    process.kill(this.pid, 'SIGUSR2')
    const snap = await pollUntil(() => {
      const s = readJson<SocketSnapshot>(this.socketsFile)
      return s != null && s.seq >= seq ? s : undefined
    }, timeoutMs, 5)
    if (snap == null) throw new Error('the bootstrap did not write its socket counts')
    return snap
  }

  async stop (): Promise<{ code: number | null, signal: NodeJS.Signals | null }> {
    await this.proc.stop(8_000)
    return this.proc.exited
  }
}

export function readJson<T> (path: string): T | undefined {
  try {
    if (!existsSync(path)) return undefined
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    return undefined
  }
}

/** CPU seconds (user + system) a process has used, from /proc (Linux); undefined elsewhere or once it is gone. */
export function cpuSecondsOf (pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
  } catch {
    return undefined
  }
}
const CLOCK_TICKS = 100

