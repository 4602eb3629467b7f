/**
 * Delegated DHT publishing (protocols/dht-delegate.md, issue 9): a member
 * hands its DHT records to its virtual server, which stores them at the
 * servers closest to each key; searchers anywhere find them with the plain
 * DHT tier, and the member dials no DHT server to publish.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { PROTOCOL_DHT_DELEGATE, PROTOCOL_DHT_PROVIDE, WIRE_VERSION } from '../../src/core/index.js'
import { DelegateError, DelegateRequest, DelegateResponse, ProvideError, ProvideRequest, ProvideResponse } from '../../src/pb/dht-delegate.js'
import { findFileProviders, keywordKey, searchDht, signProviderClaim, wordCid, type AnnounceReport } from '../../src/sharing/dht/index.js'
import { parseCid, type IndexEntry } from '../../src/sharing/index.js'
import { TestNetwork } from '../helpers/network.js'
import { frame } from '../helpers/raw-join.js'
import { answer, counterSum, rawRequest } from '../helpers/raw-request.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import { entry, signed } from './dht-fixtures.js'
import type { PeerhiveNode } from '../../src/index.js'
import type { PeerId, PeerInfo } from '@libp2p/interface'

const A = 84
const B = 85
const WAIT_MS = 20_000

async function collect<T> (iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of iterable) out.push(x)
  return out
}

async function delegated (node: PeerhiveNode, outcome: string): Promise<number> {
  return counterSum(node.metrics.requests, { protocol: PROTOCOL_DHT_DELEGATE, outcome })
}

/** A fresh identity, and its signed claim to provide `cid` (issued `ageMs` ago). */
async function stranger (cid = parseCid(entry('x', `stranger-${Math.random()}.txt`).cid), ageMs = 0): Promise<{ id: PeerId, claim: Awaited<ReturnType<typeof signProviderClaim>> }> {
  const key = await generateKeyPair('Ed25519')
  const id = peerIdFromPrivateKey(key)
  return { id, claim: await signProviderClaim(key, id, cid, [multiaddr('/ip4/127.0.0.9/tcp/4001')], Date.now() - ageMs) }
}

describe('delegated DHT publishing: members hand their records to their virtual server', function () {
  this.timeout(90_000)
  const net = new TestNetwork()
  const tmp = tempDir()
  /** subnet A: a1 virtual server, a2 member; subnet B: b1 virtual server, b2 member */
  let a1: PeerhiveNode
  let a2: PeerhiveNode
  let b1: PeerhiveNode
  let b2: PeerhiveNode
  const a2Rounds: AnnounceReport[] = []
  /** kad-dht requests a2 sent itself, by message type */
  const a2Sent: string[] = []

  before(async () => {
    await net.startBootstrap({ vsLimit: 4 })
    const add = async (s: number, h: number, role: string): Promise<PeerhiveNode> => {
      const node = await net.addPeer(s, h)
      const p = await node.waitForPlacement(undefined, AbortSignal.timeout(WAIT_MS))
      assert.equal(p.role, role, `127.0.${s}.${h} placed as ${p.role}, expected ${role}`)
      return node
    }
    a1 = await add(A, 1, 'virtual-server')
    b1 = await add(B, 1, 'virtual-server')
    a2 = await add(A, 2, 'member')
    a2.sharing.announcer.addEventListener('announced', evt => { a2Rounds.push(evt.detail) })
    // what a2's own kad-dht sends (kad-dht's network is internal: the test fails loudly if it moves)
    const network = (a2.libp2p.services.dht as any).network
    assert.equal(typeof network?.sendRequest, 'function', 'kad-dht no longer exposes its network')
    const send = network.sendRequest.bind(network)
    network.sendRequest = (to: unknown, msg: { type: string }, options: unknown) => {
      a2Sent.push(String(msg.type))
      return send(to, msg, options)
    }
    b2 = await add(B, 2, 'member')
  })

  after(async () => {
    await net.stop()
    tmp.cleanup()
  })

  it('a member\'s file is found through the DHT from another subnet, its records stored by its virtual server', async () => {
    const path = join(tmp.path, 'delegatedheron.txt')
    writeFileSync(path, randomBytes(700))
    const [shared] = await a2.share([path])
    // b2 searches through the DHT alone: no virtual server or central index is asked
    let found: IndexEntry[] = []
    await waitUntil('the DHT tier never found the member\'s file', async () => {
      found = await collect(searchDht(b2.libp2p, ['delegatedheron'], { timeoutMs: 5_000 }))
      return found.length > 0
    }, WAIT_MS)
    assert.deepEqual(found.map(e => [e.filename, e.provider, e.cid]), [['delegatedheron.txt', a2.peerId, shared.cid]])
    // the file's provider record names the member, with addresses to dial it
    const providers: PeerInfo[] = await collect(findFileProviders(b2.libp2p, shared.cid, { timeoutMs: 5_000 }))
    const member = providers.find(p => p.id.toString() === a2.peerId)
    assert.ok(member != null, `providers: ${providers.map(p => p.id.toString()).join(', ')}`)
    assert.ok(member.multiaddrs.some(ma => ma.toString().includes(`/ip4/127.0.${A}.2/tcp/`)), `addresses: ${member.multiaddrs.join(', ')}`)
    // every record went through a1: a file provider record, and a keyword record and a provider record per word
    const round = a2Rounds.find(r => r.provided + r.published > 0)
    assert.ok(round != null, 'no announce round published anything')
    assert.equal(round.delegatedTo, a1.peerId)
    assert.equal(round.failed, 0)
    assert.ok(await delegated(a1, 'ok') >= round.provided + round.published, 'a1 counted fewer delegated records than a2 announced')
  })

  it('publishing through its virtual server, the member stored nothing in the DHT itself', () => {
    assert.ok(a2Rounds.some(r => r.published > 0), 'a2 published nothing')
    assert.deepEqual(a2Sent.filter(t => t === 'PUT_VALUE' || t === 'ADD_PROVIDER'), [], `a2 sent ${a2Sent.join(', ')}`)
  })

  it('a virtual server refuses records of non-members, and records that are not the sender\'s own', async () => {
    const { claim } = await stranger()
    const viaB2 = answer(await rawRequest(b2.libp2p, a1.peerId, PROTOCOL_DHT_DELEGATE, frame(DelegateRequest.encode({ version: WIRE_VERSION, claim })), DelegateResponse))
    assert.equal(viaB2.error, DelegateError.NOT_YOUR_SERVER)
    // a2 is a member of a1, but the claim names someone else
    const notOwn = answer(await rawRequest(a2.libp2p, a1.peerId, PROTOCOL_DHT_DELEGATE, frame(DelegateRequest.encode({ version: WIRE_VERSION, claim })), DelegateResponse))
    assert.equal(notOwn.error, DelegateError.INVALID_RECORD)
    assert.match(notOwn.message, /only its own/)
    // a keyword record of another provider
    const key = await generateKeyPair('Ed25519')
    const other = peerIdFromPrivateKey(key).toString()
    const value = await signed(key, 'foreignword', [entry(other, 'foreignword.txt')])
    const foreign = answer(await rawRequest(a2.libp2p, a1.peerId, PROTOCOL_DHT_DELEGATE, frame(DelegateRequest.encode({ version: WIRE_VERSION, key: keywordKey('foreignword', other), value })), DelegateResponse))
    assert.equal(foreign.error, DelegateError.INVALID_RECORD)
    // neither or both kinds of record
    const empty = answer(await rawRequest(a2.libp2p, a1.peerId, PROTOCOL_DHT_DELEGATE, frame(DelegateRequest.encode({ version: WIRE_VERSION })), DelegateResponse))
    assert.equal(empty.error, DelegateError.MALFORMED_MESSAGE)
  })

  it('garbage on the delegate protocol gets a clear error and the virtual server keeps serving', async () => {
    const garbage = Uint8Array.from([0x05, 0xff, 0xff, 0xff, 0xff, 0x0f])
    const bad = answer(await rawRequest(a2.libp2p, a1.peerId, PROTOCOL_DHT_DELEGATE, garbage, DelegateResponse))
    assert.equal(bad.error, DelegateError.MALFORMED_MESSAGE)
    const tooLarge = new Uint8Array(200 * 1024)
    tooLarge.set([0x80, 0x80, 0x0d])
    const large = await rawRequest(a2.libp2p, a1.peerId, PROTOCOL_DHT_DELEGATE, tooLarge, DelegateResponse)
    assert.ok(large.error != null || large.response.error === DelegateError.MESSAGE_TOO_LARGE, `answered ${JSON.stringify(large.response)}`)
    const path = join(tmp.path, 'afterjunkplover.txt')
    writeFileSync(path, randomBytes(300))
    await a2.share([path])
    await waitUntil('a1 stopped storing records after bad input', async () => (await collect(searchDht(b2.libp2p, ['afterjunkplover'], { timeoutMs: 5_000 }))).length > 0, WAIT_MS)
  })

  it('a DHT server takes a provider claim from anyone, checked against the provider\'s own signature', async () => {
    const cid = parseCid(entry('x', 'claimedlark.txt').cid)
    const { id, claim } = await stranger(cid)
    const took = answer(await rawRequest(b2.libp2p, b1.peerId, PROTOCOL_DHT_PROVIDE, frame(ProvideRequest.encode({ version: WIRE_VERSION, claim })), ProvideResponse))
    assert.equal(took.error, ProvideError.PROVIDE_NONE, took.message)
    const held = await (b1.libp2p.services.dht as any).providers.getProviders(cid)
    assert.ok(held.some((p: PeerId) => p.equals(id)), 'b1 does not hold the claimed provider record')
    assert.ok((await b1.libp2p.peerStore.get(id)).addresses.some(a => a.multiaddr.toString() === '/ip4/127.0.0.9/tcp/4001'))
  })

  it('a DHT server refuses forged, stale and unsigned claims; a member does not serve claims at all', async () => {
    const { claim } = await stranger()
    const { claim: otherClaim } = await stranger()
    const forged = { claim: claim.claim, signature: otherClaim.signature }
    const send = async (to: PeerhiveNode, c: typeof claim): Promise<ProvideResponse> =>
      answer(await rawRequest(b2.libp2p, to.peerId, PROTOCOL_DHT_PROVIDE, frame(ProvideRequest.encode({ version: WIRE_VERSION, claim: c })), ProvideResponse))
    const forgedAnswer = await send(b1, forged)
    assert.equal(forgedAnswer.error, ProvideError.PROVIDE_INVALID_CLAIM)
    assert.match(forgedAnswer.message, /not signed by/)
    const { claim: stale } = await stranger(undefined, 2 * 60 * 60_000)
    assert.equal((await send(b1, stale)).error, ProvideError.PROVIDE_INVALID_CLAIM)
    assert.equal((await send(b1, { claim: claim.claim, signature: new Uint8Array() })).error, ProvideError.PROVIDE_INVALID_CLAIM)
    assert.equal((await send(a2, claim)).error, ProvideError.PROVIDE_NOT_A_SERVER)
  })

  it('a member whose virtual server does not speak the protocol stores its records itself', async () => {
    await a1.libp2p.unhandle(PROTOCOL_DHT_DELEGATE)
    try {
      const before = a2Rounds.length
      const path = join(tmp.path, 'olderserverwren.txt')
      writeFileSync(path, randomBytes(300))
      await a2.share([path])
      await waitUntil('the member\'s records were lost', async () => (await collect(searchDht(b2.libp2p, ['olderserverwren'], { timeoutMs: 5_000 }))).length > 0, WAIT_MS)
      assert.ok(a2Rounds.slice(before).some(r => r.published > 0 && r.failed === 0))
      assert.ok(await wordIsProvidedBy(b2, 'olderserverwren', a2.peerId))
    } finally {
      await (a1.sharing as any).delegateServer.start()
    }
  })
})

async function wordIsProvidedBy (searcher: PeerhiveNode, word: string, provider: string): Promise<boolean> {
  const found: PeerInfo[] = await collect(findFileProviders(searcher.libp2p, wordCid(word), { timeoutMs: 5_000 }))
  return found.some(p => p.id.toString() === provider)
}
