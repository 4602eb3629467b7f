/**
 * Remote search without flooding (issue 9, protocols/filters.md): virtual
 * servers publish keyword filters of their group indexes; a search asks only
 * the servers whose filters may match, nearest first, and the central index
 * only when its filter may match. Members do not follow the directory, a
 * filter from a peer that is no server is never used, and a server whose
 * filter is not known is still asked (no miss). A member's virtual server
 * asks the routed servers for it (forwarding), so the member opens no
 * connection to another subnet.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DIRECTORY_TOPIC, FILTER_TOPIC } from '../../src/core/index.js'
import { KeywordFilter } from '../../src/sharing/index.js'
import { askIndex, searchSessions } from '../../src/sharing/search-ask.js'
import { MAX_FORWARDS_IN_FLIGHT } from '../../src/sharing/search-forward.js'
import { hangSearchServer, resumeSearchServer } from '../helpers/hung-search.js'
import { TestNetwork } from '../helpers/network.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import type { ForwardReport, PeerhiveNode, SearchOptions, SearchResult } from '../../src/index.js'

const HOME = 120
const NEAR = 121
const MID = 122
const FAR = 200
const WAIT_MS = 30_000

/** Records the peers a node sends search requests to, in order (on a new stream or a session's). */
function recordSearchRequests (node: PeerhiveNode): string[] {
  const asked: string[] = []
  const sessions = searchSessions(node.libp2p) as any
  const ask = sessions.ask.bind(sessions)
  sessions.ask = async (peer: any, request: unknown, signal: AbortSignal) => {
    asked.push(peer.toString())
    return ask(peer, request, signal)
  }
  return asked
}

async function collect (node: PeerhiveNode, words: string[], opts: SearchOptions = {}): Promise<SearchResult[]> {
  const out: SearchResult[] = []
  for await (const r of node.search(words, { timeoutMs: 15_000, dhtWhenFound: false, ...opts })) if (r.tier !== 'dht') out.push(r)
  return out
}

describe('integration: remote search routed by keyword filters', function () {
  this.timeout(90_000)
  const net = new TestNetwork()
  const tmp = tempDir('peerhive-filters-')
  /** the searcher's subnet: home (virtual server) and member */
  let home: PeerhiveNode
  let member: PeerhiveNode
  let near: PeerhiveNode
  let mid: PeerhiveNode
  let far: PeerhiveNode
  let dials: string[]
  let homeDials: string[]

  function file (rel: string): string {
    const path = join(tmp.path, rel)
    mkdirSync(join(path, '..'), { recursive: true })
    writeFileSync(path, randomBytes(300))
    return path
  }

  /** Whether `at` holds a filter of `publisher` that may match every word (the filter is of the publisher's current index). */
  const knows = (at: PeerhiveNode, publisher: string, words: string[]): boolean => at.sharing.filters.book.get(publisher)?.mayMatch(words) === true

  before(async () => {
    await net.startBootstrap()
    const add = async (s: number, h: number, role: string): Promise<PeerhiveNode> => {
      const node = await net.addPeer(s, h)
      const p = await node.waitForPlacement(undefined, AbortSignal.timeout(WAIT_MS))
      assert.equal(p.role, role, `127.0.${s}.${h} placed as ${p.role}, expected ${role}`)
      return node
    }
    home = await add(HOME, 1, 'virtual-server')
    member = await add(HOME, 2, 'member')
    near = await add(NEAR, 1, 'virtual-server')
    mid = await add(MID, 1, 'virtual-server')
    far = await add(FAR, 1, 'virtual-server')
    const servers = [home, near, mid, far]
    // every server follows the filter topic through the bootstrap before any file is shared, so no new filter is missed
    await waitUntil('every virtual server in the bootstrap\'s filter mesh', () => {
      const mesh = net.bootstrap.libp2p.services.pubsub.getMeshPeers(FILTER_TOPIC)
      return servers.every(s => mesh.includes(s.peerId))
    }, WAIT_MS)
    await waitUntil('the home server to have the directory', () => servers.every(s => home.topology.directory()?.some(d => d.peerId === s.peerId)), WAIT_MS)

    await near.share([file('near/quetzal-feather.txt')], { keywords: ['bothhave'] })
    await far.share([file('far/quetzal-far.txt'), file('far/only-far.txt')], { keywords: ['bothhave'] })
    await mid.share([file('mid/unrelated.txt')])
    await home.share([file('home/home-doc.txt')])
    await waitUntil('the home server to know the other servers\' filters', () =>
      knows(home, near.peerId, ['quetzal']) && knows(home, far.peerId, ['only-far']) && knows(home, mid.peerId, ['unrelated']), WAIT_MS)
    // the bootstrap's filter of its (empty) central index
    await waitUntil('the home server to know the central index\'s filter', () => home.sharing.filters.book.get(net.bootstrap.peerId) != null, WAIT_MS)
    dials = recordSearchRequests(member)
    homeDials = recordSearchRequests(home)
  })

  after(async () => {
    await net.stop()
    tmp.cleanup()
  })

  it('a member does not follow the directory or the filters; its virtual server and the bootstrap do', () => {
    const topics = member.libp2p.services.pubsub.getTopics()
    assert.ok(!topics.includes(DIRECTORY_TOPIC), JSON.stringify(topics))
    assert.ok(!topics.includes(FILTER_TOPIC), JSON.stringify(topics))
    assert.equal(member.topology.directory(), undefined)
    assert.ok(home.libp2p.services.pubsub.getTopics().includes(DIRECTORY_TOPIC))
    assert.ok(home.libp2p.services.pubsub.getTopics().includes(FILTER_TOPIC))
    assert.ok(net.bootstrap.libp2p.services.pubsub.getTopics().includes(FILTER_TOPIC))
  })

  it('a member\'s remote search is one request to its virtual server, which asks only the server whose filter matches; not the bootstrap', async () => {
    dials.length = 0
    homeDials.length = 0
    const reports: ForwardReport[] = []
    const results = await collect(member, ['Quetzal', 'feather'], { onForwarded: r => reports.push(r) })
    assert.deepEqual(results.map(r => [r.filename, r.tier, r.providers]), [['quetzal-feather.txt', 'remote', [near.peerId]]])
    assert.deepEqual(dials, [home.peerId], 'the member asks its virtual server only')
    assert.deepEqual(reports, [{ via: home.peerId, asked: 1, answered: 1 }])
    assert.deepEqual(homeDials, [near.peerId], 'the virtual server forwards to the one server that may match')
  })

  it('a virtual server that does not forward (busy, or an older version) leaves the member to ask the routed servers itself', async () => {
    const forwarder = (home.sharing as any).forwarder
    forwarder.maxInFlight = 0
    try {
      dials.length = 0
      homeDials.length = 0
      const results = await collect(member, ['Quetzal', 'feather'])
      assert.deepEqual(results.map(r => [r.filename, r.tier, r.providers]), [['quetzal-feather.txt', 'remote', [near.peerId]]])
      assert.deepEqual(dials, [home.peerId, near.peerId])
      assert.deepEqual(homeDials, [])
    } finally {
      forwarder.maxInFlight = MAX_FORWARDS_IN_FLIGHT
    }
  })

  it('when the forward runs out of time, the member asks the servers of the round it cut short itself', async () => {
    // near, the one server that may match, accepts search streams but never answers
    await hangSearchServer(near)
    try {
      dials.length = 0
      homeDials.length = 0
      const reports: ForwardReport[] = []
      // the member gives each exchange 5 s, the forward half of it
      assert.deepEqual(await collect(member, ['quetzal', 'feather'], { timeoutMs: 10_000, onForwarded: r => reports.push(r) }), [])
      assert.deepEqual(homeDials, [near.peerId])
      assert.deepEqual(reports, [{ via: home.peerId, asked: 1, answered: 0 }])
      assert.deepEqual(dials, [home.peerId, near.peerId], 'the member asked near again, within its own deadline')
    } finally {
      await resumeSearchServer(near)
    }
  })

  it('a virtual server forwards only for its own members', async () => {
    homeDials.length = 0
    const res = await askIndex(mid.libp2p, home.peerId, ['quetzal', 'feather'], { limit: 10, wantServers: true, forwardTimeoutMs: 2_000 }, AbortSignal.timeout(10_000))
    assert.equal(res.forwarded, false)
    assert.deepEqual(res.remoteHits, [])
    assert.deepEqual(res.servers.map(s => s.peerId), [near.peerId], 'it still routes')
    assert.deepEqual(homeDials, [])
  })

  it('servers that may match are asked nearest first (own router band, then the longest shared IP prefix)', async () => {
    dials.length = 0
    const results = await collect(member, ['bothhave'], { exhaustive: true })
    assert.deepEqual(results.map(r => r.filename).sort(), ['only-far.txt', 'quetzal-far.txt', 'quetzal-feather.txt'])
    // mid's filter rules it out; the central index's too (exhaustive asks it all the same: every tier)
    assert.deepEqual(dials, [home.peerId, near.peerId, far.peerId, net.bootstrap.peerId])
  })

  it('a word no filter may match costs one request: the virtual server says no server and no central index may hold it', async () => {
    dials.length = 0
    assert.deepEqual(await collect(member, ['nothingmatcheszqx'], { timeoutMs: 3_000 }), [])
    assert.deepEqual(dials, [home.peerId])
    // the virtual server itself asks nobody
    homeDials.length = 0
    assert.deepEqual(await collect(home, ['nothingmatcheszqx'], { timeoutMs: 3_000 }), [])
    assert.deepEqual(homeDials, [])
  })

  it('a server whose filter is not known is still asked, after the known ones (no miss)', async () => {
    const book = home.sharing.filters.book
    const held = book.get(far.peerId)
    const seq = book.seqOf(far.peerId)
    assert.ok(held != null && seq != null)
    book.delete(far.peerId)
    homeDials.length = 0
    const results = await collect(home, ['only-far'])
    assert.deepEqual(results.map(r => [r.filename, r.tier, r.providers]), [['only-far.txt', 'remote', [far.peerId]]])
    // near and mid are ruled out by their filters; far, unknown now, is asked
    assert.deepEqual(homeDials, [far.peerId])
    // as it was, for the next tests
    book.put(far.peerId, seq, held, () => true)
  })

  it('a filter published by a peer that is no server is kept apart and never routed to', async () => {
    // the member claims, with a filter that matches everything, to hold every file, and sends it straight to its virtual server
    const forged = new KeywordFilter(new Uint8Array(1024).fill(0xff), 3, 1)
    const pubsub = member.libp2p.services.pubsub
    pubsub.subscribe(FILTER_TOPIC)
    await waitUntil('the member to see its virtual server on the filter topic', () => pubsub.getSubscribers(FILTER_TOPIC).some((p: any) => p.toString() === home.peerId), WAIT_MS)
    await waitUntil('the home server to receive the forged filter', async () => {
      await pubsub.publish(FILTER_TOPIC, forged.encode(Date.now(), Date.now()))
      return home.sharing.filters.book.get(member.peerId) != null
    }, WAIT_MS, 500)
    // and garbage on the topic changes nothing
    await pubsub.publish(FILTER_TOPIC, randomBytes(200)).catch(() => {})
    pubsub.unsubscribe(FILTER_TOPIC)

    homeDials.length = 0
    assert.deepEqual(await collect(home, ['nothingmatcheszqx'], { timeoutMs: 3_000 }), [])
    assert.deepEqual(homeDials, [], 'the forger was asked')
    // the home server still routes and answers
    homeDials.length = 0
    assert.deepEqual((await collect(member, ['quetzal', 'feather'])).map(r => r.filename), ['quetzal-feather.txt'])
    assert.deepEqual(homeDials, [near.peerId])
  })

  it('a new file reaches the filters: the next search for it is routed to its server', async () => {
    await mid.share([file('mid/late-arrival.txt')])
    await waitUntil('the home server to get mid\'s new filter', () => knows(home, mid.peerId, ['late-arrival']), WAIT_MS)
    homeDials.length = 0
    assert.deepEqual((await collect(member, ['late-arrival'])).map(r => [r.filename, r.providers]), [['late-arrival.txt', [mid.peerId]]])
    assert.deepEqual(homeDials, [mid.peerId])
  })
})
