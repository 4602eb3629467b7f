import type { DhtModeOption } from './topology/index.js'

/** Options of `createNode()`: a peer daemon, as a library. */
export interface NodeOptions {
  /**
   * Multiaddr of the bootstrap, ending with /p2p/<its PeerId> (required).
   * @default none (required)
   */
  bootstrap: string
  /**
   * Data directory: identity key, API token, node.json. Without it the node
   * gets a new identity each start and serves no local API.
   * @default undefined
   */
  dataDir?: string
  /**
   * Multiaddrs to listen on. Listening on one specific IPv4 address also
   * makes the node dial out from it.
   * @default ['/ip4/0.0.0.0/tcp/0']
   */
  listen?: string[]
  /**
   * Name the node's subnet (CIDR) instead of letting the bootstrap observe
   * it. The bootstrap accepts a claim that differs from what it observes
   * only when started with allowSubnetClaims.
   * @default undefined
   */
  subnet?: string
  /**
   * HOST:PORT to serve Prometheus metrics on.
   * @default undefined (no metrics endpoint)
   */
  metrics?: string
  /**
   * Port of the local control API on 127.0.0.1 (0 picks a free port). Only
   * with dataDir.
   * @default 0
   */
  apiPort?: number
  /**
   * A connection of this node that does not answer a ping within half this
   * time is closed. The node pings each connection every 60 s (or every half
   * of this time, when that is longer): the bootstrap detects dead peers with
   * its own, shorter time, and reassigns them.
   * @default 30000
   */
  peerTimeoutMs?: number
  /**
   * How this node takes part in the Kademlia DHT. `auto` (today the same as
   * `client`): it publishes and searches through the DHT's servers (the
   * bootstrap and `server` nodes) without serving it, whatever its role,
   * which keeps its connections and CPU for its own role. `server`: always
   * serve (an operator's well-connected, long-lived seed node).
   * @default 'auto'
   */
  dhtMode?: DhtModeOption
  /**
   * Behind a NAT router, ask the router over UPnP IGD to forward a port to
   * this node, so others dial it directly (`status` shows `portMapping`).
   * @default true
   */
  upnp?: boolean
  /**
   * Serve a circuit relay for this many peers behind NAT (0: none). The
   * bootstrap hands the relay to peers behind NAT once it can reach this
   * node, so run it only on a publicly reachable host. A relayed connection
   * carries searches and other small exchanges (128 KiB, 120 s each), not
   * file data.
   * @default 0
   */
  relaySlots?: number
  /**
   * First delay before joining the bootstrap again after losing it; it
   * doubles up to backoffMaxMs.
   * @default 250
   */
  backoffInitialMs?: number
  /**
   * Longest delay between two join attempts.
   * @default 2000
   */
  backoffMaxMs?: number
  /**
   * Folders to share at start and keep shared: new files are picked up,
   * changed and removed ones re-indexed.
   * @default []
   */
  share?: string[]
  /**
   * Also share hidden files and folders (a name starting with '.') of the
   * `share` folders. Files inside a peerhive data directory (one holding
   * identity.key or api.token) are never shared.
   * @default false
   */
  shareHidden?: boolean
  /**
   * Donate CPU to the network's jobs (WORK-1..WORK-8): the node registers
   * with the bootstrap as a provider, pulls work units, runs them in the
   * WebAssembly sandbox and sends their outputs to the jobs' owners.
   * @default false
   */
  provider?: boolean
  /**
   * With `provider`: work units run at once (1..1024).
   * @default os.availableParallelism()
   */
  cpus?: number
  /**
   * With `provider`: memory cap of one work unit, in MiB. Jobs that need
   * more are not sent to this node.
   * @default 512
   */
  maxMemoryMb?: number
  /**
   * With `provider`: the CIDs of the only applications this node runs.
   * @default [] (any application)
   */
  apps?: string[]
  /**
   * Start the node before createNode() resolves.
   * @default true
   */
  start?: boolean
}
