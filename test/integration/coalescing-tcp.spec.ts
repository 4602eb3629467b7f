/**
 * Each small send is one socket write (src/core/coalescing-tcp.ts): Noise
 * hands TCP every frame as its 2-byte length and its ciphertext, and without
 * the wrapper each went out in a write of its own.
 */
import assert from 'node:assert/strict'
import { Socket } from 'node:net'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createStack } from '../../src/core/libp2p-stack.js'
import type { Libp2p } from 'libp2p'

describe('integration: one socket write per small send', function () {
  this.timeout(30_000)
  const nodes: Array<Libp2p<any>> = []
  const write = Socket.prototype.write
  const sizes: number[] = []

  before(async () => {
    for (const ip of ['127.0.57.1', '127.0.57.2']) {
      const node = await createStack({ privateKey: await generateKeyPair('Ed25519'), listen: [`/ip4/${ip}/tcp/0`], isBootstrap: false, peerTimeoutMs: 600_000 })
      await node.start()
      nodes.push(node)
    }
  })

  after(async () => {
    Socket.prototype.write = write
    await Promise.all(nodes.map(async n => n.stop()))
  })

  it('pings over a connection write no frame length on its own, and every write carries a whole frame', async () => {
    const [a, b] = nodes
    await a.dial(b.getMultiaddrs()[0])
    await a.services.ping.ping(b.peerId)
    Socket.prototype.write = function (this: Socket, chunk: any, ...rest: any[]) {
      // only the two nodes' sockets (not, say, a piped stdout)
      if (this.remoteAddress?.startsWith('127.0.57.') === true) sizes.push(chunk?.byteLength ?? chunk?.length ?? -1)
      return (write as any).call(this, chunk, ...rest)
    } as any
    for (let i = 0; i < 20; i++) await a.services.ping.ping(b.peerId)
    Socket.prototype.write = write
    assert.ok(sizes.length >= 20 * 4, `saw ${sizes.length} writes`)
    // a Noise frame is 2 bytes of length, then at least the 16-byte tag
    assert.deepEqual(sizes.filter(n => n < 18), [], 'writes of a lone frame length')
  })
})
