/**
 * End to end, with real `peerhive` processes in three subnets (a bootstrap
 * with --vs-limit 4, three daemons per subnet, so one virtual server and two
 * members each): sharing, nearest-first search, a verified download from
 * other subnets, a lying source and an interrupted download that resumes.
 * Everything is asked through the CLI; the bootstrap's and a provider's
 * Prometheus metrics show what went over the network.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, realpathSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { buildManifest, type SharedFile } from '../../src/sharing/index.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import { Cluster, POLL_MS, WAIT_MS, disagreement, peerhive, peerhiveJson, status, type CliNode, type NodeStatus, type SubnetRow } from './cluster.js'
import {
  GetProcess, counter, getCli, killAllGets, metricsUrlOf, readSidecar, searchCli, sha256File, writeRandomFile, type SearchLine
} from './files-util.js'

const PORT = 4741
const SUBNETS = { A: 110, B: 111, C: 112 } as const
type SubnetName = keyof typeof SUBNETS
const MiB = 1024 * 1024
const SEARCH = '/peerhive/search/1.0.0'
const TRANSFER = '/peerhive/transfer/1.0.0'
/** The lying-source file: 24 pieces of 1 MiB. The liars' copies are bad in every piece, so a liar lies on whichever pieces it is asked for first. */
const SWARM_SIZE = 24 * MiB
/** The file whose download is interrupted and resumed. */
const BIG_SIZE = 128 * MiB

async function files (node: CliNode): Promise<SharedFile[]> {
  return peerhiveJson(['files', '--data', node.dataDir])
}

async function cidOf (path: string): Promise<string> {
  return (await buildManifest(path)).cid.toString()
}

/** `peerhive share PATH --json [extra]` on `node`: the files it printed as shared. */
async function share (node: CliNode, path: string, extra: string[] = []): Promise<SharedFile[]> {
  const r = await peerhive(['share', path, ...extra, '--json', '--data', node.dataDir])
  assert.equal(r.code, 0, `share ${path} on ${node.dataDir}: ${r.stderr}`)
  return JSON.parse(r.stdout).shared
}

/** Gives a file a whole-second mtime, so that it can be restored exactly after the file is changed. */
function setMtime (path: string, seconds: number): void {
  utimesSync(path, seconds, seconds)
  assert.equal(statSync(path).mtimeMs, seconds * 1000)
}

/** Overwrites 64 bytes inside every 1 MiB piece of a shared copy, then puts its mtime back: same size, same mtime, other bytes. */
function corrupt (path: string, mtimeSeconds: number): void {
  const size = statSync(path).size
  const fd = openSync(path, 'r+')
  try {
    for (let i = 0; i * MiB < size; i++) writeSync(fd, randomBytes(64), 0, 64, i * MiB + Math.min(4096, size - i * MiB - 64))
  } finally {
    closeSync(fd)
  }
  setMtime(path, mtimeSeconds)
  assert.equal(statSync(path).size, size)
}

describe('e2e: files in three subnets (share, nearest-first search, get, a lying source, resume)', function () {
  this.timeout(120_000)
  const cluster = new Cluster(PORT, ['--vs-limit', '4', '--metrics', '127.0.0.1:0'])
  const tmp = tempDir('peerhive-e2e-files-')
  const root = realpathSync(tmp.path)
  const downloads = join(root, 'downloads')
  /** daemons by name: a1..a3 in 127.0.110.0/24, b1..b3 in .111, c1..c3 in .112 */
  const d: Record<string, CliNode> = {}
  const roles: Record<string, NodeStatus> = {}
  const byPeer = new Map<string, string>()
  let bootstrapMetrics = ''

  // what the daemons share
  const folderA = join(root, 'share-a1')
  const folderB = join(root, 'share-b1')
  const guideName = 'Été-Montréal-guide.txt'
  const cids: Record<string, string> = {}
  const sums: Record<string, string> = {}

  const name = (peerId: string): string => byPeer.get(peerId) ?? peerId
  const names = (peerIds: string[]): string[] => peerIds.map(name)
  const subnetOf = (n: string): SubnetName => n[0].toUpperCase() as SubnetName
  /** A member of `subnet` other than `not` (whichever the bootstrap made members). */
  const memberOf = (subnet: SubnetName, ...not: string[]): string => {
    const m = Object.keys(d).find(n => subnetOf(n) === subnet && roles[n].role === 'member' && !not.includes(n))
    assert.ok(m != null, `subnet ${subnet} has a member other than ${not.join(', ')}: ${JSON.stringify(Object.fromEntries(Object.entries(roles).map(([k, v]) => [k, v.role])))}`)
    return m
  }

  /** Polls a search until it lists `cid` from `tier` with (at least) `providers`; returns the lines and whether it took more than one try. */
  async function waitHit (from: string, words: string[], cid: string, tier: SearchLine['tier'], providers: string[] = []): Promise<{ lines: SearchLine[], retried: boolean }> {
    let tries = 0
    const lines = await waitUntil(`${from}'s search for ${words.join(' ')} to find ${cid} (${tier})`, async () => {
      tries++
      const r = await searchCli(d[from], words)
      assert.equal(r.code, 0, r.stderr)
      const hit = r.lines.find(l => l.cid === cid)
      return hit?.tier === tier && providers.every(p => hit.providers.includes(d[p].peerId)) ? r.lines : undefined
    }, WAIT_MS, POLL_MS)
    return { lines, retried: tries > 1 }
  }

  before(async function () {
    this.timeout(90_000)
    mkdirSync(folderA)
    mkdirSync(folderB)
    mkdirSync(downloads)
    writeFileSync(join(folderA, guideName), 'a guide to Montréal in summer\n')
    // two different files under the same name, one in subnet A and one in subnet B
    sums.reportA = writeRandomFile(join(folderA, 'report-2024.pdf'), 200_000)
    sums.reportB = writeRandomFile(join(folderB, 'report-2024.pdf'), 300_000)
    writeFileSync(join(folderB, 'bees.txt'), 'bees\n')

    await cluster.startBootstrap()
    bootstrapMetrics = metricsUrlOf(cluster.bootstrap)
    const extra = (n: string): string[] => n === 'a1' ? ['--share', folderA] : n === 'b1' ? ['--share', folderB] : n === 'c1' ? ['--metrics', '127.0.0.1:0'] : []
    const start = async (n: string): Promise<void> => {
      d[n] = await cluster.startDaemon(n, SUBNETS[subnetOf(n)], Number(n[1]), extra(n))
      await cluster.waitPlaced(d[n])
    }
    // the first daemon of each subnet first (it becomes the virtual server), then the others
    await Promise.all(['a1', 'b1', 'c1'].map(start))
    await Promise.all(['a2', 'a3', 'b2', 'b3', 'c2', 'c3'].map(start))
    for (const [n, node] of Object.entries(d)) byPeer.set(node.peerId, n)

    // settled: each subnet has one virtual server with two members, and every daemon agrees
    const table = await waitUntil('three groups of three, every daemon agreeing with the bootstrap', async () => {
      const t: SubnetRow[] = await cluster.subnets()
      for (const s of Object.values(SUBNETS)) {
        const row = t.find(r => r.subnet === `127.0.${s}.0/24`)
        if (row?.virtualServers.length !== 1 || row.virtualServers[0].members.length !== 2) throw new Error(`127.0.${s}.0/24 is not one group of three: ${JSON.stringify(row)}`)
      }
      for (const [n, node] of Object.entries(d)) {
        const s = await status(node)
        const why = disagreement(t, s)
        if (why != null) throw new Error(`${n}: ${why}`)
        roles[n] = s
      }
      return t
    }, WAIT_MS, POLL_MS)
    console.log(`      (groups: ${table.map(r => `${r.subnet} vs=${name(r.virtualServers[0].peerId)} members=${names(r.virtualServers[0].members).join(',')}`).join('; ')})`)
  })

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(cluster.logs(40))
  })

  after(async function () {
    this.timeout(30_000)
    await killAllGets()
    await cluster.stopAll()
    tmp.cleanup()
  })

  it('share: --share folders and `share FILE --title --keywords` are listed by `files --json` with their CIDs', async () => {
    // a1 and b1 share folders given with --share
    const a1 = await waitUntil('a1 to share its --share folder', async () => { const l = await files(d.a1); return l.length >= 2 ? l : undefined }, WAIT_MS, POLL_MS)
    assert.deepEqual(a1.map(f => f.filename).sort(), [guideName, 'report-2024.pdf'].sort())
    const b1 = await waitUntil('b1 to share its --share folder', async () => { const l = await files(d.b1); return l.length >= 2 ? l : undefined }, WAIT_MS, POLL_MS)
    assert.deepEqual(b1.map(f => f.filename).sort(), ['bees.txt', 'report-2024.pdf'])
    for (const f of [...a1, ...b1]) assert.equal(f.cid, await cidOf(f.path), `${f.path}: the listed CID is its content's`)
    cids.guide = a1.find(f => f.filename === guideName)!.cid
    cids.reportA = a1.find(f => f.filename === 'report-2024.pdf')!.cid
    cids.reportB = b1.find(f => f.filename === 'report-2024.pdf')!.cid
    assert.notEqual(cids.reportA, cids.reportB, 'same name, other content: other CIDs')

    // c2 shares a file with a title and keywords; b2 and c3 share copies of one file (two subnets)
    const orbit = join(root, 'c2', 'orbit.raw')
    mkdirSync(join(root, 'c2'))
    writeRandomFile(orbit, 500_000)
    const bee = join(root, 'bee-dance.bin')
    sums.bee = writeRandomFile(bee, 3 * MiB + 123)
    const [orbitShared, beeB2, beeC3] = await Promise.all([
      share(d.c2, orbit, ['--title', 'Lunar Orbit Photos', '--keywords', 'space, moon']),
      share(d.b2, bee, ['--title', 'Bee dance', '--keywords', 'bees,dance']),
      share(d.c3, bee)
    ])
    assert.equal(orbitShared.length, 1)
    cids.orbit = orbitShared[0].cid
    assert.equal(cids.orbit, await cidOf(orbit))
    cids.bee = beeB2[0].cid
    assert.equal(beeC3[0].cid, cids.bee, 'the same content has the same CID wherever it is shared')
    assert.equal(cids.bee, await cidOf(bee))

    const c2 = (await files(d.c2)).find(f => f.cid === cids.orbit)
    assert.ok(c2 != null, 'files --json lists the shared file')
    assert.equal(c2.filename, 'orbit.raw')
    assert.equal(c2.size, 500_000)
    assert.equal(c2.title, 'Lunar Orbit Photos')
    assert.deepEqual(c2.keywords, ['space', 'moon'])
    assert.equal(c2.path, orbit)
    const b2 = await files(d.b2)
    assert.deepEqual(b2.map(f => [f.cid, f.filename, f.title, f.keywords]), [[cids.bee, 'bee-dance.bin', 'Bee dance', ['bees', 'dance']]])
    assert.deepEqual((await files(d.c3)).map(f => [f.cid, f.title, f.keywords]), [[cids.bee, '', []]])
  })

  describe('search, nearest first', () => {
    it('a search answered in the subnet: tier "subnet" first, AND over words, case and accents ignored; the bootstrap serves no search', async () => {
      const memberA = memberOf('A', 'a1')
      const memberB = memberOf('B', 'b1')
      const memberC = memberOf('C', 'c2')
      // the members' indexes reach their virtual servers (polling only when they are not there yet)
      const ready = await Promise.all([
        waitHit(memberA, ['montreal'], cids.guide, 'subnet', ['a1']),
        waitHit(memberB, ['report'], cids.reportB, 'subnet', ['b1']),
        waitHit(memberC, ['lunar'], cids.orbit, 'subnet', ['c2'])
      ])
      const before = await counter(bootstrapMetrics, 'peerhive_protocol_requests_total', { protocol: SEARCH })
      if (!ready.some(r => r.retried)) assert.equal(before, 0, 'no search so far needed the bootstrap')

      const queries: Array<[string, string[], string, string]> = [
        [memberA, ['montreal'], cids.guide, 'a1'],
        [memberA, ['ÉTÉ', 'MONTRÉAL'], cids.guide, 'a1'],
        [memberA, ['ete montreal GUIDE.TXT'], cids.guide, 'a1'],
        [memberC, ['LUNAR', 'moon'], cids.orbit, 'c2'], // a title word AND a keyword
        [memberC, ['Photos', 'SPACE'], cids.orbit, 'c2']
      ]
      for (const [from, words, cid, provider] of queries) {
        const r = await searchCli(d[from], words)
        assert.equal(r.code, 0, r.stderr)
        assert.ok(r.lines.length >= 1, `${from}: search ${words.join(' ')} found nothing`)
        const [first] = r.lines
        assert.equal(first.cid, cid, `${from}: search ${words.join(' ')}: ${r.stdout}`)
        assert.equal(first.tier, 'subnet', `${from}: search ${words.join(' ')}: ${r.stdout}`)
        assert.deepEqual(first.providers, [d[provider].peerId])
        assert.ok(r.lines.every(l => l.tier === 'subnet'), `answered in the subnet, nothing farther asked: ${r.stdout}`)
        assert.equal(typeof first.ms, 'number')
      }
      const [line] = (await searchCli(d[memberC], ['moon'])).lines
      assert.deepEqual({ filename: line.filename, directory: line.directory, size: line.size, title: line.title, keywords: line.keywords },
        { filename: 'orbit.raw', directory: '', size: 500_000, title: 'Lunar Orbit Photos', keywords: ['space', 'moon'] })

      const after = await counter(bootstrapMetrics, 'peerhive_protocol_requests_total', { protocol: SEARCH })
      console.log(`      (bootstrap search requests: ${before} before, ${after} after ${queries.length + 1} searches answered in the subnet)`)
      assert.equal(after, before, 'the bootstrap\'s search request counter did not move for searches answered in the subnet')
    })

    it('own files come first as "local"; a file only in another subnet comes as "remote"', async () => {
      const own = await searchCli(d.a1, ['Montreal'], ['--timeout', '1500'])
      assert.equal(own.code, 0, own.stderr)
      assert.equal(own.lines[0]?.tier, 'local', own.stdout)
      assert.equal(own.lines[0].cid, cids.guide)
      assert.deepEqual(own.lines[0].providers, [d.a1.peerId])

      const memberA = memberOf('A', 'a1')
      const remote = await searchCli(d[memberA], ['orbit'])
      assert.equal(remote.code, 0, remote.stderr)
      assert.equal(remote.lines[0]?.cid, cids.orbit, remote.stdout)
      assert.equal(remote.lines[0].tier, 'remote', remote.stdout)
      assert.deepEqual(remote.lines[0].providers, [d.c2.peerId])
    })

    it('--all: the same name in the own subnet and in another subnet comes subnet first, then remote, ms never decreasing', async () => {
      const memberA = memberOf('A', 'a1')
      const r = await searchCli(d[memberA], ['REPORT', '2024'], ['--all', '--timeout', '2500'])
      assert.equal(r.code, 0, r.stderr)
      const tiers = r.lines.map(l => `${l.tier}:${l.cid === cids.reportA ? 'A' : l.cid === cids.reportB ? 'B' : l.cid}`)
      assert.deepEqual(tiers, ['subnet:A', 'remote:B'], r.stdout)
      assert.ok(r.lines.every(l => l.filename === 'report-2024.pdf'))
      assert.deepEqual(r.lines[0].providers, [d.a1.peerId])
      assert.deepEqual(r.lines[1].providers, [d.b1.peerId])
      for (let i = 1; i < r.lines.length; i++) assert.ok(r.lines[i].ms >= r.lines[i - 1].ms, `ms non-decreasing: ${r.stdout}`)
    })

    it('a search that finds nothing (or whose words do not all match one file) exits 0 and prints nothing', async () => {
      const memberA = memberOf('A', 'a1')
      const [none, notAll] = await Promise.all([
        searchCli(d[memberA], ['zzqx-nothing-matches'], ['--timeout', '1500']),
        searchCli(d[memberA], ['montreal', 'orbit'], ['--timeout', '1500'])
      ])
      for (const r of [none, notAll]) {
        assert.equal(r.code, 0, r.stderr)
        assert.equal(r.stdout, '', 'prints nothing')
        // (stderr may carry debug logs when DEBUG is set for the whole run)
        if (process.env.DEBUG == null) assert.equal(r.stderr, '', 'prints nothing on stderr either')
      }
    })
  })

  describe('get', () => {
    it('`get CID -o PATH --json` writes a byte-identical file from providers in other subnets; an unknown CID fails cleanly', async () => {
      const memberA = memberOf('A', 'a1')
      const out = join(downloads, 'bee.bin')
      const unknownFile = join(root, 'never-shared.bin')
      writeRandomFile(unknownFile, 10_000)
      const unknown = await cidOf(unknownFile)
      const unknownOut = join(downloads, 'unknown.bin')

      // b2's and c3's copies are known in their subnets
      await waitHit('b1', [cids.bee], cids.bee, 'subnet', ['b2'])
      await waitHit('c1', [cids.bee], cids.bee, 'subnet', ['c3'])

      // the unknown CID runs alongside (finding no provider takes the whole search deadline)
      const [got, missing] = await Promise.all([getCli(d[memberA], cids.bee, out), getCli(d[memberA], unknown, unknownOut)])

      assert.equal(got.code, 0, `get ${cids.bee}: ${got.stderr}`)
      const res = got.result!
      assert.equal(res.cid, cids.bee)
      assert.equal(res.path, out)
      assert.equal(res.bytes, 3 * MiB + 123)
      assert.equal(typeof res.ms, 'number')
      assert.equal(await sha256File(out), sums.bee, 'the downloaded file is byte-identical')
      assert.ok(res.sources.length >= 1, `sources: ${JSON.stringify(res.sources)}`)
      for (const s of res.sources) assert.ok(['b2', 'c3'].includes(name(s)), `source ${name(s)} shares the file in another subnet`)
      assert.ok(!existsSync(`${out}.part`) && !existsSync(`${out}.part.json`), 'no partial file is left')
      console.log(`      (3 MiB from ${names(res.sources).join(', ')} in ${res.ms} ms)`)

      assert.notEqual(missing.code, 0, `get of an unknown CID exits non-zero: ${missing.stdout}`)
      assert.ok(missing.stderr.includes(unknown), `the message names the CID: ${missing.stderr}`)
      assert.equal(missing.stdout, '')
      assert.ok(!existsSync(unknownOut), 'no file under the final name')
      assert.ok(!existsSync(`${unknownOut}.part`), 'no partial file either')
      console.log(`      (unknown CID: exit ${missing.code}, "${missing.stderr.trim()}")`)
    })
  })

  describe('a lying source', () => {
    // liars: b3 (with honest b2 in its subnet and c3 elsewhere) and a3 (the only provider in subnet A)
    const honest = join(root, 'swarm', 'swarm-24m.bin')
    const liarCopy = (n: string): string => join(root, `liar-${n}`, 'swarm-24m.bin')

    before(async function () {
      this.timeout(60_000)
      mkdirSync(join(root, 'swarm'))
      sums.swarm = writeRandomFile(honest, SWARM_SIZE)
      const mtime = Math.floor(Date.now() / 1000) - 3600
      setMtime(honest, mtime)
      for (const n of ['b3', 'a3']) {
        mkdirSync(join(root, `liar-${n}`))
        copyFileSync(honest, liarCopy(n))
        setMtime(liarCopy(n), mtime)
      }
      const shared = await Promise.all([share(d.b2, honest), share(d.c3, honest), share(d.b3, liarCopy('b3')), share(d.a3, liarCopy('a3'))])
      cids.swarm = shared[0][0].cid
      for (const s of shared) assert.equal(s[0].cid, cids.swarm)
      // now the liars' copies go bad, and keep their size and mtime: their nodes go on serving the CID
      for (const n of ['b3', 'a3']) {
        corrupt(liarCopy(n), mtime)
        assert.notEqual(await sha256File(liarCopy(n)), sums.swarm)
      }
      await new Promise(resolve => setTimeout(resolve, 300))
      for (const n of ['b3', 'a3']) {
        assert.ok((await files(d[n])).some(f => f.cid === cids.swarm), `${n} still shares the CID with its corrupted copy`)
      }
      // every provider is known in its subnet (asked of a daemon that does not share the file: "subnet" tier)
      await waitHit('b1', [cids.swarm], cids.swarm, 'subnet', ['b2', 'b3'])
      await waitHit('a1', [cids.swarm], cids.swarm, 'subnet', ['a3'])
      await waitHit('c1', [cids.swarm], cids.swarm, 'subnet', ['c3'])
    })

    /** The lines in which `node`'s download log says it dropped a provider for a bad piece. */
    const drops = (node: CliNode): string[] => node.text().split('\n').filter(l => l.includes('peerhive:transfer:download') && l.includes('dropping'))
    /** Waits briefly for `node`'s log to say it dropped `liar` for a bad piece (the daemon's stderr may trail the CLI's answer). */
    const waitDropped = async (node: CliNode, liar: CliNode): Promise<string[]> => {
      await waitUntil(`${node.dataDir}'s log to say it dropped ${liar.peerId}`, () => drops(node).some(l => l.includes(`dropping ${liar.peerId}`) && l.includes('does not match the manifest')), 2_000, 50).catch(() => {})
      return drops(node)
    }

    it('a provider in the same subnet sends bad pieces: it is dropped and the file still arrives byte-identical', async () => {
      const out = join(downloads, 'swarm-from-b1.bin')
      const r = await getCli(d.b1, cids.swarm, out)
      assert.equal(r.code, 0, `get with a liar among the providers failed: ${r.stderr}`)
      assert.equal(await sha256File(out), sums.swarm, 'byte-identical despite the liar')
      const dropped = await waitDropped(d.b1, d.b3)
      console.log(`      (sources ${names(r.result!.sources).join(', ')} in ${r.result!.ms} ms; b1 logged: ${dropped.map(l => l.replace(/^.*dropping /, 'dropping ')).join(' | ')})`)
      assert.ok(dropped.some(l => l.includes(`dropping ${d.b3.peerId}`) && l.includes('does not match the manifest')), `b1 dropped the liar b3 for a bad piece:\n${dropped.join('\n')}`)
      assert.ok(!dropped.some(l => l.includes(d.b2.peerId) || l.includes(d.c3.peerId)), 'no honest provider was dropped')
      const sources = names(r.result!.sources)
      assert.ok(sources.some(s => s === 'b2' || s === 'c3'), `an honest provider supplied pieces: ${sources.join(', ')}`)
      // sources are the verified suppliers: no liar (a3, the other liar, is a provider too: get gathers every provider)
      for (const s of sources) assert.ok(['b2', 'c3'].includes(s), `unexpected source ${s}`)
      assert.ok(!existsSync(`${out}.part`) && !existsSync(`${out}.part.json`))
    })

    it('the only provider in the own subnet (tried first) lies: the download completes from the other subnets, byte-identical', async () => {
      const out = join(downloads, 'swarm-from-a1.bin')
      // what a1 learns of the CID's providers, tier by tier (a get finds its providers with this search)
      const found = await searchCli(d.a1, [cids.swarm], ['--all', '--timeout', '1500'])
      console.log(`      (a1's search --all for the CID: ${found.lines.map(l => `${l.tier}[${names(l.providers).join(',')}]`).join(' ') || 'nothing'}; b2, b3 and c3 share it too)`)
      const r = await getCli(d.a1, cids.swarm, out)
      const dropped = await waitDropped(d.a1, d.a3)
      console.log(`      (exit ${r.code}${r.result != null ? `, sources ${names(r.result.sources).join(', ')} in ${r.result.ms} ms` : ''}; a1 logged: ${dropped.map(l => l.replace(/^.*dropping /, 'dropping ')).join(' | ')})`)
      assert.equal(r.code, 0, 'get failed although honest providers share the file in subnets B (b2) and C (c3); the download only ' +
        `had the lying subnet-local provider a3 (${d.a3.peerId}) to use: ${r.stderr}`)
      assert.equal(await sha256File(out), sums.swarm, 'byte-identical despite the liar')
      assert.ok(dropped.some(l => l.includes(`dropping ${d.a3.peerId}`) && l.includes('does not match the manifest')), `a1 dropped the liar a3:\n${dropped.join('\n')}`)
      const sources = names(r.result!.sources)
      assert.ok(sources.some(s => s === 'b2' || s === 'c3'), `an honest provider in another subnet supplied pieces: ${sources.join(', ')}`)
      for (const s of sources) assert.ok(['b2', 'c3'].includes(s), `unexpected source ${s}`)
    })
  })

  describe('resume', () => {
    it('a `get` killed with -9 keeps its verified pieces; the next `get` resumes without fetching them again', async () => {
      const memberA = memberOf('A', 'a1')
      const big = join(root, 'big', 'big-128m.bin')
      mkdirSync(join(root, 'big'))
      sums.big = writeRandomFile(big, BIG_SIZE)
      const [shared] = await share(d.c1, big)
      cids.big = shared.cid
      const totalPieces = BIG_SIZE / MiB
      await waitHit(memberA, [cids.big], cids.big, 'remote', ['c1'])

      const providerMetrics = metricsUrlOf(d.c1)
      const sent = async (): Promise<number> => counter(providerMetrics, 'peerhive_protocol_bytes_total', { protocol: TRANSFER, direction: 'out' })
      const out = join(downloads, 'big.bin')
      const m0 = await sent()

      // 1. start, and kill -9 the CLI once the sidecar shows some but not all pieces verified
      const get = new GetProcess(d[memberA], cids.big, out)
      const seen = await waitUntil('the sidecar to show some verified pieces', () => {
        if (!get.running) throw new Error(`the get ended before it could be interrupted: ${get.text()}`)
        const s = readSidecar(out)
        return s != null && s.verified > 0 && s.verified < totalPieces ? s : undefined
      }, WAIT_MS, 10)
      await get.kill9()
      assert.ok(seen.verified > 0 && seen.verified < totalPieces)
      assert.equal(seen.sidecar.cid, cids.big)
      assert.equal(seen.sidecar.size, BIG_SIZE)
      assert.equal(seen.sidecar.pieceSize, MiB)
      assert.ok(!existsSync(out), 'no file under the final name after the kill')

      // the daemon aborts that download and keeps <out>.part and its sidecar: wait until the provider stops sending
      let last = -1
      const m1 = await waitUntil('the provider to stop sending', async () => {
        const now = await sent()
        const settled = now === last
        last = now
        return settled ? now : undefined
      }, WAIT_MS, 500)
      const kept = readSidecar(out)
      assert.ok(kept != null && existsSync(`${out}.part`), 'the partial file and its sidecar are kept')
      assert.equal(statSync(`${out}.part`).size, BIG_SIZE)
      assert.ok(!existsSync(out), 'the aborted download did not complete behind the killed CLI')
      const have = kept.verified
      assert.ok(have >= seen.verified && have < totalPieces, `${have} of ${totalPieces} pieces kept (the sidecar showed ${seen.verified} at the kill)`)

      // 2. the same get again: it completes from where it stopped
      const second = await waitUntil('the second get to run (the first may still be winding down)', async () => {
        const r = await getCli(d[memberA], cids.big, out)
        if (r.code !== 0 && /already being downloaded/.test(r.stderr)) return undefined
        return r
      }, WAIT_MS, 200)
      assert.equal(second.code, 0, `the resumed get failed: ${second.stderr}`)
      assert.equal(second.result!.bytes, BIG_SIZE)
      assert.deepEqual(names(second.result!.sources), ['c1'])
      assert.equal(await sha256File(out), sums.big, 'the resumed file is byte-identical')
      assert.ok(!existsSync(`${out}.part`) && !existsSync(`${out}.part.json`), 'no partial file is left')

      const m2 = await sent()
      const firstRun = m1 - m0
      const secondRun = m2 - m1
      const missing = (totalPieces - have) * MiB
      console.log(`      (killed with ${seen.verified} pieces in the sidecar, ${have} kept after the abort; provider sent ${(firstRun / MiB).toFixed(1)} MiB before the kill, ${(secondRun / MiB).toFixed(1)} MiB for the resume (${((totalPieces - have))} pieces missing); resumed get took ${second.result!.ms} ms)`)
      assert.ok(secondRun >= missing, `the resume fetched the ${totalPieces - have} missing pieces (${secondRun} bytes sent)`)
      assert.ok(secondRun <= missing + MiB, `the resume fetched only what was missing: ${secondRun} bytes sent for ${missing} bytes missing`)
      assert.ok(secondRun < 0.9 * BIG_SIZE, `clearly less than the whole file (${secondRun} of ${BIG_SIZE} bytes)`)
    })
  })
})
