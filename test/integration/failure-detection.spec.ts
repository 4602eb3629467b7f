/**
 * The bootstrap's failure detection by role: a virtual server that stops
 * answering pings is dropped within --peer-timeout (its group fails over);
 * a member is pinged at the slower --member-timeout pace, so a member that
 * stalls for longer than --peer-timeout keeps its place.
 */
import assert from 'node:assert/strict'
import { TestNetwork } from '../helpers/network.js'
import { waitUntil } from '../helpers/wait.js'
import type { PeerhiveNode } from '../../src/index.js'

const SUBNET = 93
const PEER_TIMEOUT_MS = 2_000
const MEMBER_TIMEOUT_MS = 12_000
/** room for timers on a loaded machine */
const SLACK_MS = 3_000
const PING = '/ipfs/ping/1.0.0'

describe('failure detection at the bootstrap', function () {
  this.timeout(60_000)
  const net = new TestNetwork()
  const disconnectedAt = new Map<string, number>()
  let server: PeerhiveNode
  let member: PeerhiveNode

  before(async () => {
    const bootstrap = await net.startBootstrap({ peerTimeoutMs: PEER_TIMEOUT_MS, memberTimeoutMs: MEMBER_TIMEOUT_MS })
    bootstrap.libp2p.addEventListener('peer:disconnect', evt => {
      const id = evt.detail.toString()
      if (!disconnectedAt.has(id)) disconnectedAt.set(id, Date.now())
    })
    server = await net.addPeer(SUBNET, 1)
    await waitUntil('the first peer to become the virtual server', () => server.status().role === 'virtual-server' ? true : undefined, 10_000)
    member = await net.addPeer(SUBNET, 2)
    await waitUntil('the second peer to become a member', () => member.status().role === 'member' ? true : undefined, 10_000)
  })

  after(async () => {
    await net.stop()
  })

  it('a member that stops answering pings keeps its place past --peer-timeout, and is dropped within --member-timeout', async () => {
    const hungAt = await stopAnsweringPings(member)
    const id = member.peerId.toString()
    const at = await waitUntil('the bootstrap to drop the silent member', () => disconnectedAt.get(id), MEMBER_TIMEOUT_MS + SLACK_MS)
    assert.ok(at - hungAt > 2 * PEER_TIMEOUT_MS, `dropped ${at - hungAt} ms after it fell silent: the member pace is slower than --peer-timeout`)
    assert.equal(disconnectedAt.has(server.peerId.toString()), false, 'the virtual server answered its pings and kept its place')
  })

  it('a virtual server that stops answering pings is dropped within --peer-timeout', async () => {
    const hungAt = await stopAnsweringPings(server)
    const at = await waitUntil('the bootstrap to drop the silent virtual server', () => disconnectedAt.get(server.peerId.toString()), MEMBER_TIMEOUT_MS)
    assert.ok(at - hungAt <= PEER_TIMEOUT_MS + SLACK_MS, `dropped ${at - hungAt} ms after it fell silent`)
  })
})

/** The node keeps its connections but never answers a ping again, as a hung process would. */
async function stopAnsweringPings (node: PeerhiveNode): Promise<number> {
  await node.libp2p.unhandle(PING)
  await node.libp2p.handle(PING, () => {}, { maxInboundStreams: 64 })
  return Date.now()
}
