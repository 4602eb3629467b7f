/**
 * Nearest-first search (SHARE-3): the node's own files ('local'), its
 * virtual server ('subnet'), the central index and the other virtual servers
 * ('remote'). A search answered inside the subnet never reaches the
 * bootstrap: its Prometheus request counters stay at zero.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PROTOCOL_SEARCH } from '../../src/core/index.js'
import { queryWords, type SearchOptions, type SearchResult } from '../../src/sharing/index.js'
import { TestNetwork } from '../helpers/network.js'
import { counterSum } from '../helpers/raw-request.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import type { PeerhiveNode } from '../../src/index.js'

const A = 82
const B = 83
const WAIT_MS = 15_000
const TIERS = ['local', 'subnet', 'remote', 'dht']

/** Every result of a search; a generous deadline, so a loaded machine cannot cut a tier short. */
async function collect (node: PeerhiveNode, words: string[], opts: SearchOptions = {}): Promise<SearchResult[]> {
  const out: SearchResult[] = []
  for await (const r of node.search(words, { timeoutMs: 15_000, ...opts })) out.push(r)
  return out
}

/** Search requests a node has answered (or refused), every outcome counted. */
/** searches answered (whatever the outcome), leaving out the keep-alives of members' kept sessions */
async function searchesAt (metrics: { requests: any }): Promise<number> {
  return await counterSum(metrics.requests, { protocol: PROTOCOL_SEARCH }) - await counterSum(metrics.requests, { protocol: PROTOCOL_SEARCH, outcome: 'kept' })
}

async function sleep (ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}

describe('nearest-first search', function () {
  this.timeout(60_000)
  const net = new TestNetwork()
  const tmp = tempDir()
  /** subnet A: a1 virtual server, a2 and a3 members, a4 central client (limit 3) */
  let a1: PeerhiveNode
  let a2: PeerhiveNode
  let a3: PeerhiveNode
  let a4: PeerhiveNode
  /** subnet B: b1 virtual server, b2 member */
  let b1: PeerhiveNode
  let b2: PeerhiveNode

  function file (rel: string, content: Uint8Array | string = randomBytes(512)): string {
    const path = join(tmp.path, rel)
    mkdirSync(join(path, '..'), { recursive: true })
    writeFileSync(path, content)
    return path
  }

  /** The bootstrap's search counters: requests (every outcome) and bytes (both directions). */
  async function bootstrapSearchLoad (): Promise<{ requests: number, bytes: number }> {
    return {
      requests: await searchesAt(net.bootstrap.metrics),
      bytes: await counterSum(net.bootstrap.metrics.bytes, { protocol: PROTOCOL_SEARCH })
    }
  }

  before(async () => {
    await net.startBootstrap({ vsLimit: 3 })
    const add = async (s: number, h: number, role: string): Promise<PeerhiveNode> => {
      const node = await net.addPeer(s, h)
      const p = await node.waitForPlacement(undefined, AbortSignal.timeout(WAIT_MS))
      assert.equal(p.role, role, `127.0.${s}.${h} placed as ${p.role}, expected ${role}`)
      return node
    }
    a1 = await add(A, 1, 'virtual-server')
    a2 = await add(A, 2, 'member')
    a3 = await add(A, 3, 'member')
    a4 = await add(A, 4, 'central-client')
    b1 = await add(B, 1, 'virtual-server')
    b2 = await add(B, 2, 'member')

    const dup = randomBytes(700)
    await a3.share([file('a3/own-notes.txt')], { keywords: ['zebrafinch', 'tiercommon'] })
    await a3.share([file('a3/dup.txt', dup)], { keywords: ['twinfile'] })
    await a2.share([file('a2/ete-Rapport.pdf')], { keywords: ['subnetonly'] })
    await a2.share([file('a2/Résumé-annuel.txt')], { title: 'Bilan' })
    await a2.share([file('a2/tiers.txt')], { keywords: ['tiercommon'] })
    await a2.share([file('a2/dup.txt', dup)], { keywords: ['twinfile'] })
    const bulk = []
    for (let i = 0; i < 5; i++) bulk.push(file(`a2/bulk/bulk-${i}.dat`))
    await a2.share(bulk, { keywords: ['bulkword'] })
    await a1.share([file('a1/vs-file.txt')], { keywords: ['vsword'] })
    await a4.share([file('a4/cc-file.txt')], { keywords: ['centralword'] })
    await b2.share([file('b2/remote-only.txt')], { keywords: ['faraway', 'tiercommon'] })
    await b1.share([file('b1/b1-own.txt')], { keywords: ['farserver'] })
    await b2.share([file('b2/b2-shared.txt')], { keywords: ['sharedword'] })
    await a4.share([file('a4/a4-shared.txt')], { keywords: ['sharedword'] })

    /** whether `vs` holds every file `m` shares */
    const holds = (vs: PeerhiveNode, m: PeerhiveNode): boolean =>
      m.shares.list().every(f => vs.sharing.groupIndex.search(queryWords([f.filename]), 100).some(e => e.provider === m.peerId && e.cid === f.cid))
    await waitUntil('a1 to hold a2\'s and a3\'s index', () => holds(a1, a2) && holds(a1, a3), WAIT_MS)
    await waitUntil('b1 to hold b2\'s index', () => holds(b1, b2), WAIT_MS)
    await waitUntil('the bootstrap to hold a4\'s index', () => net.bootstrap.tables.indexCount(a4.peerId) === 2, WAIT_MS)
    // the virtual servers and the central client know the virtual servers from the directory the bootstrap publishes
    // (members search through their virtual server, which routes for them)
    const servers = [a1.peerId, b1.peerId].sort()
    await waitUntil('the servers and the central client to have the directory of virtual servers', () =>
      [a1, a4, b1].every(n => JSON.stringify((n.topology.directory() ?? []).map(s => s.peerId).sort()) === JSON.stringify(servers)), WAIT_MS)
  })

  after(async () => {
    await net.stop()
    tmp.cleanup()
  })

  it('a search answered inside the subnet leaves the bootstrap\'s search counters at zero', async () => {
    assert.deepEqual(await bootstrapSearchLoad(), { requests: 0, bytes: 0 }, 'no search has reached the bootstrap yet')
    const atVs = await searchesAt(a1.metrics)
    const atOtherVs = await searchesAt(b1.metrics)

    // a member: its virtual server answers
    const hits = await collect(a3, ['ÉTÉ rapport'])
    assert.equal(hits.length, 1)
    assert.equal(hits[0].filename, 'ete-Rapport.pdf')
    assert.equal(hits[0].tier, 'subnet')
    assert.deepEqual(hits[0].providers, [a2.peerId])
    // the virtual server's own files are in its answer too
    const vsOwn = await collect(a2, ['vsword'])
    assert.deepEqual(vsOwn.map(r => [r.filename, r.tier, r.providers]), [['vs-file.txt', 'subnet', [a1.peerId]]])
    // the virtual server itself: its group index
    const fromVs = await collect(a1, ['subnetonly'])
    assert.deepEqual(fromVs.map(r => [r.filename, r.tier]), [['ete-Rapport.pdf', 'subnet']])

    // the two member searches went to the virtual server (its counter is updated once the stream closes) ...
    await waitUntil('the virtual server to count the two searches', async () => (await searchesAt(a1.metrics)) >= atVs + 2, 5_000)
    // ... and none to the bootstrap
    await sleep(300)
    assert.deepEqual(await bootstrapSearchLoad(), { requests: 0, bytes: 0 }, 'the bootstrap handled a search answered inside the subnet')
    assert.equal(await searchesAt(b1.metrics), atOtherVs, 'another subnet was asked for a search answered inside the subnet')
  })

  it('nearest first: local, then subnet, then remote (exhaustive), each result with its ms', async () => {
    const results = await collect(a3, ['tiercommon'], { exhaustive: true })
    assert.deepEqual(results.map(r => [r.filename, r.tier]), [
      ['own-notes.txt', 'local'],
      ['tiers.txt', 'subnet'],
      ['remote-only.txt', 'remote']
    ])
    assert.deepEqual(results.map(r => r.providers), [[a3.peerId], [a2.peerId], [b2.peerId]])
    let last = 0
    for (const r of results) {
      assert.ok(Number.isFinite(r.ms) && r.ms >= last, `ms ${r.ms} after ${last}`)
      last = r.ms
      assert.ok(TIERS.includes(r.tier))
    }
    // providers of network tiers come with addresses to dial them
    assert.ok(results[1].providerAddrs[a2.peerId]?.some(a => a.includes(`/ip4/127.0.${A}.2/`)), JSON.stringify(results[1].providerAddrs))
    assert.ok(results[2].providerAddrs[b2.peerId]?.some(a => a.includes(`/ip4/127.0.${B}.2/`)), JSON.stringify(results[2].providerAddrs))
    // each result carries the entry's metadata
    assert.equal(results[2].size, 512)
    assert.deepEqual(results[2].keywords, ['faraway', 'tiercommon'])
    assert.equal(results[2].directory, '')
  })

  it('without exhaustive, the search stops after the nearest tier with network results', async () => {
    const before = { bootstrap: await bootstrapSearchLoad(), b1: await searchesAt(b1.metrics) }
    const results = await collect(a3, ['tiercommon'])
    assert.deepEqual(results.map(r => r.tier), ['local', 'subnet'])
    await sleep(200)
    assert.deepEqual({ bootstrap: await bootstrapSearchLoad(), b1: await searchesAt(b1.metrics) }, before, 'a farther tier was asked')
  })

  it('results of a nearer tier are handed out before a farther tier is asked', async () => {
    const before = await searchesAt(b1.metrics)
    const it = a3.search(['tiercommon'], { exhaustive: true })
    try {
      const first = await it.next()
      const second = await it.next()
      assert.equal(first.value?.tier, 'local')
      assert.equal(second.value?.tier, 'subnet')
      // the remote tier has not been asked while the caller holds the subnet result
      await sleep(300)
      assert.equal(await searchesAt(b1.metrics), before, 'the other subnet was asked before the subnet results were handed out')
      const third = await it.next()
      assert.equal(third.value?.tier, 'remote')
      assert.equal((await it.next()).done, true)
    } finally {
      await it.return(undefined)
    }
    await waitUntil('b1 to count the remote search', async () => (await searchesAt(b1.metrics)) > before, 5_000)
  })

  it('a file only another subnet has is found at tier remote, from that subnet\'s virtual server, without the bootstrap', async () => {
    const atBootstrap = await bootstrapSearchLoad()
    const atB1 = await searchesAt(b1.metrics)
    const results = await collect(a3, ['FARAWAY'])
    assert.deepEqual(results.map(r => [r.filename, r.tier, r.providers]), [['remote-only.txt', 'remote', [b2.peerId]]])
    await waitUntil('b1 to count the search', async () => (await searchesAt(b1.metrics)) > atB1, 5_000)
    // and the other subnet's virtual server's own files
    assert.deepEqual((await collect(a3, ['farserver'])).map(r => [r.filename, r.tier, r.providers]), [['b1-own.txt', 'remote', [b1.peerId]]])
    // the directory named b1: the bootstrap was not asked
    await sleep(200)
    assert.deepEqual(await bootstrapSearchLoad(), atBootstrap)
  })

  it('a central client\'s file is found through the bootstrap\'s central index (remote)', async () => {
    const atBootstrap = await searchesAt(net.bootstrap.metrics)
    const results = await collect(b2, ['centralword'])
    assert.deepEqual(results.map(r => [r.filename, r.tier, r.providers]), [['cc-file.txt', 'remote', [a4.peerId]]])
    assert.ok(results[0].providerAddrs[a4.peerId]?.some(a => a.includes(`/ip4/127.0.${A}.4/`)), JSON.stringify(results[0].providerAddrs))
    await waitUntil('the bootstrap to count the search', async () => (await searchesAt(net.bootstrap.metrics)) > atBootstrap, 5_000)
  })

  it('exhaustive also asks the central index after other subnets answered', async () => {
    // 'sharedword' is at b2 (another subnet) and at a4 (a central client)
    const atBootstrap = await searchesAt(net.bootstrap.metrics)
    const plain = await collect(a3, ['sharedword'])
    assert.deepEqual(plain.map(r => [r.filename, r.tier]), [['b2-shared.txt', 'remote']])
    await sleep(200)
    assert.equal(await searchesAt(net.bootstrap.metrics), atBootstrap, 'the central index was asked although another subnet had answered')
    const all = await collect(a3, ['sharedword'], { exhaustive: true })
    assert.deepEqual(all.map(r => [r.filename, r.tier]).sort(), [['a4-shared.txt', 'remote'], ['b2-shared.txt', 'remote']])
    assert.equal(all[0].filename, 'b2-shared.txt', 'the other subnets come before the central index')
  })

  it('a central client, which has no virtual server, finds other peers\' files at tier remote', async () => {
    assert.deepEqual((await collect(a4, ['faraway'])).map(r => [r.filename, r.tier, r.providers]), [['remote-only.txt', 'remote', [b2.peerId]]])
    // it has no virtual server: even its own subnet's files come from the remote tier
    assert.deepEqual((await collect(a4, ['subnetonly'])).map(r => [r.filename, r.tier, r.providers]), [['ete-Rapport.pdf', 'remote', [a2.peerId]]])
    // and its own files are local
    assert.deepEqual((await collect(a4, ['centralword'])).map(r => [r.filename, r.tier]), [['cc-file.txt', 'local']])
  })

  it('a virtual server finds its members\' files at tier subnet', async () => {
    const results = await collect(a1, ['ÉTÉ', 'RAPPORT'])
    assert.deepEqual(results.map(r => [r.filename, r.tier, r.providers]), [['ete-Rapport.pdf', 'subnet', [a2.peerId]]])
    assert.deepEqual((await collect(b1, ['faraway'])).map(r => [r.filename, r.tier]), [['remote-only.txt', 'subnet']])
    assert.deepEqual((await collect(a1, ['vsword'])).map(r => [r.filename, r.tier]), [['vs-file.txt', 'local']])
  })

  it('matching is AND over words, case and accents ignored, on filename, title and keywords', async () => {
    assert.deepEqual((await collect(a3, ['ÉTÉ rapport'])).map(r => r.filename), ['ete-Rapport.pdf'])
    assert.deepEqual((await collect(a3, ['Ete', 'RAPPORT', 'pdf'])).map(r => r.filename), ['ete-Rapport.pdf'])
    assert.deepEqual((await collect(a3, ['resume'])).map(r => r.filename), ['Résumé-annuel.txt'])
    assert.deepEqual((await collect(a3, ['BILAN', 'résumé'])).map(r => r.filename), ['Résumé-annuel.txt'])
    // both words exist, but in different files: no match, at any tier
    assert.deepEqual(await collect(a3, ['rapport', 'zebrafinch'], { exhaustive: true }), [])
    assert.deepEqual(await collect(a3, ['rapport', 'faraway'], { exhaustive: true }), [])
  })

  it('the limit caps the results, across tiers too', async () => {
    assert.equal((await collect(a3, ['bulkword'])).length, 5)
    const capped = await collect(a3, ['bulkword'], { limit: 3 })
    assert.equal(capped.length, 3)
    assert.ok(capped.every(r => r.tier === 'subnet' && r.filename.startsWith('bulk-')))
    assert.equal((await collect(a3, ['bulkword'], { limit: 1 })).length, 1)
    assert.deepEqual((await collect(a3, ['tiercommon'], { exhaustive: true, limit: 2 })).map(r => r.tier), ['local', 'subnet'])
  })

  it('a file shared in several places comes once, from the nearest tier', async () => {
    const results = await collect(a3, ['twinfile'], { exhaustive: true })
    assert.equal(results.length, 1)
    assert.equal(results[0].tier, 'local')
    assert.deepEqual(results[0].providers, [a3.peerId])
  })

  it('a file shared by several members of one group comes once, with every provider that tier knows', async () => {
    const results = await collect(a1, ['twinfile'])
    assert.equal(results.length, 1)
    assert.equal(results[0].tier, 'subnet')
    assert.deepEqual([...results[0].providers].sort(), [a2.peerId, a3.peerId].sort())
    assert.deepEqual(results[0].names, ['dup.txt'], 'one name, however many share it under it')
  })

  it('everyProvider reports a farther tier\'s providers of an already reported CID (how get gathers sources)', async () => {
    const results = await collect(a3, ['twinfile'], { exhaustive: true, everyProvider: true })
    assert.deepEqual(results.map(r => [r.tier, r.providers]), [['local', [a3.peerId]], ['subnet', [a2.peerId]]])
  })

  it('a search with no hits returns nothing, within the deadline', async () => {
    for (const [node, opts] of [[a3, {}], [a4, {}], [a1, { exhaustive: true }]] as const) {
      const started = Date.now()
      assert.deepEqual(await collect(node, ['nothingmatchesthiszzz'], { ...opts, timeoutMs: 3_000 }), [])
      assert.ok(Date.now() - started < 4_000, `took ${Date.now() - started} ms`)
    }
  })

  it('tells each tier as it asks it, so a search that finds nothing can say where it looked', async () => {
    const tiers: string[] = []
    assert.deepEqual(await collect(a3, ['nothingmatchesthiszzz'], { timeoutMs: 3_000, onTier: tier => { tiers.push(tier) } }), [])
    assert.deepEqual(tiers.filter(t => t !== 'dht'), ['local', 'subnet', 'remote'])
    const found: string[] = []
    await collect(a1, ['twinfile'], { onTier: tier => { found.push(tier) } })
    assert.deepEqual(found, ['local', 'subnet'], 'a search that found results in its subnet asks no farther')
  })

  it('tiers asks only the named tiers: a member finds a file its own subnet has only in the remote tier then, or nothing', async () => {
    const asked: string[] = []
    const remote = await collect(a3, ['tiercommon'], { tiers: ['remote'], exhaustive: true, onTier: tier => { asked.push(tier) } })
    assert.deepEqual([...new Set(asked)], ['remote'])
    assert.deepEqual(remote.map(r => [r.tier, r.filename]), [['remote', 'remote-only.txt']], 'b2\'s file, not a3\'s own nor its subnet\'s')
    assert.deepEqual((await collect(a3, ['tiercommon'], { tiers: ['local'] })).map(r => [r.tier, r.filename]), [['local', 'own-notes.txt']])
    assert.deepEqual((await collect(a3, ['subnetonly'], { tiers: ['remote'], timeoutMs: 3_000 })), [], 'a2\'s file is in the subnet tier only')
  })

  it('a search without words is refused', async () => {
    await assert.rejects(collect(a3, []), { name: 'InvalidOptionError' })
    await assert.rejects(collect(a3, ['  ', '\t']), { name: 'InvalidOptionError' })
  })

  it('concurrent searches from one member are all answered inside the subnet', async () => {
    const before = await searchesAt(net.bootstrap.metrics)
    const queries = [['subnetonly'], ['bilan'], ['bulkword'], ['vsword']]
    const answers = await Promise.all(queries.map(async q => collect(a3, q)))
    for (const [i, results] of answers.entries()) {
      assert.ok(results.length > 0 && results.every(r => r.tier === 'subnet'), `${queries[i].join(' ')}: ${JSON.stringify(results.map(r => r.tier))}`)
    }
    await sleep(300)
    assert.equal(await searchesAt(net.bootstrap.metrics), before, 'a concurrent search fell through to the bootstrap')
  })
})
