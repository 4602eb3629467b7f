import { createHash } from 'node:crypto'
import { open } from 'node:fs/promises'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest } from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'
import { InvalidOptionError, MalformedMessageError, MessageTooLargeError, UnsupportedVersionError } from '../../core/errors.js'
import { Manifest } from '../../pb/sharing.js'
import { FileChangedError } from './errors.js'

export { Manifest }

export const MANIFEST_VERSION = 1
/** Bytes per piece: the unit of transfer and of verification. */
export const DEFAULT_PIECE_SIZE = 1024 * 1024
export const MAX_MANIFEST_BYTES = 1024 * 1024
export const MAX_PIECES = 32_768

/** Reads a file once and describes it: size and the sha2-256 of each piece. */
export async function buildManifest (path: string, pieceSize = DEFAULT_PIECE_SIZE): Promise<{ manifest: Manifest, cid: CID, mtimeMs: number }> {
  const handle = await open(path, 'r')
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) throw new InvalidOptionError(`${path} is not a regular file`)
    const pieces: Array<Uint8Array<ArrayBuffer>> = []
    const buf = Buffer.allocUnsafe(pieceSize)
    let offset = 0
    while (offset < stat.size) {
      let filled = 0
      while (filled < pieceSize && offset + filled < stat.size) {
        const { bytesRead } = await handle.read(buf, filled, pieceSize - filled, offset + filled)
        if (bytesRead === 0) throw new FileChangedError(`${path} shrank while it was being read`)
        filled += bytesRead
      }
      pieces.push(new Uint8Array(createHash('sha256').update(buf.subarray(0, filled)).digest()))
      offset += filled
    }
    if (pieces.length > MAX_PIECES) throw new MessageTooLargeError(`${path} needs ${pieces.length} pieces; at most ${MAX_PIECES} are allowed`)
    const manifest: Manifest = { version: MANIFEST_VERSION, size: stat.size, pieceSize, pieces }
    return { manifest, cid: manifestCid(Manifest.encode(manifest)), mtimeMs: stat.mtimeMs }
  } finally {
    await handle.close()
  }
}

/** The CID of a manifest's bytes: CIDv1, raw, sha2-256. */
export function manifestCid (bytes: Uint8Array): CID {
  const digest = createDigest(sha256.code, createHash('sha256').update(bytes).digest())
  return CID.createV1(raw.code, digest)
}

/** Decodes manifest bytes received from a peer and checks them against the CID they were asked for. */
export function decodeManifest (bytes: Uint8Array, expected: CID): Manifest {
  if (bytes.byteLength > MAX_MANIFEST_BYTES) throw new MessageTooLargeError(`manifest of ${bytes.byteLength} bytes exceeds ${MAX_MANIFEST_BYTES}`)
  if (manifestCid(bytes).toString() !== expected.toString()) throw new MalformedMessageError(`the manifest does not hash to ${expected.toString()}`)
  let manifest: Manifest
  try {
    manifest = Manifest.decode(bytes)
  } catch (err: any) {
    throw new MalformedMessageError(`malformed manifest: ${err.message}`)
  }
  if (manifest.version !== MANIFEST_VERSION) throw new UnsupportedVersionError(`manifest version ${manifest.version} is not supported`)
  if (manifest.pieceSize < 1 || manifest.pieces.length !== pieceCount(manifest.size, manifest.pieceSize) || manifest.pieces.some(p => p.byteLength !== 32)) {
    throw new MalformedMessageError('the manifest\'s pieces do not match its size')
  }
  return manifest
}

export function pieceCount (size: number, pieceSize: number): number {
  return Math.ceil(size / pieceSize)
}

/** Length of piece `index` of a file described by `manifest`. */
export function pieceLength (manifest: Manifest, index: number): number {
  return Math.min(manifest.pieceSize, manifest.size - index * manifest.pieceSize)
}

/** Whether `data` is piece `index` of the manifest's file. */
export function pieceMatches (manifest: Manifest, index: number, data: Uint8Array): boolean {
  const expected = manifest.pieces[index]
  if (expected == null || data.byteLength !== pieceLength(manifest, index)) return false
  return createHash('sha256').update(data).digest().equals(expected)
}

/** Parses a CID given by a user or a peer; throws with a clear message. */
export function parseCid (text: string): CID {
  try {
    return CID.parse(text.trim())
  } catch (err: any) {
    throw new MalformedMessageError(`not a CID: "${text}" (${err.message})`)
  }
}
