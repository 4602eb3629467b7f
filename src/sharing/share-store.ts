import { mkdirSync, type Dirent } from 'node:fs'
import { readdir, realpath, stat } from 'node:fs/promises'
import { basename, dirname, join, relative, sep } from 'node:path'
import type { DatabaseSync, SQLInputValue, StatementResultingChanges } from 'node:sqlite'
import { TypedEventEmitter } from 'main-event'
import { InvalidOptionError, openDatabase } from '../core/index.js'
import { Manifest, buildManifest } from './model/manifest.js'
import { OpenFiles, UnreadableFileError } from './open-files.js'
import { SharePolicy, isHiddenName, isOneOf, isSecretContent, type SkippedPath } from './share-policy.js'
import { FileChangedError, NotSharedError } from './model/errors.js'
import type { ShareChange, SharedFile, TransferStore } from './model/types.js'

export interface ShareMeta {
  title?: string
  keywords?: string[]
}

export interface ShareOptions extends ShareMeta {
  /**
   * Include hidden files and folders (a name starting with '.') under a
   * shared folder. A path named itself is shared even when hidden.
   * @default false
   */
  hidden?: boolean
}

/** What a share did: the files shared, and what was left out and why. */
export interface ShareReport {
  shared: SharedFile[]
  skipped: SkippedPath[]
}

export interface ShareStoreInit {
  /**
   * The node's own data directory: never shared, like any folder that holds
   * identity.key or api.token.
   * @default none
   */
  dataDir?: string
}

export interface ShareStoreEvents {
  change: CustomEvent<ShareChange>
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS shared_files (
  cid TEXT NOT NULL,
  path TEXT PRIMARY KEY,
  filename TEXT NOT NULL,
  directory TEXT NOT NULL,
  size INTEGER NOT NULL,
  title TEXT NOT NULL,
  keywords TEXT NOT NULL,
  mtime_ms REAL NOT NULL,
  manifest BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS shared_files_cid ON shared_files (cid);
CREATE TABLE IF NOT EXISTS unshared_paths (
  path TEXT PRIMARY KEY
);
`

const MAX_KEYWORDS = 32
const MAX_TEXT = 256

/**
 * What this node shares. Files stay where they lie: the store keeps their
 * path, metadata and manifest (in SQLite), and reads pieces from the file
 * itself, checking first that it has not changed since it was hashed.
 */
export class ShareStore extends TypedEventEmitter<ShareStoreEvents> {
  private readonly db: DatabaseSync
  /** list()'s rows until the next write: a virtual server reads its own files at every search it answers */
  private listed?: SharedFile[]
  /** the rescan in progress, and whether another was asked for meanwhile */
  private scanning?: Promise<ShareChange>
  private rescanAgain = false
  private readonly openFiles = new OpenFiles()
  /** what may never be shared: files inside a peerhive data directory */
  readonly policy: SharePolicy

  constructor (path: string, init: ShareStoreInit = {}) {
    super()
    this.policy = new SharePolicy(init.dataDir)
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
    this.db = openDatabase(path)
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;')
    this.db.exec(SCHEMA)
  }

  /** Closes the database, once a rescan in progress has finished. */
  async close (): Promise<void> {
    this.openFiles.closeAll()
    const closeNow = (): void => { if (this.db.isOpen) this.db.close() }
    if (this.scanning == null) {
      closeNow()
      return
    }
    await this.scanning.catch(() => {})
    closeNow()
  }

  /** Shares files, and every file under each folder given (see shareReport). Re-sharing a file updates its metadata. */
  async share (paths: string[], opts: ShareOptions = {}): Promise<SharedFile[]> {
    return (await this.shareReport(paths, opts)).shared
  }

  /**
   * Shares files, and every file under each folder given, and tells what it
   * left out: anything inside a peerhive data directory (always), hidden
   * files and folders below a shared folder (unless `hidden`). Symlinks
   * inside a folder are not followed; a path named itself is shared as the
   * file it resolves to.
   */
  async shareReport (paths: string[], opts: ShareOptions = {}): Promise<ShareReport> {
    const title = checkText(opts.title ?? '', 'title')
    const keywords = (opts.keywords ?? []).map(k => checkText(k.trim(), 'keyword')).filter(k => k !== '')
    if (keywords.length > MAX_KEYWORDS) throw new InvalidOptionError(`at most ${MAX_KEYWORDS} keywords, got ${keywords.length}`)
    const found: Array<{ path: string, directory: string }> = []
    const skipped: SkippedPath[] = []
    for (const given of paths) {
      let root: string
      try {
        root = await realpath(given)
      } catch {
        throw new InvalidOptionError(`cannot share ${given}: no such file or folder`)
      }
      const info = await stat(root)
      if ((info.isFile() || info.isDirectory()) && await this.policy.forbids(root)) {
        skipped.push({ path: root, reason: 'data-directory' })
        continue
      }
      if (info.isFile()) {
        // named on its own: shared even if it was unshared from its folder before
        this.db.prepare('DELETE FROM unshared_paths WHERE path = ?').run(root)
        found.push({ path: root, directory: '' })
      } else if (info.isDirectory()) {
        for (const path of await this.listFiles(root, opts.hidden === true, skipped)) {
          if (this.db.prepare('SELECT 1 FROM unshared_paths WHERE path = ?').get(path) == null) found.push({ path, directory: relative(root, dirname(path)).split(sep).join('/') })
        }
      } else {
        throw new InvalidOptionError(`cannot share ${given}: not a regular file or folder`)
      }
    }
    const shared: SharedFile[] = []
    const change: ShareChange = { added: [], removed: [] }
    // a hard link to the node's key, in a shared folder, is the key; so is any node's key by its content
    const secrets = await this.policy.ownSecretFiles()
    for (const { path, directory } of found) {
      const previous = this.byPath(path)
      const want = {
        directory,
        title: title === '' && previous != null ? previous.title : title,
        keywords: keywords.length === 0 && previous != null ? previous.keywords : keywords
      }
      const info = await stat(path)
      if (isOneOf(info, secrets)) {
        skipped.push({ path, reason: 'data-directory' })
        continue
      }
      if (await isSecretContent(path, info)) {
        skipped.push({ path, reason: 'secret' })
        continue
      }
      if (previous != null && previous.size === info.size && previous.mtimeMs === info.mtimeMs) {
        // unchanged content: no need to hash again
        if (previous.directory === want.directory && previous.title === want.title && previous.keywords.join('\0') === want.keywords.join('\0')) {
          shared.push(previous)
          continue
        }
        this.writeFiles('UPDATE shared_files SET directory = ?, title = ?, keywords = ? WHERE path = ?', want.directory, want.title, JSON.stringify(want.keywords), path)
        const updated = { ...previous, ...want }
        change.added.push(updated)
        shared.push(updated)
        continue
      }
      const file = await this.hashAndSave(path, want.directory, want.title, want.keywords)
      if (previous != null && previous.cid !== file.cid && this.byCid(previous.cid) == null) change.removed.push(previous.cid)
      change.added.push(file)
      shared.push(file)
    }
    this.emitChange(change)
    return { shared, skipped }
  }

  /**
   * Stops sharing every file the policy forbids (saved by an older version,
   * or put inside a data directory since). Their CIDs are reported as
   * removed, so the index and the DHT withdraw them. Returns those files.
   */
  async purgeForbidden (): Promise<SharedFile[]> {
    const purged: SharedFile[] = []
    // every 30 s (the folder watcher): each folder is looked at once, however many shared files it holds
    const folders = new Map<string, boolean>()
    for (const file of this.list()) {
      if (!(await this.policy.forbids(file.path, folders)) || !this.db.isOpen) continue
      this.writeFiles('DELETE FROM shared_files WHERE path = ?', file.path)
      purged.push(file)
    }
    this.emitChange({ added: [], removed: [...new Set(purged.map(f => f.cid))].filter(cid => this.byCid(cid) == null) })
    return purged
  }

  /** Whether a CID is shared and its file may be served now (its real path checked against the policy). */
  async servable (cid: string): Promise<boolean> {
    const file = this.byCid(cid)
    return file != null && !(await this.policy.forbids(file.path))
  }

  /**
   * The store as the transfer server sees it: a CID whose file the policy
   * forbids is not shared here (NOT_FOUND), whatever its row says; the
   * real path is checked at every request, so a swapped symlink or a data
   * directory created since does not leak.
   */
  readonly serving: TransferStore = {
    manifestBytes: async cid => await this.servable(cid) ? this.manifestBytes(cid) : undefined,
    readPiece: async (cid, index) => this.readPiece(cid, index)
  }

  /** Stops sharing every file with this CID. Returns whether any was shared. */
  unshare (cid: string): boolean {
    // remembered, so that sharing its folder again (the --share watcher) does not bring it back
    this.db.prepare('INSERT OR IGNORE INTO unshared_paths (path) SELECT path FROM shared_files WHERE cid = ?').run(cid)
    const result = this.writeFiles('DELETE FROM shared_files WHERE cid = ?', cid)
    if (Number(result.changes) === 0) return false
    this.emitChange({ added: [], removed: [cid] })
    return true
  }

  list (): SharedFile[] {
    this.listed ??= (this.db.prepare('SELECT * FROM shared_files ORDER BY directory, filename').all() as any[]).map(toFile)
    return [...this.listed]
  }

  /** A write to shared_files; list() reads the table again after it. */
  private writeFiles (sql: string, ...params: SQLInputValue[]): StatementResultingChanges {
    this.listed = undefined
    return this.db.prepare(sql).run(...params)
  }

  get (cid: string): SharedFile | undefined {
    return this.byCid(cid)
  }

  /** The encoded manifest of a shared file (what its CID hashes). */
  manifestBytes (cid: string): Uint8Array | undefined {
    const row = this.db.prepare('SELECT manifest FROM shared_files WHERE cid = ? LIMIT 1').get(cid) as { manifest: Uint8Array } | undefined
    return row?.manifest
  }

  /**
   * Reads piece `index` of a shared file from disk. The file must be as it
   * was hashed (same size and mtime); a changed file is rescanned and the
   * read fails with FileChangedError.
   */
  async readPiece (cid: string, index: number): Promise<Uint8Array> {
    let data: Uint8Array | undefined
    try {
      data = await this.openFiles.read(cid, index, () => {
        const file = this.byCid(cid)
        const bytes = this.manifestBytes(cid)
        return file == null || bytes == null ? undefined : { file, manifest: Manifest.decode(bytes) }
      })
    } catch (err) {
      if (err instanceof RangeError) throw new InvalidOptionError(err.message)
      if (!(err instanceof UnreadableFileError)) throw err
      if (err.reason === 'shrank') throw new FileChangedError(`${err.file.filename} shrank while it was read`)
      this.rescanSoon()
      throw new FileChangedError(err.reason === 'gone' ? `${err.file.filename} is no longer on disk` : `${err.file.filename} changed since it was shared`)
    }
    if (data == null) throw new NotSharedError(`${cid} is not shared here`)
    return data
  }

  /**
   * Finds shared files that changed or went away, re-hashes the changed ones,
   * and reports the changes. One rescan runs at a time; asking during one
   * runs one more after it.
   */
  async rescan (): Promise<ShareChange> {
    if (this.scanning != null) {
      this.rescanAgain = true
      return this.scanning
    }
    this.scanning = (async () => {
      let change: ShareChange
      do {
        this.rescanAgain = false
        change = await this.scanOnce()
      } while (this.rescanAgain && this.db.isOpen)
      return change
    })()
    try {
      return await this.scanning
    } finally {
      this.scanning = undefined
    }
  }

  private async scanOnce (): Promise<ShareChange> {
    const change: ShareChange = { added: [], removed: [] }
    for (const file of this.list()) {
      const info = await stat(file.path).catch(() => undefined)
      if (info?.isFile() === true && info.size === file.size && info.mtimeMs === file.mtimeMs) continue
      if (!this.db.isOpen) break
      this.writeFiles('DELETE FROM shared_files WHERE path = ?', file.path)
      // not hashed again if it now lies in a data directory (a symlink swapped in, a node started in its folder)
      const allowed = info?.isFile() === true && !(await this.policy.forbids(file.path))
      const updated = allowed ? await this.hashAndSave(file.path, file.directory, file.title, file.keywords).catch(() => undefined) : undefined
      if (updated != null && updated.cid === file.cid) continue
      if (this.byCid(file.cid) == null) change.removed.push(file.cid)
      if (updated != null) change.added.push(updated)
    }
    this.emitChange(change)
    return change
  }

  /** A rescan in the background, after a read found a file changed. */
  private rescanSoon (): void {
    this.rescan().catch(() => {})
  }

  /**
   * Regular files under a (real, allowed) folder, recursively, in a stable
   * order. Data directories below it are left out whole, hidden entries
   * unless `hidden`; both are added to `skipped`. Symlinks are not followed.
   */
  private async listFiles (root: string, hidden: boolean, skipped: SkippedPath[], listing?: Dirent[]): Promise<string[]> {
    const out: string[] = []
    const entries = listing ?? await readdir(root, { withFileTypes: true })
    entries.sort((a, b) => a.name.localeCompare(b.name))
    for (const e of entries) {
      const path = join(root, e.name)
      if (e.isFile()) {
        if (!hidden && isHiddenName(e.name)) skipped.push({ path, reason: 'hidden' })
        else out.push(path)
        continue
      }
      if (!e.isDirectory()) continue
      const inside = await readdir(path, { withFileTypes: true }).catch(() => [])
      // a data directory is named as such even when hidden (~/.peerhive): it stays out with --hidden too
      if (await this.policy.isDataDir(path, inside.map(d => d.name))) skipped.push({ path, reason: 'data-directory' })
      else if (!hidden && isHiddenName(e.name)) skipped.push({ path, reason: 'hidden' })
      else out.push(...await this.listFiles(path, hidden, skipped, inside))
    }
    return out
  }

  private async hashAndSave (path: string, directory: string, title: string, keywords: string[]): Promise<SharedFile> {
    const { manifest, cid, mtimeMs } = await buildManifest(path)
    const file: SharedFile = { cid: cid.toString(), path, filename: basename(path), directory, size: manifest.size, title, keywords, mtimeMs }
    this.writeFiles('INSERT OR REPLACE INTO shared_files (cid, path, filename, directory, size, title, keywords, mtime_ms, manifest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      file.cid, path, file.filename, directory, file.size, title, JSON.stringify(keywords), mtimeMs, Manifest.encode(manifest))
    return file
  }

  private byCid (cid: string): SharedFile | undefined {
    if (!this.db.isOpen) return undefined
    const row = this.db.prepare('SELECT * FROM shared_files WHERE cid = ? LIMIT 1').get(cid)
    return row == null ? undefined : toFile(row)
  }

  private byPath (path: string): SharedFile | undefined {
    const row = this.db.prepare('SELECT * FROM shared_files WHERE path = ?').get(path)
    return row == null ? undefined : toFile(row)
  }

  private emitChange (change: ShareChange): void {
    this.openFiles.forget(...change.removed, ...change.added.map(f => f.cid))
    if (change.added.length > 0 || change.removed.length > 0) this.safeDispatchEvent('change', { detail: change })
  }
}

function toFile (r: any): SharedFile {
  return {
    cid: r.cid,
    path: r.path,
    filename: r.filename,
    directory: r.directory,
    size: Number(r.size),
    title: r.title,
    keywords: JSON.parse(r.keywords),
    mtimeMs: Number(r.mtime_ms)
  }
}

function checkText (text: string, what: string): string {
  if (text.length > MAX_TEXT) throw new InvalidOptionError(`${what} longer than ${MAX_TEXT} characters`)
  return text
}

