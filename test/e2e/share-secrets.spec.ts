/**
 * End to end, with real `peerhive` processes (issue 8, "safe by default"):
 * a new user runs `peerhive share ~ --data ~/.peerhive`. The node shares
 * everything else, never its identity.key or api.token, and skips hidden
 * files unless asked; it says what it skipped. Another peer finds nothing of
 * them, and a get of the key's CID fails. A shares.db row left by an older
 * version is dropped at start. `daemon --share` follows the same rules.
 */
import assert from 'node:assert/strict'
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { buildManifest, type SharedFile, type SkippedPath } from '../../src/sharing/index.js'
import { saveAsOlderVersion } from '../helpers/older-shares-row.js'
import { waitUntil } from '../helpers/wait.js'
import { Cluster, POLL_MS, WAIT_MS, peerhive, peerhiveJson, stopProcess, type CliNode } from './cluster.js'
import { searchCli } from './files-util.js'

const PORT = 4737
const SUBNET = 74

async function files (node: CliNode): Promise<SharedFile[]> {
  return peerhiveJson(['files', '--data', node.dataDir])
}

describe('e2e: a node never shares its own secrets', function () {
  this.timeout(120_000)
  const cluster = new Cluster(PORT)
  let sharer: CliNode
  let searcher: CliNode
  /** the user's home; the sharer's data directory is home/.peerhive */
  let home: string
  let data: string
  let keyCid: string

  before(async () => {
    await cluster.startBootstrap()
    sharer = await cluster.startDaemon('home/.peerhive', SUBNET, 1)
    searcher = await cluster.startDaemon('searcher', SUBNET, 2)
    data = realpathSync(sharer.dataDir)
    home = dirname(data)
    mkdirSync(join(home, 'docs'))
    mkdirSync(join(home, '.ssh'))
    writeFileSync(join(home, 'docs', 'report.txt'), 'quarterly report\n')
    writeFileSync(join(home, '.ssh', 'id_ed25519'), 'SSH PRIVATE KEY\n')
    writeFileSync(join(home, '.env'), 'PASSWORD=hunter2\n')
    keyCid = (await buildManifest(join(data, 'identity.key'))).cid.toString()
    await cluster.waitPlaced(sharer)
    await cluster.waitPlaced(searcher)
  })

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(cluster.logs())
  })

  after(async () => {
    await cluster.stopAll()
  })

  it('`share ~ --data ~/.peerhive` shares the rest, lists the data directory and hidden entries as skipped, and says so in one line', async () => {
    const r = await peerhive(['share', home, '--json', '--data', sharer.dataDir])
    assert.equal(r.code, 0, r.stderr)
    const { shared, skipped }: { shared: SharedFile[], skipped: SkippedPath[] } = JSON.parse(r.stdout)
    assert.deepEqual(shared.map(f => relative(home, f.path)), ['docs/report.txt'])
    assert.deepEqual(skipped.map(s => `${relative(home, s.path)}: ${s.reason}`).sort(), ['.env: hidden', '.peerhive: data-directory', '.ssh: hidden'])
    assert.equal(r.stderr, 'skipped 3 paths: 1 in a peerhive data directory (never shared), 2 hidden (use --hidden to include hidden files)\n')

    const plain = await peerhive(['share', home, '--data', sharer.dataDir])
    assert.equal(plain.code, 0, plain.stderr)
    assert.equal(plain.stdout, `${shared[0].cid}  ${join(home, 'docs', 'report.txt')}\n`)
    assert.match(plain.stderr, /^skipped 3 paths: 1 in a peerhive data directory/)

    const listed = await files(sharer)
    assert.deepEqual(listed.map(f => relative(home, f.path)), ['docs/report.txt'])
  })

  it('`share --data X X`, a secret file named itself, or a symlink to it share nothing', async () => {
    const link = join(home, 'docs', 'innocent.txt')
    symlinkSync(join(data, 'identity.key'), link)
    for (const path of [data, join(data, 'identity.key'), join(data, 'api.token'), link]) {
      const r = await peerhive(['share', path, '--json', '--data', sharer.dataDir])
      assert.equal(r.code, 0, r.stderr)
      const { shared, skipped } = JSON.parse(r.stdout)
      assert.deepEqual(shared, [], path)
      assert.equal(skipped.length, 1, path)
      assert.equal(skipped[0].reason, 'data-directory')
      assert.equal(r.stderr, 'skipped 1 path: 1 in a peerhive data directory (never shared)\n')
    }
    // the folder walk does not follow the symlink either
    const again = await peerhive(['share', join(home, 'docs'), '--json', '--data', sharer.dataDir])
    assert.deepEqual(JSON.parse(again.stdout).shared.map((f: SharedFile) => f.filename), ['report.txt'])
    assert.ok(!(await files(sharer)).some(f => f.cid === keyCid), 'the key is not shared')
  })

  it('another peer finds the report, but nothing of the key, the token or the hidden files; a get of the key\'s CID fails', async () => {
    await waitUntil('the searcher to find the report', async () => {
      const r = await searchCli(searcher, ['report'], ['--all', '--timeout', '2000'])
      return r.lines.some(l => l.providers.includes(sharer.peerId)) ? r : undefined
    }, WAIT_MS, POLL_MS)
    for (const words of [['identity'], ['api', 'token'], ['id_ed25519'], ['env'], [keyCid]]) {
      const r = await searchCli(searcher, words, ['--all', '--timeout', '2000'])
      assert.equal(r.code, 0, r.stderr)
      assert.deepEqual(r.lines.filter(l => l.providers.includes(sharer.peerId)), [], `search ${words.join(' ')}`)
    }
    const out = join(home, '..', 'stolen.key')
    const got = await peerhive(['get', keyCid, '-o', out, '--json', '--data', searcher.dataDir])
    assert.equal(got.code, 1, got.stderr)
    assert.match(got.stderr, /no peer shares/)
  })

  it('drops at start a row for identity.key saved in shares.db by an older version; a get of it from the node itself fails', async () => {
    await stopProcess(sharer)
    await saveAsOlderVersion(join(data, 'shares.db'), join(data, 'identity.key'))
    sharer = await cluster.startDaemon('home/.peerhive', SUBNET, 1)
    await cluster.waitPlaced(sharer)
    const listed = await files(sharer)
    assert.deepEqual(listed.map(f => relative(home, f.path)), ['docs/report.txt'])
    const out = join(home, '..', 'self.key')
    const got = await peerhive(['get', keyCid, '-o', out, '--json', '--data', sharer.dataDir])
    assert.equal(got.code, 1, got.stderr)
  })

  it('`daemon --share ~ --hidden` of another user shares hidden files, but not the running node\'s data directory in it', async () => {
    const watcher = await cluster.startDaemon('watcher', SUBNET, 3, ['--share', home, '--hidden'])
    const list = await waitUntil('the --share folder to be shared', async () => {
      const l = await files(watcher)
      return l.length >= 3 ? l : undefined
    }, WAIT_MS, POLL_MS)
    assert.deepEqual(list.map(f => relative(home, f.path)).sort(), ['.env', '.ssh/id_ed25519', 'docs/report.txt'])
    // the daemon says so once its start is done (after its API is up, so wait for the line)
    const line = await waitUntil('the daemon to print what --share skipped', () => /--share: skipped .*\n/.exec(watcher.text())?.[0], WAIT_MS, POLL_MS)
    assert.equal(line, '--share: skipped 1 path: 1 in a peerhive data directory (never shared)\n')
  })
})
