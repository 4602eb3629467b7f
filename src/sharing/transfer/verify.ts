import { pieceLength, type Manifest } from '../manifest.js'

/**
 * Whether `data` is piece `index` of the manifest's file: the same check as
 * pieceMatches, but the hashing runs on libuv's thread pool (WebCrypto), so
 * the event loop keeps reading the network while pieces are verified.
 */
export async function verifyPiece (manifest: Manifest, index: number, data: Uint8Array): Promise<boolean> {
  const expected = manifest.pieces[index]
  if (expected == null || data.byteLength !== pieceLength(manifest, index)) return false
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>))
  if (digest.byteLength !== expected.byteLength) return false
  for (let i = 0; i < digest.byteLength; i++) if (digest[i] !== expected[i]) return false
  return true
}
