import { copyFile, rename, stat } from 'node:fs/promises'
import { InvalidOptionError, PeerhiveError } from '../core/index.js'
import { basename, join, resolve } from 'node:path'
import { parseCid } from './model/manifest.js'
import { SECRET_FILES, isSecretContent } from './share-policy.js'
import { download, NotFoundError, type DownloadProgress, type ProviderInfo } from './transfer/index.js'
import type { SearchOptions, SearchResult } from './search.js'
import type { ShareStore } from './share-store.js'
import type { Libp2p } from 'libp2p'

export interface GetOptions {
  /**
   * Where to write the file.
   * @default the file's name in `outDir`
   */
  outPath?: string
  /**
   * The folder for a file written under its own name.
   * @default the current folder
   */
  outDir?: string
  /**
   * Aborting it stops the download; the part file is kept, so a later get resumes.
   * @default none
   */
  signal?: AbortSignal
  /**
   * Told the download's progress as pieces arrive.
   * @default none
   */
  onProgress?: (progress: DownloadProgress) => void
  /**
   * Replace a file that already exists at the path written. Without it, get
   * refuses with FileExistsError before it writes anything (a partial
   * download, `<path>.part`, is not such a file: it resumes).
   * @default false
   */
  overwrite?: boolean
  /**
   * How long to look for providers, in ms.
   * @default 5000
   */
  findTimeoutMs?: number
}

export interface GetResult {
  cid: string
  path: string
  bytes: number
  /** PeerIds that supplied verified pieces */
  sources: string[]
  /** the whole get: finding the providers, then the download */
  ms: number
  /** the download alone, once the providers were found (0 for a file this node shares itself) */
  downloadMs: number
}

export interface GetContext {
  libp2p: Libp2p<any>
  shares: ShareStore
  search: (words: string[], opts: SearchOptions) => AsyncGenerator<SearchResult>
  /** providers of a CID from the DHT's provider records */
  dhtProviders?: (cid: string, opts: { signal?: AbortSignal, limit?: number }) => AsyncIterable<{ id: { toString: () => string }, multiaddrs: Array<{ toString: () => string }> }>
}

/**
 * Fetches a file by CID: finds its providers with a search for the CID
 * (every index tier; the DHT when they know none), then downloads it from
 * them, nearest first, verifying every piece. A file this node shares
 * itself is copied.
 */
export async function getFile (ctx: GetContext, cidText: string, opts: GetOptions = {}): Promise<GetResult> {
  const started = performance.now()
  const cid = parseCid(cidText).toString()
  // a path given is checked before the search; a name from the network, once it is known
  if (opts.outPath != null) await refuseTarget(resolve(opts.outPath), opts.overwrite)
  const self = ctx.libp2p.peerId.toString()
  // a file the share policy forbids (inside a data directory) is not ours to hand out, even to this node's own get
  const own = await ctx.shares.servable(cid) ? ctx.shares.get(cid) : undefined
  const providers = new Map<string, ProviderInfo>()
  let filename: string | undefined = own?.filename
  // every index tier, for every provider; the DHT (the slowest) only when the indexes know none
  for await (const r of ctx.search([cid], { exhaustive: own == null, everyProvider: true, dhtWhenFound: false, limit: 256, timeoutMs: opts.findTimeoutMs ?? 5_000, signal: opts.signal })) {
    if (r.cid !== cid) continue
    filename ??= r.filename
    for (const p of r.providers) {
      if (p === self || providers.has(p)) continue
      providers.set(p, { peerId: p, addrs: (r.providerAddrs[p] ?? []).map(a => a.replace(/\/p2p\/[^/]+$/, '')), sameSubnet: r.tier === 'local' || r.tier === 'subnet' })
    }
  }
  if (own == null && providers.size === 0 && ctx.dhtProviders != null) {
    // nobody in the index: the DHT's provider records
    const signal = AbortSignal.any([AbortSignal.timeout(opts.findTimeoutMs ?? 5_000), ...(opts.signal != null ? [opts.signal] : [])])
    try {
      for await (const p of ctx.dhtProviders(cid, { signal, limit: 16 })) {
        const id = p.id.toString()
        if (id !== self && !providers.has(id)) providers.set(id, { peerId: id, addrs: p.multiaddrs.map(a => a.toString()), sameSubnet: false })
      }
    } catch {}
  }
  const outPath = resolve(opts.outPath ?? join(opts.outDir ?? '.', safeName(filename ?? cid)))
  await refuseTarget(outPath, opts.overwrite)
  if (own != null) {
    // already here: copy it, through a temporary name so the final one only ever holds the whole file
    await copyFile(own.path, outPath + '.part')
    await rename(outPath + '.part', outPath)
    return { cid, path: outPath, bytes: own.size, sources: [self], ms: Math.round(performance.now() - started), downloadMs: 0 }
  }
  if (providers.size === 0) throw new NotFoundError(`no peer shares ${cid} (searched this subnet, the other subnets and the central index)`)
  const result = await download({ libp2p: ctx.libp2p, cid, providers: [...providers.values()], outPath, signal: opts.signal, onProgress: opts.onProgress })
  return { cid: result.cid, path: result.path, bytes: result.bytes, sources: result.sources, ms: Math.round(performance.now() - started), downloadMs: result.ms }
}

/** get would replace a file that exists, and was not told to overwrite. */
export class FileExistsError extends PeerhiveError {
  constructor (readonly path: string) {
    super(`${path} exists already; get does not replace it unless told to overwrite`, 'FileExistsError')
  }
}

/** Refuses to write a node's key or token (by its name, or a file that holds a key), and an existing file unless `overwrite`. */
async function refuseTarget (path: string, overwrite: boolean | undefined): Promise<void> {
  if (SECRET_FILES.includes(basename(path))) throw new InvalidOptionError(`${path}: get does not write a file named ${basename(path)}, the name of a peerhive node's secret`)
  const existing = await stat(path).catch(() => undefined)
  if (existing != null && await isSecretContent(path, existing)) throw new InvalidOptionError(`${path} holds a node's private key or API token; get does not replace it`)
  if (overwrite === true) return
  // a folder is refused later, with its own message
  if (existing != null && !existing.isDirectory()) throw new FileExistsError(path)
}

/** A file name from the network, made safe to write: no folders, no hidden or empty name. */
function safeName (name: string): string {
  const base = basename(name.replace(/\\/g, '/')).replace(/[\x00-\x1f]/g, '')
  return base === '' || base === '.' || base === '..' || base.startsWith('.') ? `download-${Date.now()}` : base
}
