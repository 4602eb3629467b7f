/**
 * End to end, with real `peerhive` processes: what `search` and `get` tell a
 * person. A search that finds nothing says where it looked; a CID shared
 * under two names by two peers shows both names and both providers; `get`
 * does not replace an existing file without --force, and names a bad CID in
 * plain words.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildManifest } from '../../src/sharing/index.js'
import { ROOT, type CliResult } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import { Cluster, POLL_MS, WAIT_MS, peerhive, type CliNode } from './cluster.js'

const PORT = 4797
const SUBNET = 97
const CONTENT = 'the same bytes, shared by two peers under two names\n'

/** `peerhive ARGS` run in the folder `cwd` (where a get without -o writes). */
async function peerhiveIn (cwd: string, args: string[]): Promise<CliResult> {
  return new Promise(resolve => {
    execFile(process.execPath, [join(ROOT, 'bin', 'peerhive.js'), ...args], { cwd, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err == null ? 0 : typeof (err as any).code === 'number' ? (err as any).code : 1, stdout, stderr })
    })
  })
}

describe('e2e: what search and get tell a person', function () {
  this.timeout(120_000)
  const cluster = new Cluster(PORT)
  const tmp = tempDir('peerhive-e2e-search-get-')
  const root = realpathSync(tmp.path)
  let one: CliNode
  let two: CliNode
  let cid = ''

  before(async () => {
    mkdirSync(join(root, 'one'))
    mkdirSync(join(root, 'two'))
    writeFileSync(join(root, 'one', 'first-name.txt'), CONTENT)
    writeFileSync(join(root, 'two', 'second-name.txt'), CONTENT)
    cid = (await buildManifest(join(root, 'one', 'first-name.txt'))).cid.toString()
    await cluster.startBootstrap()
    one = (await cluster.startPlaced('one', SUBNET, 1)).node
    two = (await cluster.startPlaced('two', SUBNET, 2)).node
    for (const [node, folder] of [[one, 'one'], [two, 'two']] as const) {
      const r = await peerhive(['share', join(root, folder), '--data', node.dataDir])
      assert.equal(r.code, 0, r.stderr)
    }
  })

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(cluster.logs())
  })

  after(async () => {
    await cluster.stopAll()
    tmp.cleanup()
  })

  it('search: finding nothing says "no file matches" and the tiers asked; with --json it prints nothing; exit 0', async () => {
    const plain = await peerhive(['search', 'zzq-nothing-has-this-name', '--timeout', '1500', '--data', one.dataDir])
    assert.equal(plain.code, 0, plain.stderr)
    assert.match(plain.stdout, /^no file matches "zzq-nothing-has-this-name" \(asked: local, subnet, remote(, dht)?\)\n$/)
    const json = await peerhive(['search', 'zzq-nothing-has-this-name', '--timeout', '1500', '--json', '--data', one.dataDir])
    assert.equal(json.code, 0, json.stderr)
    assert.equal(json.stdout, '')
  })

  it('search: a CID two peers share under two names shows both names and 2 providers', async () => {
    // one's subnet tier knows two's copy once two's index reached their virtual server
    let r: CliResult | undefined
    await waitUntil('the search to report the providers of both tiers', async () => {
      r = await peerhive(['search', cid, '--timeout', '2000', '--data', one.dataDir])
      return r.code === 0 && r.stdout.includes('2 providers') ? true : undefined
    }, WAIT_MS, POLL_MS).catch(err => { throw new Error(`${(err as Error).message}; the last search printed: ${JSON.stringify(r)}`) })
    assert.ok(r != null)
    const lines = r.stdout.trim().split('\n')
    assert.equal(lines.length, 1, `one line per CID:\n${r.stdout}`)
    assert.ok(lines[0].includes(cid), lines[0])
    assert.ok(lines[0].includes('first-name.txt') && lines[0].includes('second-name.txt'), `both names: ${lines[0]}`)
    assert.match(lines[0], /\(2 providers, \d+ ms\)$/)
    // --json keeps one line per tier that reported it, each with the names it knows
    const json = await peerhive(['search', cid, '--json', '--all', '--timeout', '2000', '--data', one.dataDir])
    const parsed = json.stdout.trim().split('\n').map(l => JSON.parse(l))
    assert.ok(parsed.every(l => l.cid === cid && Array.isArray(l.names) && l.names.includes(l.filename)), json.stdout)
    assert.ok(!parsed.some(l => 'summary' in l), 'the summary line stays out of --json')
  })

  it('get -o FILE refuses to replace an existing file (exit 1, prints the command with --force); --force replaces it', async () => {
    const out = join(root, 'existing.txt')
    writeFileSync(out, 'precious\n')
    const refused = await peerhive(['get', cid, '-o', out, '--data', two.dataDir])
    assert.equal(refused.code, 1, refused.stderr)
    assert.ok(refused.stderr.includes(`peerhive get ${cid} -o ${out} --force --data ${two.dataDir}`), refused.stderr)
    assert.equal(readFileSync(out, 'utf8'), 'precious\n', 'the file is untouched')
    const forced = await peerhive(['get', cid, '-o', out, '--force', '--data', two.dataDir])
    assert.equal(forced.code, 0, forced.stderr)
    assert.equal(readFileSync(out, 'utf8'), CONTENT)
  })

  it('get without -o refuses to replace a file of the same name in the current folder; --force replaces it', async () => {
    const cwd = join(root, 'cwd')
    mkdirSync(cwd)
    writeFileSync(join(cwd, 'first-name.txt'), 'precious\n')
    const refused = await peerhiveIn(cwd, ['get', cid, '--data', one.dataDir])
    assert.equal(refused.code, 1, refused.stderr)
    assert.ok(refused.stderr.includes(join(cwd, 'first-name.txt')), `names the file: ${refused.stderr}`)
    assert.ok(refused.stderr.includes(`peerhive get ${cid} --force --data ${one.dataDir}`), refused.stderr)
    assert.equal(readFileSync(join(cwd, 'first-name.txt'), 'utf8'), 'precious\n')
    const forced = await peerhiveIn(cwd, ['get', cid, '--force', '--data', one.dataDir])
    assert.equal(forced.code, 0, forced.stderr)
    assert.equal(readFileSync(join(cwd, 'first-name.txt'), 'utf8'), CONTENT)
  })

  it('get not-a-cid says "not a CID" (exit 2), not a multiformats error', async () => {
    for (const bad of ['not-a-cid', 'bafy', 'Qm']) {
      const r = await peerhive(['get', bad, '--data', one.dataDir])
      assert.equal(r.code, 2, r.stderr)
      assert.match(r.stderr, new RegExp(`^peerhive: not a CID: "${bad}"`))
      assert.doesNotMatch(r.stderr, /base32|base58|decode|multibase|Non-base/i)
    }
  })
})
