import type { PortMappingStatus } from './topology/port-mapping.js'

/** What every node says of itself (`peerhive status --json`, NET-9). */
export interface NodeStatus {
  peerId: string
  /** 'joining' until the bootstrap has placed a peer */
  role: 'bootstrap' | 'virtual-server' | 'member' | 'central-client' | 'joining'
  /** CIDR of the node's subnet; null for the bootstrap and before the first join */
  subnet: string | null
  /** PeerId of the node's virtual server: its own for a virtual server, null for the bootstrap and central clients */
  virtualServer: string | null
  /** for a virtual server, its members' PeerIds */
  members: string[]
  addresses: string[]
  /** the user serial the bootstrap gave this peer */
  userSerialId: number | null
  /** the bootstrap's multiaddr, for peers */
  bootstrap: string | null
  /** for a peer, whether it holds a live join with the bootstrap; null for the bootstrap */
  bootstrapConnected: boolean | null
  /** why the last join attempt failed, while the peer is retrying */
  joinError: string | null
  /**
   * whether others can dial this peer: `direct` when the bootstrap saw one
   * of its own addresses, `mapped` when it saw a router's that forwards a
   * port to the peer (UPnP), `behind-nat` when it saw a router's that does
   * not; null for the bootstrap
   */
  reachability: 'unknown' | 'direct' | 'mapped' | 'behind-nat' | null
  /** a peer behind NAT: its slot on the bootstrap's relay (`addrs` are its relayed addresses); null otherwise */
  relay: { state: 'none' | 'reserving' | 'reserved' | 'lost' | 'failed', addrs: string[], error?: string } | null
  /** open connections, by kind: relayed ones go through a circuit relay */
  connections: { direct: number, relayed: number }
  /** a peer behind NAT: direct connections to other homes it tried to set up over relayed ones, how many it got, and relayed connections from public peers it dialled back; null otherwise */
  holePunch: { attempts: number, succeeded: number, answered: number, reversed: number, recentMs: number[], lastError?: string } | null
  /** a peer's port forward on its home router (UPnP IGD), sought once it finds itself behind NAT; null for the bootstrap */
  portMapping: PortMappingStatus | null
  uptimeMs: number
}
