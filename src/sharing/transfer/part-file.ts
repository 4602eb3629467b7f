import { mkdir, open, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import { Uint8ArrayList } from 'uint8arraylist'
import { pieceLength, type Manifest } from '../model/manifest.js'
import { MAX_SIDECAR_BYTES, RESUME_VERIFY_CONCURRENCY, SIDECAR_FLUSH_MS, SIDECAR_FLUSH_PIECES } from './constants.js'
import { verifyPiece } from './verify.js'

const SIDECAR_VERSION = 1

/** `<outPath>.part.json`: which pieces of `<outPath>.part` are verified, and of which CID. */
interface Sidecar {
  version: number
  cid: string
  size: number
  pieceSize: number
  /** bitfield of verified pieces, base64; bit i of byte i>>3 is piece i */
  have: string
}

/**
 * The file a download writes into: `<outPath>.part`, pieces written at their
 * offsets, and a sidecar naming the CID and the verified pieces so that an
 * interrupted download resumes without fetching them again. The sidecar only
 * claims pieces already written, it is replaced atomically, and its claims
 * are checked again on resume. The file gets its final name only once every
 * piece is verified.
 */
export class PartFile {
  private readonly have: Uint8Array
  private dirty = 0
  private lastFlush = Date.now()
  private flushing?: Promise<void>
  private closed = false
  private flushError?: Error

  private constructor (
    readonly outPath: string,
    private readonly cid: string,
    private readonly manifest: Manifest,
    private readonly handle: FileHandle,
    have: Uint8Array,
    /** pieces kept from an earlier run (and checked again) */
    readonly resumed: number
  ) {
    this.have = have
  }

  static partPath (outPath: string): string {
    return `${outPath}.part`
  }

  static sidecarPath (outPath: string): string {
    return `${outPath}.part.json`
  }

  /** Opens the partial file for `cid`: resumes a matching one, and replaces one left by another CID. */
  static async open (outPath: string, cid: string, manifest: Manifest): Promise<PartFile> {
    await mkdir(dirname(outPath), { recursive: true })
    const partPath = PartFile.partPath(outPath)
    const bits = Math.ceil(manifest.pieces.length / 8)
    const previous = await readSidecar(PartFile.sidecarPath(outPath))
    const info = await stat(partPath).catch(() => undefined)
    const resumable = previous != null && previous.cid === cid && previous.size === manifest.size && previous.pieceSize === manifest.pieceSize &&
      info?.isFile() === true && info.size === manifest.size
    let handle: FileHandle | undefined
    try {
      let have: Uint8Array = new Uint8Array(bits)
      let resumed = 0
      if (resumable) {
        handle = await open(partPath, 'r+')
        const claimed = Buffer.from(previous.have, 'base64')
        if (claimed.byteLength === bits) {
          have = await recheck(handle, manifest, claimed)
          for (let i = 0; i < manifest.pieces.length; i++) if (hasBit(have, i)) resumed++
        }
      } else {
        await rm(PartFile.sidecarPath(outPath), { force: true })
        handle = await open(partPath, 'w+')
        await handle.truncate(manifest.size)
      }
      const part = new PartFile(outPath, cid, manifest, handle, have, resumed)
      await part.writeSidecar(have)
      return part
    } catch (err) {
      await handle?.close().catch(() => {})
      throw err
    }
  }

  has (index: number): boolean {
    return hasBit(this.have, index)
  }

  /** Writes a verified piece at its offset, from the chunks it arrived in; the sidecar learns of it at the next flush. */
  async write (index: number, data: Uint8Array | Uint8ArrayList): Promise<void> {
    let rest = data instanceof Uint8Array ? new Uint8ArrayList(data) : data
    let offset = index * this.manifest.pieceSize
    while (rest.byteLength > 0) {
      const { bytesWritten } = await this.handle.writev([...rest], offset)
      if (bytesWritten <= 0) throw new Error(`could not write piece ${index} to ${PartFile.partPath(this.outPath)}`)
      offset += bytesWritten
      rest = rest.sublist(bytesWritten)
    }
    if (this.flushError != null) throw this.flushError
    this.have[index >> 3] |= 1 << (index & 7)
    this.dirty++
    if (this.flushing == null && (this.dirty >= SIDECAR_FLUSH_PIECES || Date.now() - this.lastFlush >= SIDECAR_FLUSH_MS)) {
      // in the background: the download goes on while the sidecar is rewritten
      this.flush().catch((err: Error) => { this.flushError = err })
    }
  }

  /**
   * Syncs the data written so far, then records those pieces in the sidecar;
   * one flush at a time, in the background. Syncing as we go lets the disk
   * write while the network delivers, so the final fsync has little left to
   * do. (A claim that still did not reach the disk fails the re-check on
   * resume and is fetched again.)
   */
  async flush (): Promise<void> {
    if (this.closed) return
    if (this.flushing != null) return this.flushing
    this.flushing = (async () => {
      const snapshot = this.have.slice()
      this.dirty = 0
      this.lastFlush = Date.now()
      await this.handle.datasync()
      await this.writeSidecar(snapshot)
    })().finally(() => { this.flushing = undefined })
    return this.flushing
  }

  /** Stops here and keeps the partial file and its sidecar for a later resume. */
  async suspend (): Promise<void> {
    if (this.closed) return
    await this.flushing?.catch(() => {})
    await this.flush().catch(() => {})
    this.closed = true
    await this.handle.close().catch(() => {})
  }

  /** pieces verified and written so far, this run and earlier ones */
  get count (): number {
    let n = 0
    for (let i = 0; i < this.manifest.pieces.length; i++) if (hasBit(this.have, i)) n++
    return n
  }

  /** Stops here and removes the partial file and its sidecar: for a download that got nothing worth keeping. */
  async discard (): Promise<void> {
    await this.flushing?.catch(() => {})
    this.closed = true
    await this.handle.close().catch(() => {})
    await rm(PartFile.partPath(this.outPath), { force: true })
    await rm(PartFile.sidecarPath(this.outPath), { force: true })
    await rm(`${PartFile.sidecarPath(this.outPath)}.tmp`, { force: true })
  }

  /** Every piece is in: sync, give the file its final name (atomically), remove the sidecar. */
  async finish (): Promise<void> {
    await this.flushing?.catch(() => {})
    this.closed = true
    await this.handle.sync()
    await this.handle.close()
    await rename(PartFile.partPath(this.outPath), this.outPath)
    await rm(PartFile.sidecarPath(this.outPath), { force: true })
    await rm(`${PartFile.sidecarPath(this.outPath)}.tmp`, { force: true })
    await syncDir(dirname(this.outPath))
  }

  private async writeSidecar (have: Uint8Array): Promise<void> {
    const sidecar: Sidecar = { version: SIDECAR_VERSION, cid: this.cid, size: this.manifest.size, pieceSize: this.manifest.pieceSize, have: Buffer.from(have).toString('base64') }
    const path = PartFile.sidecarPath(this.outPath)
    await writeFile(`${path}.tmp`, JSON.stringify(sidecar))
    await rename(`${path}.tmp`, path)
  }
}

function hasBit (bits: Uint8Array, index: number): boolean {
  return (bits[index >> 3] & (1 << (index & 7))) !== 0
}

/** The sidecar at `path`, or undefined when there is none or it is not one of ours. */
async function readSidecar (path: string): Promise<Sidecar | undefined> {
  const info = await stat(path).catch(() => undefined)
  if (info?.isFile() !== true || info.size > MAX_SIDECAR_BYTES) return undefined
  try {
    const s = JSON.parse(await readFile(path, 'utf8'))
    if (s?.version !== SIDECAR_VERSION || typeof s.cid !== 'string' || !Number.isSafeInteger(s.size) || !Number.isSafeInteger(s.pieceSize) || typeof s.have !== 'string') return undefined
    return s
  } catch {
    return undefined
  }
}

/**
 * Reads back the pieces a sidecar claims and keeps those that still verify:
 * the part file may have been touched since, and a wrong piece must never
 * reach the final name.
 */
async function recheck (handle: FileHandle, manifest: Manifest, claimed: Uint8Array): Promise<Uint8Array> {
  const have = new Uint8Array(claimed.byteLength)
  const wanted: number[] = []
  for (let i = 0; i < manifest.pieces.length; i++) if (hasBit(claimed, i)) wanted.push(i)
  let next = 0
  const worker = async (): Promise<void> => {
    const buf = Buffer.allocUnsafe(manifest.pieceSize)
    while (next < wanted.length) {
      const index = wanted[next++]
      const length = pieceLength(manifest, index)
      let filled = 0
      while (filled < length) {
        const { bytesRead } = await handle.read(buf, filled, length - filled, index * manifest.pieceSize + filled)
        if (bytesRead === 0) break
        filled += bytesRead
      }
      if (filled === length && verifyPiece(manifest, index, buf.subarray(0, length))) have[index >> 3] |= 1 << (index & 7)
    }
  }
  await Promise.all(Array.from({ length: RESUME_VERIFY_CONCURRENCY }, worker))
  return have
}

/** fsync of a folder, so a rename in it survives a crash; not every platform allows it. */
async function syncDir (path: string): Promise<void> {
  try {
    const dir = await open(path, 'r')
    try { await dir.sync() } finally { await dir.close() }
  } catch {}
}
