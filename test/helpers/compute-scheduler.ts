import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { ComputeScheduler, ComputeStore, type Assignment, type ReportItem, type SchedulerOptions } from '../../bootstrap/compute/index.js'
import { tempDir } from './tmp-dir.js'
import type { ProviderHello } from '../../bootstrap/compute/index.js'

/** sha256 of a string: a unit output hash for tests. */
export function hashOf (text: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(text).digest())
}

export async function cidOf (text: string): Promise<string> {
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(text))).toString()
}

export function hello (over: Partial<ProviderHello> = {}, host: Partial<ProviderHello['host']> = {}): ProviderHello {
  return {
    host: { cpuModel: 'test cpu', cores: 4, cpuMhz: 2000, os: 'linux-x64 6.1', memoryMb: 8192, freeDiskMb: 100_000, network: 'loopback', bandwidthBps: 0, ...host },
    cpus: 2,
    maxMemoryMb: 1024,
    apps: [],
    ...over
  }
}

/** The honest answer of a unit: its args joined. */
export function honest (a: Assignment): ReportItem {
  return { replicaId: a.replicaId, outcome: 'ok', hash: hashOf(a.args.join(' ')), outputBytes: 10, wallMs: 5 }
}

export function lie (a: Assignment): ReportItem {
  return { replicaId: a.replicaId, outcome: 'ok', hash: hashOf(`lie ${a.args.join(' ')}`), outputBytes: 10, wallMs: 5 }
}

/** A store and a scheduler on a temporary central.db, with a clock the test moves. */
export class ComputeFixture {
  readonly dir = tempDir('peerhive-compute-')
  store: ComputeStore
  scheduler: ComputeScheduler
  clock = 1_700_000_000_000
  app = ''

  constructor (private readonly opts: SchedulerOptions = {}) {
    this.store = new ComputeStore(this.path)
    this.scheduler = this.open()
  }

  get path (): string {
    return join(this.dir.path, 'central.db')
  }

  async init (): Promise<this> {
    this.app = await cidOf('the app')
    return this
  }

  /** A job of `n` units, one argument each ("u<index>"). */
  job (n: number, over: Record<string, unknown> = {}): Record<string, unknown> {
    return { app: this.app, appName: 'app.wasm', range: { from: 0, to: n, step: 1, args: ['u{index}'] }, ...over }
  }

  tick (ms: number): void {
    this.clock += ms
  }

  /** Closes the database and opens it again, as a restarted bootstrap does. */
  restart (opts: SchedulerOptions = {}): void {
    this.store.close()
    this.store = new ComputeStore(this.path)
    this.scheduler = this.open(opts)
  }

  close (): void {
    this.store.close()
    this.dir.cleanup()
  }

  private open (opts: SchedulerOptions = {}): ComputeScheduler {
    return new ComputeScheduler(this.store, { reportGraceMs: 0, now: () => this.clock, ...this.opts, ...opts })
  }
}
