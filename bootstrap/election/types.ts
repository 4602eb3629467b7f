/** A node's place in the network, as the central server assigns it. */
export type Role = 'bootstrap' | 'virtual-server' | 'member' | 'central-client'

/** What the election knows of a peer. Everything here is observed or bounded by the bootstrap. */
export interface Candidate {
  peerId: string
  subnet: string
  /** ms since the epoch when the bootstrap first saw this peer in its current stay */
  joinedAt: number
  /** the bootstrap could open a TCP connection to the peer's advertised address */
  reachable: boolean
  cpus: number
  memoryMb: number
}

/** One virtual server and its group. `limit` counts the virtual server itself (the seed's limit_count). */
export interface Group {
  server: string
  members: string[]
  limit: number
}

export interface SubnetState {
  subnet: string
  servers: Group[]
  centralClients: string[]
}

export interface Placement {
  peerId: string
  subnet: string
  role: Exclude<Role, 'bootstrap'>
  /** the peer's virtual server; its own id for a virtual server, null for a central client */
  virtualServer: string | null
}

/** The result of an event: where the peer is now, and which subnet tables changed. */
export interface ElectionChange {
  placement?: Placement
  changedSubnets: string[]
}
