import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Uint8ArrayList } from 'uint8arraylist'
import { buildManifest, type Manifest } from '../../src/sharing/index.js'
import { PartFile } from '../../src/sharing/transfer/part-file.js'
import { tempDir } from '../helpers/tmp-dir.js'

const PIECE = 4096

describe('transfer: the partial file and its sidecar', () => {
  const dir = tempDir('peerhive-part-')
  const content = randomBytes(PIECE * 5 + 100)
  let manifest: Manifest
  let cid: string
  let n = 0
  const out = (): string => join(dir.path, `file-${++n}.bin`)
  const piece = (i: number): Buffer => content.subarray(i * PIECE, Math.min(content.byteLength, (i + 1) * PIECE))

  before(async () => {
    const source = join(dir.path, 'source.bin')
    writeFileSync(source, content)
    const built = await buildManifest(source, PIECE)
    manifest = built.manifest
    cid = built.cid.toString()
  })

  after(() => { dir.cleanup() })

  it('writes pieces in any order, from chunks, and finishes under the final name', async () => {
    const outPath = out()
    const part = await PartFile.open(outPath, cid, manifest)
    assert.ok(existsSync(`${outPath}.part`) && existsSync(`${outPath}.part.json`))
    for (const i of [5, 0, 3, 1, 4, 2]) {
      const p = piece(i)
      await part.write(i, new Uint8ArrayList(p.subarray(0, 1000), p.subarray(1000)))
    }
    assert.equal(part.count, 6)
    assert.equal(existsSync(outPath), false, 'no final file before finish')
    await part.finish()
    assert.ok(readFileSync(outPath).equals(content))
    assert.equal(existsSync(`${outPath}.part`), false)
    assert.equal(existsSync(`${outPath}.part.json`), false)
  })

  it('resumes the verified pieces of a suspended file and re-checks them', async () => {
    const outPath = out()
    const first = await PartFile.open(outPath, cid, manifest)
    for (const i of [0, 2, 4]) await first.write(i, piece(i))
    await first.suspend()
    const sidecar = JSON.parse(readFileSync(`${outPath}.part.json`, 'utf8'))
    assert.equal(sidecar.cid, cid)
    // damage piece 2 on disk
    const bytes = readFileSync(`${outPath}.part`)
    bytes[2 * PIECE + 7] ^= 0xff
    writeFileSync(`${outPath}.part`, bytes)
    const again = await PartFile.open(outPath, cid, manifest)
    assert.equal(again.resumed, 2)
    assert.deepEqual([0, 1, 2, 3, 4, 5].filter(i => again.has(i)), [0, 4])
    for (const i of [1, 2, 3, 5]) await again.write(i, piece(i))
    await again.finish()
    assert.ok(readFileSync(outPath).equals(content))
  })

  it('starts over when the sidecar names another CID, is not ours, or the part file is missing', async () => {
    for (const sidecar of [
      JSON.stringify({ version: 1, cid: 'bafkreiother', size: content.byteLength, pieceSize: PIECE, have: Buffer.from([0xff]).toString('base64') }),
      'not json at all',
      'x'.repeat(100 * 1024)
    ]) {
      const outPath = out()
      writeFileSync(`${outPath}.part`, content)
      writeFileSync(`${outPath}.part.json`, sidecar)
      const part = await PartFile.open(outPath, cid, manifest)
      assert.equal(part.resumed, 0)
      assert.equal(part.count, 0)
      await part.discard()
    }
    const outPath = out()
    const first = await PartFile.open(outPath, cid, manifest)
    await first.write(0, piece(0))
    await first.suspend()
    writeFileSync(`${outPath}.part`, '')
    const part = await PartFile.open(outPath, cid, manifest)
    assert.equal(part.resumed, 0)
    await part.discard()
  })

  it('discards everything on request', async () => {
    const outPath = out()
    const part = await PartFile.open(outPath, cid, manifest)
    await part.discard()
    assert.equal(existsSync(`${outPath}.part`), false)
    assert.equal(existsSync(`${outPath}.part.json`), false)
    assert.equal(existsSync(outPath), false)
  })
})
