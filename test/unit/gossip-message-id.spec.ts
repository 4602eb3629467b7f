import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createStack } from '../../src/core/libp2p-stack.js'
import { fastMessageId, type ReceivedGossipMessage } from '../../src/core/gossip-message-id.js'

describe('gossip message ids that recognise copies before their signature is checked', () => {
  const message: ReceivedGossipMessage = {
    topic: '/peerhive/directory/1',
    from: Uint8Array.of(0, 36, 8, 1),
    seqno: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
    data: Uint8Array.of(10, 20, 30),
    signature: Uint8Array.of(99, 98, 97),
    key: undefined
  }

  it('gives every copy of a message the same id', () => {
    assert.equal(fastMessageId(message), fastMessageId({ ...message, data: Uint8Array.from(message.data ?? []) }))
  })

  it('gives a message with any other byte, its signature included, another id', () => {
    const ids = new Set([
      message,
      { ...message, topic: '/peerhive/directory/2' },
      { ...message, from: Uint8Array.of(0, 36, 8, 2) },
      { ...message, seqno: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 9) },
      { ...message, data: Uint8Array.of(10, 20, 31) },
      { ...message, signature: Uint8Array.of(99, 98, 96) },
      { ...message, signature: undefined },
      { ...message, key: Uint8Array.of(1) },
      // the same bytes split differently between fields
      { ...message, data: Uint8Array.of(10, 20), signature: Uint8Array.of(30, 99, 98, 97) }
    ].map(fastMessageId))
    assert.equal(ids.size, 9)
  })

  it('is the id every node\'s gossipsub uses', async () => {
    const libp2p = await createStack({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], isBootstrap: false, peerTimeoutMs: 10_000 })
    assert.equal((libp2p.services.pubsub as any).fastMsgIdFn, fastMessageId)
  })
})
