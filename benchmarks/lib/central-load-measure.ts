/**
 * What the "central-load" benchmark reads of the bootstrap between two
 * moments: its Prometheus counters for the peerhive protocols, the TCP
 * bytes of its libp2p sockets (socket-counter preload), and its CPU time.
 */
import { cpuSecondsOf, type CliBootstrap } from './cli-bootstrap.js'
import { now } from './clock.js'
import { byLabel, sumOf, type Sample } from './prometheus.js'
import { round, subtractRecords } from './stats.js'
import type { SocketSnapshot } from './socket-counter.js'

export const PROTOCOL_SEARCH = '/peerhive/search/1.0.0'
export const PROTOCOL_INDEX = '/peerhive/index/1.0.0'
export const PROTOCOL_JOIN = '/peerhive/join/1.0.0'

export interface BootstrapSnapshot {
  label: string
  t: number
  metrics: Sample[]
  sockets: SocketSnapshot
  cpuS?: number
}

/** What the bootstrap handled between two snapshots. */
export interface BootstrapDelta {
  fromTo: string
  seconds: number
  searchRequests: number
  searchRequestsByOutcome: Record<string, number>
  searchBytesIn: number
  searchBytesOut: number
  /** in + out: the search messages' protobuf bytes */
  searchBytes: number
  indexRequests: number
  indexBytes: number
  joinRequests: number
  directoryGossipBytesOut: number
  assignmentGossipBytesOut: number
  /** TCP payload bytes of every libp2p socket of the bootstrap (all protocols, Noise and Yamux framing) */
  socketBytesIn: number
  socketBytesOut: number
  socketBytes: number
  cpuSeconds: number | null
}

/** `timeoutMs` bounds each read (a loaded bootstrap answers slowly; the defaults suit a calm one). */
export async function snapshotBootstrap (bootstrap: CliBootstrap, label: string, timeoutMs?: number): Promise<BootstrapSnapshot> {
  const [metrics, sockets] = await Promise.all([bootstrap.metrics(timeoutMs), bootstrap.sockets(timeoutMs)])
  return { label, t: now(), metrics, sockets, cpuS: cpuSecondsOf(bootstrap.pid) }
}

export function deltaOf (bootstrap: CliBootstrap, a: BootstrapSnapshot, b: BootstrapSnapshot): BootstrapDelta {
  const d = (name: string, match: Record<string, string> = {}): number => sumOf(b.metrics, name, match) - sumOf(a.metrics, name, match)
  const req = 'peerhive_protocol_requests_total'
  const bytes = 'peerhive_protocol_bytes_total'
  const sockets = libp2pSocketBytes(bootstrap, a.sockets, b.sockets)
  const searchBytesIn = d(bytes, { protocol: PROTOCOL_SEARCH, direction: 'in' })
  const searchBytesOut = d(bytes, { protocol: PROTOCOL_SEARCH, direction: 'out' })
  return {
    fromTo: `${a.label} -> ${b.label}`,
    seconds: round((b.t - a.t) / 1000, 2),
    searchRequests: d(req, { protocol: PROTOCOL_SEARCH }),
    searchRequestsByOutcome: subtractRecords(byLabel(b.metrics, req, 'outcome', { protocol: PROTOCOL_SEARCH }), byLabel(a.metrics, req, 'outcome', { protocol: PROTOCOL_SEARCH })),
    searchBytesIn,
    searchBytesOut,
    searchBytes: searchBytesIn + searchBytesOut,
    indexRequests: d(req, { protocol: PROTOCOL_INDEX }),
    indexBytes: d(bytes, { protocol: PROTOCOL_INDEX }),
    joinRequests: d(req, { protocol: PROTOCOL_JOIN }),
    directoryGossipBytesOut: d(bytes, { protocol: 'gossipsub:directory', direction: 'out' }),
    assignmentGossipBytesOut: d(bytes, { protocol: 'gossipsub:assignments', direction: 'out' }),
    socketBytesIn: sockets.read,
    socketBytesOut: sockets.written,
    socketBytes: sockets.read + sockets.written,
    cpuSeconds: a.cpuS != null && b.cpuS != null ? round(b.cpuS - a.cpuS) : null
  }
}

/** Bytes of the bootstrap's libp2p sockets (accepted on its libp2p port, or dialed by it); its local HTTP API and metrics sockets are left out. */
function libp2pSocketBytes (bootstrap: CliBootstrap, a: SocketSnapshot, b: SocketSnapshot): { read: number, written: number } {
  let read = 0
  let written = 0
  const libp2p = (key: string): boolean => key === 'dialed' || Number(key.split(':')[1]) === bootstrap.libp2pPort
  for (const key of new Set([...Object.keys(a.buckets), ...Object.keys(b.buckets)])) {
    if (!libp2p(key)) continue
    read += (b.buckets[key]?.bytesRead ?? 0) - (a.buckets[key]?.bytesRead ?? 0)
    written += (b.buckets[key]?.bytesWritten ?? 0) - (a.buckets[key]?.bytesWritten ?? 0)
  }
  return { read, written }
}

/** a / b with `digits` decimals; null when it cannot be computed. */
export function fraction (a: number | null | undefined, b: number | null | undefined, digits = 4): number | null {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null
  return round(a / b, digits)
}

/** A small seeded PRNG (mulberry32): the same seed gives the same workload in both modes. */
export function prng (seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6D2B79F5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function shuffle<T> (xs: T[], rand: () => number): T[] {
  const out = [...xs]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

/**
 * Counts a few lines of the product's own debug log (DEBUG=peerhive:topology,peerhive:share
 * in the worker processes): failed first dials of a member to its virtual
 * server, and failed index pushes. The log does not name the peer that wrote a line.
 */
export class ProductLogTally {
  static readonly DEBUG = 'peerhive:topology,peerhive:share'
  private partial = ''
  private readonly counts = {
    virtualServerDialFailed: new Map<string, number>(),
    indexPushFailed: new Map<string, number>()
  }

  attach (stream: NodeJS.ReadableStream | null | undefined): void {
    stream?.on('data', (chunk: Buffer | string) => { this.push(String(chunk)) })
  }

  push (chunk: string): void {
    const lines = (this.partial + chunk).split('\n')
    this.partial = (lines.pop() ?? '').slice(-4_096)
    for (const line of lines) {
      let m = / peerhive:topology could not reach the virtual server - (.*)$/.exec(line)
      if (m != null) bump(this.counts.virtualServerDialFailed, errorName(m[1]))
      m = / peerhive:share index update to \S+ failed, retrying in \d+ ms - (.*)$/.exec(line)
      if (m != null) bump(this.counts.indexPushFailed, errorName(m[1]))
    }
  }

  figures (): Record<string, any> {
    const obj = (m: Map<string, number>): Record<string, number> => Object.fromEntries([...m].sort((a, b) => b[1] - a[1]).slice(0, 12))
    const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0)
    return {
      virtualServerFirstDialFailed: total(this.counts.virtualServerDialFailed),
      virtualServerFirstDialErrors: obj(this.counts.virtualServerDialFailed),
      indexPushFailed: total(this.counts.indexPushFailed),
      indexPushErrors: obj(this.counts.indexPushFailed),
      what: 'lines of the product\'s debug log in the worker processes: "could not reach the virtual server" (the one dial a member makes to its virtual server\'s addresses when it is placed, src/topology/topology-client.ts) and "index update ... failed, retrying" (src/sharing/index-sync.ts); errors by name and message, PeerIds masked'
    }
  }
}

function bump (m: Map<string, number>, key: string): void {
  if (m.size < 200 || m.has(key)) m.set(key, (m.get(key) ?? 0) + 1)
}

function errorName (text: string): string {
  return text.replace(/12D3KooW\w+/g, '<peer>').replace(/\/ip4\/[\d.]+\/tcp\/\d+/g, '<addr>').slice(0, 160)
}
