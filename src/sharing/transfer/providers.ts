import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { MAX_ADDRS_PER_PROVIDER, PING_TIMEOUT_MS } from './constants.js'
import type { ProviderInfo, ProviderReport } from './types.js'
import type { PeerId } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

/** A provider ready to be asked, with the report that tells what it did. */
export interface Candidate {
  peerId: PeerId
  report: ProviderReport
}

/** Providers pinged per download at most: the nearest are among the first anyway. */
const MAX_PINGED = 32
/** Entries of the caller's list looked at. */
const MAX_LISTED = 1024

/**
 * Orders providers nearest first (SHARE-4): those in our own subnet, then by
 * measured round trip (libp2p ping; the ping also opens the connection the
 * transfer will use), unreachable ones last. Keeps the best `max`. Entries
 * that are not usable (bad PeerId, ourselves, duplicates) are left out.
 */
export async function rankProviders (libp2p: Libp2p<any>, providers: ProviderInfo[], max: number, signal: AbortSignal): Promise<Candidate[]> {
  const self = libp2p.peerId.toString()
  const seen = new Set<string>()
  const candidates: Array<Candidate & { addrs: Multiaddr[] }> = []
  for (const p of providers.slice(0, MAX_LISTED)) {
    let peerId: PeerId
    try {
      peerId = peerIdFromString(String(p.peerId))
    } catch {
      continue
    }
    const id = peerId.toString()
    if (id === self || seen.has(id)) continue
    seen.add(id)
    candidates.push({ peerId, addrs: usableAddrs(Array.isArray(p.addrs) ? p.addrs : [], id), report: { peerId: id, outcome: 'unused', pieces: 0, sameSubnet: p.sameSubnet === true } })
  }
  // same subnet first, keeping the caller's order within each group
  const pool = stableSort(candidates, (a, b) => Number(b.report.sameSubnet) - Number(a.report.sameSubnet)).slice(0, MAX_PINGED)
  await Promise.all(pool.map(async c => {
    if (c.addrs.length > 0) await libp2p.peerStore.merge(c.peerId, { multiaddrs: c.addrs })
    c.report.rttMs = await rtt(libp2p, c.peerId, signal)
  }))
  return stableSort(pool, (a, b) =>
    Number(b.report.sameSubnet) - Number(a.report.sameSubnet) ||
    (a.report.rttMs ?? Infinity) - (b.report.rttMs ?? Infinity)
  ).slice(0, Math.max(1, max)).map(({ peerId, report }) => ({ peerId, report }))
}

/** Round trip to `peer` in ms, or undefined when it does not answer in time. */
async function rtt (libp2p: Libp2p<any>, peer: PeerId, signal: AbortSignal): Promise<number | undefined> {
  const ping = libp2p.services.ping
  if (ping == null) return undefined
  try {
    return await ping.ping(peer, { signal: AbortSignal.any([signal, AbortSignal.timeout(PING_TIMEOUT_MS)]) })
  } catch {
    return undefined
  }
}

/** At most 8 addresses that parse, without a /p2p part naming another peer (a relay's is fine). */
function usableAddrs (addrs: string[], peerId: string): Multiaddr[] {
  const out: Multiaddr[] = []
  for (const a of addrs) {
    if (out.length >= MAX_ADDRS_PER_PROVIDER) break
    try {
      const ma = multiaddr(String(a))
      // a relayed address names the relay first: the peer is the /p2p after its /p2p-circuit
      const parts = ma.getComponents()
      const circuit = parts.findLastIndex(c => c.name === 'p2p-circuit')
      const p2p = parts.slice(circuit + 1).find(c => c.name === 'p2p')?.value
      if (p2p != null && p2p !== peerId) continue
      out.push(ma)
    } catch {}
  }
  return out
}

function stableSort<T> (items: T[], compare: (a: T, b: T) => number): T[] {
  return items.map((item, i) => ({ item, i })).sort((a, b) => compare(a.item, b.item) || a.i - b.i).map(x => x.item)
}
