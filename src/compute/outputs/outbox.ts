/**
 * The provider's outbox: every output it produced, kept on disk so that the
 * job's owner can FETCH it when a PUSH did not reach it, or again later.
 * Bounded in total size and entries; entries expire. When room is needed,
 * delivered outputs go first (least recently used first), then the oldest
 * undelivered ones.
 *
 * Layout: <dir>/<replicaId>.bin holds the encoded UnitOutput, and
 * <dir>/<replicaId>.json its metadata (written second, so a .bin without
 * a .json is an interrupted write and is removed at open).
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { UnitOutput } from '../../pb/unit-output.js'
import { hashHex } from '../model/output-hash.js'
import { DEFAULT_OUTBOX_MAX_BYTES, DEFAULT_OUTBOX_MAX_ENTRIES, DEFAULT_OUTBOX_TTL_MS, MAX_OUTPUT_MESSAGE_BYTES } from './constants.js'
import { jobIdProblem } from './check.js'

export interface OutboxInit {
  /** total size of the kept outputs; @default 1 GiB */
  maxBytes?: number
  /** outputs kept; @default 10000 */
  maxEntries?: number
  /** how long an output is kept, delivered or not; @default 7 days */
  ttlMs?: number
  /** the clock, for tests; @default Date.now */
  now?: () => number
}

/** One kept output. */
export interface OutboxEntry {
  replicaId: number
  jobId: string
  unitIndex: number
  /** the output hash, lower-case hex */
  hash: string
  /** PeerId of the job's owner: the only peer allowed to FETCH it */
  owner: string
  /** the owner's addresses as the bootstrap gave them */
  ownerAddrs: string[]
  /** size of the encoded UnitOutput */
  bytes: number
  createdAt: number
  expiresAt: number
  /** the owner accepted a PUSH of it */
  delivered: boolean
  /** PUSH attempts that failed */
  pushFailures: number
  /** last time it was pushed or fetched (not persisted; set to createdAt at open) */
  lastUsed: number
}

/** What identifies an output in a FETCH: a replica id, or (job, unit, hash). */
export interface OutputQuery {
  replicaId?: number
  jobId?: string
  unitIndex?: number
  /** raw 32 bytes or lower-case hex */
  outputHash?: Uint8Array | string
}

type Meta = Omit<OutboxEntry, 'lastUsed'>

export class Outbox {
  private readonly entries = new Map<number, OutboxEntry>()
  private readonly byOutput = new Map<string, number>()
  private total = 0
  private opened?: Promise<void>
  private queue: Promise<void> = Promise.resolve()
  readonly maxBytes: number
  readonly maxEntries: number
  readonly ttlMs: number
  private readonly now: () => number

  constructor (readonly dir: string, init: OutboxInit = {}) {
    this.maxBytes = init.maxBytes ?? DEFAULT_OUTBOX_MAX_BYTES
    this.maxEntries = init.maxEntries ?? DEFAULT_OUTBOX_MAX_ENTRIES
    this.ttlMs = init.ttlMs ?? DEFAULT_OUTBOX_TTL_MS
    this.now = init.now ?? Date.now
  }

  /** Loads what an earlier run kept (idempotent): drops expired entries, interrupted writes and stray files. */
  async open (): Promise<void> {
    this.opened ??= this.load()
    await this.opened
  }

  /**
   * Keeps `output` for `owner`. Makes room first; an output larger than
   * the whole outbox is not kept (undefined). A second output of the same
   * replica replaces the first.
   */
  async put (output: UnitOutput, meta: { owner: string, ownerAddrs?: string[] }): Promise<OutboxEntry | undefined> {
    return await this.serially(async () => this.putNow(output, meta))
  }

  private async putNow (output: UnitOutput, meta: { owner: string, ownerAddrs?: string[] }): Promise<OutboxEntry | undefined> {
    await this.open()
    if (!Number.isSafeInteger(output.replicaId) || output.replicaId < 0) throw new RangeError(`bad replica id ${output.replicaId}`)
    const problem = jobIdProblem(output.jobId)
    if (problem != null) throw new RangeError(problem)
    const bytes = UnitOutput.encode(output)
    if (bytes.byteLength > this.maxBytes || bytes.byteLength > MAX_OUTPUT_MESSAGE_BYTES) return undefined
    await this.remove(output.replicaId)
    await this.makeRoom(bytes.byteLength)
    const now = this.now()
    const entry: OutboxEntry = {
      replicaId: output.replicaId,
      jobId: output.jobId,
      unitIndex: output.unitIndex,
      hash: hashHex(output.outputHash),
      owner: meta.owner,
      ownerAddrs: (meta.ownerAddrs ?? []).slice(0, 8),
      bytes: bytes.byteLength,
      createdAt: now,
      expiresAt: now + this.ttlMs,
      delivered: false,
      pushFailures: 0,
      lastUsed: now
    }
    await mkdir(this.dir, { recursive: true })
    await writeAtomic(this.binPath(entry.replicaId), bytes)
    await this.writeMeta(entry)
    this.add(entry)
    return { ...entry }
  }

  /** The kept output that `query` names, unless it expired. */
  find (query: OutputQuery): OutboxEntry | undefined {
    let entry: OutboxEntry | undefined
    if (query.replicaId != null && query.replicaId > 0) {
      entry = this.entries.get(query.replicaId)
      if (entry != null && query.jobId != null && query.jobId !== '' && entry.jobId !== query.jobId) entry = undefined
    } else if (query.jobId != null && query.unitIndex != null && query.outputHash != null) {
      const hash = typeof query.outputHash === 'string' ? query.outputHash : hashHex(query.outputHash)
      const id = this.byOutput.get(outputKey(query.jobId, query.unitIndex, hash))
      entry = id == null ? undefined : this.entries.get(id)
    }
    if (entry == null || entry.expiresAt <= this.now()) return undefined
    return { ...entry, ownerAddrs: [...entry.ownerAddrs] }
  }

  /** Whether any kept output belongs to `jobId`, and whose job it is. */
  ownerOf (jobId: string): string | undefined {
    for (const e of this.entries.values()) if (e.jobId === jobId) return e.owner
    return undefined
  }

  /** The output of a kept entry, or undefined when it is gone. */
  async read (replicaId: number): Promise<UnitOutput | undefined> {
    const entry = this.entries.get(replicaId)
    if (entry == null) return undefined
    let bytes: Uint8Array
    try {
      bytes = await readFile(this.binPath(replicaId))
    } catch (err: any) {
      if (err.code === 'ENOENT') {
        this.drop(entry)
        return undefined
      }
      throw err
    }
    entry.lastUsed = this.now()
    return UnitOutput.decode(bytes)
  }

  /** The owner accepted the output: it may now be evicted before undelivered ones. */
  async markDelivered (replicaId: number): Promise<void> {
    const entry = this.entries.get(replicaId)
    if (entry == null || entry.delivered) return
    entry.delivered = true
    entry.lastUsed = this.now()
    await this.writeMeta(entry)
  }

  /** A PUSH of the output failed once more. */
  async notePushFailed (replicaId: number): Promise<void> {
    const entry = this.entries.get(replicaId)
    if (entry == null) return
    entry.pushFailures++
    await this.writeMeta(entry)
  }

  /** Outputs the owner has not accepted yet, oldest first. */
  undelivered (): OutboxEntry[] {
    const now = this.now()
    return [...this.entries.values()].filter(e => !e.delivered && e.expiresAt > now).sort((a, b) => a.createdAt - b.createdAt).map(e => ({ ...e }))
  }

  /** Removes one output. */
  async remove (replicaId: number): Promise<void> {
    const entry = this.entries.get(replicaId)
    if (entry == null) return
    this.drop(entry)
    await rm(this.metaPath(replicaId), { force: true })
    await rm(this.binPath(replicaId), { force: true })
  }

  /** Removes the expired outputs; answers how many went. */
  async prune (): Promise<number> {
    return await this.serially(async () => {
      await this.open()
      const now = this.now()
      const expired = [...this.entries.values()].filter(e => e.expiresAt <= now)
      for (const e of expired) await this.remove(e.replicaId)
      return expired.length
    })
  }

  /** Runs changes that evict one after the other, so that concurrent puts cannot overshoot the bounds together. */
  private async serially<T> (fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn)
    this.queue = run.then(() => {}, () => {})
    return await run
  }

  stats (): { entries: number, bytes: number, undelivered: number } {
    let undelivered = 0
    for (const e of this.entries.values()) if (!e.delivered) undelivered++
    return { entries: this.entries.size, bytes: this.total, undelivered }
  }

  /** The size of the largest kept output message (0 when empty). */
  largestEntryBytes (): number {
    let n = 0
    for (const e of this.entries.values()) n = Math.max(n, e.bytes)
    return n
  }

  private async load (): Promise<void> {
    let names: string[]
    try {
      names = await readdir(this.dir)
    } catch (err: any) {
      if (err.code === 'ENOENT') return
      throw err
    }
    const now = this.now()
    const keep = new Set<string>()
    for (const name of names.filter(n => /^\d+\.json$/.test(n))) {
      const meta = await readMeta(join(this.dir, name))
      const replicaId = Number(name.slice(0, -5))
      if (meta == null || meta.replicaId !== replicaId || meta.expiresAt <= now) continue
      const size = await stat(this.binPath(replicaId)).then(s => s.size, () => -1)
      if (size !== meta.bytes) continue
      this.add({ ...meta, lastUsed: meta.createdAt })
      keep.add(name)
      keep.add(`${replicaId}.bin`)
    }
    // expired entries, interrupted writes, temporary files
    for (const name of names) if (!keep.has(name)) await rm(join(this.dir, name), { force: true, recursive: true })
    await this.makeRoom(0)
  }

  /** Evicts until `incoming` more bytes and one more entry fit. */
  private async makeRoom (incoming: number): Promise<void> {
    const now = this.now()
    while (this.entries.size > 0 && (this.total + incoming > this.maxBytes || this.entries.size + (incoming > 0 ? 1 : 0) > this.maxEntries)) {
      const victim = this.victim(now)
      await this.remove(victim.replicaId)
    }
  }

  /** Expired first, then delivered (least recently used), then the oldest undelivered. */
  private victim (now: number): OutboxEntry {
    let best: OutboxEntry | undefined
    let bestRank = Infinity
    for (const e of this.entries.values()) {
      const rank = e.expiresAt <= now ? -1 : e.delivered ? e.lastUsed : 1e15 + e.createdAt
      if (rank < bestRank) {
        best = e
        bestRank = rank
      }
    }
    return best as OutboxEntry
  }

  private add (entry: OutboxEntry): void {
    this.entries.set(entry.replicaId, entry)
    this.byOutput.set(outputKey(entry.jobId, entry.unitIndex, entry.hash), entry.replicaId)
    this.total += entry.bytes
  }

  private drop (entry: OutboxEntry): void {
    if (this.entries.get(entry.replicaId) !== entry) return
    this.entries.delete(entry.replicaId)
    const key = outputKey(entry.jobId, entry.unitIndex, entry.hash)
    if (this.byOutput.get(key) === entry.replicaId) this.byOutput.delete(key)
    this.total -= entry.bytes
  }

  private async writeMeta (entry: OutboxEntry): Promise<void> {
    const { lastUsed, ...meta } = entry
    await writeAtomic(this.metaPath(entry.replicaId), Buffer.from(JSON.stringify(meta)))
  }

  private binPath (replicaId: number): string {
    return join(this.dir, `${replicaId}.bin`)
  }

  private metaPath (replicaId: number): string {
    return join(this.dir, `${replicaId}.json`)
  }
}

function outputKey (jobId: string, unitIndex: number, hash: string): string {
  return `${jobId}\0${unitIndex}\0${hash}`
}

async function readMeta (path: string): Promise<Meta | undefined> {
  try {
    const text = await readFile(path, 'utf8')
    if (text.length > 64 * 1024) return undefined
    const m = JSON.parse(text)
    const ok = Number.isSafeInteger(m.replicaId) && typeof m.jobId === 'string' && jobIdProblem(m.jobId) == null &&
      Number.isInteger(m.unitIndex) && typeof m.hash === 'string' && /^[0-9a-f]{64}$/.test(m.hash) &&
      typeof m.owner === 'string' && Array.isArray(m.ownerAddrs) && m.ownerAddrs.every((a: unknown) => typeof a === 'string') &&
      Number.isSafeInteger(m.bytes) && Number.isFinite(m.createdAt) && Number.isFinite(m.expiresAt) &&
      typeof m.delivered === 'boolean' && Number.isInteger(m.pushFailures)
    return ok ? m : undefined
  } catch {
    return undefined
  }
}

/** Writes through a temporary name, so the final name only ever holds a whole file. */
export async function writeAtomic (path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${randomBytes(4).toString('hex')}`
  try {
    await writeFile(tmp, bytes)
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}
