/**
 * Manifests: the description of a shared file (size, piece size, sha2-256 of
 * each piece) whose CID addresses the file. These tests pin down what makes
 * a CID, how pieces are cut, and what a manifest received from a peer must
 * satisfy before it is trusted.
 */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import {
  DEFAULT_PIECE_SIZE, MANIFEST_VERSION, MAX_MANIFEST_BYTES, Manifest,
  buildManifest, decodeManifest, manifestCid, pieceCount, pieceLength, pieceMatches, parseCid
} from '../../src/sharing/index.js'
import { tempDir } from '../helpers/tmp-dir.js'

const PIECE = 1024

function sha (bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(bytes).digest())
}

/** Encodes a manifest and returns it with its CID, as a provider would. */
function encoded (m: Manifest): { bytes: Uint8Array, cid: CID } {
  const bytes = Manifest.encode(m)
  return { bytes, cid: manifestCid(bytes) }
}

describe('manifests', () => {
  const dir = tempDir('peerhive-manifest-')
  let n = 0
  const file = (data: Uint8Array | string): string => {
    const path = join(dir.path, `f${n++}`)
    writeFileSync(path, data)
    return path
  }
  after(() => { dir.cleanup() })

  describe('buildManifest and the CID', () => {
    it('gives the same CID for the same content, wherever the file lies, and a different CID for different content', async () => {
      const data = randomBytes(3 * PIECE + 17)
      const a = await buildManifest(file(data), PIECE)
      const b = await buildManifest(file(data), PIECE)
      assert.equal(a.cid.toString(), b.cid.toString(), 'two copies of the same bytes must have one CID')
      assert.deepEqual(a.manifest, b.manifest)

      const altered = Buffer.from(data)
      altered[altered.length - 1] ^= 0x01
      const c = await buildManifest(file(altered), PIECE)
      assert.notEqual(c.cid.toString(), a.cid.toString(), 'one flipped bit in the last piece must change the CID')

      const longer = await buildManifest(file(Buffer.concat([data, Buffer.from([0])])), PIECE)
      assert.notEqual(longer.cid.toString(), a.cid.toString(), 'one more byte must change the CID')
    })

    it('makes a CIDv1, codec raw, sha2-256 of the encoded manifest', async () => {
      const { manifest, cid } = await buildManifest(file('hello peerhive'), PIECE)
      assert.equal(cid.version, 1)
      assert.equal(cid.code, raw.code)
      assert.equal(cid.multihash.code, sha256.code)
      assert.deepEqual(new Uint8Array(cid.multihash.digest), sha(Manifest.encode(manifest)))
      assert.equal(manifestCid(Manifest.encode(manifest)).toString(), cid.toString())
    })

    it('describes the piece size in the manifest: one content, two piece sizes, two CIDs', async () => {
      const path = file(randomBytes(4 * PIECE))
      const small = await buildManifest(path, PIECE)
      const big = await buildManifest(path, 2 * PIECE)
      assert.equal(small.manifest.pieceSize, PIECE)
      assert.equal(big.manifest.pieceSize, 2 * PIECE)
      assert.notEqual(small.cid.toString(), big.cid.toString())
    })

    it('uses 1 MiB pieces by default', async () => {
      const { manifest } = await buildManifest(file('x'))
      assert.equal(manifest.pieceSize, DEFAULT_PIECE_SIZE)
      assert.equal(DEFAULT_PIECE_SIZE, 1024 * 1024)
    })

    it('describes an empty file with no pieces, and that manifest is accepted back', async () => {
      const { manifest, cid, mtimeMs } = await buildManifest(file(new Uint8Array(0)), PIECE)
      assert.equal(manifest.version, MANIFEST_VERSION)
      assert.equal(manifest.size, 0)
      assert.deepEqual(manifest.pieces, [])
      assert.ok(mtimeMs > 0)
      assert.deepEqual(decodeManifest(Manifest.encode(manifest), cid), manifest)
      assert.equal(pieceMatches(manifest, 0, new Uint8Array(0)), false, 'an empty file has no piece 0')
    })

    it('cuts a file of exactly N pieces into N full pieces', async () => {
      const data = randomBytes(5 * PIECE)
      const { manifest } = await buildManifest(file(data), PIECE)
      assert.equal(manifest.size, 5 * PIECE)
      assert.equal(manifest.pieces.length, 5)
      assert.equal(pieceCount(manifest.size, manifest.pieceSize), 5)
      for (let i = 0; i < 5; i++) {
        assert.deepEqual(manifest.pieces[i], sha(data.subarray(i * PIECE, (i + 1) * PIECE)), `hash of piece ${i}`)
        assert.equal(pieceLength(manifest, i), PIECE)
      }
    })

    it('cuts a file of N pieces + 1 byte into N full pieces and a last piece of 1 byte', async () => {
      const data = randomBytes(5 * PIECE + 1)
      const { manifest } = await buildManifest(file(data), PIECE)
      assert.equal(manifest.size, 5 * PIECE + 1)
      assert.equal(manifest.pieces.length, 6)
      assert.equal(pieceLength(manifest, 4), PIECE)
      assert.equal(pieceLength(manifest, 5), 1, 'the last piece is the one byte left over')
      assert.deepEqual(manifest.pieces[5], sha(data.subarray(5 * PIECE)))
      assert.equal(pieceMatches(manifest, 5, data.subarray(5 * PIECE)), true)
    })

    it('gives a file smaller than one piece a single short piece', async () => {
      const data = randomBytes(PIECE - 3)
      const { manifest } = await buildManifest(file(data), PIECE)
      assert.equal(manifest.pieces.length, 1)
      assert.equal(pieceLength(manifest, 0), PIECE - 3)
      assert.equal(pieceMatches(manifest, 0, data), true)
    })

    it('refuses a folder or a missing file', async () => {
      await assert.rejects(buildManifest(dir.path, PIECE), /not a regular file|EISDIR/)
      await assert.rejects(buildManifest(join(dir.path, 'no-such-file'), PIECE), { code: 'ENOENT' })
    })
  })

  describe('pieceMatches', () => {
    const data = randomBytes(2 * PIECE + 100)
    let manifest: Manifest
    before(async () => { manifest = (await buildManifest(file(data), PIECE)).manifest })

    it('accepts each piece\'s exact bytes', () => {
      assert.equal(pieceMatches(manifest, 0, data.subarray(0, PIECE)), true)
      assert.equal(pieceMatches(manifest, 1, data.subarray(PIECE, 2 * PIECE)), true)
      assert.equal(pieceMatches(manifest, 2, data.subarray(2 * PIECE)), true)
    })

    it('rejects altered bytes', () => {
      const bad = Buffer.from(data.subarray(PIECE, 2 * PIECE))
      bad[PIECE / 2] ^= 0x80
      assert.equal(pieceMatches(manifest, 1, bad), false)
    })

    it('rejects the right bytes given for another index', () => {
      assert.equal(pieceMatches(manifest, 0, data.subarray(PIECE, 2 * PIECE)), false)
    })

    it('rejects short or long data, even when it is a prefix of the right piece', () => {
      assert.equal(pieceMatches(manifest, 0, data.subarray(0, PIECE - 1)), false)
      assert.equal(pieceMatches(manifest, 2, data.subarray(2 * PIECE, 2 * PIECE + 99)), false)
      assert.equal(pieceMatches(manifest, 2, Buffer.concat([data.subarray(2 * PIECE), Buffer.from([0])])), false)
      assert.equal(pieceMatches(manifest, 0, new Uint8Array(0)), false)
    })

    it('rejects an index outside the file', () => {
      assert.equal(pieceMatches(manifest, 3, data.subarray(0, PIECE)), false)
      assert.equal(pieceMatches(manifest, -1, data.subarray(0, PIECE)), false)
    })
  })

  describe('decodeManifest (bytes from a peer)', () => {
    const good = (over: Partial<Manifest> = {}): Manifest => {
      const pieces = [sha(Buffer.from('a')), sha(Buffer.from('b')), sha(Buffer.from('c'))]
      return { version: MANIFEST_VERSION, size: 2 * PIECE + 10, pieceSize: PIECE, pieces, ...over }
    }

    it('accepts a well-formed manifest that hashes to the CID asked for', () => {
      const { bytes, cid } = encoded(good())
      assert.deepEqual(decodeManifest(bytes, cid), good())
    })

    it('rejects bytes that do not hash to the CID asked for', () => {
      const { cid } = encoded(good())
      const other = encoded(good({ size: 2 * PIECE + 11 }))
      assert.throws(() => decodeManifest(other.bytes, cid), { name: 'MalformedMessageError', message: new RegExp(cid.toString()) })
    })

    it('rejects malformed bytes, even when they hash to the CID', () => {
      const garbage = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])
      assert.throws(() => decodeManifest(garbage, manifestCid(garbage)), { name: 'MalformedMessageError' })
      // a length-delimited field that runs past the end
      const truncated = Manifest.encode(good()).subarray(0, 20)
      assert.throws(() => decodeManifest(truncated, manifestCid(truncated)), { name: 'MalformedMessageError' })
    })

    it('rejects another version', () => {
      for (const version of [0, 2]) {
        const { bytes, cid } = encoded(good({ version }))
        assert.throws(() => decodeManifest(bytes, cid), { name: 'UnsupportedVersionError', message: new RegExp(`version ${version}`) })
      }
    })

    it('rejects a manifest whose piece count does not match its size', () => {
      const cases: Array<[string, Manifest]> = [
        ['one piece too many', good({ size: 2 * PIECE })],
        ['one piece too few', good({ size: 3 * PIECE + 1 })],
        ['pieces for an empty file', good({ size: 0 })],
        ['no pieces for a non-empty file', good({ pieces: [] })],
        ['a piece hash that is not 32 bytes', good({ pieces: [sha(Buffer.from('a')), sha(Buffer.from('b')), new Uint8Array(31)] })],
        ['a piece size of 0', good({ pieceSize: 0, size: 0, pieces: [] })]
      ]
      for (const [what, m] of cases) {
        const { bytes, cid } = encoded(m)
        assert.throws(() => decodeManifest(bytes, cid), { name: 'MalformedMessageError' }, what)
      }
    })

    it('rejects input over the size limit (1 MiB), whatever the CID', () => {
      const big = new Uint8Array(MAX_MANIFEST_BYTES + 1)
      assert.throws(() => decodeManifest(big, manifestCid(big)), { name: 'MessageTooLargeError' })
      const { cid } = encoded(good())
      assert.throws(() => decodeManifest(big, cid), { name: 'MessageTooLargeError' })
      // at the limit, it is the content that is judged
      const atLimit = new Uint8Array(MAX_MANIFEST_BYTES)
      assert.throws(() => decodeManifest(atLimit, manifestCid(atLimit)), (err: any) => err.name !== 'MessageTooLargeError')
    })
  })

  describe('parseCid', () => {
    it('parses what buildManifest gives, with surrounding blanks', async () => {
      const { cid } = await buildManifest(file('parse me'), PIECE)
      assert.equal(parseCid(cid.toString()).toString(), cid.toString())
      assert.equal(parseCid(`  ${cid.toString()}\n`).toString(), cid.toString())
    })

    it('rejects garbage with a message that quotes it', () => {
      for (const text of ['', 'hello', 'bafy!!!', '12D3KooWNotACid', 'zzzzzzzzzzzzzzzzzzzz']) {
        assert.throws(() => parseCid(text), (err: any) => {
          assert.equal(err.name, 'MalformedMessageError')
          assert.match(err.message, /not a CID/)
          assert.ok(err.message.includes(`"${text}"`), `the message names the input: ${err.message}`)
          return true
        }, JSON.stringify(text))
      }
    })

    it('rejects a CID with a corrupted character', async () => {
      const { cid } = await buildManifest(file('corrupt me'), PIECE)
      const text = cid.toString()
      const broken = text.slice(0, 10) + (text[10] === '1' ? 'a' : '1') + text.slice(11)
      assert.throws(() => parseCid(broken), { name: 'MalformedMessageError' })
    })
  })
})
