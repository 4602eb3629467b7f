/**
 * The share store: what a node shares. Files stay where they lie; the store
 * keeps their path, metadata and manifest, reads pieces from the file itself,
 * and notices when a file changed or went away.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdirSync, openSync, readdirSync, realpathSync, rmSync, statSync, utimesSync, writeFileSync, writeSync, closeSync } from 'node:fs'
import { join } from 'node:path'
import {
  DEFAULT_PIECE_SIZE, ShareStore, buildManifest, decodeManifest, parseCid, pieceMatches,
  type ShareChange, type SharedFile
} from '../../src/sharing/index.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'

const MiB = 1024 * 1024
/** A fixed, whole-second mtime, so a test can put a file's mtime back exactly. */
const T0 = 1_700_000_000
const T1 = T0 + 60

/** Every 'change' event the store emits, in order. */
function recordChanges (store: ShareStore): ShareChange[] {
  const seen: ShareChange[] = []
  store.addEventListener('change', evt => { seen.push(evt.detail) })
  return seen
}

function write (path: string, data: Uint8Array | string, mtimeSec?: number): string {
  writeFileSync(path, data)
  if (mtimeSec != null) utimesSync(path, mtimeSec, mtimeSec)
  return path
}

/** Overwrites bytes inside a file without changing its size, then puts its mtime back to `mtimeSec`. */
function patchInPlace (path: string, offset: number, data: Uint8Array, mtimeSec: number): void {
  const fd = openSync(path, 'r+')
  try { writeSync(fd, data, 0, data.byteLength, offset) } finally { closeSync(fd) }
  utimesSync(path, mtimeSec, mtimeSec)
}

function byName (files: SharedFile[]): Record<string, SharedFile> {
  return Object.fromEntries(files.map(f => [`${f.directory}/${f.filename}`, f]))
}

function dirBytes (dir: string): number {
  let total = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size
  }
  return total
}

describe('share store', () => {
  let tmp: { path: string, cleanup: () => void }
  let stores: ShareStore[]
  /** a folder for shared files, and a separate one for the store's database */
  let files: string
  let dataDir: string
  const open = (path = ':memory:'): ShareStore => {
    const s = new ShareStore(path)
    stores.push(s)
    return s
  }

  beforeEach(() => {
    tmp = tempDir('peerhive-share-store-')
    // realpath: the store keeps real paths (on some systems the temp folder is a symlink)
    files = join(realpathSync(tmp.path), 'files')
    dataDir = join(realpathSync(tmp.path), 'data')
    mkdirSync(files)
    stores = []
  })
  afterEach(() => {
    for (const s of stores) s.close()
    tmp.cleanup()
  })

  describe('sharing a folder', () => {
    it('shares every file under it, nested, skips hidden entries, and gives each its folder relative to the shared one', async () => {
      mkdirSync(join(files, 'music', 'live'), { recursive: true })
      mkdirSync(join(files, '.git'))
      mkdirSync(join(files, 'music', '.cache'))
      write(join(files, 'readme.txt'), 'top level')
      write(join(files, 'music', 'song.mp3'), randomBytes(5000))
      write(join(files, 'music', 'live', 'encore.flac'), randomBytes(12345))
      write(join(files, '.hidden'), 'secret')
      write(join(files, 'music', '.DS_Store'), 'junk')
      write(join(files, '.git', 'config'), '[core]')
      write(join(files, 'music', '.cache', 'thumb.jpg'), 'thumb')

      const store = open()
      const shared = await store.share([files])
      assert.deepEqual(shared.map(f => `${f.directory}/${f.filename}`).sort(), ['/readme.txt', 'music/live/encore.flac', 'music/song.mp3'])
      assert.deepEqual(store.list().map(f => `${f.directory}/${f.filename}`).sort(), ['/readme.txt', 'music/live/encore.flac', 'music/song.mp3'])

      const got = byName(store.list())
      assert.equal(got['/readme.txt'].directory, '')
      assert.equal(got['/readme.txt'].size, 'top level'.length)
      assert.equal(got['music/song.mp3'].size, 5000)
      assert.equal(got['music/live/encore.flac'].size, 12345)
      assert.equal(got['music/live/encore.flac'].directory, 'music/live', 'folders are joined with "/"')
      assert.equal(got['music/live/encore.flac'].path, join(files, 'music', 'live', 'encore.flac'))
      for (const f of store.list()) {
        // the CID is the content's, as buildManifest computes it
        assert.equal(f.cid, (await buildManifest(f.path)).cid.toString(), f.filename)
        assert.deepEqual(store.get(f.cid), f)
        assert.equal(f.title, '')
        assert.deepEqual(f.keywords, [])
      }
    })

    it('shares a file given on its own with directory ""', async () => {
      mkdirSync(join(files, 'deep', 'er'), { recursive: true })
      const path = write(join(files, 'deep', 'er', 'one.txt'), 'one')
      const store = open()
      const [f] = await store.share([path])
      assert.equal(f.filename, 'one.txt')
      assert.equal(f.directory, '')
      assert.equal(f.path, path)
      assert.equal(f.size, 3)
    })

    it('shares two files with the same content under one CID, and removing one copy keeps the CID shared', async () => {
      const a = write(join(files, 'a.txt'), 'same bytes')
      write(join(files, 'b.txt'), 'same bytes')
      const store = open()
      const shared = await store.share([files])
      assert.equal(shared.length, 2)
      assert.equal(shared[0].cid, shared[1].cid)
      const changes = recordChanges(store)
      rmSync(a)
      const change = await store.rescan()
      assert.deepEqual(change.removed, [], 'the CID is still shared by b.txt')
      assert.deepEqual(store.list().map(f => f.filename), ['b.txt'])
      assert.equal(store.get(shared[0].cid)?.filename, 'b.txt')
      assert.deepEqual(changes.flatMap(c => c.removed), [])
    })
  })

  describe('metadata', () => {
    it('stores the title and keywords and returns them from share, list and get', async () => {
      const path = write(join(files, 'talk.webm'), randomBytes(2000))
      const store = open()
      const [f] = await store.share([path], { title: 'Peer-to-peer talk', keywords: ['libp2p', ' dht ', '', 'Élan'] })
      assert.equal(f.title, 'Peer-to-peer talk')
      assert.deepEqual(f.keywords, ['libp2p', 'dht', 'Élan'], 'keywords are trimmed and empty ones dropped')
      assert.deepEqual(store.list(), [f])
      assert.deepEqual(store.get(f.cid), f)
    })

    it('keeps the metadata when a file is shared again without any (as a watched folder is)', async () => {
      const path = write(join(files, 'doc.pdf'), 'pdf')
      const store = open()
      await store.share([path], { title: 'Doc', keywords: ['report'] })
      await store.share([files])
      const f = store.list()[0]
      assert.equal(f.title, 'Doc')
      assert.deepEqual(f.keywords, ['report'])
    })
  })

  describe('no second copy of the data', () => {
    it('keeps only a small database however large the file, and reads every piece from the file itself', async () => {
      const data = randomBytes(6 * MiB + 12345)
      const path = write(join(files, 'big.bin'), data)
      const store = open(join(dataDir, 'shares.db'))
      const [f] = await store.share([path])
      assert.equal(f.size, data.length)

      const stored = dirBytes(dataDir)
      assert.ok(stored < 256 * 1024, `the store's files take ${stored} bytes for a ${data.length}-byte file; the data must not be copied`)

      const manifest = decodeManifest(store.manifestBytes(f.cid)!, parseCid(f.cid))
      assert.equal(manifest.pieces.length, 7)
      assert.equal(manifest.pieceSize, DEFAULT_PIECE_SIZE)
      for (let i = 0; i < manifest.pieces.length; i++) {
        const piece = await store.readPiece(f.cid, i)
        assert.ok(Buffer.from(piece).equals(data.subarray(i * MiB, (i + 1) * MiB)), `piece ${i}`)
        assert.ok(pieceMatches(manifest, i, piece), `piece ${i} matches the manifest`)
      }
      assert.equal((await store.readPiece(f.cid, 6)).byteLength, 12345)
    })

    it('reads the bytes that are on disk now: a file patched in place (same size and mtime) gives the new bytes', async () => {
      const data = randomBytes(2 * MiB)
      const path = write(join(files, 'patched.bin'), data, T0)
      const store = open()
      const [f] = await store.share([path])
      const patch = Buffer.alloc(100, 0xab)
      patchInPlace(path, MiB + 10, patch, T0)
      const piece = await store.readPiece(f.cid, 1)
      assert.ok(Buffer.from(piece.subarray(10, 110)).equals(patch), 'the piece was read from the original file, not from a copy')
      assert.ok(Buffer.from(piece.subarray(0, 10)).equals(data.subarray(MiB, MiB + 10)))
    })

    it('cannot serve a file that was deleted: FileChangedError, not stale bytes', async () => {
      const path = write(join(files, 'gone.bin'), randomBytes(1000))
      const store = open()
      const [f] = await store.share([path])
      rmSync(path)
      await assert.rejects(store.readPiece(f.cid, 0), { name: 'FileChangedError' })
    })
  })

  describe('sharing again', () => {
    it('does not hash an unchanged file again: same CID, no change event', async () => {
      const data = randomBytes(3000)
      const path = write(join(files, 'same.bin'), data, T0)
      const store = open()
      const [first] = await store.share([path])
      const changes = recordChanges(store)

      const [again] = await store.share([path])
      assert.equal(again.cid, first.cid)
      assert.deepEqual(changes, [], 'nothing changed, so no change event')

      // proof that it was not read again: bytes changed behind the store's back, size and mtime kept
      patchInPlace(path, 0, Buffer.from('XXXX'), T0)
      const [third] = await store.share([files])
      assert.equal(third.cid, first.cid, 'size and mtime unchanged: the file is not hashed again')
      assert.deepEqual(changes, [])
    })

    it('emits a change for a metadata change, with the same CID', async () => {
      const path = write(join(files, 'meta.txt'), 'meta')
      const store = open()
      const [first] = await store.share([path], { title: 'Old' })
      const changes = recordChanges(store)
      const [updated] = await store.share([path], { title: 'New', keywords: ['k1', 'k2'] })
      assert.equal(updated.cid, first.cid)
      assert.equal(updated.title, 'New')
      assert.equal(changes.length, 1)
      assert.deepEqual(changes[0].removed, [])
      assert.equal(changes[0].added.length, 1)
      assert.equal(changes[0].added[0].cid, first.cid)
      assert.equal(changes[0].added[0].title, 'New')
      assert.deepEqual(changes[0].added[0].keywords, ['k1', 'k2'])
      assert.deepEqual(store.get(first.cid)?.keywords, ['k1', 'k2'])
    })

    it('hashes a file whose content changed when it is shared again, and reports the old CID removed', async () => {
      const path = write(join(files, 'v.txt'), 'version 1', T0)
      const store = open()
      const [v1] = await store.share([path])
      write(path, 'version 2', T1)
      const changes = recordChanges(store)
      const [v2] = await store.share([path])
      assert.notEqual(v2.cid, v1.cid)
      assert.deepEqual(changes.flatMap(c => c.removed), [v1.cid])
      assert.deepEqual(changes.flatMap(c => c.added.map(a => a.cid)), [v2.cid])
      assert.deepEqual(store.list().map(f => f.cid), [v2.cid])
    })
  })

  describe('changed and removed files', () => {
    it('rescan: a modified file gets a new CID, the old one is gone and cannot be read', async () => {
      const path = write(join(files, 'edit.txt'), 'first content', T0)
      const store = open()
      const [old] = await store.share([path], { title: 'Edited', keywords: ['draft'] })
      // same size, different bytes, later mtime
      write(path, 'other content', T1)
      const changes = recordChanges(store)

      const change = await store.rescan()
      assert.deepEqual(change.removed, [old.cid])
      assert.equal(change.added.length, 1)
      const fresh = change.added[0]
      assert.notEqual(fresh.cid, old.cid)
      assert.equal(fresh.cid, (await buildManifest(path)).cid.toString())
      assert.equal(fresh.title, 'Edited', 'the metadata follows the file')
      assert.deepEqual(fresh.keywords, ['draft'])
      assert.deepEqual(changes, [change], 'the same change is emitted')

      assert.deepEqual(store.list().map(f => f.cid), [fresh.cid])
      assert.equal(store.get(old.cid), undefined)
      assert.equal(store.manifestBytes(old.cid), undefined)
      await assert.rejects(store.readPiece(old.cid, 0), (err: any) => ['NotSharedError', 'FileChangedError'].includes(err.name))
      assert.equal(Buffer.from(await store.readPiece(fresh.cid, 0)).toString(), 'other content')
    })

    it('rescan: a deleted file is removed', async () => {
      const keep = write(join(files, 'keep.txt'), 'keep')
      const gone = write(join(files, 'gone.txt'), 'gone')
      const store = open()
      await store.share([files])
      const goneCid = store.list().find(f => f.path === gone)!.cid
      const changes = recordChanges(store)
      rmSync(gone)
      const change = await store.rescan()
      assert.deepEqual(change, { added: [], removed: [goneCid] })
      assert.deepEqual(changes, [change])
      assert.deepEqual(store.list().map(f => f.path), [keep])
      assert.equal(store.get(goneCid), undefined)
    })

    it('rescan of a touched file (new mtime, same bytes) keeps its CID and does not report it removed', async () => {
      const path = write(join(files, 'touched.txt'), 'same bytes', T0)
      const store = open()
      const [f] = await store.share([path], { title: 'Touched' })
      utimesSync(path, T1, T1)
      const change = await store.rescan()
      assert.deepEqual(store.list().map(x => x.cid), [f.cid], 'still shared, same CID')
      assert.equal(store.get(f.cid)?.title, 'Touched')
      // a consumer applying "added" then "removed" (or a set difference) would drop a file that is still shared
      assert.ok(!change.removed.includes(f.cid), `removed lists only CIDs no longer shared: ${JSON.stringify(change)}`)
    })

    it('rescan with nothing changed reports nothing', async () => {
      write(join(files, 'a.txt'), 'a')
      const store = open()
      await store.share([files])
      const changes = recordChanges(store)
      assert.deepEqual(await store.rescan(), { added: [], removed: [] })
      assert.deepEqual(changes, [])
    })

    it('readPiece of a file modified since it was shared fails with FileChangedError and starts a rescan', async () => {
      const path = write(join(files, 'live.log'), 'line 1\n', T0)
      const store = open()
      const [old] = await store.share([path])
      const changes = recordChanges(store)
      write(path, 'line 1\nline 2\n', T1)

      await assert.rejects(store.readPiece(old.cid, 0), { name: 'FileChangedError' })
      // no rescan was asked for: the failed read started one
      const change = await waitUntil('the rescan that readPiece started', () => changes.find(c => c.removed.includes(old.cid)), 5_000, 20)
      assert.equal(change.added.length, 1)
      assert.equal(change.added[0].size, 'line 1\nline 2\n'.length)
      assert.deepEqual(store.list().map(f => f.cid), [change.added[0].cid])
      assert.equal(Buffer.from(await store.readPiece(change.added[0].cid, 0)).toString(), 'line 1\nline 2\n')
    })

    it('readPiece of a deleted file fails with FileChangedError and the rescan it starts removes the file', async () => {
      const path = write(join(files, 'temp.txt'), 'temp')
      const store = open()
      const [f] = await store.share([path])
      const changes = recordChanges(store)
      rmSync(path)
      await assert.rejects(store.readPiece(f.cid, 0), { name: 'FileChangedError' })
      await waitUntil('the rescan that readPiece started', () => changes.find(c => c.removed.includes(f.cid)), 5_000, 20)
      assert.deepEqual(store.list(), [])
    })
  })

  describe('reads racing with changes', () => {
    it('many concurrent reads of a changed file start one rescan: the change is reported once', async () => {
      const path = write(join(files, 'busy.bin'), randomBytes(4 * MiB), T0)
      const store = open()
      const [old] = await store.share([path])
      const changes = recordChanges(store)
      write(path, randomBytes(4 * MiB), T1)

      // a downloader asking for several pieces at once
      const reads = await Promise.allSettled([0, 1, 2, 3, 0, 1, 2, 3].map(async i => store.readPiece(old.cid, i)))
      for (const r of reads) assert.equal(r.status === 'rejected' && r.reason.name, 'FileChangedError')
      await waitUntil('a rescan', () => changes.length > 0, 5_000, 20)
      // give any further rescans time to finish hashing
      await new Promise(resolve => setTimeout(resolve, 1_000))
      assert.equal(changes.length, 1, `one change, reported once; got ${changes.length}: ${JSON.stringify(changes.map(c => ({ added: c.added.map(a => a.cid), removed: c.removed })))}`)
      assert.deepEqual(changes[0].removed, [old.cid])
      assert.equal(store.list().length, 1)
    })

    it('closing the store while a rescan started by readPiece runs leaves no unhandled rejection', async () => {
      const a = write(join(files, 'a.bin'), randomBytes(1000), T0)
      write(join(files, 'b.bin'), randomBytes(1000), T0)
      const store = open()
      const [fa] = await store.share([a])
      await store.share([files])
      utimesSync(join(files, 'a.bin'), T1, T1)
      utimesSync(join(files, 'b.bin'), T1, T1)

      const unhandled: unknown[] = []
      const onUnhandled = (reason: unknown): void => { unhandled.push(reason) }
      // take the place of mocha's handler for the duration, so that the failure is reported here
      const others = process.listeners('unhandledRejection')
      process.removeAllListeners('unhandledRejection')
      process.on('unhandledRejection', onUnhandled)
      try {
        await assert.rejects(store.readPiece(fa.cid, 0), { name: 'FileChangedError' })
        // the node stops while the rescan is under way
        store.close()
        await new Promise(resolve => setTimeout(resolve, 300))
      } finally {
        process.off('unhandledRejection', onUnhandled)
        for (const l of others) process.on('unhandledRejection', l)
      }
      assert.deepEqual(unhandled.map(e => String(e)), [], 'a background rescan must not reject unhandled (it would crash the daemon)')
    })
  })

  describe('unshare', () => {
    it('stops sharing a CID, emits it as removed, and says whether it was shared', async () => {
      const a = write(join(files, 'a.txt'), 'aaa')
      write(join(files, 'b.txt'), 'bbb')
      const store = open()
      await store.share([files])
      const cid = store.list().find(f => f.path === a)!.cid
      const changes = recordChanges(store)

      assert.equal(store.unshare(cid), true)
      assert.deepEqual(changes, [{ added: [], removed: [cid] }])
      assert.deepEqual(store.list().map(f => f.filename), ['b.txt'])
      assert.equal(store.get(cid), undefined)
      assert.equal(store.manifestBytes(cid), undefined)
      await assert.rejects(store.readPiece(cid, 0), { name: 'NotSharedError' })

      assert.equal(store.unshare(cid), false, 'a second unshare finds nothing')
      assert.equal(store.unshare('bafkreinotacidatall'), false)
      assert.equal(changes.length, 1, 'nothing removed, no event')
    })
  })

  describe('persistence', () => {
    it('keeps what it shares, with metadata and manifests, across a close and reopen', async () => {
      mkdirSync(join(files, 'sub'))
      write(join(files, 'one.txt'), 'one')
      write(join(files, 'sub', 'two.bin'), randomBytes(MiB + 5))
      const dbPath = join(dataDir, 'nested', 'shares.db')
      const first = open(dbPath)
      await first.share([files], { title: 'Kept', keywords: ['persist'] })
      const before = first.list()
      const manifests = before.map(f => first.manifestBytes(f.cid))
      first.close()

      const second = open(dbPath)
      assert.deepEqual(second.list(), before)
      assert.deepEqual(before.map(f => second.manifestBytes(f.cid)), manifests)
      const two = before.find(f => f.filename === 'two.bin')!
      assert.equal((await second.readPiece(two.cid, 1)).byteLength, 5)
      // and it does not re-hash on reopen
      const changes = recordChanges(second)
      await second.share([files])
      assert.deepEqual(changes, [])
    })
  })

  describe('bad input', () => {
    it('refuses a path that does not exist with InvalidOptionError naming the path, and shares nothing', async () => {
      const ok = write(join(files, 'ok.txt'), 'ok')
      const missing = join(files, 'no', 'such', 'file.txt')
      const store = open()
      await assert.rejects(store.share([missing]), (err: any) => {
        assert.equal(err.name, 'InvalidOptionError')
        assert.ok(err.message.includes(missing), `the message names the path: ${err.message}`)
        return true
      })
      await assert.rejects(store.share([ok, missing]), { name: 'InvalidOptionError' })
      assert.deepEqual(store.list(), [], 'a request with a bad path shares none of its paths')
    })

    it('refuses more than 32 keywords', async () => {
      const path = write(join(files, 'k.txt'), 'k')
      const store = open()
      const many = Array.from({ length: 33 }, (_, i) => `kw${i}`)
      await assert.rejects(store.share([path], { keywords: many }), { name: 'InvalidOptionError', message: /32/ })
      assert.deepEqual(store.list(), [])
      const [f] = await store.share([path], { keywords: many.slice(0, 32) })
      assert.equal(f.keywords.length, 32)
    })

    it('refuses a title or a keyword over 256 characters', async () => {
      const path = write(join(files, 't.txt'), 't')
      const store = open()
      await assert.rejects(store.share([path], { title: 'x'.repeat(257) }), { name: 'InvalidOptionError', message: /title/ })
      await assert.rejects(store.share([path], { keywords: ['ok', 'y'.repeat(257)] }), { name: 'InvalidOptionError', message: /keyword/ })
      assert.deepEqual(store.list(), [])
      const [f] = await store.share([path], { title: 'x'.repeat(256), keywords: ['y'.repeat(256)] })
      assert.equal(f.title.length, 256)
    })

    it('refuses a piece index out of range, and a CID it does not share', async () => {
      const path = write(join(files, 'p.bin'), randomBytes(MiB + 1))
      const store = open()
      const [f] = await store.share([path])
      for (const index of [-1, 2, 1.5, Number.NaN, 1e9]) {
        await assert.rejects(store.readPiece(f.cid, index), { name: 'InvalidOptionError' }, `index ${index}`)
      }
      assert.equal((await store.readPiece(f.cid, 1)).byteLength, 1)
      await assert.rejects(store.readPiece('bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku', 0), { name: 'NotSharedError' })
    })

    it('shares nothing, without error, for an empty folder or a folder of hidden files', async () => {
      mkdirSync(join(files, 'empty'))
      mkdirSync(join(files, 'hidden-only'))
      write(join(files, 'hidden-only', '.x'), 'x')
      const store = open()
      assert.deepEqual(await store.share([join(files, 'empty'), join(files, 'hidden-only')]), [])
      assert.deepEqual(store.list(), [])
    })
  })
})
