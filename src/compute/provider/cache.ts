/**
 * The provider's cache of apps and inputs, by CID: <dir>/<cid>. Files come
 * only from the fetch function (the files layer, which verifies every piece
 * against the CID), and are written under a temporary name first. Bounded
 * in total size: the least recently used files go first, never one a unit
 * is using.
 */
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { parseCid } from '../../sharing/index.js'

/**
 * Fetches the file of `cid` to `outPath` (SharingService.get fits:
 * `(cid, outPath, signal) => sharing.get(cid, { outPath, signal })`).
 * It must verify the content against the CID.
 */
export type FetchByCid = (cid: string, outPath: string, signal: AbortSignal) => Promise<unknown>

/** A cached file in use; `release` it when done. */
export interface CachedFile {
  cid: string
  path: string
  bytes: number
  /** false when it was already in the cache */
  fetched: boolean
  release: () => void
}

export interface CidCacheInit {
  fetch: FetchByCid
  /** total size; @default 1 GiB */
  maxBytes: number
  /** told of every download: its size, its time, and what the fetch function answered */
  onDownload?: (bytes: number, ms: number, result: unknown) => void
}

interface Entry {
  bytes: number
  lastUsed: number
  pins: number
}

interface Pending {
  promise: Promise<void>
  controller: AbortController
  waiters: number
}

export class CidCache {
  private readonly entries = new Map<string, Entry>()
  private readonly pending = new Map<string, Pending>()
  private total = 0
  private opened?: Promise<void>

  constructor (readonly dir: string, private readonly init: CidCacheInit) {}

  /** Scans what an earlier run left (idempotent); unfinished downloads are removed. */
  async open (): Promise<void> {
    this.opened ??= this.load()
    await this.opened
  }

  /**
   * The file of `cid`, fetched when it is not cached, and pinned until
   * released. Concurrent requests for one CID share one download, which is
   * aborted only when every requester's signal has aborted.
   */
  async acquire (cidText: string, signal: AbortSignal): Promise<CachedFile> {
    await this.open()
    const cid = parseCid(cidText).toString()
    let fetched = false
    let entry = this.entries.get(cid)
    if (entry != null && !await exists(this.pathOf(cid))) {
      this.forget(cid)
      entry = undefined
    }
    if (entry == null) {
      try {
        await this.download(cid, signal)
      } catch (err) {
        // a download shared with requesters that all gave up was aborted under us: once more, for us alone
        if (signal.aborted || !isAbort(err)) throw err
        await this.download(cid, signal)
      }
      fetched = true
      entry = this.entries.get(cid)
      if (entry == null) throw new Error(`the cache lost ${cid} right after fetching it`)
    }
    entry.pins++
    entry.lastUsed = Date.now()
    let released = false
    const pinned = entry
    return {
      cid,
      path: this.pathOf(cid),
      bytes: entry.bytes,
      fetched,
      release: () => {
        if (released) return
        released = true
        pinned.pins--
        pinned.lastUsed = Date.now()
        void this.evict()
      }
    }
  }

  stats (): { entries: number, bytes: number, maxBytes: number } {
    return { entries: this.entries.size, bytes: this.total, maxBytes: this.init.maxBytes }
  }

  pathOf (cid: string): string {
    return join(this.dir, cid)
  }

  private async download (cid: string, signal: AbortSignal): Promise<void> {
    let p = this.pending.get(cid)
    if (p == null) {
      const controller = new AbortController()
      const started = performance.now()
      const created: Pending = {
        controller,
        waiters: 0,
        promise: (async () => {
          await mkdir(this.dir, { recursive: true })
          const tmp = this.pathOf(cid) + '.download'
          try {
            const result = await this.init.fetch(cid, tmp, controller.signal)
            const { size } = await stat(tmp)
            await rename(tmp, this.pathOf(cid))
            const ms = performance.now() - started
            this.forget(cid)
            this.entries.set(cid, { bytes: size, lastUsed: Date.now(), pins: 0 })
            this.total += size
            this.init.onDownload?.(size, ms, result)
          } catch (err) {
            // partial downloads are not kept: they would sit outside the cache's bound
            await Promise.all([tmp, tmp + '.part', tmp + '.part.json'].map(async f => rm(f, { force: true })))
            throw err
          }
        })()
      }
      p = created
      this.pending.set(cid, p)
      void p.promise.then(() => { this.pending.delete(cid) }, () => { this.pending.delete(cid) })
    }
    const shared = p
    shared.waiters++
    const onAbort = (): void => {
      if (--shared.waiters === 0) shared.controller.abort(signal.reason)
    }
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    try {
      await raceAbort(shared.promise, signal)
    } finally {
      if (!signal.aborted) {
        signal.removeEventListener('abort', onAbort)
        shared.waiters--
      }
    }
  }

  /** Removes least recently used, unpinned files until the total fits. */
  private async evict (): Promise<void> {
    while (this.total > this.init.maxBytes) {
      let victim: string | undefined
      let oldest = Infinity
      for (const [cid, e] of this.entries) {
        if (e.pins === 0 && e.lastUsed < oldest) {
          victim = cid
          oldest = e.lastUsed
        }
      }
      if (victim == null) return
      this.forget(victim)
      await rm(this.pathOf(victim), { force: true })
    }
  }

  private forget (cid: string): void {
    const e = this.entries.get(cid)
    if (e == null) return
    this.entries.delete(cid)
    this.total -= e.bytes
  }

  private async load (): Promise<void> {
    await mkdir(this.dir, { recursive: true })
    for (const name of await readdir(this.dir)) {
      const path = join(this.dir, name)
      let cid: string | undefined
      try {
        cid = parseCid(name).toString()
      } catch {}
      const s = await stat(path).catch(() => undefined)
      if (cid !== name || s == null || !s.isFile()) {
        await rm(path, { force: true, recursive: true })
        continue
      }
      this.entries.set(cid, { bytes: s.size, lastUsed: s.mtimeMs, pins: 0 })
      this.total += s.size
    }
    await this.evict()
  }
}

function isAbort (err: any): boolean {
  return err?.name === 'AbortError' || err?.code === 'ABORT_ERR'
}

async function exists (path: string): Promise<boolean> {
  return await stat(path).then(() => true, () => false)
}

/** `promise`, or a rejection as soon as `signal` aborts. */
async function raceAbort<T> (promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) throw signal.reason ?? new Error('aborted')
  return await new Promise<T>((resolve, reject) => {
    const onAbort = (): void => { reject(signal.reason ?? new Error('aborted')) }
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(v => {
      signal.removeEventListener('abort', onAbort)
      resolve(v)
    }, err => {
      signal.removeEventListener('abort', onAbort)
      reject(err)
    })
  })
}
