import assert from 'node:assert/strict'
import { appendFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildManifest } from '../../src/sharing/model/manifest.js'
import { OpenFiles, UnreadableFileError } from '../../src/sharing/open-files.js'
import { tempDir } from '../helpers/tmp-dir.js'
import type { Manifest } from '../../src/sharing/model/manifest.js'
import type { SharedFile } from '../../src/sharing/model/types.js'

describe('OpenFiles: the files a provider keeps open while serving them', () => {
  const tmp = tempDir('peerhive-open-files-')
  after(() => { tmp.cleanup() })

  /** A file of `size` bytes, its bytes a function of the file's number; with its manifest (pieces of 1 KiB). */
  async function shared (n: number, size: number): Promise<{ file: SharedFile, manifest: Manifest, bytes: Buffer }> {
    const path = join(tmp.path, `f${n}.bin`)
    const bytes = Buffer.alloc(size, n % 251)
    writeFileSync(path, bytes)
    const { manifest, cid, mtimeMs } = await buildManifest(path, 1024)
    return { file: { cid: cid.toString(), path, filename: `f${n}.bin`, directory: '', size, title: '', keywords: [], mtimeMs }, manifest, bytes }
  }

  it('serves the pieces of more files at once than it keeps open', async () => {
    const files = new OpenFiles()
    const all = await Promise.all(Array.from({ length: 40 }, async (_, n) => shared(n, 3000)))
    const pieces = await Promise.all(all.map(async f => files.read(f.file.cid, 2, () => f)))
    for (const [n, piece] of pieces.entries()) {
      assert.ok(piece != null)
      assert.deepEqual(Buffer.from(piece), all[n].bytes.subarray(2048, 3000), `the last piece of file ${n}`)
    }
    files.closeAll()
  })

  it('answers undefined for a CID the lookup does not know, and a range error for a piece out of range', async () => {
    const files = new OpenFiles()
    const f = await shared(100, 1500)
    assert.equal(await files.read('bafkreiunknown', 0, () => undefined), undefined)
    await assert.rejects(files.read(f.file.cid, 2, () => f), RangeError)
    files.closeAll()
  })

  it('notices a file that changed since it was hashed, and looks it up again afterwards', async () => {
    const files = new OpenFiles()
    const f = await shared(101, 2048)
    let lookups = 0
    const lookup = (): typeof f => { lookups++; return f }
    assert.ok(await files.read(f.file.cid, 0, lookup))
    appendFileSync(f.file.path, 'more')
    // the size and mtime are checked again once the last check is 100 ms old
    await new Promise(resolve => setTimeout(resolve, 150))
    await assert.rejects(files.read(f.file.cid, 1, lookup), (err: any) => err instanceof UnreadableFileError && err.reason === 'changed')
    await assert.rejects(files.read(f.file.cid, 1, lookup), (err: any) => err instanceof UnreadableFileError)
    assert.equal(lookups, 2, 'the changed file was forgotten and looked up again')
    files.closeAll()
  })
})
