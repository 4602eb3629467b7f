/**
 * The DHT's check of routing-table contacts (src/core/contact-check.ts): a
 * peer we are or were recently connected to is alive without a dial; any
 * other is refused without a dial. The routing table of a real node uses it.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { TypedEventEmitter } from 'main-event'
import { ContactCheck, UnknownContactError } from '../../src/core/contact-check.js'
import { createStack } from '../../src/core/libp2p-stack.js'
import type { PeerId } from '@libp2p/interface'

async function newPeerId (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

/** A ContactCheck over a connection list the test sets, and a ping service that must never be called. */
function harness (freshMs = 60_000): { check: ContactCheck, pinged: unknown[], connected: Set<string>, close: (peer: PeerId) => void } {
  const pinged: unknown[] = []
  const connected = new Set<string>()
  const events = new TypedEventEmitter<any>()
  const check = new ContactCheck({
    // the node's ping service sits beside it in the components: a dial would go through it
    ping: { ping: async (peer: unknown) => { pinged.push(peer); return 7 } },
    connectionManager: { getConnections: (peer: PeerId) => connected.has(peer.toString()) ? [{}] : [] } as any,
    events
  } as any, freshMs)
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
    assert.deepEqual(h.pinged, [])
  })

  it('a peer whose connection closed a moment ago is alive without a dial; after the fresh window it is refused, still without one', async () => {
    const h = harness(200)
    const peer = await newPeerId()
    h.connected.add(peer.toString())
    h.close(peer)
    assert.equal(await h.check.ping(peer), 0)
    await new Promise(resolve => setTimeout(resolve, 250))
    await assert.rejects(h.check.ping(peer), UnknownContactError)
    assert.deepEqual(h.pinged, [], 'never dialled')
  })

  it('a peer never connected is refused without a dial; a multiaddr is refused as a bad argument', async () => {
    const h = harness()
    await assert.rejects(h.check.ping(await newPeerId()), UnknownContactError)
    await assert.rejects(h.check.ping(multiaddr('/ip4/127.0.0.1/tcp/1')), TypeError)
    assert.deepEqual(h.pinged, [])
  })

  it('forgets the oldest peers past 4,096, so its memory is bounded', async () => {
    const h = harness()
    const first = await newPeerId()
    h.close(first)
    const last = await newPeerId()
    for (let i = 0; i < 4_095; i++) h.close(await newPeerId())
    h.close(last)
    await assert.rejects(h.check.ping(first), UnknownContactError, 'the oldest peer was forgotten')
    assert.equal(await h.check.ping(last), 0, 'the newest is remembered')
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
