/**
 * Hostile and buggy input on /peerhive/index/1.0.0 and /peerhive/search/1.0.0,
 * at a virtual server and at the bootstrap: every bad message is answered
 * with its error code, nothing of it is kept, and the nodes keep serving.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { MAX_INDEX_UPDATE_BYTES, MAX_SEARCH_REQUEST_BYTES, PROTOCOL_INDEX, PROTOCOL_SEARCH, WIRE_VERSION } from '../../src/core/index.js'
import { FileEntry, IndexAck, IndexError, IndexUpdate } from '../../src/pb/file-index.js'
import { SearchError, SearchRequest, SearchResponse } from '../../src/pb/search.js'
import { queryWords } from '../../src/sharing/index.js'
import { TestNetwork } from '../helpers/network.js'
import { frame, rawClient, varint } from '../helpers/raw-join.js'
import { answer, counterSum, rawRequest } from '../helpers/raw-request.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import type { PeerhiveNode } from '../../src/index.js'
import type { Libp2p } from 'libp2p'

const S1 = 84
const S2 = 85
const WAIT_MS = 15_000

function fileEntry (i: number, over: Partial<FileEntry> = {}): FileEntry {
  return { cid: `bafkfake${i}`, filename: `forged-${i}.txt`, directory: '', size: 1, title: '', keywords: ['forged'], userSerialId: 1, userid: 'x', ...over }
}

function update (over: Partial<IndexUpdate> = {}): Uint8Array {
  return frame(IndexUpdate.encode({ version: WIRE_VERSION, reset: false, added: [fileEntry(0)], removed: [], ...over }))
}

function searchRequest (over: Partial<SearchRequest> = {}): Uint8Array {
  return frame(SearchRequest.encode({ version: WIRE_VERSION, words: ['forged'], limit: 10, wantServers: false, forward: false, forwardTimeoutMs: 0, ...over }))
}

describe('bad input on the index and search protocols', function () {
  this.timeout(60_000)
  const net = new TestNetwork()
  const tmp = tempDir()
  const clients: Array<Libp2p<any>> = []
  /** subnet S1: v1 virtual server, m1 member; subnet S2: v2 virtual server, m2 member (limit 2) */
  let v1: PeerhiveNode
  let m1: PeerhiveNode
  let v2: PeerhiveNode
  let m2: PeerhiveNode
  let raw: Libp2p<any>

  function file (rel: string): string {
    const path = join(tmp.path, rel)
    mkdirSync(join(path, '..'), { recursive: true })
    writeFileSync(path, randomBytes(300))
    return path
  }

  async function index (from: Libp2p<any>, to: string, bytes: Uint8Array): Promise<IndexAck> {
    return answer(await rawRequest(from, to, PROTOCOL_INDEX, bytes, IndexAck))
  }

  async function searchAt (from: Libp2p<any>, to: string, bytes: Uint8Array): Promise<SearchResponse> {
    return answer(await rawRequest(from, to, PROTOCOL_SEARCH, bytes, SearchResponse))
  }

  function refusedIndex (ack: IndexAck, code: IndexError, message?: RegExp): void {
    assert.equal(ack.error, code, `expected ${code}, got ${ack.error} (${ack.message})`)
    assert.equal(ack.held, 0)
    if (message != null) assert.match(ack.message, message)
  }

  function refusedSearch (res: SearchResponse, code: SearchError, message?: RegExp): void {
    assert.equal(res.error, code, `expected ${code}, got ${res.error} (${res.message})`)
    assert.deepEqual(res.hits, [])
    assert.deepEqual(res.servers, [])
    if (message != null) assert.match(res.message, message)
  }

  /** Nothing forged is held anywhere: not in a group index, not in the client index. */
  function nothingForged (): void {
    for (const n of [v1, m1, v2, m2]) assert.deepEqual(n.sharing.groupIndex.search(['forged'], 10), [], `forged entries at ${n.peerId}`)
    assert.deepEqual(net.bootstrap.tables.searchIndex(['forged'], 10), [], 'forged entries in client_index')
  }

  /** m1's real files are still exactly what v1 holds for it. */
  function m1Intact (): void {
    const held = v1.sharing.groupIndex.search(queryWords(['realfile']), 100).filter(e => e.provider === m1.peerId).map(e => e.cid).sort()
    assert.deepEqual(held, m1.shares.list().map(f => f.cid).sort())
  }

  async function indexOutcomes (node: { metrics: { requests: any } }, outcome: string): Promise<number> {
    return counterSum(node.metrics.requests, { protocol: PROTOCOL_INDEX, outcome })
  }

  before(async () => {
    await net.startBootstrap({ vsLimit: 2 })
    const add = async (s: number, h: number, role: string): Promise<PeerhiveNode> => {
      const node = await net.addPeer(s, h)
      const p = await node.waitForPlacement(undefined, AbortSignal.timeout(WAIT_MS))
      assert.equal(p.role, role)
      return node
    }
    v1 = await add(S1, 1, 'virtual-server')
    m1 = await add(S1, 2, 'member')
    v2 = await add(S2, 1, 'virtual-server')
    m2 = await add(S2, 2, 'member')
    await m1.share([file('m1/real-one.txt'), file('m1/real-two.txt')], { keywords: ['realfile'] })
    await v1.share([file('v1/vs-doc.txt')], { keywords: ['vsdoc'] })
    await waitUntil('v1 to hold m1\'s files', () => {
      try { m1Intact(); return true } catch { return false }
    }, WAIT_MS)
    raw = await rawClient(`127.0.${S1}.50`)
    clients.push(raw)
  })

  after(async () => {
    await Promise.allSettled(clients.map(async c => c.stop()))
    await net.stop()
    tmp.cleanup()
  })

  describe('/peerhive/index/1.0.0', () => {
    it('NOT_YOUR_SERVER to anyone who is not a member of the receiver\'s group', async () => {
      const before = await indexOutcomes(v1, IndexError.NOT_YOUR_SERVER)
      // a peer that never joined, at a virtual server and at the bootstrap
      refusedIndex(await index(raw, v1.multiaddrs()[0], update({ reset: true })), IndexError.NOT_YOUR_SERVER, /not a member/)
      refusedIndex(await index(raw, net.bootstrapAddr(), update({ reset: true })), IndexError.NOT_YOUR_SERVER, /not joined/)
      // a member of another group, and another virtual server
      refusedIndex(await index(m2.libp2p, v1.multiaddrs()[0], update()), IndexError.NOT_YOUR_SERVER)
      refusedIndex(await index(v2.libp2p, v1.multiaddrs()[0], update()), IndexError.NOT_YOUR_SERVER)
      // a member at a node that is no virtual server
      refusedIndex(await index(m2.libp2p, m1.multiaddrs()[0], update()), IndexError.NOT_YOUR_SERVER, /not a virtual server/)
      // a member, and a virtual server, at the bootstrap: their index belongs in the subnet
      refusedIndex(await index(m1.libp2p, net.bootstrap.peerId, update()), IndexError.NOT_YOUR_SERVER, /member/)
      refusedIndex(await index(v1.libp2p, net.bootstrap.peerId, update()), IndexError.NOT_YOUR_SERVER, /virtual-server/)

      nothingForged()
      m1Intact()
      await waitUntil('v1 to count the refusals', async () => (await indexOutcomes(v1, IndexError.NOT_YOUR_SERVER)) === before + 3, 5_000)
    })

    it('MESSAGE_TOO_LARGE to an update over 1 MiB, refused on its length prefix', async () => {
      for (const to of [v1.multiaddrs()[0], net.bootstrapAddr()]) {
        // a prefix just over the limit, and some bytes behind it
        refusedIndex(await index(m1.libp2p, to, Uint8Array.from([...varint(MAX_INDEX_UPDATE_BYTES + 1), ...new Uint8Array(1000)])), IndexError.MESSAGE_TOO_LARGE)
        // a length prefix that never ends
        refusedIndex(await index(raw, to, new Uint8Array(12).fill(0xff)), IndexError.MESSAGE_TOO_LARGE)
      }
      // a real update of 1.1 MiB from a real member
      const big = IndexUpdate.encode({ version: WIRE_VERSION, reset: false, added: Array.from({ length: 1000 }, (_, i) => fileEntry(i, { title: 't'.repeat(1200) })), removed: [] })
      assert.ok(big.byteLength > MAX_INDEX_UPDATE_BYTES)
      refusedIndex(await index(m1.libp2p, v1.multiaddrs()[0], frame(big)), IndexError.MESSAGE_TOO_LARGE)
      nothingForged()
      m1Intact()
    })

    it('MESSAGE_TOO_LARGE to more than 1024 entries (added or removed) or more than 32 keywords', async () => {
      const many = Array.from({ length: 1025 }, (_, i) => fileEntry(i))
      const manyBytes = update({ added: many })
      assert.ok(manyBytes.byteLength < MAX_INDEX_UPDATE_BYTES, 'small in bytes')
      refusedIndex(await index(m1.libp2p, v1.multiaddrs()[0], manyBytes), IndexError.MESSAGE_TOO_LARGE, /added/)
      refusedIndex(await index(m1.libp2p, v1.multiaddrs()[0], update({ added: [], removed: Array.from({ length: 1025 }, (_, i) => `cid${i}`) })), IndexError.MESSAGE_TOO_LARGE, /removed/)
      refusedIndex(await index(m1.libp2p, v1.multiaddrs()[0], update({ added: [fileEntry(1, { keywords: Array.from({ length: 33 }, (_, i) => `k${i}`) })] })), IndexError.MESSAGE_TOO_LARGE, /keywords/)
      refusedIndex(await index(raw, net.bootstrapAddr(), manyBytes), IndexError.MESSAGE_TOO_LARGE)
      // exactly 1024 is allowed (the member's own, valid update)
      const ok = await index(m1.libp2p, v1.multiaddrs()[0], update({ added: Array.from({ length: 1024 }, (_, i) => fileEntry(i, { keywords: ['limitcheck'] })) }))
      assert.equal(ok.error, IndexError.NONE, ok.message)
      assert.equal(ok.held, 1024 + 2)
      assert.equal(v1.sharing.groupIndex.search(['limitcheck'], 2000).length, 1024)
      // take them out again: the member's real entries are still there
      const removed = await index(m1.libp2p, v1.multiaddrs()[0], update({ added: [], removed: Array.from({ length: 1024 }, (_, i) => fileEntry(i).cid) }))
      assert.equal(removed.error, IndexError.NONE, removed.message)
      assert.equal(removed.held, 2)
      m1Intact()
      nothingForged()
    })

    it('MALFORMED_MESSAGE to bytes that are not an IndexUpdate', async () => {
      const before = await indexOutcomes(v1, IndexError.MALFORMED_MESSAGE)
      for (const to of [v1.multiaddrs()[0], net.bootstrapAddr()]) {
        // field 3 (added) claims 127 bytes, none follow
        refusedIndex(await index(m1.libp2p, to, frame(Uint8Array.from([0x1a, 0x7f]))), IndexError.MALFORMED_MESSAGE)
        // wire type 7 does not exist
        refusedIndex(await index(m1.libp2p, to, frame(new Uint8Array(16).fill(0xff))), IndexError.MALFORMED_MESSAGE)
        // the prefix promises 100 bytes, 10 arrive, then the writer closes
        refusedIndex(await index(m1.libp2p, to, Uint8Array.from([...varint(100), ...new Uint8Array(10)])), IndexError.MALFORMED_MESSAGE)
      }
      await waitUntil('v1 to count them', async () => (await indexOutcomes(v1, IndexError.MALFORMED_MESSAGE)) === before + 3, 5_000)
      nothingForged()
    })

    it('UNSUPPORTED_VERSION to any version but 1', async () => {
      for (const to of [v1.multiaddrs()[0], net.bootstrapAddr()]) {
        refusedIndex(await index(m1.libp2p, to, update({ version: 2 })), IndexError.UNSUPPORTED_VERSION, /version 2/)
        refusedIndex(await index(m1.libp2p, to, update({ version: 0 })), IndexError.UNSUPPORTED_VERSION)
        // an empty message decodes to version 0
        refusedIndex(await index(m1.libp2p, to, varint(0)), IndexError.UNSUPPORTED_VERSION)
      }
      nothingForged()
    })
  })

  describe('/peerhive/search/1.0.0', () => {
    it('NOT_A_SERVER from a node that is no virtual server', async () => {
      refusedSearch(await searchAt(raw, m1.multiaddrs()[0], searchRequest({ words: ['realfile'] })), SearchError.NOT_A_SERVER)
      refusedSearch(await searchAt(v2.libp2p, m2.multiaddrs()[0], searchRequest({ words: ['realfile'] })), SearchError.NOT_A_SERVER)
    })

    it('MALFORMED_MESSAGE to a search without words, or bytes that are not a SearchRequest', async () => {
      for (const to of [v1.multiaddrs()[0], net.bootstrapAddr()]) {
        refusedSearch(await searchAt(raw, to, searchRequest({ words: [] })), SearchError.MALFORMED_MESSAGE, /word/)
        refusedSearch(await searchAt(raw, to, searchRequest({ words: ['  ', '\t', ''] })), SearchError.MALFORMED_MESSAGE, /word/)
        refusedSearch(await searchAt(raw, to, frame(Uint8Array.from([0x12, 0x7f]))), SearchError.MALFORMED_MESSAGE)
        refusedSearch(await searchAt(raw, to, frame(new Uint8Array(8).fill(0xff))), SearchError.MALFORMED_MESSAGE)
      }
    })

    it('UNSUPPORTED_VERSION to any version but 1', async () => {
      for (const to of [v1.multiaddrs()[0], net.bootstrapAddr(), m1.multiaddrs()[0]]) {
        refusedSearch(await searchAt(raw, to, searchRequest({ version: 2 })), SearchError.UNSUPPORTED_VERSION, /version 2/)
        refusedSearch(await searchAt(raw, to, varint(0)), SearchError.UNSUPPORTED_VERSION)
      }
    })

    it('RATE_LIMITED to a flood of searches from one peer, while others are still served', async () => {
      const flooder = await rawClient('127.0.84.77')
      clients.push(flooder)
      const errors: string[] = []
      for (let i = 0; i < 210; i++) errors.push((await searchAt(flooder, net.bootstrapAddr(), searchRequest({ words: ['realfile'] }))).error)
      assert.equal(errors.slice(0, 200).filter(e => e !== SearchError.NONE).length, 0, 'the first 200 searches in 10 s are answered')
      assert.ok(errors.slice(200).every(e => e === SearchError.RATE_LIMITED), `then RATE_LIMITED: ${errors.slice(200).join(', ')}`)
      assert.equal((await searchAt(raw, net.bootstrapAddr(), searchRequest({ words: ['realfile'] }))).error, SearchError.NONE, 'another peer is still served')
    })

    it('another virtual server of the directory may ask 8 times as many: it forwards its members\' searches', async () => {
      await waitUntil('v1 to have v2 in its directory', () => v1.topology.directory()?.some(d => d.peerId === v2.peerId) === true, WAIT_MS)
      const errors: string[] = []
      for (let i = 0; i < 260; i++) errors.push((await searchAt(v2.libp2p, v1.multiaddrs()[0], searchRequest({ words: ['realfile'] }))).error)
      assert.deepEqual(errors.filter(e => e !== SearchError.NONE), [], 'past 200 in 10 s, a server is still answered')
    })

    it('a forward asked by a peer that is no member of the server is not forwarded (it still routes)', async () => {
      const res = await searchAt(raw, v1.multiaddrs()[0], searchRequest({ words: ['nomatchanywherezq'], wantServers: true, forward: true, forwardTimeoutMs: 4_000_000_000 }))
      assert.equal(res.error, SearchError.NONE, res.message)
      assert.equal(res.forwarded, false)
      assert.deepEqual(res.remoteHits, [])
      assert.equal(res.serversRouted, true)
    })

    it('MESSAGE_TOO_LARGE to a request over 4 KiB or with more than 16 words', async () => {
      for (const to of [v1.multiaddrs()[0], net.bootstrapAddr()]) {
        refusedSearch(await searchAt(raw, to, searchRequest({ words: ['x'.repeat(MAX_SEARCH_REQUEST_BYTES + 10)] })), SearchError.MESSAGE_TOO_LARGE)
        refusedSearch(await searchAt(raw, to, searchRequest({ words: Array.from({ length: 17 }, (_, i) => `w${i}`) })), SearchError.MESSAGE_TOO_LARGE, /words/)
        refusedSearch(await searchAt(raw, to, new Uint8Array(12).fill(0xff)), SearchError.MESSAGE_TOO_LARGE)
      }
    })

    it('caps the hits of an answer at 256, whatever limit is asked', async () => {
      const added = Array.from({ length: 300 }, (_, i) => fileEntry(5000 + i, { keywords: ['capcheck'] }))
      for (let i = 0; i < added.length; i += 150) {
        const ack = await index(m1.libp2p, v1.multiaddrs()[0], update({ added: added.slice(i, i + 150) }))
        assert.equal(ack.error, IndexError.NONE, ack.message)
      }
      const res = await searchAt(raw, v1.multiaddrs()[0], searchRequest({ words: ['CAPCHECK'], limit: 100_000 }))
      assert.equal(res.error, SearchError.NONE, res.message)
      assert.equal(res.hits.length, 256)
      const one = await searchAt(raw, v1.multiaddrs()[0], searchRequest({ words: ['capcheck'], limit: 0 }))
      assert.equal(one.hits.length, 1, 'limit 0 is taken as 1')
      const removed = await index(m1.libp2p, v1.multiaddrs()[0], update({ added: [], removed: added.map(e => e.cid) }))
      assert.equal(removed.error, IndexError.NONE)
    })
  })

  // (in a suite of its own: mocha runs a suite's own tests before its child suites')
  describe('afterwards', () => {
    it('the virtual server and the bootstrap keep serving', async () => {
      // a valid search, on a connection that sent garbage before
      const res = await searchAt(raw, v1.multiaddrs()[0], searchRequest({ words: ['REALFILE'] }))
      assert.equal(res.error, SearchError.NONE, res.message)
      assert.ok(res.hits.length >= 2 && res.hits.every(h => h.provider === m1.peerId), JSON.stringify(res.hits.map(h => h.provider)))
      // the bootstrap routes by keyword filters: v1 holds a match, so it is listed; v2 only while its filter is unknown
      const atBootstrap = await searchAt(raw, net.bootstrapAddr(), searchRequest({ words: ['realfile'], wantServers: true }))
      assert.equal(atBootstrap.error, SearchError.NONE)
      assert.equal(atBootstrap.serversRouted, true)
      assert.ok(atBootstrap.servers.some(s => s.peerId === v1.peerId), JSON.stringify(atBootstrap.servers))
      assert.ok(atBootstrap.servers.every(s => s.peerId === v1.peerId || s.peerId === v2.peerId), JSON.stringify(atBootstrap.servers))

      // the member's real index still syncs, deltas included
      const [fresh] = await m1.share([file('m1/after-the-storm.txt')], { keywords: ['realfile', 'afterstorm'] })
      await waitUntil('m1\'s new file at v1', () => v1.sharing.groupIndex.search(['afterstorm'], 10).some(e => e.cid === fresh.cid), WAIT_MS)
      await waitUntil('v1 to hold exactly m1\'s files', () => { try { m1Intact(); return true } catch { return false } }, WAIT_MS)
      // nearest-first search still works for the member
      const found = []
      for await (const r of m2.search(['vsdoc'])) found.push([r.filename, r.tier])
      assert.deepEqual(found, [['vs-doc.txt', 'remote']])
      // a newcomer joins, and its central-client index reaches the bootstrap
      const cc = await net.addPeer(S1, 3)
      assert.equal((await cc.waitForPlacement(undefined, AbortSignal.timeout(WAIT_MS))).role, 'central-client')
      await cc.share([file('cc/late.txt')], { keywords: ['latecc'] })
      await waitUntil('the newcomer\'s index at the bootstrap', () => net.bootstrap.tables.indexCount(cc.peerId) === 1, WAIT_MS)
      nothingForged()
    })
  })
})
