import assert from 'node:assert/strict'
import { assignmentTopic } from '../../src/core/index.js'
import { TestNetwork } from '../helpers/network.js'
import { waitUntil } from '../helpers/wait.js'
import type { PeerhiveNode } from '../../src/index.js'

describe('the bootstrap pushes a changed place straight to the peer', function () {
  this.timeout(60_000)
  const net = new TestNetwork()
  const peers: PeerhiveNode[] = []

  before(async () => {
    await net.startBootstrap({ vsLimit: 2 })
    for (let h = 1; h <= 3; h++) {
      const node = await net.addPeer(60, h)
      await node.waitForPlacement(undefined, AbortSignal.timeout(10_000))
      peers.push(node)
    }
  })
  after(async () => { await net.stop() })

  it('promotes a central client that hears nothing on gossipsub', async () => {
    const [, , waiting] = peers
    assert.equal(waiting.status().role, 'central-client')
    // cut the central client off its assignment topic: only the direct push can reach it now
    waiting.libp2p.services.pubsub.unsubscribe(assignmentTopic('127.0.60.0/24'))
    const pushedBefore = await pushed()

    const newcomer = await net.addPeer(60, 4)
    await newcomer.waitForPlacement(undefined, AbortSignal.timeout(10_000))
    await waitUntil('the central client to learn of its promotion', () => {
      const st = waiting.status()
      return st.role === 'virtual-server' && st.members.join() === newcomer.peerId
    }, 10_000)
    // the bootstrap counts the push once the peer's ack is back, a moment after the peer applied the table
    await waitUntil('the bootstrap to count the push', async () => await pushed() > pushedBefore, 10_000)
  })

  async function pushed (): Promise<number> {
    const metric = await net.bootstrap.metrics.pushed.get()
    return metric.values.filter(v => v.labels.outcome === 'ok').reduce((n, v) => n + v.value, 0)
  }
})
