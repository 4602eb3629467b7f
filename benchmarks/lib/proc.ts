import { fork, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Child processes of a benchmark. Every child is registered here so that
 * the benchmark kills all of them when it exits, whatever the reason
 * (normal end, error, signal, watchdog).
 */
const children = new Set<ChildProcess>()
/** forked children's temporary directories, removed when the child exits or, at the latest, with this process */
const childTmpDirs = new Set<string>()
let hooksInstalled = false

function installHooks (): void {
  if (hooksInstalled) return
  hooksInstalled = true
  process.once('exit', () => {
    killAll('SIGKILL')
    for (const dir of childTmpDirs) removeTmp(dir)
  })
}

function removeTmp (dir: string): void {
  childTmpDirs.delete(dir)
  try { rmSync(dir, { recursive: true, force: true }) } catch {}
}

function register (proc: ChildProcess): void {
  installHooks()
  children.add(proc)
  proc.once('exit', () => { children.delete(proc) })
}

/** Sends `signal` to every child still running (synchronous; safe in an 'exit' handler). */
export function killAll (signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const proc of children) {
    if (proc.exitCode == null && proc.signalCode == null) {
      try { proc.kill(signal) } catch {}
    }
  }
}

/** The last lines a child printed, bounded. */
export class OutputTail {
  private readonly lines: string[] = []
  private partial = ''
  constructor (private readonly max = 300) {}

  push (chunk: string): void {
    const parts = (this.partial + chunk).split('\n')
    this.partial = parts.pop() ?? ''
    for (const line of parts) {
      this.lines.push(line)
      if (this.lines.length > this.max) this.lines.shift()
    }
  }

  text (last = this.max): string {
    return [...this.lines.slice(-last), this.partial].filter(l => l !== '').join('\n')
  }
}

interface Pending { resolve: (v: any) => void, reject: (e: Error) => void, timer: ReturnType<typeof setTimeout> }

/** Messages between a benchmark and its forked children. */
export type IpcMessage =
  | { kind: 'request', id: number, cmd: string, args?: any }
  | { kind: 'reply', id: number, ok: boolean, result?: any, error?: string }
  | { kind: 'event', name: string, data: any }

/** A forked benchmark child, driven by request/reply messages; it may also send events. */
export class Child {
  readonly output = new OutputTail()
  readonly exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
  private nextId = 1
  private killed = false
  private readonly pending = new Map<number, Pending>()
  private readonly listeners = new Map<string, Array<(data: any) => void>>()

  private constructor (readonly name: string, readonly proc: ChildProcess) {
    register(proc)
    proc.stdout?.setEncoding('utf8').on('data', (d: string) => { this.output.push(d) })
    proc.stderr?.setEncoding('utf8').on('data', (d: string) => { this.output.push(d) })
    proc.on('message', (msg: IpcMessage) => { this.onMessage(msg) })
    // a send to a child that just died fails with EPIPE: the pending call is rejected on 'exit'
    proc.on('error', () => {})
    this.exited = new Promise(resolve => {
      proc.once('exit', (code, signal) => {
        for (const p of this.pending.values()) {
          clearTimeout(p.timer)
          p.reject(new Error(`${this.name} exited (code ${code}, signal ${signal}) before answering; output:\n${this.output.text(20)}`))
        }
        this.pending.clear()
        resolve({ code, signal })
      })
    })
  }

  /**
   * Forks `modulePath` with an IPC channel and waits for its 'ready' event.
   * The child gets a temporary directory of its own (TMPDIR), removed when
   * it exits: peers without a data directory work in one each, and a child
   * stopped with SIGKILL cannot remove them itself.
   */
  static async fork (name: string, modulePath: string, args: string[] = [], env: NodeJS.ProcessEnv = {}, readyTimeoutMs = 30_000): Promise<Child> {
    const tmp = mkdtempSync(join(tmpdir(), 'peerhive-bench-child-'))
    childTmpDirs.add(tmp)
    const proc = fork(modulePath, args, {
      execPath: process.execPath,
      env: { ...process.env, TMPDIR: tmp, ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced'
    })
    proc.once('exit', () => { removeTmp(tmp) })
    const child = new Child(name, proc)
    await child.waitFor('ready', readyTimeoutMs)
    return child
  }

  /** false once it has exited or been sent SIGKILL */
  get alive (): boolean {
    return !this.killed && this.proc.exitCode == null && this.proc.signalCode == null
  }

  get pid (): number {
    return this.proc.pid ?? -1
  }

  on (event: string, fn: (data: any) => void): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn])
  }

  async waitFor (event: string, timeoutMs: number): Promise<any> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`${this.name}: no '${event}' within ${timeoutMs} ms; output:\n${this.output.text(20)}`)) }, timeoutMs)
      const fn = (data: any): void => {
        clearTimeout(timer)
        this.listeners.set(event, (this.listeners.get(event) ?? []).filter(f => f !== fn))
        resolve(data)
      }
      this.on(event, fn)
      void this.exited.then(({ code, signal }) => {
        clearTimeout(timer)
        reject(new Error(`${this.name} exited (code ${code}, signal ${signal}) before '${event}'; output:\n${this.output.text(20)}`))
      })
    })
  }

  async call<T = any> (cmd: string, args: any = {}, timeoutMs = 10_000): Promise<T> {
    if (!this.alive || !this.proc.connected) throw new Error(`${this.name} is not running`)
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`${this.name}: '${cmd}' not answered within ${timeoutMs} ms`))
      }, timeoutMs)
      this.pending.set(id, { resolve, reject, timer })
      this.proc.send({ kind: 'request', id, cmd, args } satisfies IpcMessage, (err: Error | null) => {
        if (err == null) return
        clearTimeout(timer)
        this.pending.delete(id)
        reject(new Error(`${this.name}: could not send '${cmd}': ${err.message}`))
      })
    })
  }

  kill (signal: NodeJS.Signals): void {
    if (!this.alive) return
    this.proc.kill(signal)
    if (signal === 'SIGKILL') this.killed = true
  }

  /** Asks nicely with `stop`, then SIGKILL if the child is not gone within `timeoutMs`. */
  async shutdown (timeoutMs = 10_000): Promise<void> {
    if (!this.alive) return
    try {
      await this.call('stop', {}, timeoutMs)
    } catch {}
    if (this.proc.connected) this.proc.disconnect()
    await killAfter(this.proc, this.exited, 3_000)
  }

  private onMessage (msg: IpcMessage): void {
    if (msg.kind === 'reply') {
      const p = this.pending.get(msg.id)
      if (p == null) return
      this.pending.delete(msg.id)
      clearTimeout(p.timer)
      if (msg.ok) p.resolve(msg.result)
      else p.reject(new Error(`${this.name}: ${msg.error}`))
    } else if (msg.kind === 'event') {
      for (const fn of this.listeners.get(msg.name) ?? []) fn(msg.data)
    }
  }
}

/** Waits for `exited`, and sends SIGKILL if that takes longer than `ms`. */
export async function killAfter (proc: ChildProcess, exited: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([exited, new Promise<void>(resolve => { timer = setTimeout(resolve, ms) })])
  clearTimeout(timer)
  if (proc.exitCode == null && proc.signalCode == null) {
    proc.kill('SIGKILL')
    await Promise.race([exited, new Promise(resolve => setTimeout(resolve, 2_000))])
  }
}

/** A child started with plain spawn (for example the real CLI), with its output kept. */
export class Spawned {
  readonly output = new OutputTail()
  readonly exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>

  constructor (readonly name: string, readonly proc: ChildProcess) {
    register(proc)
    proc.stdout?.setEncoding('utf8').on('data', (d: string) => { this.output.push(d) })
    proc.stderr?.setEncoding('utf8').on('data', (d: string) => { this.output.push(d) })
    this.exited = new Promise(resolve => proc.once('exit', (code, signal) => { resolve({ code, signal }) }))
  }

  static start (name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Spawned {
    return new Spawned(name, spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }))
  }

  get alive (): boolean {
    return this.proc.exitCode == null && this.proc.signalCode == null
  }

  get pid (): number {
    return this.proc.pid ?? -1
  }

  /** SIGTERM, then SIGKILL after `ms`. */
  async stop (ms = 8_000): Promise<void> {
    if (!this.alive) return
    this.proc.kill('SIGTERM')
    await killAfter(this.proc, this.exited, ms)
  }
}

/**
 * The child side: answers requests with `handlers`, sends events, announces
 * 'ready', and exits when the parent goes away (so no child outlives the benchmark).
 */
export function serveParent (handlers: Record<string, (args: any) => unknown>, maxLifetimeMs = 300_000): { emit: (name: string, data: any) => void } {
  if (process.send == null) throw new Error('this module is a benchmark child; start it with the benchmark')
  const send = (msg: IpcMessage): void => {
    if (process.connected) process.send?.(msg)
  }
  process.on('message', (msg: IpcMessage) => {
    if (msg.kind !== 'request') return
    const handler = handlers[msg.cmd]
    if (handler == null) {
      send({ kind: 'reply', id: msg.id, ok: false, error: `unknown command ${msg.cmd}` })
      return
    }
    Promise.resolve().then(async () => handler(msg.args)).then(
      result => { send({ kind: 'reply', id: msg.id, ok: true, result }) },
      (err: Error) => { send({ kind: 'reply', id: msg.id, ok: false, error: `${err.name}: ${err.message}` }) }
    )
  })
  process.on('disconnect', () => { process.exit(0) })
  setTimeout(() => {
    process.stderr.write(`benchmark child ${process.pid}: lived ${maxLifetimeMs} ms; exiting\n`)
    process.exit(3)
  }, maxLifetimeMs).unref()
  const emit = (name: string, data: any): void => { send({ kind: 'event', name, data }) }
  setImmediate(() => { emit('ready', { pid: process.pid }) })
  return { emit }
}

/** How long a child gives its peers to stop before it answers without them. */
const PEERS_STOP_MS = 8_000

/**
 * The child side of a 'stop' request: stops every hosted peer at once and
 * answers whether all of them stopped within PEERS_STOP_MS (the parent then
 * kills the process either way).
 */
export async function stopPeers (stops: Array<() => Promise<unknown>>): Promise<{ stoppedCleanly: boolean }> {
  const all = Promise.allSettled(stops.map(async stop => stop()))
  const stoppedCleanly = await Promise.race([all.then(() => true), new Promise<boolean>(resolve => setTimeout(() => resolve(false), PEERS_STOP_MS))])
  return { stoppedCleanly }
}
