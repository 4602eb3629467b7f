import type { RelayOptions } from '../src/core/index.js'
/** Options of `createBootstrap()`: the central server, as a library. */
export interface BootstrapOptions {
  /**
   * Data directory: identity key, SQLite tables (central.db), API token, node.json (required).
   * @default none (required)
   */
  dataDir: string
  /**
   * Multiaddrs to listen on.
   * @default ['/ip4/0.0.0.0/tcp/4001']
   */
  listen?: string[]
  /**
   * Capacity of a virtual server's group, the virtual server itself included
   * (the seed's limit_count). 0 turns virtual servers off: every peer is a
   * central client, served by the bootstrap.
   * @default 8
   */
  vsLimit?: number
  /**
   * Bits of an IPv4 address that make a subnet (router band).
   * @default 24
   */
  subnetPrefix?: number
  /**
   * Bits of an IPv6 address that make a subnet.
   * @default 64
   */
  subnetPrefixV6?: number
  /**
   * Accept a subnet that a peer names itself even when it differs from the
   * subnet its address is in (manual deployments). Off, such a join is
   * refused with SUBNET_MISMATCH.
   * @default false
   */
  allowSubnetClaims?: boolean
  /**
   * Failure-detection time of virtual servers in ms. A peer whose connection
   * closes is dropped at once; a virtual server that stops answering pings
   * is dropped after this long, and its group fails over.
   * @default 10000
   */
  peerTimeoutMs?: number
  /**
   * The same for members and central clients, which are pinged less often:
   * one that stops answering pings is dropped after this long (at least
   * `peerTimeoutMs`). `subnets` never lists a dead peer for longer.
   * @default 60000
   */
  memberTimeoutMs?: number
  /**
   * After a restart, peers saved in the tables keep their places this long
   * while they reconnect; those that do not come back are dropped then.
   * @default 5000
   */
  restartGraceMs?: number
  /**
   * Joins one peer may make per 10 s before it is answered RATE_LIMITED.
   * @default 10
   */
  joinsPerPeer?: number
  /**
   * Join exchanges handled at once, all peers together.
   * @default 256
   */
  maxConcurrentJoins?: number
  /**
   * Changes to one subnet within this many ms are published as one table.
   * @default 20
   */
  publishDelayMs?: number
  /**
   * HOST:PORT to serve Prometheus metrics on.
   * @default undefined (no metrics endpoint)
   */
  metrics?: string
  /**
   * HOST:PORT to serve the operator's dashboard on (port 0 picks a free
   * one): a live web page of the network map, providers, jobs and the
   * central server's load. Reading it needs no token, so bind it where only
   * the operator reaches (loopback, or behind an authenticating proxy);
   * removing a provider from it needs the local API token (api.token).
   * The page's URL is printed at start and recorded in node.json.
   * @default undefined (no dashboard)
   */
  dashboard?: string
  /**
   * Port of the local control API on 127.0.0.1 (0 picks a free port).
   * @default 0
   */
  apiPort?: number
  /**
   * How the work manager hands out units (protocols/compute.md, Scheduling):
   * `fcfs` by job priority, then submission order, then unit order;
   * `priority` also ranks providers by their level, gives the fastest the
   * units with the largest cost first and makes the slower half wait while
   * work is scarce.
   * @default 'fcfs'
   */
  schedule?: 'fcfs' | 'priority'
  /**
   * PeerIds allowed to remove and ban providers (ADMIN_REMOVE of
   * /peerhive/jobs/1.0.0), besides the bootstrap's own.
   * @default []
   */
  admins?: string[]
  /**
   * The circuit relay for peers behind NAT: how many slots, and whether it
   * carries file and unit data (see RelayOptions and the README's "Behind a
   * router").
   * @default { slots: 1024, bulk: false, connectionBytes: 131072, connectionMs: 120000 }
   */
  relay?: RelayOptions
  /**
   * How long after a job's deadlineMs an unreported replica times out: the
   * allowance for the report's trip.
   * @default 1000
   */
  reportGraceMs?: number
  /**
   * Start the bootstrap before createBootstrap() resolves.
   * @default true
   */
  start?: boolean
}
