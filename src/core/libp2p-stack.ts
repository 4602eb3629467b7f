import { isIPv4 } from 'node:net'
import { noise } from '@chainsafe/libp2p-noise'
import { circuitRelayServer, circuitRelayTransport, type CircuitRelayServerInit } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import { identify, identifyPush } from '@libp2p/identify'
import { kadDHT, passthroughMapper, type Selectors, type Validators } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { yamux } from '@libp2p/yamux'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p, type ServiceFactoryMap } from 'libp2p'
import { DHT_ALPHA, DHT_DISJOINT_PATHS, DHT_K, DHT_PROTOCOL, GOSSIP_HUB_MESH, GOSSIP_MESH } from './constants.js'
import { coalescingTcp } from './coalescing-tcp.js'
import { withContactCheck } from './contact-check.js'
import { fastMessageId } from './gossip-message-id.js'
import { InvalidOptionError } from './errors.js'
import { checkListenAddresses } from './listen-addresses.js'
import { isForeignLanAddress, isRelayedAddress } from './lan-addresses.js'
import { stackLogger } from './quiet-logger.js'
import { grantYamuxCreditAtHalfWindow } from './yamux-window.js'
import { skipEmptyLengthReads } from './length-prefix-decoder.js'
import { keepEd25519KeyObjects } from './ed25519-key-objects.js'
import type { ConnectionGater, PrivateKey } from '@libp2p/interface'

export interface StackInit {
  privateKey: PrivateKey
  listen: string[]
  /** the bootstrap accepts bursts of dials from many peers */
  isBootstrap: boolean
  /** failure-detection time: the connection monitor pings every half of it and gives up after the other half */
  peerTimeoutMs: number
  /** ping each connection this often instead of every peerTimeoutMs/2 (a ping still gives up after peerTimeoutMs/2) */
  pingIntervalMs?: number
  /** the DHT mode the node starts in; a peer switches later by role (src/topology/dht-role.ts) */
  dhtMode?: 'client' | 'server'
  /** peerhive services added to the stack */
  services?: ServiceFactoryMap
  /** validators and selectors of the peerhive DHT namespaces (see protocols/dht-records.md) */
  dhtValidators?: Validators
  dhtSelectors?: Selectors
  /** decides which peers may connect (the bootstrap refuses banned providers with it); none: everyone may */
  connectionGater?: ConnectionGater
  /** serve as a circuit relay for peers behind NAT (the `relay` service); none: no relay */
  relay?: CircuitRelayServerInit
}

/** The base stack every node runs (NET-1): TCP, Noise, Yamux, identify, ping, our own Kademlia DHT, gossipsub. */
export async function createStack (init: StackInit): Promise<Libp2p<any>> {
  checkListenAddresses(init.listen)
  const localAddress = dialFromAddress(init.listen)
  const half = Math.max(250, Math.floor(init.peerTimeoutMs / 2))
  const pingInterval = init.pingIntervalMs ?? half
  const logger = stackLogger()
  grantYamuxCreditAtHalfWindow()
  skipEmptyLengthReads()
  keepEd25519KeyObjects(init.privateKey)
  return createLibp2p({
    // started by the node, once everything else is built and checked
    start: false,
    privateKey: init.privateKey,
    ...(logger == null ? {} : { logger }),
    addresses: { listen: init.listen, announceFilter: withoutLoopbackBesideOthers },
    // another home's LAN address only hangs a dial before the relayed address is tried
    connectionGater: { denyDialMultiaddr: isForeignLanAddress, ...init.connectionGater },
    // net.connect honours localAddress; the TCP transport passes dialOpts through untyped
    // the relay transport dials peers behind NAT through their relay, and reserves this node's slot when it is behind one
    transports: [coalescingTcp(localAddress == null ? {} : { dialOpts: { localAddress } as any }), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    // the connection monitor pings every connection already; yamux's own keep-alive pinged each one again every 30 s from both ends
    streamMuxers: [yamux({ enableKeepAlive: false })],
    connectionManager: init.isBootstrap
      ? { maxConnections: 10_000, inboundConnectionThreshold: 1_000, maxIncomingPendingConnections: 512, maxParallelDials: 100 }
      : { maxConnections: 128, inboundConnectionThreshold: 50 },
    connectionMonitor: {
      pingInterval,
      pingTimeout: { minTimeout: half, maxTimeout: half }
    },
    services: {
      identify: identify(),
      // tells connected peers when this node starts or stops serving the DHT, so their routing tables follow
      identifyPush: identifyPush(),
      // the connection monitor and the DHT both ping; one stream each is not enough
      ping: ping({ maxInboundStreams: 8, maxOutboundStreams: 8 }),
      dht: withContactCheck(kadDHT({
        protocol: DHT_PROTOCOL,
        alpha: DHT_ALPHA,
        disjointPaths: DHT_DISJOINT_PATHS,
        kBucketSize: DHT_K,
        clientMode: init.dhtMode === 'client',
        peerInfoMapper: passthroughMapper,
        logPrefix: 'peerhive:dht',
        validators: init.dhtValidators,
        selectors: init.dhtSelectors
      })),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        floodPublish: true,
        // a smaller mesh: fewer copies of every message; the bootstrap's holds every peer (see GOSSIP_MESH and GOSSIP_HUB_MESH)
        ...(init.isBootstrap ? GOSSIP_HUB_MESH : GOSSIP_MESH),
        // Peers of one subnet share an address by design, and on loopback every node does.
        scoreParams: { IPColocationFactorWeight: 0 },
        maxInboundDataLength: 512 * 1024,
        // copies of a message are recognised before their signature is checked again
        fastMsgIdFn: fastMessageId
      }),
      ...(init.relay == null ? {} : { relay: circuitRelayServer(init.relay) }),
      ...(init.services ?? {})
    }
  })
}

/**
 * The addresses a node tells others (identify, DHT records, relay
 * reservations): a node that listens on every interface leaves out its
 * loopback ones when it has others, since a peer dialling 127.0.0.1 reaches
 * itself or a stranger on its own host. A node on loopback only (tests, one
 * host) keeps them.
 */
export function withoutLoopbackBesideOthers (addrs: Multiaddr[]): Multiaddr[] {
  const loopback = (ma: Multiaddr): boolean => {
    const ip = ma.getComponents().find(c => c.name === 'ip4' || c.name === 'ip6')?.value
    return ip != null && (ip.startsWith('127.') || ip === '::1') && !isRelayedAddress(ma)
  }
  const others = addrs.filter(ma => !loopback(ma))
  return others.length > 0 ? others : addrs
}

/**
 * A node that listens on one specific IPv4 address also dials out from it,
 * so the bootstrap sees it in that address's subnet (this is how tests and
 * the demo build subnets out of 127.0.S.H).
 */
export function dialFromAddress (listen: string[]): string | undefined {
  const ips = new Set<string>()
  for (const a of listen) {
    let ma
    try {
      ma = multiaddr(a)
    } catch (err: any) {
      throw new InvalidOptionError(`not a multiaddr: "${a}" (${err.message}); expected for example /ip4/127.0.9.1/tcp/0`)
    }
    const ip = ma.getComponents().find(c => c.name === 'ip4' || c.name === 'ip6')?.value
    if (ip != null) ips.add(ip)
  }
  if (ips.size !== 1) return undefined
  const [ip] = ips
  return isIPv4(ip) && ip !== '0.0.0.0' ? ip : undefined
}
