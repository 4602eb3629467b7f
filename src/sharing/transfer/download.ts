import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { InvalidOptionError } from '../../core/index.js'
import { parseCid, pieceLength, type Manifest } from '../model/manifest.js'
import { fetchManifest } from './client.js'
import { PUNCH_WAIT_MS, directConnectionWithin } from './direct-connection.js'
import {
  DEFAULT_BATCH_BYTES, DEFAULT_MAX_PROVIDERS, DEFAULT_STALL_TIMEOUT_MS, DEFAULT_STREAMS_PER_PROVIDER, MANIFEST_TIMEOUT_MS, PROVIDER_UNREACHABLE_MS
} from './constants.js'
import { BadDataError, DownloadAbortedError, DownloadFailedError, DownloadInProgressError, NotFoundError, TransferRefusedError } from './errors.js'
import { PartFile } from './part-file.js'
import { rankProviders, type Candidate } from './providers.js'
import { Swarm } from './swarm.js'
import { ErrorCode } from './wire.js'
import type { DownloadOptions, DownloadResult, ProviderReport } from './types.js'
import type { PeerId } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** Final paths being downloaded in this process: two downloads must not share a part file. */
const inProgress = new Set<string>()

/**
 * Downloads a shared file from its providers (SHARE-4): nearest providers
 * first, pieces from several at once, every piece verified on arrival,
 * resumable from `<outPath>.part` and its sidecar. The file appears under
 * `outPath` only when it is complete and verified.
 *
 * Throws NotFoundError when no provider has the file (nothing is written),
 * DownloadFailedError when those that have it failed or lied (the partial
 * file stays for a retry), and an AbortError when `signal` aborts (likewise).
 */
export async function download (opts: DownloadOptions): Promise<DownloadResult> {
  const started = performance.now()
  checkOptions(opts)
  const cid = parseCid(String(opts.cid))
  const outPath = resolve(opts.outPath)
  const signal = opts.signal ?? new AbortController().signal
  const log = opts.libp2p.logger.forComponent('peerhive:transfer:download')
  if (inProgress.has(outPath)) throw new DownloadInProgressError(`${outPath} is already being downloaded`)
  inProgress.add(outPath)
  try {
    // found now rather than at the final rename, after the whole download
    if ((await stat(outPath).catch(() => undefined))?.isDirectory() === true) throw new InvalidOptionError(`${outPath} is a folder; give the path of the file to write`)
    checkAborted(signal)
    const providers = await rankProviders(opts.libp2p, opts.providers, opts.maxProviders ?? DEFAULT_MAX_PROVIDERS, signal)
    checkAborted(signal)
    const manifest = await firstManifest(opts, cid, providers, signal)
    const part = await PartFile.open(outPath, cid.toString(), manifest)
    const sources: string[] = []
    let bytes = 0
    for (let i = 0; i < manifest.pieces.length; i++) if (part.has(i)) bytes += pieceLength(manifest, i)
    const progress = (): void => {
      try {
        opts.onProgress?.({ bytes, total: manifest.size, pieces: swarm.queue.done, totalPieces: manifest.pieces.length, sources: [...sources] })
      } catch {}
    }
    const swarm = new Swarm({
      libp2p: opts.libp2p,
      cid: cid.toString(),
      manifest,
      part,
      providers: providers.filter(p => usable(p.report)).map(p => {
        // a failure in the manifest round is forgiven: it may still serve pieces
        p.report.outcome = 'unused'
        delete p.report.detail
        return p
      }),
      signal,
      streamsPerProvider: Math.max(1, opts.streamsPerProvider ?? DEFAULT_STREAMS_PER_PROVIDER),
      batchBytes: opts.batchBytes ?? DEFAULT_BATCH_BYTES,
      pieceTimeoutMs: opts.pieceTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
      unreachableMs: opts.providerUnreachableMs ?? PROVIDER_UNREACHABLE_MS,
      log,
      onPiece: (provider, index) => {
        if (!sources.includes(provider)) sources.push(provider)
        bytes += pieceLength(manifest, index)
        progress()
      }
    })
    progress()
    let complete = false
    try {
      complete = await swarm.run()
    } finally {
      // nothing verified yet: nothing worth keeping for a resume
      if (!complete) await (part.count === 0 ? part.discard() : part.suspend())
    }
    if (!complete) {
      checkAborted(signal)
      const reports = providers.map(p => p.report)
      const missing = manifest.pieces.length - swarm.queue.done
      const kept = part.count > 0 ? ' The partial file is kept; run the download again to resume.' : ''
      if (reports.every(r => r.outcome === 'not-found' || r.outcome === 'changed')) {
        throw new NotFoundError(`no provider has ${cid.toString()} any more: ${describe(reports)}.${kept}`, reports)
      }
      throw new DownloadFailedError(`could not download ${cid.toString()}: ${missing} of ${manifest.pieces.length} pieces missing and no provider left; ${describe(reports)}.${kept}`, reports)
    }
    await part.finish()
    log('got %s: %s', cid.toString(), describe(providers.map(p => p.report)))
    return {
      cid: cid.toString(),
      path: outPath,
      bytes: manifest.size,
      sources,
      ms: Math.round(performance.now() - started),
      providers: providers.map(p => p.report),
      resumedPieces: part.resumed
    }
  } finally {
    inProgress.delete(outPath)
  }
}

/**
 * The manifest of `cid` from `peer`. Met first through a relay that carries
 * no file data, it is asked for again once a direct connection (a hole
 * punch under way) opens within PUNCH_WAIT_MS.
 */
async function manifestFrom (libp2p: DownloadOptions['libp2p'], peer: PeerId, cid: CID, signal: AbortSignal): Promise<Manifest> {
  const ask = async (): Promise<Manifest> => fetchManifest(libp2p, peer, cid, AbortSignal.any([signal, AbortSignal.timeout(MANIFEST_TIMEOUT_MS)]))
  try {
    return await ask()
  } catch (err: any) {
    if (err?.name !== 'LimitedConnectionError' || !await directConnectionWithin(libp2p, peer, PUNCH_WAIT_MS, signal)) throw err
    return await ask()
  }
}

/**
 * Asks providers for the manifest, nearest first, until one sends a manifest
 * that hashes to the CID. Records what each one answered.
 */
async function firstManifest (opts: DownloadOptions, cid: CID, providers: Candidate[], signal: AbortSignal): Promise<Manifest> {
  for (const p of providers) {
    checkAborted(signal)
    try {
      return await manifestFrom(opts.libp2p, p.peerId, cid, signal)
    } catch (err: any) {
      checkAborted(signal)
      const r = p.report
      r.detail = err?.name === 'LimitedConnectionError'
        ? 'behind NAT, and reachable only through a relay that carries no file data (a public peer\'s, or the bootstrap\'s without --relay-bulk), with no direct connection within ' + `${PUNCH_WAIT_MS} ms`
        : String(err?.message ?? err)
      if (err instanceof BadDataError) r.outcome = 'lied'
      else if (err instanceof TransferRefusedError && err.code === ErrorCode.NOT_FOUND) r.outcome = 'not-found'
      else if (err instanceof TransferRefusedError && err.code === ErrorCode.CHANGED) r.outcome = 'changed'
      else if (err instanceof TransferRefusedError && err.code === ErrorCode.BUSY) r.outcome = 'busy'
      else r.outcome = 'failed'
    }
  }
  const reports = providers.map(p => p.report)
  if (reports.every(r => r.outcome === 'not-found' || r.outcome === 'changed')) {
    throw new NotFoundError(reports.length === 0
      ? `no provider to download ${cid.toString()} from`
      : `no provider has ${cid.toString()}: ${describe(reports)}`, reports)
  }
  throw new DownloadFailedError(`could not get the manifest of ${cid.toString()}: ${describe(reports)}`, reports)
}

/** Providers still worth asking for pieces after the manifest round. */
function usable (r: ProviderReport): boolean {
  return r.outcome === 'unused' || r.outcome === 'failed' || r.outcome === 'busy'
}

/** Numeric options must be positive integers (times in ms); the providers a list. */
function checkOptions (opts: DownloadOptions): void {
  if (!Array.isArray(opts.providers)) throw new InvalidOptionError('providers must be a list of { peerId, addrs }')
  for (const name of ['maxProviders', 'streamsPerProvider', 'batchBytes', 'pieceTimeoutMs'] as const) {
    const value = opts[name]
    if (value != null && (!Number.isSafeInteger(value) || value < 1)) throw new InvalidOptionError(`${name} must be a positive integer, not ${String(value)}`)
  }
}

function checkAborted (signal: AbortSignal): void {
  if (signal.aborted) throw new DownloadAbortedError()
}

/** "12D3…abc lied (piece 3 does not match), 12D3…def not-found (…)": what each provider did. */
function describe (reports: ProviderReport[]): string {
  if (reports.length === 0) return 'no providers'
  return reports.map(r => `${r.peerId} ${r.outcome}${r.pieces > 0 ? ` after ${r.pieces} pieces` : ''}${r.detail != null ? ` (${r.detail})` : ''}`).join('; ')
}
