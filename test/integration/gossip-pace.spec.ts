/**
 * The gossipsub heartbeat follows the role (issue 9, idle cost): virtual
 * servers beat every second, members every 5 seconds, and a promoted member
 * speeds up. Members still get their tables.
 */
import assert from 'node:assert/strict'
import { PEER_GOSSIP_HEARTBEAT_MS, SERVER_GOSSIP_HEARTBEAT_MS } from '../../src/topology/index.js'
import { TestNetwork } from '../helpers/network.js'
import { waitUntil } from '../helpers/wait.js'
import type { PeerhiveNode } from '../../src/index.js'

const S = 94
const WAIT_MS = 20_000
const WINDOW_MS = 8_000

/** gossipsub's own count of heartbeats run (not in its types) */
function ticks (node: PeerhiveNode): number {
  const n = (node.libp2p.services.pubsub as any).heartbeatTicks
  assert.equal(typeof n, 'number', 'gossipsub no longer counts its heartbeats in heartbeatTicks')
  return n
}

describe('the gossipsub heartbeat follows the role', function () {
  this.timeout(120_000)
  const net = new TestNetwork()
  /** nodes[0] virtual server, nodes[1..2] members (vsLimit 3) */
  const nodes: PeerhiveNode[] = []

  before(async () => {
    await net.startBootstrap({ vsLimit: 3 })
    for (let h = 1; h <= 3; h++) {
      const node = await net.addPeer(S, h)
      await node.waitForPlacement(undefined, AbortSignal.timeout(WAIT_MS))
      nodes.push(node)
    }
  })

  after(async () => {
    await net.stop()
  })

  it('a virtual server beats every second, a member every 5 seconds', async () => {
    const [vs, ...members] = nodes
    assert.deepEqual(nodes.map(n => n.status().role), ['virtual-server', 'member', 'member'])
    // if gossipsub renames this internal, GossipPace silently keeps gossipsub's pace: this fails first
    assert.equal(vs.gossipPace.heartbeatMs(), SERVER_GOSSIP_HEARTBEAT_MS)
    for (const m of members) assert.equal(m.gossipPace.heartbeatMs(), PEER_GOSSIP_HEARTBEAT_MS)
    const before = nodes.map(ticks)
    await new Promise(resolve => setTimeout(resolve, WINDOW_MS))
    const [vsTicks, ...memberTicks] = nodes.map((n, i) => ticks(n) - before[i])
    // 8 at gossipsub's pace; at most 2 in 8 s at 5 s apart
    assert.ok(vsTicks >= 4, `the virtual server ran ${vsTicks} heartbeats in ${WINDOW_MS} ms`)
    for (const t of memberTicks) assert.ok(t <= 2, `a member ran ${t} heartbeats in ${WINDOW_MS} ms`)
  })

  it('a promoted member speeds up, and the other member still gets its subnet\'s new table', async () => {
    const [old, ...rest] = nodes
    await old.stop()
    const promoted = await waitUntil('a member to be promoted', () => rest.find(n => n.status().role === 'virtual-server'), WAIT_MS)
    assert.equal(promoted.gossipPace.heartbeatMs(), SERVER_GOSSIP_HEARTBEAT_MS)
    const other = rest.find(n => n !== promoted)!
    await waitUntil('the other member to follow the new virtual server', () => other.status().virtualServer === promoted.peerId, WAIT_MS)
    assert.equal(other.gossipPace.heartbeatMs(), PEER_GOSSIP_HEARTBEAT_MS)
  })
})
