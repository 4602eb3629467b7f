/**
 * src/core/listen-addresses.ts: listen addresses the node cannot use are
 * named in one line (CannotListenError), both when they are checked before
 * libp2p is built and when libp2p itself fails to bind them (real sockets,
 * on loopback and on 192.0.2.1, an address no host here has: binding it
 * sends nothing).
 *
 * Also withoutLoopbackBesideOthers (src/core/libp2p-stack.ts), the filter of the
 * addresses a node announces.
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:net'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { checkListenAddresses, listenFailure, listenReason, startStack } from '../../src/core/listen-addresses.js'
import { CannotListenError } from '../../src/core/errors.js'
import { withoutLoopbackBesideOthers } from '../../src/core/libp2p-stack.js'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'

const TCP_ONLY = 'this node listens on TCP only (for example /ip4/0.0.0.0/tcp/4001)'

async function occupiedPort (): Promise<{ port: number, server: Server }> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as { port: number }).port, server }
}

describe('listen addresses', () => {
  describe('checkListenAddresses (before libp2p is built)', () => {
    it('accepts what the TCP transport listens on', () => {
      const ok = ['/ip4/0.0.0.0/tcp/0', '/ip4/127.0.9.1/tcp/4001', '/ip6/::1/tcp/0', '/dns4/localhost/tcp/0',
        '/ip4/127.0.0.1/tcp/0/p2p/12D3KooWEXPwoYN5iiPM43aeYkMkG7tuuS6Mu1CZbA4Q93x4VDTS', '/unix/tmp%2Fpeerhive.sock']
      assert.deepEqual(checkListenAddresses(ok).map(ma => ma.toString()), ok)
    })

    for (const address of ['/ip4/127.0.0.1/udp/1234', '/ip4/127.0.0.1/tcp/1234/ws', '/ip4/127.0.0.1/udp/1234/quic-v1', '/ip4/127.0.0.1']) {
      it(`refuses ${address}: TCP only, in one line`, () => {
        assert.throws(() => checkListenAddresses(['/ip4/127.0.0.1/tcp/0', address]), (err: any) => {
          assert.equal(err.name, 'CannotListenError')
          assert.deepEqual(err.failures, [{ address, reason: TCP_ONLY }])
          assert.equal(err.message, `cannot listen on ${address}: ${TCP_ONLY}`)
          return true
        })
      })
    }

    it('refuses a text that is not a multiaddr as a bad option', () => {
      assert.throws(() => checkListenAddresses(['127.0.0.1:4001']), (err: any) => {
        assert.equal(err.name, 'InvalidOptionError')
        assert.match(err.message, /^cannot listen on "127\.0\.0\.1:4001": not a multiaddr \(.+\); expected for example \/ip4\/127\.0\.9\.1\/tcp\/0$/)
        assert.doesNotMatch(err.message, /\n/)
        return true
      })
    })
  })

  describe('startStack (libp2p\'s own bind errors)', () => {
    it('names each address libp2p could not listen on, and why, in one line', async () => {
      const { port, server } = await occupiedPort()
      const inUse = `/ip4/127.0.0.1/tcp/${port}`
      const notHere = '/ip4/192.0.2.1/tcp/0'
      const udp = '/ip4/127.0.0.1/udp/1234'
      // built without createStack, so that libp2p itself meets the unsupported address too
      const libp2p = await createLibp2p({ start: false, privateKey: await generateKeyPair('Ed25519'), addresses: { listen: [inUse, notHere, udp] }, transports: [tcp()] })
      try {
        await assert.rejects(startStack(libp2p), (err: any) => {
          assert.ok(err instanceof CannotListenError)
          assert.equal(err.name, 'CannotListenError')
          assert.deepEqual(new Set(err.failures.map((f: any) => JSON.stringify(f))), new Set([
            { address: inUse, reason: 'the port is in use' },
            { address: notHere, reason: 'the IP address 192.0.2.1 is not on this host' },
            { address: udp, reason: TCP_ONLY }
          ].map(f => JSON.stringify(f))))
          assert.doesNotMatch(err.message, /\n|faultTolerance|\bat /)
          assert.equal((err.cause as any)?.name, 'UnsupportedListenAddressesError', 'libp2p\'s error is kept as the cause, for DEBUG')
          return true
        })
      } finally {
        await libp2p.stop()
        server.close()
      }
    })

    it('passes other errors through unchanged', () => {
      const other = new Error('something else')
      assert.equal(listenFailure(other), undefined)
      assert.equal(listenFailure(undefined), undefined)
    })
  })

  describe('listenReason', () => {
    it('turns socket error codes into words', () => {
      assert.equal(listenReason('/ip4/127.0.0.1/tcp/80', 'Error: listen EACCES: permission denied 127.0.0.1:80'), 'permission denied (ports below 1024 need privileges)')
      assert.equal(listenReason('/dns4/nowhere.invalid/tcp/1', 'Error: getaddrinfo ENOTFOUND nowhere.invalid'), 'the host name nowhere.invalid does not resolve')
    })

    it('keeps only the first line of an error it does not know', () => {
      assert.equal(listenReason('/ip4/127.0.0.1/tcp/1', 'Error: strange\n    at somewhere (x.js:1:1)'), 'Error: strange')
    })
  })
})

describe('withoutLoopbackBesideOthers (the addresses a node tells others)', () => {
  const ma = (s: string): Multiaddr => multiaddr(s)
  const texts = (list: Multiaddr[]): string[] => list.map(a => a.toString())

  it('leaves out loopback addresses when the node has others', () => {
    const addrs = ['/ip4/127.0.0.1/tcp/4001', '/ip4/10.1.0.2/tcp/4001', '/ip6/::1/tcp/4001', '/ip4/198.51.100.2/tcp/4001/p2p/12D3KooWLNv6tv1nnVYZQuP6Jyks51MiLRRmXD3pk2WwFcbF4osL/p2p-circuit'].map(ma)
    assert.deepEqual(texts(withoutLoopbackBesideOthers(addrs)), ['/ip4/10.1.0.2/tcp/4001', '/ip4/198.51.100.2/tcp/4001/p2p/12D3KooWLNv6tv1nnVYZQuP6Jyks51MiLRRmXD3pk2WwFcbF4osL/p2p-circuit'])
  })

  it('keeps them when the node is on loopback only', () => {
    const addrs = ['/ip4/127.0.9.1/tcp/4001', '/ip4/127.0.0.1/tcp/4002'].map(ma)
    assert.deepEqual(texts(withoutLoopbackBesideOthers(addrs)), ['/ip4/127.0.9.1/tcp/4001', '/ip4/127.0.0.1/tcp/4002'])
  })
})
