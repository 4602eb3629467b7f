/**
 * The DHT's check of routing-table contacts (src/core/contact-check.ts): a
 * peer we are or just were connected to is alive without a dial; any other
 * is pinged. The routing table of a real node uses it.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { TypedEventEmitter } from 'main-event'
import { ContactCheck } from '../../src/core/contact-check.js'
import { createStack } from '../../src/core/libp2p-stack.js'
import type { PeerId } from '@libp2p/interface'

async function newPeerId (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

/** A ContactCheck over a ping that counts its calls and a connection list the test sets. */
function harness (freshMs = 60_000): { check: ContactCheck, pinged: unknown[], connected: Set<string>, close: (peer: PeerId) => void } {
  const pinged: unknown[] = []
  const connected = new Set<string>()
  const events = new TypedEventEmitter<any>()
  const check = new ContactCheck({
    ping: { ping: async (peer: unknown) => { pinged.push(peer); return 7 } },
    connectionManager: { getConnections: (peer: PeerId) => connected.has(peer.toString()) ? [{}] : [] } as any,
    events
  }, freshMs)
  const close = (peer: PeerId): void => {
    connected.delete(peer.toString())
    events.safeDispatchEvent('connection:close', { detail: { remotePeer: peer } })
  }
  return { check, pinged, connected, close }
}

describe('ContactCheck', () => {
  it('a connected peer is alive without a ping', async () => {
    const h = harness()
    const peer = await newPeerId()
    h.connected.add(peer.toString())
    assert.equal(await h.check.ping(peer), 0)
    assert.equal(h.pinged.length, 0)
  })

  it('a peer whose connection closed a moment ago is alive without a dial; after the fresh window it is pinged', async () => {
    const h = harness(200)
    const peer = await newPeerId()
    h.connected.add(peer.toString())
    h.close(peer)
    assert.equal(await h.check.ping(peer), 0)
    assert.equal(h.pinged.length, 0)
    await new Promise(resolve => setTimeout(resolve, 250))
    assert.equal(await h.check.ping(peer), 7)
    assert.deepEqual(h.pinged, [peer])
  })

  it('a peer never connected, or a multiaddr, is pinged for real', async () => {
    const h = harness()
    const stranger = await newPeerId()
    assert.equal(await h.check.ping(stranger), 7)
    const addr = multiaddr('/ip4/127.0.0.1/tcp/1')
    assert.equal(await h.check.ping(addr), 7)
    assert.deepEqual(h.pinged, [stranger, addr])
  })

  it('forgets the oldest peers past 4,096, so its memory is bounded', async () => {
    const h = harness()
    const first = await newPeerId()
    h.close(first)
    for (let i = 0; i < 4_096; i++) h.close(await newPeerId())
    await h.check.ping(first)
    assert.deepEqual(h.pinged, [first], 'the oldest peer was forgotten, so it is pinged')
  })

  it('is what the routing table of a real node checks contacts with', async () => {
    const libp2p = await createStack({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], isBootstrap: false, peerTimeoutMs: 10_000 })
    try {
      const table: any = libp2p.services.dht.routingTable
      // kad-dht's routing table pings through components.ping (routing-table/index.js, pingContact)
      assert.ok(table.components.ping instanceof ContactCheck, 'kad-dht\'s routing table pings through ContactCheck')
      assert.notEqual(libp2p.services.ping, table.components.ping, 'the node\'s own ping service is untouched')
    } finally {
      await libp2p.stop()
    }
  })
})
