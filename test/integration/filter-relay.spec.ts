/**
 * Keyword filters relayed by the bootstrap (protocols/filters.md, "Relayed
 * by the bootstrap"; issue 9): a virtual server hands its new filter to the
 * bootstrap, which hands each other server the filters it lacks, in one
 * message and unsigned, over the connection both keep. Gossiped, each new
 * filter was a signed message every server checked and forwarded. A server
 * whose bootstrap is older publishes on the topic as before.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  FILTER_TOPIC, PROTOCOL_FILTER, PROTOCOL_FILTER_RELAY, WIRE_VERSION, FilterAck, FilterError, FilterRelay
} from '../../src/core/index.js'
import { KeywordFilter } from '../../src/sharing/index.js'
import { counterSum, rawRequest, answer } from '../helpers/raw-request.js'
import { frame } from '../helpers/raw-join.js'
import { TestNetwork } from '../helpers/network.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import type { PeerhiveNode } from '../../src/index.js'

const WAIT_MS = 30_000
/** a fixed port, so the bootstrap can restart where its peers look for it */
const PORT = 4793

describe('integration: keyword filters relayed by the bootstrap', function () {
  this.timeout(90_000)
  const net = new TestNetwork()
  const tmp = tempDir('peerhive-filter-relay-')
  let a: PeerhiveNode
  let b: PeerhiveNode
  let c: PeerhiveNode
  let member: PeerhiveNode

  function file (rel: string): string {
    const path = join(tmp.path, rel)
    mkdirSync(join(path, '..'), { recursive: true })
    writeFileSync(path, randomBytes(300))
    return path
  }

  const knows = (at: PeerhiveNode, publisher: PeerhiveNode, words: string[]): boolean => at.sharing.filters.book.get(publisher.peerId)?.mayMatch(words) === true
  /** filters a node published on the gossip topic */
  const publishedOnTopic = async (node: PeerhiveNode): Promise<number> => counterSum(node.metrics.published, { topic: 'filters' })
  const handedOver = async (outcome: string): Promise<number> => counterSum(net.bootstrap.metrics.requests, { protocol: PROTOCOL_FILTER, outcome })

  async function server (subnet: number): Promise<PeerhiveNode> {
    const node = await net.addPeer(subnet, 1)
    const p = await node.waitForPlacement(undefined, AbortSignal.timeout(WAIT_MS))
    assert.equal(p.role, 'virtual-server')
    return node
  }

  const listen = [`/ip4/127.0.0.1/tcp/${PORT}`]

  before(async () => {
    await net.startBootstrap({ listen })
    a = await server(131)
    b = await server(132)
    member = await net.addPeer(131, 2)
    assert.equal((await member.waitForPlacement(undefined, AbortSignal.timeout(WAIT_MS))).role, 'member')
  })

  after(async () => {
    await net.stop()
    tmp.cleanup()
  })

  it('a server\'s new filter reaches the other servers through the bootstrap; no server publishes on the topic', async () => {
    await b.share([file('b/ocelot-notes.txt')])
    await waitUntil('a to hold b\'s filter of its new file', () => knows(a, b, ['ocelot']), WAIT_MS)
    assert.ok(await handedOver('ok') >= 2, 'both servers handed their filters over')
    assert.equal(await publishedOnTopic(a), 0)
    assert.equal(await publishedOnTopic(b), 0)
    // the filter a holds is the one b built, not a copy that lost bits on the way
    const held = a.sharing.filters.book.get(b.peerId)?.bits
    const built = b.sharing.filterPublisher.current?.bits
    assert.ok(held != null && built != null && Buffer.from(held).equals(built))
  })

  it('a server elected later gets every filter at once, not at the next 5-minute republish', async () => {
    await a.share([file('a/lynx-report.txt')])
    await waitUntil('b to hold a\'s new filter', () => knows(b, a, ['lynx']), WAIT_MS)
    c = await server(133)
    await waitUntil('the new server to hold a\'s and b\'s filters', () => knows(c, a, ['lynx']) && knows(c, b, ['ocelot']), 15_000)
    assert.ok(await counterSum(c.metrics.requests, { protocol: PROTOCOL_FILTER_RELAY, outcome: 'ok' }) >= 1, 'c took a relay from the bootstrap')
    assert.equal(await publishedOnTopic(c), 0)
  })

  it('the bootstrap takes filters from virtual servers only, and refuses what it cannot read; it keeps relaying', async () => {
    const filter = KeywordFilter.fromTexts([{ text: 'forged-by-member', cid: 'bafyforged' }]).encode(Date.now(), Date.now())
    const fromMember = answer(await rawRequest(member.libp2p, net.bootstrap.peerId, PROTOCOL_FILTER, frame(filter), FilterAck))
    assert.equal(fromMember.error, FilterError.NOT_A_SERVER)
    assert.equal(net.bootstrap.filters.book.get(member.peerId), undefined)
    const garbage = answer(await rawRequest(a.libp2p, net.bootstrap.peerId, PROTOCOL_FILTER, frame(randomBytes(100)), FilterAck))
    assert.equal(garbage.error, FilterError.MALFORMED_MESSAGE)
    const huge = answer(await rawRequest(a.libp2p, net.bootstrap.peerId, PROTOCOL_FILTER, Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x04), FilterAck))
    assert.equal(huge.error, FilterError.MESSAGE_TOO_LARGE)
    await b.share([file('b/tapir-sighting.txt')])
    await waitUntil('a and c to hold b\'s newest filter', () => knows(a, b, ['tapir']) && knows(c, b, ['tapir']), WAIT_MS)
  })

  it('a server takes relayed filters from its bootstrap only, and all of them or none', async () => {
    const held = c.sharing.filters.book.seqOf(a.peerId)
    assert.ok(held != null)
    const forged = new Uint8Array(KeywordFilter.fromTexts([{ text: 'forged-relay', cid: 'bafyforged' }]).encode(held + 1, Date.now()))
    const relay = (filters: Array<{ publisher: string, filter: Uint8Array<ArrayBuffer> }>): Uint8Array => frame(FilterRelay.encode({ version: WIRE_VERSION, filters }))
    const fromPeer = answer(await rawRequest(b.libp2p, c.peerId, PROTOCOL_FILTER_RELAY, relay([{ publisher: a.peerId, filter: forged }]), FilterAck))
    assert.equal(fromPeer.error, FilterError.NOT_THE_BOOTSTRAP)
    const oneBad = answer(await rawRequest(net.bootstrap.libp2p, c.peerId, PROTOCOL_FILTER_RELAY, relay([{ publisher: a.peerId, filter: forged }, { publisher: b.peerId, filter: new Uint8Array(randomBytes(80)) }]), FilterAck))
    assert.equal(oneBad.error, FilterError.MALFORMED_MESSAGE)
    const badPublisher = answer(await rawRequest(net.bootstrap.libp2p, c.peerId, PROTOCOL_FILTER_RELAY, relay([{ publisher: 'not-a-peer-id', filter: forged }]), FilterAck))
    assert.equal(badPublisher.error, FilterError.MALFORMED_MESSAGE)
    assert.equal(c.sharing.filters.book.seqOf(a.peerId), held, 'c still holds a\'s own filter')
    const garbage = answer(await rawRequest(net.bootstrap.libp2p, c.peerId, PROTOCOL_FILTER_RELAY, frame(randomBytes(50)), FilterAck))
    assert.equal(garbage.error, FilterError.MALFORMED_MESSAGE)
    // and a good relay from the bootstrap is taken
    const good = answer(await rawRequest(net.bootstrap.libp2p, c.peerId, PROTOCOL_FILTER_RELAY, relay([{ publisher: a.peerId, filter: forged }]), FilterAck))
    assert.equal(good.error, FilterError.NONE)
    assert.equal(c.sharing.filters.book.seqOf(a.peerId), held + 1)
  })

  it('after the bootstrap restarts, the servers hand their filters over again at once, and the relay goes on', async () => {
    await net.bootstrap.stop()
    await net.startBootstrap({ listen })
    const book = net.bootstrap.filters.book
    // a's and c's filters did not change: without a new hand-over the new bootstrap would lack them for 5 minutes
    await waitUntil('the restarted bootstrap to hold the servers\' filters', () =>
      book.get(a.peerId)?.mayMatch(['lynx']) === true && book.get(b.peerId)?.mayMatch(['tapir']) === true, 2 * WAIT_MS)
    await b.share([file('b/quokka-album.txt')])
    await waitUntil('a and c to hold b\'s newest filter, relayed by the restarted bootstrap', () => knows(a, b, ['quokka']) && knows(c, b, ['quokka']), WAIT_MS)
    assert.equal(await publishedOnTopic(b), 0)
  })

  it('a server whose bootstrap does not relay filters publishes them on the topic, and the others still learn them', async () => {
    // an older bootstrap: no /peerhive/filter/1.0.0
    await net.bootstrap.filterRelay.stop()
    try {
      await c.share([file('c/kinkajou-diary.txt')])
      await waitUntil('a to learn c\'s new filter from the topic', () => knows(a, c, ['kinkajou']), WAIT_MS)
      assert.ok(await publishedOnTopic(c) >= 1)
      assert.ok(a.libp2p.services.pubsub.getTopics().includes(FILTER_TOPIC))
    } finally {
      await net.bootstrap.filterRelay.start()
    }
  })
})
