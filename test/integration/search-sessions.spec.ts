/**
 * Search sessions (protocols/search.md): a server that keeps sessions
 * answers one asker's searches over one stream, which saves each search a
 * new stream's negotiation; a server that keeps none (the bootstrap), an
 * asker that closes after one answer (an older version), an idle session
 * and a bad request in a session all end as they should.
 */
import assert from 'node:assert/strict'
import { lpStream } from '@libp2p/utils'
import { MAX_SEARCH_RESPONSE_BYTES, PROTOCOL_SEARCH, WIRE_VERSION } from '../../src/core/index.js'
import { SearchError, SearchRequest, SearchResponse } from '../../src/pb/search.js'
import { SearchServer } from '../../src/sharing/index.js'
import { askIndex, searchSessions } from '../../src/sharing/search-ask.js'
import { SearchSessions } from '../../src/sharing/search-sessions.js'
import { counterSum } from '../helpers/raw-request.js'
import { rawClient } from '../helpers/raw-join.js'
import { waitUntil } from '../helpers/wait.js'
import { PeerhiveMetrics } from '../../src/core/metrics.js'
import { peerIdOf } from '../../src/core/index.js'
import { TestNetwork } from '../helpers/network.js'
import type { Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

const HIT = { cid: 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku', filename: 'tide-table.txt', directory: '', size: 12, title: '', keywords: [], userSerialId: 0, userid: '' }

describe('integration: search sessions', function () {
  this.timeout(30_000)
  let asker: Libp2p<any>
  let server: Libp2p<any>
  let searchServer: SearchServer
  let metrics: PeerhiveMetrics
  let dials: number

  /** Serves searches from `server` with `sessionIdleMs` (undefined: one search per stream, as the bootstrap does). */
  async function serve (sessionIdleMs?: number): Promise<void> {
    await searchServer?.stop()
    metrics = new PeerhiveMetrics()
    searchServer = new SearchServer(server, {
      refuse: () => undefined,
      answer: words => ({ hits: words.includes('tide') ? [{ entry: HIT, provider: server.peerId.toString(), providerAddrs: [] }] : [], servers: [] }),
      metrics,
      sessionIdleMs
    })
    await searchServer.start()
  }

  async function ask (words: string[]): Promise<SearchResponse> {
    return askIndex(asker, server.peerId.toString(), words, { limit: 10, wantServers: false }, AbortSignal.timeout(5_000))
  }

  /** Search streams open between the two, as the server sees them. */
  function serverStreams (): Stream[] {
    return server.getConnections(asker.peerId).flatMap(c => c.streams).filter(s => s.protocol === PROTOCOL_SEARCH)
  }

  before(async () => {
    asker = await rawClient('127.0.59.1')
    server = await rawClient('127.0.59.2')
    await asker.dial(server.getMultiaddrs()[0])
    // a new search stream asks libp2p for the connection first (openRequestChannel); a reused session does not
    const dial = asker.dial.bind(asker)
    asker.dial = async (...args: Parameters<typeof dial>) => {
      dials++
      return dial(...args)
    }
  })

  // each case starts with no search stream between the two
  beforeEach(async () => {
    for (const stream of serverStreams()) stream.abort(new Error('the next case'))
    await waitUntil('the asker to drop its idle streams', () => searchSessions(asker).size === 0, 5_000)
    dials = 0
  })

  after(async () => {
    await searchServer?.stop()
    await asker?.stop()
    await server?.stop()
  })

  it('answers one asker\'s searches over one stream, each counted', async () => {
    await serve(60_000)
    for (let i = 0; i < 5; i++) {
      const res = await ask(i % 2 === 0 ? ['tide'] : ['nothing'])
      assert.equal(res.error, SearchError.NONE)
      assert.equal(res.sessionOpen, true)
      assert.deepEqual(res.hits.map(h => h.entry?.filename), i % 2 === 0 ? ['tide-table.txt'] : [])
    }
    assert.equal(dials, 1, 'one stream for five searches')
    assert.equal(serverStreams().length, 1)
    assert.equal(await counterSum(metrics.requests, { protocol: PROTOCOL_SEARCH, outcome: 'ok' }), 5)
  })

  it('opens a stream per search to a server that keeps no sessions, and leaves none open', async () => {
    await serve(undefined)
    for (let i = 0; i < 3; i++) assert.equal((await ask(['tide'])).sessionOpen, false)
    assert.equal(dials, 3)
    await waitUntil('the streams to close', () => serverStreams().length === 0, 5_000)
    assert.equal(searchSessions(asker).size, 0)
  })

  it('closes a session that stays idle; the next search opens a new stream', async () => {
    await serve(300)
    await ask(['tide'])
    assert.equal(searchSessions(asker).size, 1)
    await waitUntil('the server to close the idle session, and the asker its side', () => serverStreams().length === 0 && searchSessions(asker).size === 0, 5_000)
    assert.equal((await ask(['tide'])).hits.length, 1)
    assert.equal(dials, 2)
  })

  it('ends a session when the asker closes its side after one answer, as an older version does', async () => {
    await serve(60_000)
    const stream = await asker.dialProtocol(server.peerId, PROTOCOL_SEARCH)
    const lp = lpStream(stream, { maxDataLength: MAX_SEARCH_RESPONSE_BYTES })
    await lp.write(SearchRequest.encode(request(['tide'])))
    await stream.close()
    const res = SearchResponse.decode(await lp.read())
    assert.equal(res.hits.length, 1)
    await waitUntil('the server to end the stream', () => stream.status === 'closed' && serverStreams().length === 0, 5_000)
  })

  it('answers a bad request inside a session with an error and closes it; the server keeps answering', async () => {
    await serve(60_000)
    const stream = await asker.dialProtocol(server.peerId, PROTOCOL_SEARCH)
    const lp = lpStream(stream, { maxDataLength: MAX_SEARCH_RESPONSE_BYTES })
    await lp.write(SearchRequest.encode(request(['tide'])))
    assert.equal(SearchResponse.decode(await lp.read()).sessionOpen, true)
    // field 1 as a length-delimited field whose length runs past the message
    await lp.write(Uint8Array.from([0x0a, 0x7f, 0x01]))
    const refused = SearchResponse.decode(await lp.read())
    assert.equal(refused.error, SearchError.MALFORMED_MESSAGE)
    assert.equal(refused.sessionOpen, false)
    await waitUntil('the server to close its side of the session', () => stream.remoteWriteStatus === 'closed', 5_000)
    await stream.close()
    assert.equal((await ask(['tide'])).hits.length, 1)
    assert.equal(await counterSum(metrics.requests, { protocol: PROTOCOL_SEARCH, outcome: 'MALFORMED_MESSAGE' }), 1)
  })

  describe('a member\'s session kept open', () => {
    let sessions: SearchSessions | undefined

    afterEach(() => {
      sessions?.keepWarm(undefined)
      sessions = undefined
    })

    it('opens a session before the first search and keeps it past the server\'s idle time, so no search opens a stream', async () => {
      const idleMs = 3_000
      await serve(idleMs)
      sessions = new SearchSessions(asker, 200)
      // what watches ask (tests and benchmarks counting a search's requests) sees searches, not keep-alives
      let asks = 0
      const ask = sessions.ask.bind(sessions)
      sessions.ask = async (...args: Parameters<typeof ask>) => {
        asks++
        return await ask(...args)
      }
      sessions.keepWarm(server.peerId.toString())
      await waitUntil('the kept session to open', () => sessions!.size === 1 && serverStreams().length === 1, 5_000)
      const [stream] = serverStreams()
      // twice the server's idle time with no search: keep-alives hold the session
      await new Promise(resolve => setTimeout(resolve, 2 * idleMs))
      assert.deepEqual(serverStreams(), [stream], 'the same stream, still open')
      // no keep-alive in flight with the search (one would hold the stream, and the search open another)
      sessions.keepWarm(undefined)
      await waitUntil('the kept stream to be idle', () => sessions!.size === 1, 5_000)
      const res = await sessions.ask(server.peerId, request(['tide']), AbortSignal.timeout(5_000))
      assert.deepEqual(res.hits.map(h => h.entry?.filename), ['tide-table.txt'])
      assert.equal(dials, 1, 'only the kept session\'s stream was opened')
      assert.ok(await counterSum(metrics.requests, { protocol: PROTOCOL_SEARCH, outcome: 'kept' }) >= 3, 'keep-alives are counted as requests of their own')
      assert.equal(await counterSum(metrics.requests, { protocol: PROTOCOL_SEARCH, outcome: 'ok' }), 1, 'only the search is counted as one')
      assert.equal(asks, 1, 'the keep-alives did not go through ask')
    })

    it('never dials for a keep-alive: a peer it has no connection to is not asked', async () => {
      await serve(60_000)
      const stranger = await rawClient('127.0.59.3')
      try {
        sessions = new SearchSessions(asker, 50)
        sessions.keepWarm(stranger.peerId.toString())
        await new Promise(resolve => setTimeout(resolve, 300))
        assert.equal(dials, 0)
        assert.equal(asker.getConnections(stranger.peerId).length, 0)
      } finally {
        await stranger.stop()
      }
    })

    it('stops keeping a session with a server that refuses keep-alives, as an older version does (no word)', async () => {
      await serve(60_000)
      const answer = (searchServer as any).answer.bind(searchServer)
      ;(searchServer as any).answer = async (req: SearchRequest, requester: string) => answer({ ...req, keepSession: false }, requester)
      sessions = new SearchSessions(asker, 50)
      sessions.keepWarm(server.peerId.toString())
      await waitUntil('the asker to stop keeping the session', () => sessions!.keptWarm == null, 5_000)
      assert.equal(await counterSum(metrics.requests, { protocol: PROTOCOL_SEARCH, outcome: 'MALFORMED_MESSAGE' }), 1, 'one refusal was enough')
      await waitUntil('no stream left', () => serverStreams().length === 0 && sessions!.size === 0, 5_000)
    })

    it('answers a keep-alive that carries words MALFORMED_MESSAGE', async () => {
      await serve(60_000)
      const stream = await asker.dialProtocol(server.peerId, PROTOCOL_SEARCH)
      const lp = lpStream(stream, { maxDataLength: MAX_SEARCH_RESPONSE_BYTES })
      await lp.write(SearchRequest.encode({ ...request(['tide']), keepSession: true }))
      const res = SearchResponse.decode(await lp.read())
      assert.equal(res.error, SearchError.MALFORMED_MESSAGE)
      assert.equal(res.hits.length, 0)
      await stream.close()
    })
  })
})

function request (words: string[]): SearchRequest {
  return { version: WIRE_VERSION, words, limit: 10, wantServers: false, forward: false, forwardTimeoutMs: 0, keepSession: false }
}

describe('integration: a member keeps its session with its virtual server', function () {
  this.timeout(60_000)
  const net = new TestNetwork()

  after(async () => { await net.stop() })

  it('opens it soon after its placement, and its first search rides it', async () => {
    await net.startBootstrap()
    const server = await net.addPeer(61, 1)
    await server.waitForPlacement(['virtual-server'], AbortSignal.timeout(20_000))
    const member = await net.addPeer(61, 2)
    await member.waitForPlacement(['member'], AbortSignal.timeout(20_000))
    const sessions = searchSessions(member.libp2p)
    await waitUntil('the member to hold a session with its server', () => sessions.keptWarm === server.peerId && sessions.size === 1, 20_000)
    const searchStreams = (): Stream[] => member.libp2p.getConnections(peerIdOf(server.peerId)).flatMap(c => c.streams).filter(s => s.protocol === PROTOCOL_SEARCH)
    const [kept] = searchStreams()
    for await (const _ of member.search(['nothing-shared-here'], { timeoutMs: 5_000 })) { /* no file matches */ }
    assert.ok(searchStreams().includes(kept), 'the kept stream is still open after the search')
    assert.equal(sessions.size, 1, 'the search used the kept stream and left it idle again')
  })
})
