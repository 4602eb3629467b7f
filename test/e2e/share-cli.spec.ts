/**
 * End to end, with real `peerhive` processes: a daemon that shares a folder
 * given with `--share` and follows its changes, and the `share`, `unshare`
 * and `files` commands, queried only through the CLI.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildManifest, parseCid, type SharedFile } from '../../src/sharing/index.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import { Cluster, POLL_MS, WAIT_MS, peerhive, peerhiveJson, stopProcess, type CliNode } from './cluster.js'

const PORT = 4731
const SUBNET = 71
/** The bound on noticing a change in a shared folder. */
const PICKUP_MS = 10_000

async function files (node: CliNode): Promise<SharedFile[]> {
  return peerhiveJson(['files', '--data', node.dataDir])
}

async function cidOf (path: string): Promise<string> {
  return (await buildManifest(path)).cid.toString()
}

/** Polls `files --json` until `check` holds; returns the list and how long it took. */
async function waitFiles (node: CliNode, what: string, check: (list: SharedFile[]) => boolean, timeoutMs: number): Promise<{ list: SharedFile[], ms: number }> {
  const start = Date.now()
  const list = await waitUntil(what, async () => {
    const l = await files(node)
    return check(l) ? l : undefined
  }, timeoutMs, POLL_MS)
  return { list, ms: Date.now() - start }
}

describe('e2e: sharing files with the CLI', function () {
  this.timeout(120_000)
  const cluster = new Cluster(PORT)
  const tmp = tempDir('peerhive-e2e-share-')
  // the store keeps real paths (the temp folder may be behind a symlink)
  const root = realpathSync(tmp.path)
  const folder = join(root, 'shared')
  const elsewhere = join(root, 'elsewhere')
  let daemon: CliNode

  before(async () => {
    mkdirSync(join(folder, 'docs', 'old'), { recursive: true })
    mkdirSync(elsewhere)
    writeFileSync(join(folder, 'readme.txt'), 'hello from peerhive\n')
    writeFileSync(join(folder, 'docs', 'guide.md'), '# guide\n')
    writeFileSync(join(folder, 'docs', 'old', 'notes.bin'), randomBytes(3 * 1024 * 1024 + 7))
    writeFileSync(join(folder, '.secret'), 'hidden files are not shared')
    await cluster.startBootstrap()
    daemon = await cluster.startDaemon('sharer', SUBNET, 1, ['--share', folder])
  })

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(cluster.logs())
  })

  after(async () => {
    await cluster.stopAll()
    tmp.cleanup()
  })

  it('daemon --share: `files --json` lists every file of the folder with its CID, folder, size', async () => {
    const { list } = await waitFiles(daemon, 'the --share folder to be shared', l => l.length >= 3, WAIT_MS)
    assert.deepEqual(list.map(f => `${f.directory}/${f.filename}`).sort(), ['/readme.txt', 'docs/guide.md', 'docs/old/notes.bin'])
    for (const f of list) {
      assert.equal(parseCid(f.cid).toString(), f.cid, `${f.filename} has a CID`)
      assert.equal(f.cid, await cidOf(f.path), `${f.filename}'s CID is its content's`)
      assert.ok(f.path.startsWith(folder + '/'), f.path)
    }
    const notes = list.find(f => f.filename === 'notes.bin')!
    assert.equal(notes.size, 3 * 1024 * 1024 + 7)
    assert.equal(notes.path, join(folder, 'docs', 'old', 'notes.bin'))

    // the human form names each CID and path
    const plain = await peerhive(['files', '--data', daemon.dataDir])
    assert.equal(plain.code, 0, plain.stderr)
    for (const f of list) {
      assert.ok(plain.stdout.includes(f.cid) && plain.stdout.includes(f.path), `files (text) lists ${f.path}:\n${plain.stdout}`)
    }
    assert.ok(!plain.stdout.includes('.secret'))
  })

  it('picks up a file added to the folder within 10 s', async () => {
    mkdirSync(join(folder, 'new'))
    const path = join(folder, 'new', 'added.txt')
    writeFileSync(path, 'a file that came later\n')
    const want = await cidOf(path)
    const { list, ms } = await waitFiles(daemon, 'the added file to be shared', l => l.some(f => f.path === path), PICKUP_MS + 5_000)
    console.log(`      (added file listed after ${ms} ms)`)
    assert.ok(ms <= PICKUP_MS, `the added file was listed after ${ms} ms (limit ${PICKUP_MS} ms)`)
    const f = list.find(f => f.path === path)!
    assert.equal(f.cid, want)
    assert.equal(f.directory, 'new')
    assert.equal(f.filename, 'added.txt')
  })

  it('gives a modified file a new CID within 10 s, and drops the old one', async () => {
    const path = join(folder, 'readme.txt')
    const before = (await files(daemon)).find(f => f.path === path)
    assert.ok(before != null)
    writeFileSync(path, 'hello from peerhive, edited\n')
    // a later mtime, so the change is visible even on a coarse-grained file system
    const later = new Date(Date.now() + 2_000)
    utimesSync(path, later, later)
    const want = await cidOf(path)
    assert.notEqual(want, before.cid)

    const { list, ms } = await waitFiles(daemon, 'the modified file to get its new CID', l => l.some(f => f.path === path && f.cid === want), PICKUP_MS + 5_000)
    console.log(`      (new CID listed after ${ms} ms)`)
    assert.ok(ms <= PICKUP_MS, `the new CID was listed after ${ms} ms (limit ${PICKUP_MS} ms)`)
    assert.ok(!list.some(f => f.cid === before.cid), 'the old CID is no longer shared')
    assert.equal(list.filter(f => f.path === path).length, 1, 'one entry per file')
    assert.equal(list.find(f => f.path === path)?.size, 'hello from peerhive, edited\n'.length)
  })

  it('drops a file deleted from the folder within 10 s', async () => {
    const path = join(folder, 'docs', 'guide.md')
    const gone = (await files(daemon)).find(f => f.path === path)
    assert.ok(gone != null)
    rmSync(path)
    const { list, ms } = await waitFiles(daemon, 'the deleted file to be dropped', l => !l.some(f => f.path === path), PICKUP_MS + 5_000)
    console.log(`      (deleted file dropped after ${ms} ms)`)
    assert.ok(ms <= PICKUP_MS, `the deleted file was dropped after ${ms} ms (limit ${PICKUP_MS} ms)`)
    assert.ok(!list.some(f => f.cid === gone.cid))
    assert.ok(list.some(f => f.filename === 'notes.bin'), 'the other files stay')
  })

  describe('share, files and unshare', () => {
    const single = join(elsewhere, 'Talk — Café.webm')
    let sharedCid = ''

    it('`share FILE --title T --keywords a,b --json` prints the CID, and `files --json` shows the metadata', async () => {
      writeFileSync(single, randomBytes(200_000))
      const r = await peerhive(['share', single, '--title', 'Peer to peer talk', '--keywords', 'libp2p, dht,p2p', '--json', '--data', daemon.dataDir])
      assert.equal(r.code, 0, r.stderr)
      const { shared: printed, skipped }: { shared: SharedFile[], skipped: unknown[] } = JSON.parse(r.stdout)
      assert.deepEqual(skipped, [])
      assert.equal(printed.length, 1)
      sharedCid = printed[0].cid
      assert.equal(sharedCid, await cidOf(single), 'the printed CID is the file\'s')
      assert.equal(printed[0].path, single)

      const f = (await files(daemon)).find(f => f.cid === sharedCid)
      assert.ok(f != null, 'files lists the shared file')
      assert.equal(f.filename, 'Talk — Café.webm')
      assert.equal(f.directory, '')
      assert.equal(f.size, 200_000)
      assert.equal(f.title, 'Peer to peer talk')
      assert.deepEqual(f.keywords, ['libp2p', 'dht', 'p2p'])
      assert.ok(existsSync(single), 'the file stays where it is')
    })

    it('`share FOLDER` without --json prints one "CID  path" line per file', async () => {
      const dir = join(elsewhere, 'album')
      mkdirSync(dir)
      writeFileSync(join(dir, 'one.ogg'), 'one')
      writeFileSync(join(dir, 'two.ogg'), 'two')
      const r = await peerhive(['share', dir, '--data', daemon.dataDir])
      assert.equal(r.code, 0, r.stderr)
      const lines = r.stdout.trim().split('\n')
      const want = [`${await cidOf(join(dir, 'one.ogg'))}  ${join(dir, 'one.ogg')}`, `${await cidOf(join(dir, 'two.ogg'))}  ${join(dir, 'two.ogg')}`]
      assert.deepEqual([...lines].sort(), [...want].sort())
      const listed = (await files(daemon)).filter(f => f.path.startsWith(dir + '/'))
      assert.deepEqual(listed.map(f => [f.filename, f.directory]).sort(), [['one.ogg', ''], ['two.ogg', '']])
    })

    it('`unshare CID` stops sharing it and leaves the file on disk', async () => {
      assert.notEqual(sharedCid, '')
      const r = await peerhive(['unshare', sharedCid, '--data', daemon.dataDir])
      assert.equal(r.code, 0, r.stderr)
      const list = await files(daemon)
      assert.ok(!list.some(f => f.cid === sharedCid), 'files no longer lists it')
      assert.ok(list.some(f => f.filename === 'notes.bin'), 'the other files stay')
      assert.ok(existsSync(single), 'unshare does not delete the file')
    })

    it('`unshare` of a CID this node does not share exits non-zero and says so', async () => {
      const neverShared = join(elsewhere, 'never-shared.txt')
      writeFileSync(neverShared, 'never shared')
      const unknown = await cidOf(neverShared)
      const r = await peerhive(['unshare', unknown, '--data', daemon.dataDir])
      assert.notEqual(r.code, 0)
      assert.ok(r.stderr.includes(unknown), `the message names the CID: ${r.stderr}`)
      assert.match(r.stderr, /not shared/)
      assert.equal(r.stdout, '')

      const again = await peerhive(['unshare', sharedCid, '--data', daemon.dataDir])
      assert.notEqual(again.code, 0, 'unsharing twice fails the second time')
      assert.match(again.stderr, /not shared/)
    })

    it('`share /no/such/path` exits 2 with a message naming the path, and shares nothing', async () => {
      const before = await files(daemon)
      const missing = join(root, 'no', 'such', 'path.txt')
      const r = await peerhive(['share', missing, '--data', daemon.dataDir])
      assert.equal(r.code, 2, `exit code ${r.code}: ${r.stderr}`)
      assert.ok(r.stderr.includes(missing), `the message names the path: ${r.stderr}`)
      assert.equal(r.stdout, '')
      assert.deepEqual(await files(daemon), before)

      const abs = await peerhive(['share', '/no/such/path', '--data', daemon.dataDir])
      assert.equal(abs.code, 2)
      assert.match(abs.stderr, /\/no\/such\/path/)
    })

    it('`share` refuses an overlong title with exit 2', async () => {
      const p = join(elsewhere, 'titled.txt')
      writeFileSync(p, 'titled')
      const r = await peerhive(['share', p, '--title', 'x'.repeat(300), '--data', daemon.dataDir])
      assert.equal(r.code, 2, r.stderr)
      assert.match(r.stderr, /title/)
      assert.ok(!(await files(daemon)).some(f => f.path === p))
    })
  })

  describe('a daemon restarted after its folder changed', () => {
    it('does not list a file deleted while it was down (within 10 s of its start)', async () => {
      const path = join(folder, 'docs', 'old', 'notes.bin')
      assert.ok((await files(daemon)).some(f => f.path === path))
      const stopped = await stopProcess(daemon)
      assert.equal(stopped.forced, false, 'the daemon stops on SIGTERM')
      rmSync(path)
      writeFileSync(join(folder, 'while-down.txt'), 'added while the daemon was down')
      daemon = await cluster.startDaemon('sharer', SUBNET, 1, ['--share', folder])
      const started = Date.now()
      // the new file shows that the folder was read again
      await waitFiles(daemon, 'the file added while down', l => l.some(f => f.filename === 'while-down.txt'), WAIT_MS)
      const { ms } = await waitFiles(daemon, 'the file deleted while down to be dropped', l => !l.some(f => f.path === path), PICKUP_MS + 30_000)
      const sinceStart = Date.now() - started
      console.log(`      (file deleted while down dropped ${sinceStart} ms after the start, ${ms} ms after the new file showed)`)
      assert.ok(sinceStart <= PICKUP_MS, `a file deleted while the daemon was down was still listed ${sinceStart} ms after its start`)
    })
  })

  describe('a file unshared from a watched folder', () => {
    it('stays unshared when something else in the folder changes', async () => {
      const path = join(folder, 'while-down.txt')
      const f = (await files(daemon)).find(x => x.path === path)
      assert.ok(f != null)
      const r = await peerhive(['unshare', f.cid, '--data', daemon.dataDir])
      assert.equal(r.code, 0, r.stderr)
      // another change in the folder makes the watcher read it again
      const trigger = join(folder, 'trigger.txt')
      writeFileSync(trigger, 'trigger')
      const { list } = await waitFiles(daemon, 'the trigger file to be shared', l => l.some(x => x.path === trigger), PICKUP_MS + 5_000)
      assert.ok(!list.some(x => x.path === path), 'the unshared file was shared again by the folder watcher')
    })
  })

  describe('bad --share', () => {
    it('`daemon --share /no/such/dir` exits 2 with a message naming the folder', async () => {
      const dataDir = join(root, 'bad-daemon')
      const missing = join(root, 'no-such-dir')
      const r = await peerhive(['daemon', '--data', dataDir, '--bootstrap', cluster.bootstrapAddr(), '--listen', `/ip4/127.0.${SUBNET}.9/tcp/0`, '--share', missing])
      assert.equal(r.code, 2, `exit code ${r.code}: ${r.stderr}`)
      assert.ok(r.stderr.includes(missing), `the message names the folder: ${r.stderr}`)
      const left = existsSync(join(dataDir, 'node.json')) ? readFileSync(join(dataDir, 'node.json'), 'utf8') : undefined
      assert.equal(left, undefined, 'a daemon that failed to start leaves no node.json behind')
    })
  })
})
