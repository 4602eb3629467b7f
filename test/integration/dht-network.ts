/**
 * In-process DHT nodes for the DHT tests: the DHT part of createStack
 * (src/core/libp2p-stack.ts) — TCP, Noise, Yamux, identify, ping, kad-dht
 * under our protocol in server mode with the passthrough mapper — plus
 * peerhive's validators and selectors, on 127.0.0.1.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper, type SingleKadDHT } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p, type Libp2p } from 'libp2p'
import { DHT_PROTOCOL } from '../../src/core/constants.js'
import { peerhiveSelectors, peerhiveValidators } from '../../src/sharing/dht/index.js'
import { waitUntil } from '../helpers/wait.js'
import type { PrivateKey } from '@libp2p/interface'

export type DhtLibp2p = Libp2p<{ dht: SingleKadDHT, identify: unknown, ping: unknown }>

export interface DhtTestNode {
  libp2p: DhtLibp2p
  privateKey: PrivateKey
}

export async function createDhtNode (): Promise<DhtTestNode> {
  const privateKey = await generateKeyPair('Ed25519')
  const libp2p = await createLibp2p({
    privateKey,
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // as createStack: the default inbound threshold resets bursts of dials from one host
    connectionManager: { maxConnections: 128, inboundConnectionThreshold: 50 },
    services: {
      identify: identify(),
      ping: ping({ maxInboundStreams: 8, maxOutboundStreams: 8 }),
      dht: kadDHT({
        protocol: DHT_PROTOCOL,
        clientMode: false,
        peerInfoMapper: passthroughMapper,
        logPrefix: 'peerhive:dht',
        validators: peerhiveValidators,
        selectors: peerhiveSelectors
      }) as any
    }
  }) as unknown as DhtLibp2p
  return { libp2p, privateKey }
}

/** `count` nodes, each connected to every other, with full routing tables. */
export async function startDhtNetwork (count: number): Promise<DhtTestNode[]> {
  const nodes = await Promise.all(Array.from({ length: count }, async () => createDhtNode()))
  for (let i = 1; i < nodes.length; i++) {
    await Promise.all(nodes.slice(0, i).map(async other => nodes[i].libp2p.dial(other.libp2p.getMultiaddrs()[0])))
  }
  await waitUntil('full DHT routing tables', () => nodes.every(n => n.libp2p.services.dht.routingTable.size >= count - 1), 20_000)
  return nodes
}

export async function stopDhtNetwork (nodes: DhtTestNode[]): Promise<void> {
  await Promise.allSettled(nodes.map(async n => n.libp2p.stop()))
}
