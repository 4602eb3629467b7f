/**
 * The bootstrap's gossip mesh holds every subscriber (GOSSIP_HUB_MESH): in
 * a large network the virtual servers do not link to each other, and the
 * keyword filters they publish reach the others through the bootstrap
 * alone, one copy each, without waiting for lazy gossip.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createStack } from '../../src/core/libp2p-stack.js'
import type { PeerId } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

const TOPIC = '/peerhive-test/hub/1'
const SPOKES = 20

describe('integration: the bootstrap\'s gossip mesh holds every subscriber', function () {
  this.timeout(60_000)
  let hub: Libp2p<any>
  const spokes: Array<Libp2p<any>> = []
  const received = new Map<string, number>()

  before(async () => {
    hub = await createStack({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.60.1/tcp/0'], isBootstrap: true, peerTimeoutMs: 600_000 })
    await hub.start()
    hub.services.pubsub.subscribe(TOPIC)
    // spokes may learn of each other (DHT answers) and would link up on a slow machine: only the hub may be a spoke's peer
    const notHub = (peer: PeerId): boolean => !peer.equals(hub.peerId)
    for (let i = 0; i < SPOKES; i++) {
      const node = await createStack({
        privateKey: await generateKeyPair('Ed25519'),
        listen: [`/ip4/127.0.61.${i + 1}/tcp/0`],
        isBootstrap: false,
        peerTimeoutMs: 10_000,
        connectionGater: { denyDialPeer: notHub, denyInboundEncryptedConnection: notHub, denyOutboundEncryptedConnection: notHub }
      })
      await node.start()
      node.services.pubsub.subscribe(TOPIC)
      const id = node.peerId.toString()
      node.services.pubsub.addEventListener('message', (evt: any) => {
        if (evt.detail.topic === TOPIC) received.set(id, (received.get(id) ?? 0) + 1)
      })
      await node.dial(hub.getMultiaddrs()[0])
      spokes.push(node)
    }
  })

  after(async () => {
    await Promise.all([hub, ...spokes].filter(n => n != null).map(async n => n.stop()))
  })

  it(`grafts all ${SPOKES} subscribers, and a message from one reaches every other through it once`, async () => {
    // gossipsub's own mesh would stop at Dhi peers (5 here, 12 by default)
    await waitFor(() => hub.services.pubsub.getMeshPeers(TOPIC).length === SPOKES, 15_000)
    const [from, ...others] = spokes
    // each spoke's only connection is to the hub (their gaters), so the hub's relaying is the only way on
    for (const s of others) assert.deepEqual(s.getConnections().map(c => c.remotePeer.toString()), [hub.peerId.toString()])
    await from.services.pubsub.publish(TOPIC, new TextEncoder().encode('a filter'))
    await waitFor(() => others.every(s => received.get(s.peerId.toString()) === 1), 10_000)
    assert.equal(received.get(from.peerId.toString()), undefined)
  })
})

async function waitFor (check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}
