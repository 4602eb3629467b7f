import { lstat, readFile, realpath, stat } from 'node:fs/promises'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { dirname, join, resolve } from 'node:path'
import { IDENTITY_FILE, PeerhiveError, TOKEN_FILE } from '../core/index.js'

/**
 * Files whose presence makes a folder a peerhive data directory (a node's,
 * or a bootstrap's): everything under such a folder is never shared.
 */
export const SECRET_FILES: readonly string[] = [IDENTITY_FILE, TOKEN_FILE]

/** Why a path was left out of a share: inside a data directory, a key or token under another name, hidden. */
export type SkipReason = 'data-directory' | 'secret' | 'hidden'

export interface SkippedPath {
  /** the file or folder left out (a folder is left out whole) */
  path: string
  reason: SkipReason
}

/** A file that the share policy forbids: a path inside a peerhive data directory. */
export class ForbiddenShareError extends PeerhiveError {
  constructor (readonly path: string) {
    super(`${path} is inside a peerhive data directory (it holds the node's private key and API token); files there are never shared`, 'ForbiddenShareError')
  }
}

/** What makes a file the same file under any name. */
export interface FileId { dev: number, ino: number }

export function isOneOf (file: FileId, ids: FileId[]): boolean {
  return ids.some(id => id.dev === file.dev && id.ino === file.ino)
}

/** Only files this small are read to see whether they are a key or a token. */
const MAX_SECRET_BYTES = 4096
/** What api.token holds (see api/token.ts) */
const TOKEN_TEXT = /^[0-9a-f]{64}\n?$/

/**
 * Whether a regular file is a peerhive secret under another name, outside
 * any data directory: a libp2p private key (a copy or a hard link of some
 * node's identity.key, a bootstrap's included), or a hard link of an
 * api.token (its text alone is too plain to refuse every copy of it).
 */
export async function isSecretContent (path: string, info: { size: number, nlink: number, isFile: () => boolean }): Promise<boolean> {
  if (!info.isFile() || info.size === 0 || info.size > MAX_SECRET_BYTES) return false
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch {
    return false
  }
  try {
    privateKeyFromProtobuf(bytes)
    return true
  } catch {}
  return info.nlink > 1 && TOKEN_TEXT.test(Buffer.from(bytes).toString('latin1'))
}

/** Hidden: a name starting with '.' (Kubo's convention for `ipfs add -r`). */
export function isHiddenName (name: string): boolean {
  return name.startsWith('.')
}

/** Whether a folder listing shows a peerhive data directory. */
export function holdsSecrets (names: Iterable<string>): boolean {
  for (const name of names) if (SECRET_FILES.includes(name)) return true
  return false
}

/**
 * What a node may share: never a file inside a peerhive data directory
 * (its own, given as `dataDir`, or any folder holding identity.key or
 * api.token), checked on real paths, symlinks resolved. The one place that
 * rule lives; share, the folder watcher, the start-up purge, serving and
 * job inputs all ask here. Hidden names are the caller's concern when it
 * walks a folder (see isHiddenName): they may be asked for, secrets not.
 */
export class SharePolicy {
  private readonly ownDataDir?: string
  private ownReal?: Promise<string | undefined>

  constructor (dataDir?: string) {
    this.ownDataDir = dataDir == null ? undefined : resolve(dataDir)
  }

  /** Whether this folder (a real path, as a folder walk meets it) is a data directory; `names` is its listing when at hand. */
  async isDataDir (realDir: string, names?: Iterable<string>): Promise<boolean> {
    if (realDir === await this.ownDataDirReal()) return true
    if (names != null) return holdsSecrets(names)
    for (const name of SECRET_FILES) {
      if (await lstat(join(realDir, name)).then(() => true, () => false)) return true
    }
    return false
  }

  /**
   * Whether a file or folder lies in a data directory: the folder of its
   * real path (the path itself, for a folder) or any folder above is one,
   * or it is this node's identity.key or api.token under another name (a
   * hard link). A path that does not exist is not forbidden: there is
   * nothing to serve.
   *
   * @param folders what one pass over many files already learnt of their
   * folders (real path → data directory or not), so each folder is looked at
   * once per pass, not once per file below it
   */
  async forbids (path: string, folders?: Map<string, boolean>): Promise<boolean> {
    let real: string
    try {
      real = await realpath(path)
    } catch {
      return false
    }
    const info = await stat(real).catch(() => undefined)
    if (info == null) return false
    for (let dir = info.isDirectory() ? real : dirname(real); ; dir = dirname(dir)) {
      let held = folders?.get(dir)
      if (held == null) {
        held = await this.isDataDir(dir)
        folders?.set(dir, held)
      }
      if (held) return true
      if (dirname(dir) === dir) break
    }
    return info.isFile() && (isOneOf(info, await this.ownSecretFiles()) || await isSecretContent(real, info))
  }

  /** Throws ForbiddenShareError for a path that `forbids`. */
  async check (path: string): Promise<void> {
    if (await this.forbids(path)) throw new ForbiddenShareError(path)
  }

  /** The identities (device, inode) of this node's identity.key and api.token, to know them under another name (a hard link). */
  async ownSecretFiles (): Promise<FileId[]> {
    const own = await this.ownDataDirReal()
    if (own == null) return []
    const ids: FileId[] = []
    for (const name of SECRET_FILES) {
      const secret = await stat(join(own, name)).catch(() => undefined)
      if (secret != null) ids.push({ dev: secret.dev, ino: secret.ino })
    }
    return ids
  }

  private async ownDataDirReal (): Promise<string | undefined> {
    if (this.ownDataDir == null) return undefined
    // resolved once it exists: the data directory may be created after the policy
    this.ownReal ??= realpath(this.ownDataDir).catch(() => { this.ownReal = undefined; return this.ownDataDir })
    return this.ownReal
  }
}
