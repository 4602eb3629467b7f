/**
 * The connection budget by role (issue 9, idle cost): a member closes idle
 * connections beyond its budget, never the links its role needs (the
 * bootstrap, its virtual server) and never a connection that is busy.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { KEEP_ALIVE } from '@libp2p/interface'
import { createStack } from '../../src/core/index.js'
import { budgetFor, connectionBudget, isIdle, neededPeers, roleComponents } from '../../src/topology/index.js'
import { TestNetwork } from '../helpers/network.js'
import { waitUntil } from '../helpers/wait.js'
import type { PeerhiveNode } from '../../src/index.js'
import type { Libp2p } from 'libp2p'

const S = 94
const WAIT_MS = 20_000
const EXTRA = 6
const BUSY_PROTOCOL = '/peerhive-test/busy/1.0.0'

describe('the connection budget by role', function () {
  this.timeout(90_000)
  const net = new TestNetwork()
  const extras: Array<Libp2p<any>> = []
  let vs: PeerhiveNode
  let member: PeerhiveNode

  before(async () => {
    await net.startBootstrap({ vsLimit: 3 })
    // run as a DHT server, as an operator's seed node is: the last case needs one (under auto no peer serves the DHT)
    vs = await net.addPeer(S, 1, { dhtMode: 'server' })
    await vs.waitForPlacement(['virtual-server'], AbortSignal.timeout(WAIT_MS))
    member = await net.addPeer(S, 2)
    await member.waitForPlacement(['member'], AbortSignal.timeout(WAIT_MS))
    await waitUntil('the member to be connected to its virtual server', () => member.libp2p.getConnections(vs.libp2p.peerId).length > 0, WAIT_MS)
    // a peer that holds a stream open to the member: a busy link
    await member.libp2p.handle(BUSY_PROTOCOL, () => {})
    for (let i = 0; i < EXTRA; i++) {
      const node = await createStack({ privateKey: await generateKeyPair('Ed25519'), listen: [`/ip4/127.0.${S + 1}.${i + 1}/tcp/0`], isBootstrap: false, peerTimeoutMs: 30_000 })
      await node.start()
      extras.push(node)
      await node.dial(member.libp2p.getMultiaddrs()[0])
    }
  })

  after(async () => {
    await Promise.allSettled(extras.map(async n => n.stop()))
    await net.stop()
  })

  it('a member keeps fewer idle links than a virtual server; both keep what their role needs', () => {
    assert.ok(budgetFor('member') < budgetFor('virtual-server'))
    assert.equal(budgetFor('joining'), budgetFor('member'))
    assert.deepEqual([...neededPeers(member.topology.placement(), 'boot')].sort(), ['boot', vs.peerId].sort())
    assert.deepEqual([...neededPeers(vs.topology.placement(), 'boot')].sort(), ['boot', member.peerId].sort())
  })

  it('a stream other than pings, identify and gossipsub makes a connection busy', () => {
    assert.equal(isIdle({ streams: [] }), true)
    assert.equal(isIdle({ streams: [{ protocol: '/meshsub/1.1.0' }, { protocol: '/ipfs/id/1.0.0' }, { protocol: '/ipfs/ping/1.0.0' }] as any }), true)
    assert.equal(isIdle({ streams: [{ protocol: '/meshsub/1.1.0' }, { protocol: '/peerhive/transfer/1.0.0' }] as any }), false)
  })

  it('closes idle connections over the budget, keeps the bootstrap, the virtual server, a busy link and a kept-alive peer', async () => {
    const busy = await extras[0].dialProtocol(member.libp2p.peerId, BUSY_PROTOCOL)
    // kad-dht keeps its closest peers with this tag (the reconnect queue dials them again); every node drops it
    for (const extra of extras.slice(2)) await member.libp2p.peerStore.merge(extra.peerId, { tags: { [`${KEEP_ALIVE}-kad-dht`]: { value: 1 } } })
    // anyone else's keep-alive is respected
    await member.libp2p.peerStore.merge(extras[1].peerId, { tags: { [`${KEEP_ALIVE}-test`]: { value: 1 } } })
    const budget = connectionBudget({ member: 1, checkDelayMs: 100 })(roleComponents(member.libp2p, member.topology))
    const before = member.libp2p.getConnections().length
    assert.ok(before >= EXTRA + 2, `the member has ${before} connections`)
    budget.start()
    try {
      // bootstrap + virtual server (needed) + 1 (budget); the busy and the kept-alive link cannot be closed, so 4 may remain
      await waitUntil('the member to trim its idle connections', () => member.libp2p.getConnections().length <= 4, WAIT_MS)
      const peers = member.libp2p.getConnections().map(c => c.remotePeer.toString())
      assert.ok(peers.includes(net.bootstrap.peerId), 'kept the bootstrap')
      assert.ok(peers.includes(vs.peerId), 'kept the virtual server')
      assert.ok(peers.includes(extras[0].peerId.toString()), 'kept the busy link')
      assert.ok(peers.includes(extras[1].peerId.toString()), 'kept the peer another component keeps alive')
      for (const extra of extras.slice(2)) {
        const tags = (await member.libp2p.peerStore.get(extra.peerId)).tags
        assert.equal(tags.has(`${KEEP_ALIVE}-kad-dht`), false, 'a closed DHT peer is not dialled again by the reconnect queue')
      }
      assert.ok(member.status().bootstrapConnected)
    } finally {
      budget.stop()
      busy.abort(new Error('test over'))
    }
  })

  it('a DHT client and a DHT server both drop kad-dht\'s keep-alive tag, so a peer that trims them is not dialled again at once', async () => {
    assert.equal(member.dhtRole.mode(), 'client')
    await waitUntil('the virtual server run as a DHT server to serve it', () => vs.dhtRole.mode() === 'server', WAIT_MS)
    const peer = extras[EXTRA - 1].peerId
    for (const node of [member, vs]) {
      await node.libp2p.peerStore.merge(peer, { tags: { [`${KEEP_ALIVE}-kad-dht`]: { value: 1 }, 'kad-close': { value: 50 } } })
      await waitUntil(`the ${node.status().role}'s keep-alive tag to be dropped`, async () => !(await node.libp2p.peerStore.get(peer)).tags.has(`${KEEP_ALIVE}-kad-dht`), WAIT_MS)
      // the value tag stays: it ranks the peer when the budget picks what to keep
      assert.equal((await node.libp2p.peerStore.get(peer)).tags.get('kad-close')?.value, 50)
    }
  })
})
