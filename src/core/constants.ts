/**
 * Settings shared by every node: the stack's DHT and gossip parameters,
 * topics, and the bootstrap's defaults. Each protocol's own id, limits and
 * timeouts are in src/protocols (its wire contract).
 */
/** Our own DHT, so peerhive never joins the public IPFS DHT. */
export const DHT_PROTOCOL = '/peerhive/kad/1.0.0'
/**
 * Peers a DHT query asks at once, and its disjoint paths. kad-dht's default
 * of 10 and 10 made every lookup dial a large share of the servers (each a
 * Noise handshake): at 1,000 peers the announcements of arriving peers
 * saturated both cores and joins timed out. Kademlia's classic 3 is enough
 * with a hundred servers.
 */
export const DHT_ALPHA = 3
/**
 * Independent paths of one DHT lookup. Each path converges on the k closest
 * servers by itself, so three paths asked up to three times the servers: at
 * 400 peers members sent about 60 FIND_NODE requests each. One path, as in
 * go-libp2p-kad-dht; records are signed and checked, and stores go to k servers.
 */
export const DHT_DISJOINT_PATHS = 1
/**
 * Closest servers a record goes to, and the k-bucket size: 5 copies among
 * the virtual servers, not kad-dht's 20. A lookup asks about k servers and
 * a store writes to k, so every announcement costs about 2k requests, most
 * of them on new connections. At 400 peers, 10 copies kept announcements
 * timing out (and retrying) for minutes; with 5 the network settled 46 s
 * after the last arrival instead of 160 s. Records are re-announced every
 * 6 hours, so a lost copy comes back.
 */
export const DHT_K = 5
/**
 * A join's or an index push's first connection gets its own deadline,
 * apart from the exchange's: on a loaded machine the Noise handshake waits
 * behind busy event loops, and a handshake abandoned with the exchange threw
 * away the CPU both ends had spent on it, which the next attempt spent
 * again. (libp2p still gives each address at most 6 s.)
 */
export const DIAL_TIMEOUT_MS = 30_000
/**
 * gossipsub's mesh degree (its defaults are D 6, Dlo 4, Dhi 12, Dlazy 6,
 * Dout 2). Each node forwards the first copy of a message to its mesh peers,
 * and every copy costs both ends a Noise frame, a decode and a hash. Our
 * publishers flood to every subscriber they are connected to (the bootstrap
 * to every peer), so the mesh only relays, and the keyword filters'
 * relaying was most of it: at 1,000 arriving peers gossipsub took 39 % of
 * the peers' CPU. With this mesh the workers' CPU per arrival fell from 176
 * to 160 ms and join p99 from 4 to 1.1 s; lazy gossip (IHAVE to Dlazy
 * peers) still repairs a copy the mesh missed.
 */
export const GOSSIP_MESH = { D: 3, Dlo: 2, Dhi: 5, Dlazy: 3, Dout: 1 } as const
/**
 * The bootstrap's mesh holds every subscriber it is connected to: the
 * keyword filter topic is a star around it (virtual servers do not link to
 * each other in a large network), so each server's new filter reaches every
 * other server in two hops, one copy each. A server-to-server mesh needed
 * about 1.6 more connections per arrival and sent duplicates and lazy
 * gossip: at 1,000 peers the workers' CPU per arrival fell from 168 to 131
 * ms without it.
 */
export const GOSSIP_HUB_MESH = { D: 100_000, Dlo: 100_000, Dhi: 100_000, Dlazy: 3, Dout: 1 } as const
/** Ping for the connection monitor, under our own prefix. */
export const PROTOCOL_PREFIX = 'peerhive'

export const WIRE_VERSION = 1


/** Assignment pushes the bootstrap has in flight at once. */
export const MAX_CONCURRENT_PUSHES = 32

export const DEFAULT_VS_LIMIT = 8
export const DEFAULT_SUBNET_PREFIX_V4 = 24
export const DEFAULT_SUBNET_PREFIX_V6 = 64
/** Failure-detection time at the bootstrap: a silent virtual server is dropped from the table after this long. */
export const DEFAULT_PEER_TIMEOUT_MS = 10_000
/**
 * The same for members and central clients: nobody waits on them, so the
 * bootstrap pings them at this slower pace (bootstrap/network/server-liveness.ts).
 * A peer whose process ends closes its sockets and is dropped at once.
 */
export const DEFAULT_MEMBER_TIMEOUT_MS = 60_000
/**
 * A daemon checks its own connections more lazily: detecting dead peers is
 * the bootstrap's job, and every ping costs CPU on both ends.
 */
export const DEFAULT_DAEMON_PEER_TIMEOUT_MS = 30_000
/**
 * A daemon pings each connection at most this often (longer when half its
 * peerTimeoutMs is longer): pings were ~40% of an idle peer's CPU, and a
 * member need not notice a dead peer itself (the bootstrap does, and
 * reassigns it; a closed socket is noticed at once).
 */
export const DAEMON_PING_INTERVAL_MS = 60_000
/** After a restart, saved peers get this long to come back before they are dropped. */
export const DEFAULT_RESTART_GRACE_MS = 5_000
/** How often the bootstrap looks for table entries whose peer has no connection left. */
export const SWEEP_INTERVAL_MS = 500
export const DEFAULT_BACKOFF_INITIAL_MS = 250
export const DEFAULT_BACKOFF_MAX_MS = 2_000
/** Joins allowed per peer per 10 s window before RATE_LIMITED. */
export const DEFAULT_JOINS_PER_PEER = 10
/** Join exchanges handled at once, all peers together. */
export const DEFAULT_MAX_CONCURRENT_JOINS = 256

/** The bootstrap's circuit relay (src/core/relay-server.ts): reservations it holds at once */
export const DEFAULT_RELAY_SLOTS = 1024
/** bytes one relayed connection may carry before it is closed (without `bulk`) */
export const DEFAULT_RELAY_CONNECTION_BYTES = 128 * 1024
/** how long one relayed connection may stay open (without `bulk`), in ms: libp2p's default */
export const DEFAULT_RELAY_CONNECTION_MS = 120_000

/** The node's private key in the data directory (src/core/identity.ts): it never leaves it. */
export const IDENTITY_FILE = 'identity.key'
/** The local API's bearer token in the data directory (src/api/token.ts): a secret, like the key. */
export const TOKEN_FILE = 'api.token'
