/**
 * What the services that follow the node's role (DhtRole, ConnectionBudget,
 * GossipPace) take from it, after js-libp2p's service pattern: each names
 * the few components it uses, a factory binds its init, and src/node.ts
 * composes them from one components object.
 */
import type { Libp2p } from 'libp2p'
import type { ComponentLogger, Connection, Libp2pEvents, PeerStore, TypedEventTarget } from '@libp2p/interface'
import type { TopologyClient } from './topology-client.js'

/** The node's placement, and an event when it changes. */
export type Placements = Pick<TopologyClient, 'addEventListener' | 'removeEventListener' | 'placement'>

export interface RoleComponents {
  logger: ComponentLogger
  placements: Placements & Pick<TopologyClient, 'bootstrapId'>
  events: TypedEventTarget<Libp2pEvents>
  peerStore: PeerStore
  connections: { getConnections: () => Connection[] }
  /** the kad-dht service, whose mode and pace follow the role */
  dht: unknown
  /** the gossipsub service, whose heartbeat follows the role */
  pubsub: unknown
}

/** The components of a node's stack and its topology client. */
export function roleComponents (libp2p: Libp2p<any>, topology: TopologyClient): RoleComponents {
  return {
    logger: libp2p.logger,
    placements: topology,
    events: libp2p,
    peerStore: libp2p.peerStore,
    connections: libp2p,
    dht: libp2p.services.dht,
    pubsub: libp2p.services.pubsub
  }
}
