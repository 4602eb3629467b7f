import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { waitUntil } from './wait.js'

/** The package root, from dist/test/helpers. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const BIN = join(ROOT, 'bin', 'peerhive.js')

/** A real `peerhive` process (bootstrap or daemon) started by a test. */
export class CliNode {
  readonly output: string[] = []
  readonly exited: Promise<number | null>

  private constructor (readonly proc: ChildProcess, readonly dataDir: string) {
    proc.stdout?.setEncoding('utf8').on('data', (d: string) => this.output.push(d))
    proc.stderr?.setEncoding('utf8').on('data', (d: string) => this.output.push(d))
    this.exited = new Promise(resolve => proc.once('exit', code => { resolve(code) }))
  }

  /** Spawns `peerhive <args>` (in network namespace `netns`, when given) and resolves once node.json names this process. */
  static async start (args: string[], dataDir: string, env: NodeJS.ProcessEnv = {}, netns?: string): Promise<CliNode> {
    const [command, commandArgs] = inNamespace(netns, [BIN, ...args, '--data', dataDir])
    const proc = spawn(command, commandArgs, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    const node = new CliNode(proc, dataDir)
    let exited = false
    void node.exited.then(() => { exited = true })
    try {
      // waitUntil retries on a throw, so an early exit is returned and thrown here (fail fast)
      const outcome = await waitUntil(`peerhive ${args[0]} to start`, () => exited ? 'exited' : node.info()?.pid === proc.pid && 'started', 20_000)
      if (outcome === 'exited') throw new Error(`peerhive ${args[0]} exited with code ${proc.exitCode ?? proc.signalCode}`)
    } catch (err) {
      // the caller never gets this process, so it cannot clean it up
      proc.kill('SIGKILL')
      throw new Error(`${(err as Error).message}; its output: ${node.text()}`)
    }
    return node
  }

  info (): { peerId: string, multiaddrs: string[], api: string, pid: number } | undefined {
    try {
      return JSON.parse(readFileSync(join(this.dataDir, 'node.json'), 'utf8'))
    } catch {
      return undefined
    }
  }

  get peerId (): string {
    return this.info()?.peerId ?? ''
  }

  text (): string {
    return this.output.join('')
  }

  kill (signal: NodeJS.Signals = 'SIGKILL'): void {
    this.proc.kill(signal)
  }

  async stop (): Promise<number | null> {
    if (this.proc.exitCode == null && this.proc.signalCode == null) this.proc.kill('SIGTERM')
    return this.exited
  }
}

export interface CliResult { code: number, stdout: string, stderr: string }

/** Node with `args`, run in network namespace `netns` when given (`ip netns exec`: the same process, in the namespace). */
function inNamespace (netns: string | undefined, args: string[]): [string, string[]] {
  return netns == null ? [process.execPath, args] : ['ip', ['netns', 'exec', netns, process.execPath, ...args]]
}

/** Runs a short `peerhive` command to completion (in network namespace `netns`, when given); one still running after `timeoutMs` is killed. */
export async function peerhive (args: string[], env: NodeJS.ProcessEnv = {}, netns?: string, timeoutMs = 30_000): Promise<CliResult> {
  const [command, commandArgs] = inNamespace(netns, [BIN, ...args])
  return new Promise(resolve => {
    execFile(command, commandArgs, { env: { ...process.env, ...env }, timeout: timeoutMs }, (err, stdout, stderr) => {
      const killed = (err as any)?.killed === true ? `\n(the test killed it after ${timeoutMs} ms)` : ''
      resolve({ code: err == null ? 0 : typeof (err as any).code === 'number' ? (err as any).code : 1, stdout, stderr: stderr + killed })
    })
  })
}

export async function peerhiveJson (args: string[]): Promise<any> {
  const r = await peerhive([...args, '--json'])
  if (r.code !== 0) throw new Error(`peerhive ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
  return JSON.parse(r.stdout)
}
