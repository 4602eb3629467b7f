import { open, type FileHandle } from 'node:fs/promises'
import { pieceLength, type Manifest } from './model/manifest.js'
import type { SharedFile } from './model/types.js'

/** How long an unused file stays open. */
const IDLE_CLOSE_MS = 2_000
/** Files kept open at most; the least recently used is closed first. */
const MAX_OPEN = 32
/** A file is checked against its recorded size and mtime at most this often while it is read. */
const RECHECK_MS = 100

/** Why a file cannot serve pieces any more. */
export type Unreadable = 'gone' | 'changed' | 'shrank'

export class UnreadableFileError extends Error {
  constructor (readonly reason: Unreadable, readonly file: SharedFile) {
    super(reason)
    this.name = 'UnreadableFileError'
  }
}

interface Entry {
  file: SharedFile
  manifest: Manifest
  handle: Promise<FileHandle | undefined>
  reads: number
  checkedAt: number
  idle?: ReturnType<typeof setTimeout>
}

/**
 * Shared files kept open while they are being served, with their decoded
 * manifests: a provider serving a large file reads thousands of pieces, and
 * opening, statting and looking the file up for each one cost as much CPU
 * as sending it. A file still has to match its recorded size and mtime,
 * checked every RECHECK_MS; downloaders verify every piece anyway.
 */
export class OpenFiles {
  private readonly entries = new Map<string, Entry>()

  /**
   * Piece `index` of the file shared under `cid`. `lookup` gives the file
   * and its manifest when it is not open yet. Throws UnreadableFileError.
   */
  async read (cid: string, index: number, lookup: () => { file: SharedFile, manifest: Manifest } | undefined): Promise<Uint8Array | undefined> {
    let entry = this.entries.get(cid)
    if (entry == null) {
      const found = lookup()
      if (found == null) return undefined
      entry = this.add(cid, found.file, found.manifest)
    } else {
      // most recently used last, for the eviction order
      this.entries.delete(cid)
      this.entries.set(cid, entry)
    }
    const { file, manifest } = entry
    if (!Number.isInteger(index) || index < 0 || index >= manifest.pieces.length) {
      throw new RangeError(`piece ${index} is out of range (0..${manifest.pieces.length - 1})`)
    }
    entry.reads++
    clearTimeout(entry.idle)
    try {
      const handle = await entry.handle
      if (handle == null) throw new UnreadableFileError('gone', file)
      if (performance.now() - entry.checkedAt > RECHECK_MS) {
        const info = await handle.stat()
        if (info.size !== file.size || info.mtimeMs !== file.mtimeMs) throw new UnreadableFileError('changed', file)
        entry.checkedAt = performance.now()
      }
      const length = pieceLength(manifest, index)
      // every byte is overwritten below, or the buffer is dropped
      const buf = Buffer.allocUnsafe(length)
      let filled = 0
      while (filled < length) {
        const { bytesRead } = await handle.read(buf, filled, length - filled, index * manifest.pieceSize + filled)
        if (bytesRead === 0) throw new UnreadableFileError('shrank', file)
        filled += bytesRead
      }
      return buf
    } catch (err) {
      if (err instanceof UnreadableFileError) this.forget(cid)
      throw err
    } finally {
      entry.reads--
      if (entry.reads === 0 && this.entries.get(cid) === entry) this.closeWhenIdle(cid, entry)
    }
  }

  /** Closes the files of these CIDs (unshared or changed); the next read looks them up again. */
  forget (...cids: string[]): void {
    for (const cid of cids) {
      const entry = this.entries.get(cid)
      if (entry == null) continue
      this.entries.delete(cid)
      this.closeEntry(entry)
    }
  }

  closeAll (): void {
    this.forget(...this.entries.keys())
  }

  private add (cid: string, file: SharedFile, manifest: Manifest): Entry {
    const handle = open(file.path, 'r').catch(() => undefined)
    const entry: Entry = { file, manifest, handle, reads: 0, checkedAt: -Infinity }
    this.entries.set(cid, entry)
    for (const [old, e] of this.entries) {
      if (this.entries.size <= MAX_OPEN) break
      if (e.reads === 0 && old !== cid) this.forget(old)
    }
    return entry
  }

  private closeWhenIdle (cid: string, entry: Entry): void {
    entry.idle = setTimeout(() => { if (this.entries.get(cid) === entry && entry.reads === 0) this.forget(cid) }, IDLE_CLOSE_MS)
    entry.idle.unref?.()
  }

  /** Closes once the reads in flight are done with the handle. */
  private closeEntry (entry: Entry): void {
    clearTimeout(entry.idle)
    const close = async (): Promise<void> => {
      while (entry.reads > 0) await new Promise(resolve => setTimeout(resolve, 10))
      await (await entry.handle)?.close()
    }
    close().catch(() => {})
  }
}
