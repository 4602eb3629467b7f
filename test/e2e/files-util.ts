/**
 * Helpers of the files end-to-end spec (files.spec.ts): random files with
 * their SHA-256, a search and a get through the CLI, Prometheus counters
 * summed over their other labels, and a `peerhive get` process that a test
 * can kill.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, closeSync, openSync, readFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, peerhive, type CliNode, type CliResult } from '../helpers/cli.js'

const BIN = join(ROOT, 'bin', 'peerhive.js')

/** Writes `size` random bytes to `path` (in 4 MiB chunks); resolves with their SHA-256 (hex). */
export function writeRandomFile (path: string, size: number): string {
  const hash = createHash('sha256')
  const fd = openSync(path, 'w')
  try {
    for (let done = 0; done < size;) {
      const chunk = randomBytes(Math.min(4 * 1024 * 1024, size - done))
      writeSync(fd, chunk)
      hash.update(chunk)
      done += chunk.length
    }
  } finally {
    closeSync(fd)
  }
  return hash.digest('hex')
}

export async function sha256File (path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** One line of `peerhive search --json`. */
export interface SearchLine {
  cid: string
  filename: string
  directory: string
  size: number
  title: string
  keywords: string[]
  providers: string[]
  tier: 'local' | 'subnet' | 'remote' | 'dht'
  ms: number
}

/** `peerhive search WORDS --json [extra]`: exit code, the parsed lines, and the raw output. */
export async function searchCli (node: CliNode, words: string[], extra: string[] = []): Promise<CliResult & { lines: SearchLine[] }> {
  const r = await peerhive(['search', ...words, '--json', ...extra, '--data', node.dataDir])
  const lines = r.code === 0 ? r.stdout.split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l) as SearchLine) : []
  return { ...r, lines }
}

/** What `peerhive get --json` ends with. */
export interface GetJson { cid: string, path: string, bytes: number, sources: string[], ms: number }

/** `peerhive get CID -o OUT --json`; the parsed result when it exits 0. */
export async function getCli (node: CliNode, cid: string, out: string): Promise<CliResult & { result?: GetJson }> {
  const r = await peerhive(['get', cid, '-o', out, '--json', '--data', node.dataDir])
  return { ...r, result: r.code === 0 ? JSON.parse(r.stdout) : undefined }
}

/**
 * Sum of a Prometheus counter over every series whose labels include `labels`
 * (for example every `outcome` of one protocol). 0 when no series matches.
 */
export async function counter (metricsUrl: string, name: string, labels: Record<string, string>): Promise<number> {
  const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) })
  if (!res.ok) throw new Error(`${metricsUrl} answered ${res.status}`)
  const text = await res.text()
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`)
  let sum = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{')) continue
    const close = line.indexOf('}')
    const have = line.slice(name.length + 1, close).split(',')
    if (want.every(w => have.includes(w))) sum += Number(line.slice(close + 1).trim())
  }
  return sum
}

/** The metrics URL a node wrote to its node.json (started with --metrics). */
export function metricsUrlOf (node: CliNode): string {
  const url = (node.info() as { metrics?: string } | undefined)?.metrics
  if (url == null) throw new Error(`${node.dataDir} serves no metrics (start it with --metrics 127.0.0.1:0)`)
  return url
}

/** The sidecar of a partial download (src/sharing/transfer/part-file.ts). */
export interface Sidecar { version: number, cid: string, size: number, pieceSize: number, have: string }

/** The sidecar at `<out>.part.json` and how many pieces it marks verified; undefined when absent or half written. */
export function readSidecar (out: string): { sidecar: Sidecar, verified: number } | undefined {
  try {
    const sidecar = JSON.parse(readFileSync(`${out}.part.json`, 'utf8')) as Sidecar
    let verified = 0
    for (const byte of Buffer.from(sidecar.have, 'base64')) {
      for (let b = byte; b !== 0; b &= b - 1) verified++
    }
    return { sidecar, verified }
  } catch {
    return undefined
  }
}

/** A `peerhive get` process left running, so that a test can kill it. */
export class GetProcess {
  readonly proc: ChildProcess
  readonly exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
  private readonly out: string[] = []

  constructor (node: CliNode, cid: string, outPath: string) {
    this.proc = spawn(process.execPath, [BIN, 'get', cid, '-o', outPath, '--json', '--data', node.dataDir], { stdio: ['ignore', 'pipe', 'pipe'] })
    this.proc.stdout?.setEncoding('utf8').on('data', (d: string) => this.out.push(d))
    this.proc.stderr?.setEncoding('utf8').on('data', (d: string) => this.out.push(d))
    this.exited = new Promise(resolve => this.proc.once('exit', (code, signal) => { resolve({ code, signal }) }))
    live.add(this)
    void this.exited.then(() => { live.delete(this) })
  }

  get running (): boolean {
    return this.proc.exitCode == null && this.proc.signalCode == null
  }

  text (): string {
    return this.out.join('')
  }

  /** kill -9, and resolves once it is gone. */
  async kill9 (): Promise<void> {
    if (this.running) this.proc.kill('SIGKILL')
    await this.exited
  }
}

const live = new Set<GetProcess>()
process.once('exit', () => {
  for (const g of live) {
    try { g.proc.kill('SIGKILL') } catch {}
  }
})

/** Kills every `peerhive get` process still running (for an after hook). */
export async function killAllGets (): Promise<void> {
  await Promise.all([...live].map(async g => g.kill9()))
}
