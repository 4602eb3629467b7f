/**
 * A paper model of the bootstrap's network cost per peer, built from the
 * constants in the code and the sizes the simulation measures. It answers
 * "what breaks first" at sizes we cannot run; it is an estimate, and each
 * term says where its constant comes from.
 */
import { DEFAULT_DAEMON_PEER_TIMEOUT_MS, DEFAULT_PEER_TIMEOUT_MS, MAX_TABLE_BYTES } from '../../src/core/index.js'
import { Election, type Candidate } from '../../bootstrap/election/index.js'

/** The bootstrap's connectionManager.maxConnections (src/core/libp2p-stack.ts). */
export const BOOTSTRAP_MAX_CONNECTIONS = 10_000
/** The directory's repeated-field limit (protocols/assignment.proto, src/core/subnet-table.ts). */
export const DIRECTORY_MAX_SERVERS = 4_096
/** Republisher defaults (bootstrap/network/republisher.ts): resends after a change, then the steady pace. */
export const REPUBLISH_AFTER_CHANGE_MS = [1_000, 3_000, 10_000]
export const REPUBLISH_STEADY_MS = 30_000
/** DirectoryPublisher's debounce (bootstrap/network/directory-publisher.ts): at most one new directory per second. */
export const DIRECTORY_DEBOUNCE_MS = 1_000
/** gossipsub defaults (node_modules/@libp2p/gossipsub/dist/src/constants.js): heartbeat 1 s, D 6, Dlazy 6, gossip factor 0.25, gossip over 3 heartbeats */
export const GOSSIP = { heartbeatMs: 1_000, d: 6, dLazy: 6, factor: 0.25, historyGossip: 3 }
/**
 * Estimated bytes of one connection-monitor ping, both directions, on an
 * open Noise + Yamux connection: a new stream (Yamux 12-byte headers for
 * open, data and close each way), multistream-select of /ipfs/ping/1.0.0
 * (about 38 bytes each way), 32 bytes out and 32 back, and 18 bytes of Noise
 * framing per write. Not measured: a modelling constant.
 */
export const PING_EXCHANGE_BYTES = 300
/**
 * Estimated envelope of one signed gossipsub message on the wire: from (38),
 * seqno (8), Ed25519 signature (64), topic (about 40), protobuf and RPC
 * framing, Yamux and Noise framing (about 30). Not measured: a modelling constant.
 */
export const GOSSIP_ENVELOPE_BYTES = 180
/** An IHAVE control message with one message id, framed. Not measured: a modelling constant. */
export const IHAVE_BYTES = 100

export interface NetworkInput {
  peers: number
  subnets: number
  virtualServers: number
  /** mean table bytes per subnet, weighted by subscribers (a peer receives its own subnet's table) */
  tableBytesPerPeer: number
  /** the whole directory's protobuf bytes (what one message would hold with no 256 KiB limit) */
  directoryBytes: number
  /** mean time a peer stays, for churn (joins = leaves per second = peers / sessionS); null: idle, nobody joins or leaves */
  sessionS: number | null
}

export interface NetworkModel {
  input: NetworkInput
  bootstrapConnections: { needed: number, max: number, fits: boolean }
  directory: { bytes: number, servers: number, fitsOneMessage: boolean, pagesOf256KiB: number, changesPerSec: number, sendsPerSec: number }
  /** bytes per second the bootstrap sends and receives per placed, idle peer, by cause */
  bootstrapBytesPerPeerPerSec: Record<string, number> & { total: number }
  /** bytes per second the bootstrap sends and receives, all peers together */
  bootstrapBytesPerSec: number
  /** what each peer receives per second from the directory topic: once from the bootstrap, up to D times with mesh forwarding */
  peerDirectoryBytesPerSec: { low: number, high: number }
  /** one directory change: bytes the bootstrap sends, its follow-up resends included */
  bytesPerDirectoryChange: number
}

/** How many after-change resends happen before the next change, when changes come every `gapMs`. */
function resendsBefore (gapMs: number): number {
  return REPUBLISH_AFTER_CHANGE_MS.filter(d => d < gapMs).length
}

/** gossip (IHAVE) the bootstrap emits for one published message on a topic with `subscribers` peers (it is in no mesh: fanout only). */
function ihaveBytesPerMessage (subscribers: number): number {
  const perHeartbeat = Math.min(subscribers, Math.max(GOSSIP.dLazy, Math.floor(GOSSIP.factor * Math.max(0, subscribers - GOSSIP.d))))
  return GOSSIP.historyGossip * perHeartbeat * IHAVE_BYTES
}

export function networkModel (input: NetworkInput): NetworkModel {
  const { peers, virtualServers } = input
  const vsFraction = virtualServers / peers
  // every leave of a virtual server fails over (a new id), and about as many joins found a new group
  const directoryEventsPerSec = input.sessionS == null ? 0 : 2 * (peers / input.sessionS) * vsFraction
  const changesPerSec = Math.min(directoryEventsPerSec, 1000 / DIRECTORY_DEBOUNCE_MS)
  const gapMs = changesPerSec > 0 ? 1000 / changesPerSec : Infinity
  const sendsPerSec = 1000 / REPUBLISH_STEADY_MS + changesPerSec * (1 + resendsBefore(gapMs))
  const directoryMessage = input.directoryBytes + GOSSIP_ENVELOPE_BYTES
  // floodPublish: the bootstrap sends each directory to every subscriber, and every peer subscribes
  const directoryPerPeer = sendsPerSec * (directoryMessage + ihaveBytesPerMessage(peers) / peers)
  const tablePerPeer = (1000 / REPUBLISH_STEADY_MS) * (input.tableBytesPerPeer + GOSSIP_ENVELOPE_BYTES + ihaveBytesPerMessage(peers / input.subnets) / (peers / input.subnets))
  // the bootstrap pings each connection every DEFAULT_PEER_TIMEOUT_MS / 2, a daemon every DEFAULT_DAEMON_PEER_TIMEOUT_MS / 2
  const pings = PING_EXCHANGE_BYTES * (2000 / DEFAULT_PEER_TIMEOUT_MS + 2000 / DEFAULT_DAEMON_PEER_TIMEOUT_MS)
  const perPeer = {
    pings: round(pings),
    subnetTableRepublish: round(tablePerPeer),
    directory: round(directoryPerPeer),
    total: 0
  }
  perPeer.total = round(perPeer.pings + perPeer.subnetTableRepublish + perPeer.directory)
  return {
    input,
    bootstrapConnections: { needed: peers, max: BOOTSTRAP_MAX_CONNECTIONS, fits: peers < BOOTSTRAP_MAX_CONNECTIONS },
    directory: {
      bytes: input.directoryBytes,
      servers: virtualServers,
      fitsOneMessage: input.directoryBytes <= MAX_TABLE_BYTES && virtualServers <= DIRECTORY_MAX_SERVERS,
      pagesOf256KiB: Math.max(Math.ceil(input.directoryBytes / MAX_TABLE_BYTES), Math.ceil(virtualServers / DIRECTORY_MAX_SERVERS)),
      changesPerSec: round(changesPerSec, 3),
      sendsPerSec: round(sendsPerSec, 3)
    },
    bootstrapBytesPerPeerPerSec: perPeer,
    bootstrapBytesPerSec: Math.round(perPeer.total * peers),
    peerDirectoryBytesPerSec: { low: round(sendsPerSec * directoryMessage), high: round(sendsPerSec * directoryMessage * GOSSIP.d) },
    bytesPerDirectoryChange: Math.round((1 + REPUBLISH_AFTER_CHANGE_MS.length) * (directoryMessage * peers + ihaveBytesPerMessage(peers)))
  }
}

function round (n: number, digits = 1): number {
  const f = 10 ** digits
  return Math.round(n * f) / f
}

export interface ArrivalResult {
  order: 'shuffled' | 'round-robin'
  peers: number
  joinsPerSec: number
  /** seconds in which the set of virtual servers changed */
  secondsWithChange: number
  directorySends: number
  /** directory bytes the bootstrap sends per join, all peers present at each send counted */
  directoryBytesPerJoin: number
}

/**
 * Directory bytes per join while peers arrive at a steady rate, replayed
 * with the product's Election: each second, R peers join; if the set of
 * virtual servers changed, a new directory goes to every peer already
 * there (DirectoryPublisher: at most one per second), followed by the
 * Republisher's resends at 1, 3 and 10 s and then every 30 s. The arrival
 * order matters: shuffled arrivals change the set all along, round-robin
 * ones (host 1 of every subnet, then host 2, ...) only in the first and
 * the promoting rounds.
 */
export function replayArrivals (peers: Array<Pick<Candidate, 'peerId' | 'subnet' | 'joinedAt' | 'reachable' | 'cpus' | 'memoryMb'>>, order: ArrivalResult['order'], joinsPerSec: number, vsLimit: number, bytesPerServer: number): ArrivalResult {
  const election = new Election({ limit: vsLimit, now: () => 0 })
  const servers = new Set<string>()
  let bytes = 0
  let sends = 0
  let secondsWithChange = 0
  let lastChange = -Infinity
  const seconds = Math.ceil(peers.length / joinsPerSec)
  for (let t = 0; t < seconds; t++) {
    let changed = false
    for (const p of peers.slice(t * joinsPerSec, (t + 1) * joinsPerSec)) {
      const place = election.join({ ...p }).placement
      const vs = place?.virtualServer
      if (vs != null && !servers.has(vs)) {
        servers.add(vs)
        changed = true
      }
    }
    const since = t - lastChange
    let send = false
    if (changed) {
      lastChange = t
      secondsWithChange++
      send = true
    } else if (REPUBLISH_AFTER_CHANGE_MS.includes(since * 1000)) {
      send = true
    } else if (since * 1000 > REPUBLISH_AFTER_CHANGE_MS[REPUBLISH_AFTER_CHANGE_MS.length - 1] && (since * 1000 - REPUBLISH_AFTER_CHANGE_MS[REPUBLISH_AFTER_CHANGE_MS.length - 1]) % REPUBLISH_STEADY_MS === 0) {
      send = true
    }
    if (send) {
      const present = Math.min(peers.length, (t + 1) * joinsPerSec)
      bytes += present * (servers.size * bytesPerServer + GOSSIP_ENVELOPE_BYTES)
      sends++
    }
  }
  return { order, peers: peers.length, joinsPerSec, secondsWithChange, directorySends: sends, directoryBytesPerJoin: Math.round(bytes / peers.length) }
}
