import { createHash } from 'node:crypto'
import { pieceLength, type Manifest } from '../model/manifest.js'
import type { Uint8ArrayList } from 'uint8arraylist'

/**
 * Whether `data` is piece `index` of the manifest's file: pieceMatches for
 * a piece that arrived in chunks, hashed chunk by chunk without joining them.
 * (WebCrypto's digest was tried and is slower: it copies, and on this
 * stack blocked the event loop longer than hashing here does.)
 */
export function verifyPiece (manifest: Manifest, index: number, data: Uint8Array | Uint8ArrayList): boolean {
  const expected = manifest.pieces[index]
  if (expected == null || data.byteLength !== pieceLength(manifest, index)) return false
  const hash = createHash('sha256')
  if (data instanceof Uint8Array) hash.update(data)
  else for (const chunk of data) hash.update(chunk)
  const digest = hash.digest()
  return digest.byteLength === expected.byteLength && digest.equals(expected)
}
