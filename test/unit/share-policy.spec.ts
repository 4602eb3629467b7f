/**
 * The share policy (issue 8, "safe by default"): a node never shares,
 * serves or keeps shared a file inside a peerhive data directory (its own,
 * or any folder holding identity.key or api.token), whatever path leads
 * there; hidden files and folders under a shared folder only on request;
 * and the share says what it left out.
 */
import assert from 'node:assert/strict'
import { copyFileSync, linkSync, mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { join, relative } from 'node:path'
import { FolderWatcher, ShareStore, SharePolicy, type ShareChange, type SkippedPath } from '../../src/sharing/index.js'
import { skippedSummary } from '../../cli/skipped-summary.js'
import { saveAsOlderVersion } from '../helpers/older-shares-row.js'
import { tempDir } from '../helpers/tmp-dir.js'

function write (path: string, data: string): string {
  writeFileSync(path, data)
  return path
}

/** Skipped paths as "path relative to `root`: reason", sorted. */
function why (skipped: SkippedPath[], root: string): string[] {
  return skipped.map(s => `${relative(root, s.path)}: ${s.reason}`).sort()
}

describe('share policy: a node never shares its own secrets', () => {
  let tmp: { path: string, cleanup: () => void }
  let stores: ShareStore[]
  /** a user's home: data in home/.peerhive, another node's data in home/other-node */
  let home: string
  let data: string
  const open = (path: string, dataDir?: string): ShareStore => {
    const s = new ShareStore(path, { dataDir })
    stores.push(s)
    return s
  }

  beforeEach(() => {
    tmp = tempDir('peerhive-share-policy-')
    stores = []
    home = join(realpathSync(tmp.path), 'home')
    data = join(home, '.peerhive')
    mkdirSync(join(data, 'jobs', 'j1'), { recursive: true })
    write(join(data, 'identity.key'), 'PRIVATE KEY')
    write(join(data, 'api.token'), 'a'.repeat(64))
    write(join(data, 'jobs', 'j1', 'out.bin'), 'job output')
    mkdirSync(join(home, 'docs', '.git'), { recursive: true })
    write(join(home, 'notes.txt'), 'notes')
    write(join(home, 'docs', 'report.txt'), 'report')
    write(join(home, 'docs', '.git', 'config'), '[core]')
    mkdirSync(join(home, '.ssh'))
    write(join(home, '.ssh', 'id_ed25519'), 'SSH KEY')
    write(join(home, '.env'), 'PASSWORD=x')
    // another node's (or a bootstrap's) data directory: only its API token gives it away
    mkdirSync(join(home, 'other-node'))
    write(join(home, 'other-node', 'api.token'), 'b'.repeat(64))
    write(join(home, 'other-node', 'peers.db'), 'rows')
  })
  afterEach(async () => {
    for (const s of stores) await s.close()
    tmp.cleanup()
  })

  it('`share ~` with the data in ~/.peerhive shares everything else, and leaves out data directories whole and hidden entries, saying why', async () => {
    const store = open(join(data, 'shares.db'), data)
    const { shared, skipped } = await store.shareReport([home])
    assert.deepEqual(shared.map(f => relative(home, f.path)).sort(), ['docs/report.txt', 'notes.txt'])
    assert.deepEqual(store.list().map(f => relative(home, f.path)).sort(), ['docs/report.txt', 'notes.txt'])
    assert.deepEqual(why(skipped, home), [
      '.env: hidden',
      '.peerhive: data-directory',
      '.ssh: hidden',
      'docs/.git: hidden',
      'other-node: data-directory'
    ])
  })

  it('with hidden, hidden files are shared, but a data directory never is', async () => {
    const store = open(join(data, 'shares.db'), data)
    const { shared, skipped } = await store.shareReport([home], { hidden: true })
    assert.deepEqual(shared.map(f => relative(home, f.path)).sort(), ['.env', '.ssh/id_ed25519', 'docs/.git/config', 'docs/report.txt', 'notes.txt'])
    assert.deepEqual(why(skipped, home), ['.peerhive: data-directory', 'other-node: data-directory'])
  })

  it('refuses the data directory named itself, a file or a folder inside it, and a symlink to identity.key, sharing nothing', async () => {
    const link = join(home, 'key-link')
    symlinkSync(join(data, 'identity.key'), link)
    const store = open(join(data, 'shares.db'), data)
    const asked = [data, join(data, 'identity.key'), join(data, 'api.token'), join(data, 'jobs'), join(data, 'jobs', 'j1', 'out.bin'), link, join(home, 'other-node', 'peers.db')]
    const { shared, skipped } = await store.shareReport(asked, { hidden: true })
    assert.deepEqual(shared, [])
    assert.equal(skipped.length, asked.length)
    assert.ok(skipped.every(s => s.reason === 'data-directory'), JSON.stringify(skipped))
    assert.deepEqual(store.list(), [])
  })

  it('refuses `share --data X X`: the own data directory, given by a relative path, even before it holds any secret', async () => {
    const fresh = join(home, 'fresh-node')
    mkdirSync(fresh)
    write(join(fresh, 'notes.md'), 'not yet a secret, but inside the data directory')
    const store = open(':memory:', relative(process.cwd(), fresh))
    const direct = await store.shareReport([fresh])
    assert.deepEqual(direct.shared, [])
    assert.deepEqual(why(direct.skipped, home), ['fresh-node: data-directory'])
    const above = await store.shareReport([home])
    assert.ok(!above.shared.some(f => f.path.startsWith(fresh + '/')), 'nothing of the data directory is shared from a folder above it')
    assert.ok(why(above.skipped, home).includes('fresh-node: data-directory'))
  })

  it('a symlink inside a shared folder is not followed; a hard link to identity.key is still the key', async () => {
    const pub = join(home, 'public')
    mkdirSync(pub)
    write(join(pub, 'song.ogg'), 'la la')
    symlinkSync(join(data, 'identity.key'), join(pub, 'via-symlink'))
    symlinkSync(data, join(pub, 'data-symlink'))
    linkSync(join(data, 'identity.key'), join(pub, 'via-hardlink'))
    const store = open(join(data, 'shares.db'), data)
    const { shared, skipped } = await store.shareReport([pub])
    assert.deepEqual(shared.map(f => f.filename), ['song.ogg'])
    assert.deepEqual(why(skipped, home), ['public/via-hardlink: data-directory'])
    const named = await store.shareReport([join(pub, 'via-hardlink'), join(pub, 'data-symlink')])
    assert.deepEqual(named.shared, [])
    assert.equal(named.skipped.length, 2)
  })

  it('refuses another node\'s key under another name (a hard link or a copy, by its content) and a hard link of its API token', async () => {
    // a real libp2p key in a bootstrap's data directory that this node knows nothing of
    const boot = join(tmp.path, 'boot')
    mkdirSync(boot)
    writeFileSync(join(boot, 'identity.key'), privateKeyToProtobuf(await generateKeyPair('Ed25519')))
    write(join(boot, 'api.token'), 'c'.repeat(64) + '\n')
    const pub = join(home, 'public')
    mkdirSync(pub)
    write(join(pub, 'song.ogg'), 'la la')
    linkSync(join(boot, 'identity.key'), join(pub, 'hardboot'))
    copyFileSync(join(boot, 'identity.key'), join(pub, 'copied.bin'))
    linkSync(join(boot, 'api.token'), join(pub, 'token-link'))
    // the same text, not linked to any token, is a file like another
    write(join(pub, 'checksum.txt'), 'c'.repeat(64) + '\n')
    const store = open(join(data, 'shares.db'), data)
    const { shared, skipped } = await store.shareReport([pub])
    assert.deepEqual(shared.map(f => f.filename).sort(), ['checksum.txt', 'song.ogg'])
    assert.deepEqual(why(skipped, home), ['public/copied.bin: secret', 'public/hardboot: secret', 'public/token-link: secret'])
    assert.equal(await store.policy.forbids(join(pub, 'copied.bin')), true, 'nor is it served or taken as a job input')
    assert.match(skippedSummary(skipped) ?? '', /3 secret \(a node's private key or API token under another name, never shared\)/)
  })

  it('shares a hidden file or folder the user names (Kubo: --hidden matters only below a shared folder)', async () => {
    const store = open(join(data, 'shares.db'), data)
    const { shared, skipped } = await store.shareReport([join(home, '.env'), join(home, '.ssh')])
    assert.deepEqual(shared.map(f => relative(home, f.path)).sort(), ['.env', '.ssh/id_ed25519'])
    assert.deepEqual(skipped, [])
  })

  it('purgeForbidden drops what an older version saved inside a data directory, and reports those CIDs removed', async () => {
    const dbPath = join(data, 'shares.db')
    const keyCid = await saveAsOlderVersion(dbPath, join(data, 'identity.key'))
    const tokenCid = await saveAsOlderVersion(dbPath, join(home, 'other-node', 'api.token'))
    const store = open(dbPath, data)
    await store.share([join(home, 'notes.txt')])
    assert.equal(store.list().length, 3, 'the old rows are there until the purge')
    const changes: ShareChange[] = []
    store.addEventListener('change', evt => { changes.push(evt.detail) })

    const purged = await store.purgeForbidden()
    assert.deepEqual(purged.map(f => f.cid).sort(), [keyCid, tokenCid].sort())
    assert.deepEqual(store.list().map(f => f.filename), ['notes.txt'])
    assert.deepEqual(changes.map(c => [...c.removed].sort()), [[keyCid, tokenCid].sort()])
    assert.equal(store.get(keyCid), undefined)
    assert.deepEqual(await store.purgeForbidden(), [], 'nothing left to purge')
  })

  it('does not serve a file that is forbidden by the time it is asked for (a data directory created since, a swapped symlink)', async () => {
    const pub = join(home, 'public')
    mkdirSync(pub)
    const store = open(join(data, 'shares.db'), data)
    const [a] = await store.share([write(join(pub, 'a.txt'), 'A')])
    assert.equal(await store.servable(a.cid), true)
    assert.notEqual(await store.serving.manifestBytes(a.cid), undefined)

    // another node is started with its data in this folder
    write(join(pub, 'identity.key'), 'ANOTHER KEY')
    assert.equal(await store.servable(a.cid), false)
    assert.equal(await store.serving.manifestBytes(a.cid), undefined)
    rmSync(join(pub, 'identity.key'))
    assert.equal(await store.servable(a.cid), true)

    // the shared path becomes a symlink into the data directory
    const [b] = await store.share([write(join(home, 'b.txt'), 'B')])
    rmSync(join(home, 'b.txt'))
    symlinkSync(join(data, 'identity.key'), join(home, 'b.txt'))
    assert.equal(await store.servable(b.cid), false)
    assert.equal(await store.serving.manifestBytes(b.cid), undefined)
    // the rescan sees the path changed: it drops it, and does not hash the key in its place
    const change = await store.rescan()
    assert.deepEqual(change, { added: [], removed: [b.cid] })
    assert.deepEqual(store.list().map(f => f.filename), ['a.txt'])
  })

  it('the folder watcher drops from the index a shared file whose folder becomes a data directory while the node runs', async () => {
    const pub = join(home, 'public')
    mkdirSync(join(pub, 'sub'), { recursive: true })
    write(join(pub, 'top.txt'), 'T')
    write(join(pub, 'sub', 'c.txt'), 'C')
    const store = open(join(data, 'shares.db'), data)
    const removed: string[] = []
    store.addEventListener('change', evt => { removed.push(...evt.detail.removed) })
    const watcher = new FolderWatcher(store, [pub], err => { throw err }, { debounceMs: 20 })
    await watcher.start()
    try {
      const c = store.list().find(f => f.filename === 'c.txt')
      assert.ok(c != null)
      // another node is started with its data in the shared subfolder
      write(join(pub, 'sub', 'api.token'), 'c'.repeat(64))
      const deadline = Date.now() + 10_000
      while (store.list().some(f => f.filename === 'c.txt') && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
      assert.deepEqual(store.list().map(f => f.filename), ['top.txt'], 'c.txt is no longer indexed (nor announced)')
      assert.ok(removed.includes(c.cid), 'its CID is reported removed, so the index and the DHT withdraw it')
    } finally {
      await watcher.stop()
    }
  })

  it('SharePolicy.forbids: inside any data directory, at any depth; not elsewhere, nor for a missing path', async () => {
    const policy = new SharePolicy(data)
    assert.equal(await policy.forbids(join(data, 'jobs', 'j1', 'out.bin')), true)
    assert.equal(await policy.forbids(join(home, 'other-node')), true)
    assert.equal(await policy.forbids(join(home, 'docs', 'report.txt')), false)
    assert.equal(await policy.forbids(home), false, 'a folder above a data directory is not one')
    assert.equal(await policy.forbids(join(home, 'no-such-file')), false)
    await assert.rejects(policy.check(join(data, 'identity.key')), { name: 'ForbiddenShareError' })
  })

  it('one pass over many files looks at each folder once, and still finds every file inside a data directory', async () => {
    mkdirSync(join(home, 'many'))
    const files = Array.from({ length: 40 }, (_, i) => write(join(home, 'many', `f${i}.txt`), `file ${i}`))
    const inData = write(join(data, 'jobs', 'j1', 'second.bin'), 'job output')
    const policy = new SharePolicy(data)
    const looked: string[] = []
    const isDataDir = policy.isDataDir.bind(policy)
    policy.isDataDir = async (dir: string, names?: Iterable<string>) => { looked.push(dir); return isDataDir(dir, names) }
    const folders = new Map<string, boolean>()
    for (const f of files) assert.equal(await policy.forbids(f, folders), false)
    assert.equal(await policy.forbids(join(data, 'jobs', 'j1', 'out.bin'), folders), true)
    assert.equal(await policy.forbids(inData, folders), true)
    assert.equal(new Set(looked).size, looked.length, `a folder looked at twice: ${looked.length} looks at ${new Set(looked).size} folders`)
  })

  it('the CLI summary line counts each reason and says how to include hidden files', () => {
    assert.equal(skippedSummary([]), undefined)
    assert.equal(skippedSummary([{ reason: 'data-directory' }, { reason: 'data-directory' }, { reason: 'hidden' }]),
      'skipped 3 paths: 2 in a peerhive data directory (never shared), 1 hidden (use --hidden to include hidden files)')
    assert.equal(skippedSummary([{ reason: 'data-directory' }]), 'skipped 1 path: 1 in a peerhive data directory (never shared)')
  })
})
