/**
 * A probe of js-libp2p's own hole punching (@libp2p/dcutr) for the netlab
 * benchmark: a bare stack (TCP, Noise, Yamux, identify, circuit relay v2,
 * DCUtR), run in one namespace of the test network.
 *
 *   node netlab-dcutr.js relay               # prints its multiaddr, relays without limits
 *   node netlab-dcutr.js listen <relay>      # reserves a slot, prints its relayed address
 *   node netlab-dcutr.js dial <relay> <addr> # dials <addr> through the relay, waits 10 s for DCUtR
 *
 * Each prints one JSON line when it knows its part. `dial` reports whether a
 * direct connection to the peer appeared, after how long, and the DCUtR
 * steps its log shows (DEBUG=libp2p:dcutr*, read from its own stderr by the
 * caller).
 */
import { noise } from '@chainsafe/libp2p-noise'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'

const WAIT_FOR_UPGRADE_MS = 10_000
const [role, relayAddr, target] = process.argv.slice(2)

const node = await createLibp2p({
  addresses: { listen: role === 'relay' ? ['/ip4/0.0.0.0/tcp/4100'] : ['/ip4/0.0.0.0/tcp/4101'] },
  transports: [tcp(), circuitRelayTransport()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: (role === 'relay'
    ? { identify: identify(), relay: circuitRelayServer({ reservations: { applyDefaultLimit: false } }) }
    : { identify: identify(), dcutr: dcutr() }) as any
})
const print = (o: unknown): void => { process.stdout.write(JSON.stringify(o) + '\n') }

if (role === 'relay') {
  print({ addrs: node.getMultiaddrs().map(a => a.toString()).filter(a => !a.includes('/127.')) })
} else {
  const relay = multiaddr(relayAddr)
  await node.dial(relay)
  await (node as any).components.transportManager.listen([relay.encapsulate('/p2p-circuit')])
  const relayed = node.getMultiaddrs().map(a => a.toString()).filter(a => a.includes('/p2p-circuit') && !a.includes('/127.'))
  if (role === 'listen') {
    print({ relayed, announced: node.getMultiaddrs().map(a => a.toString()) })
  } else {
    const ma = multiaddr(target)
    const peer = ma.getComponents().at(-1)?.value ?? ''
    const t0 = Date.now()
    const conn = await node.dial(ma)
    const direct = await new Promise<number | undefined>(resolve => {
      const check = (): void => {
        if (node.getConnections().some(c => c.remotePeer.toString() === peer && !c.remoteAddr.toString().includes('/p2p-circuit'))) resolve(Date.now() - t0)
      }
      node.addEventListener('connection:open', check)
      setTimeout(() => { resolve(undefined) }, WAIT_FOR_UPGRADE_MS)
    })
    print({ relayedConnection: conn.remoteAddr.toString(), limited: conn.limits != null, direct: direct != null, directAfterMs: direct ?? null, announced: node.getMultiaddrs().map(a => a.toString()) })
  }
}
if (role === 'dial') {
  await node.stop()
  process.exit(0)
}
