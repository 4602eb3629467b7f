import assert from 'node:assert/strict'
import { KeywordRecord, SignedKeywordRecord } from '../../src/pb/dht-records.js'
import {
  DhtAnnouncer, findFileProviders, getKeywordRecord, keywordKey, searchDht, type AnnounceReport
} from '../../src/sharing/dht/index.js'
import { putValue } from '../../src/sharing/dht/dht-ops.js'
import { waitUntil } from '../helpers/wait.js'
import { entry, signed } from './dht-fixtures.js'
import { createDhtNode, startDhtNetwork, stopDhtNetwork, type DhtTestNode } from './dht-network.js'
import type { IndexEntry } from '../../src/sharing/model/types.js'

const NODES = 8

async function collect (iterable: AsyncIterable<IndexEntry>): Promise<IndexEntry[]> {
  const out: IndexEntry[] = []
  for await (const e of iterable) out.push(e)
  return out
}

function names (entries: IndexEntry[]): string[] {
  return entries.map(e => e.filename).sort()
}

async function put (node: DhtTestNode, key: Uint8Array, value: Uint8Array): Promise<number> {
  return putValue(node.libp2p.services.dht, key, value, AbortSignal.timeout(10_000))
}

describe('DHT: keyword and provider records in a network of 8 nodes', function () {
  this.timeout(120_000)
  let nodes: DhtTestNode[]
  const announcers: DhtAnnouncer[] = []
  let aFiles: IndexEntry[]
  let bFiles: IndexEntry[]
  let a: DhtTestNode
  let b: DhtTestNode
  let searcher: DhtTestNode
  let forger: DhtTestNode

  function announcer (node: DhtTestNode, files: () => IndexEntry[], options: { reannounceIntervalMs?: number } = {}): DhtAnnouncer {
    const announcer = new DhtAnnouncer(node.libp2p, { privateKey: node.privateKey, entries: files, ...options })
    announcers.push(announcer)
    return announcer
  }

  before(async () => {
    nodes = await startDhtNetwork(NODES)
    ;[a, b, forger] = nodes
    searcher = nodes[NODES - 1]
    const aId = a.libp2p.peerId.toString()
    const bId = b.libp2p.peerId.toString()
    aFiles = [
      entry(aId, 'Été Report 2024.pdf', { keywords: ['Finance'], title: 'Quarterly', directory: 'docs', size: 1234, userSerialId: 3, userid: 'alice' }),
      entry(aId, 'report-draft.txt', { userSerialId: 3, userid: 'alice' }),
      entry(aId, 'holiday.jpg', { title: 'Summer', userSerialId: 3, userid: 'alice' })
    ]
    bFiles = [
      entry(bId, 'Annual REPORT.pdf', { keywords: ['finance'], userSerialId: 4, userid: 'bob' }),
      entry(bId, 'holiday.jpg', { title: 'Summer', userSerialId: 4, userid: 'bob' })
    ]
  })

  after(async () => {
    await Promise.allSettled(announcers.map(async x => x.stop()))
    await stopDhtNetwork(nodes ?? [])
  })

  it('announces every file and word, and another node finds them (case and accents ignored, AND)', async () => {
    const reports = await Promise.all([announcer(a, () => aFiles).announceAll(), announcer(b, () => bFiles).announceAll()])
    for (const r of reports) {
      assert.equal(r.failed, 0)
      assert.ok(r.published > 0 && r.provided > 0)
    }

    const ete = await collect(searchDht(searcher.libp2p, ['ETE', 'rÉport']))
    assert.deepEqual(ete, [{ ...aFiles[0], provider: a.libp2p.peerId.toString() }])

    // one word, several publishers: neither overwrites the other
    assert.deepEqual(names(await collect(searchDht(searcher.libp2p, ['report']))), ['Annual REPORT.pdf', 'report-draft.txt', 'Été Report 2024.pdf'])
    assert.deepEqual(names(await collect(searchDht(searcher.libp2p, ['finance report']))), ['Annual REPORT.pdf', 'Été Report 2024.pdf'])
    assert.deepEqual(await collect(searchDht(searcher.libp2p, ['report', 'holiday'])), [])
    assert.deepEqual(await collect(searchDht(searcher.libp2p, ['nothing-like-this'])), [])

    const holiday = await collect(searchDht(searcher.libp2p, ['SUMMER']))
    assert.deepEqual(holiday.map(e => e.provider).sort(), [a.libp2p.peerId.toString(), b.libp2p.peerId.toString()].sort())
    assert.equal((await collect(searchDht(searcher.libp2p, ['report'], { limit: 2 }))).length, 2)
  })

  it('finds the providers of a CID, with addresses', async () => {
    const found = []
    for await (const p of findFileProviders(searcher.libp2p, aFiles[2].cid)) found.push(p)
    assert.deepEqual(found.map(p => p.id.toString()).sort(), [a.libp2p.peerId.toString(), b.libp2p.peerId.toString()].sort())
    assert.ok(found.every(p => p.multiaddrs.length > 0))
  })

  it('refuses a record another peer signed under A\'s key, and A\'s record with changed bytes; search never returns them', async () => {
    const aId = a.libp2p.peerId.toString()
    const key = keywordKey('report', aId)
    const forged = await signed(forger.privateKey, 'report', [entry(aId, 'report-evil.exe')])
    assert.equal(await put(forger, key, forged), 0, 'an honest node stored a record A did not sign')

    const genuine = await getKeywordRecord(searcher.libp2p.services.dht, key, { signal: AbortSignal.timeout(10_000), quorum: NODES })
    assert.ok(genuine != null)
    const outer = SignedKeywordRecord.decode(genuine.value)
    const inner = KeywordRecord.decode(outer.record)
    inner.entries[0].filename = 'report-evil.exe'
    inner.issuedAt += 60_000
    const tampered = SignedKeywordRecord.encode({ record: KeywordRecord.encode(inner), signature: outer.signature })
    assert.equal(await put(forger, key, tampered), 0, 'an honest node stored A\'s record with changed bytes')

    for (const node of [searcher, nodes[4], forger]) {
      const found = await collect(searchDht(node.libp2p, ['report'], { quorum: NODES, includeSelf: true }))
      assert.ok(!found.some(e => e.filename.includes('evil')), 'a forged entry was returned')
      assert.ok(found.some(e => e.filename === 'report-draft.txt'))
    }
    const again = await getKeywordRecord(searcher.libp2p.services.dht, key, { signal: AbortSignal.timeout(10_000), quorum: NODES })
    assert.equal(again?.issuedAt, genuine.issuedAt)
  })

  it('refuses malformed and oversized values in the namespace', async () => {
    const own = keywordKey('report', forger.libp2p.peerId)
    assert.equal(await put(forger, own, new Uint8Array([1, 2, 3, 4])), 0)
    assert.equal(await put(forger, own, new Uint8Array(70 * 1024)), 0)
    const tooMany = Array.from({ length: 40 }, (_, i) => entry(forger.libp2p.peerId.toString(), `report ${i}`, { title: 'x'.repeat(256), directory: 'd'.repeat(1024) }))
    const big = await signed(forger.privateKey, 'report', tooMany)
    assert.ok(await put(forger, own, big) > 0, 'a record cut to the limits is accepted')
  })

  it('re-announces on its schedule, with newer records', async () => {
    const c = nodes[2]
    const cFiles = [entry(c.libp2p.peerId.toString(), 'periodic table.csv')]
    const periodic = announcer(c, () => cFiles, { reannounceIntervalMs: 1500 })
    const rounds: AnnounceReport[] = []
    periodic.addEventListener('announced', evt => { rounds.push(evt.detail) })
    periodic.start()
    const key = keywordKey('periodic', c.libp2p.peerId)
    const issued = async (): Promise<number | undefined> => (await getKeywordRecord(searcher.libp2p.services.dht, key, { signal: AbortSignal.timeout(10_000), quorum: NODES }))?.issuedAt
    await waitUntil('a first round', () => rounds.length >= 1, 20_000)
    const first = await issued()
    assert.ok(first != null)
    await waitUntil('two more full rounds', () => rounds.filter(r => r.full && r.failed === 0).length >= 3, 20_000)
    const later = await issued()
    assert.ok(later != null && later > first, `issued_at ${later} is not after ${first}`)
    assert.ok(rounds.every(r => r.full && r.provided >= 2 && r.published >= 2))
    await periodic.stop()
  })

  it('withdraws unshared files: later searches no longer return them', async () => {
    const aAnnouncer = announcers[0]
    aFiles = aFiles.filter(e => e.filename !== 'report-draft.txt' && e.filename !== 'holiday.jpg')
    const report = await aAnnouncer.refresh()
    assert.equal(report.failed, 0)
    assert.ok(report.withdrawn >= 2, `withdrew ${report.withdrawn}`)

    assert.deepEqual(names(await collect(searchDht(searcher.libp2p, ['report']))), ['Annual REPORT.pdf', 'Été Report 2024.pdf'])
    assert.deepEqual(await collect(searchDht(searcher.libp2p, ['draft'])), [])
    assert.deepEqual((await collect(searchDht(searcher.libp2p, ['summer']))).map(e => e.provider), [b.libp2p.peerId.toString()])
    // an unchanged state publishes nothing
    const idle = await aAnnouncer.refresh()
    assert.equal(idle.published + idle.provided, 0)
  })

  it('after a restart, withdraw() of files an earlier run announced tombstones their words (the start-up purge of a secret)', async () => {
    const c = nodes[3]
    const cId = c.libp2p.peerId.toString()
    const key = entry(cId, 'identity.key', { userid: 'carol' })
    const song = entry(cId, 'lullaby.ogg', { userid: 'carol' })
    const earlier = announcer(c, () => [key, song])
    assert.equal((await earlier.announceAll()).failed, 0)
    assert.deepEqual(names(await collect(searchDht(searcher.libp2p, ['identity']))), ['identity.key'])
    await earlier.stop()

    // the node starts again; its purge found the key in shares.db and dropped it
    const restarted = announcer(c, () => [song])
    restarted.withdraw([key])
    const report = await restarted.announceAll()
    assert.equal(report.failed, 0)
    assert.deepEqual(await collect(searchDht(searcher.libp2p, ['identity'])), [])
    assert.deepEqual(names(await collect(searchDht(searcher.libp2p, ['lullaby']))), ['lullaby.ogg'])
  })

  it('a clean change round cancels a pending retry, even one that fell due while it ran (nothing is announced twice)', async () => {
    const late = await createDhtNode()
    const rounds: Array<{ full: boolean, provided: number, noPeers: boolean }> = []
    const files: IndexEntry[] = []
    // every round with peers lists the files once: a failing list makes a round fail, a closed gate holds it
    let listedSinceOpen = 0
    let opened = false
    let failing = false
    let gate: Promise<void> = Promise.resolve()
    const entries = async (): Promise<IndexEntry[]> => {
      if (opened) listedSinceOpen++
      if (failing) throw new Error('disk gone')
      await gate
      return files
    }
    const ann = new DhtAnnouncer(late.libp2p, { privateKey: late.privateKey, entries, retryMinMs: 300 })
    ann.addEventListener('announced', evt => { rounds.push(evt.detail) })
    try {
      ann.start()
      await waitUntil('the first round, without peers', () => rounds.length >= 1, 10_000)
      assert.ok(rounds[0].full && rounds[0].noPeers)
      await late.libp2p.dial(nodes[0].libp2p.getMultiaddrs()[0])
      await waitUntil('a DHT peer in the routing table', () => (late.libp2p.services.dht as any).routingTable.size > 0, 10_000)
      assert.equal((await ann.announceAll()).failed, 0, 'a clean round resets the retry delay')
      failing = true
      assert.equal((await ann.announceAll()).failed, 1, 'a round that fails schedules a retry')
      failing = false
      files.push(entry(late.libp2p.peerId.toString(), 'late arrival.txt'))
      let open = (): void => {}
      gate = new Promise(resolve => { open = resolve })
      const refreshing = ann.refresh()
      // the retry, due 300 ms after the failed round, falls due while the change round waits
      await new Promise(resolve => setTimeout(resolve, 1_000))
      opened = true
      open()
      const change = await refreshing
      assert.equal(change.failed, 0)
      assert.ok(change.provided >= 1, 'the change round announced the file')
      // a round queued behind the change round starts, and lists the files, within the same run of microtasks
      await new Promise(resolve => setImmediate(resolve))
      assert.equal(listedSinceOpen, 0, 'no round ran after the clean change round')
    } finally {
      await ann.stop()
      await late.libp2p.stop()
    }
  })

  it('never throws: a node without DHT peers, or a failing source of entries', async () => {
    const lone = await createDhtNode()
    try {
      const alone = new DhtAnnouncer(lone.libp2p, { privateKey: lone.privateKey, entries: () => [entry(lone.libp2p.peerId.toString(), 'x.txt')] })
      const r = await alone.announceAll()
      assert.ok(r.noPeers)
      assert.deepEqual(await collect(searchDht(lone.libp2p, ['anything'], { timeoutMs: 500 })), [])
    } finally {
      await lone.libp2p.stop()
    }
    const broken = announcer(nodes[5], () => { throw new Error('disk gone') })
    assert.equal((await broken.announceAll()).failed, 1)
  })
})
