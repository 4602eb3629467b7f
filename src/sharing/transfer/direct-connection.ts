/**
 * File data prefers a direct connection (issue 11). A download may meet a
 * provider behind NAT first through a relay, while a hole punch
 * (src/topology/hole-punch.ts) sets up a direct connection beside it, a few
 * hundred milliseconds later.
 */
import { isRelayedAddress } from '../../core/index.js'
import type { Connection, PeerId } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

/** How long a download waits for a hole punch under way before it gives up on a provider reached only through a relay. */
export const PUNCH_WAIT_MS = 3_000

/** How long a download tries a peer's own addresses when it holds only a relayed connection to it. */
export const DIRECT_DIAL_TIMEOUT_MS = 2_000

/**
 * A connection to `peer` for file data: a direct one when it can have one.
 * libp2p keeps using a relayed connection that carries everything (a relay
 * with --relay-bulk) even once the peer is dialable directly (its router
 * forwarded a port since), so its own addresses are tried first.
 */
export async function connectionForData (libp2p: Libp2p<any>, peer: PeerId, signal: AbortSignal): Promise<Connection> {
  const connection = await libp2p.dial(peer, { signal })
  if (connection.direct) return connection
  const own = (await libp2p.peerStore.get(peer).catch(() => undefined))?.addresses.map(a => a.multiaddr).filter(ma => !isRelayedAddress(ma)) ?? []
  if (own.length === 0) return connection
  try {
    const direct = await libp2p.dial(own.map(ma => ma.encapsulate(`/p2p/${peer.toString()}`)), { signal: AbortSignal.any([signal, AbortSignal.timeout(DIRECT_DIAL_TIMEOUT_MS)]) })
    return direct.direct ? direct : connection
  } catch {
    // another home's LAN addresses are refused at once (the connection gater); the relayed connection stays
    return connection
  }
}

/** Whether an open direct (not relayed) connection to `peer` exists. */
export function hasDirectConnection (libp2p: Libp2p<any>, peer: PeerId): boolean {
  return libp2p.getConnections(peer).some(c => c.direct && c.status === 'open')
}

/** Resolves true once a direct connection to `peer` is open, false after `ms` or on abort. */
export async function directConnectionWithin (libp2p: Libp2p<any>, peer: PeerId, ms: number, signal: AbortSignal): Promise<boolean> {
  if (hasDirectConnection(libp2p, peer)) return true
  if (signal.aborted) return false
  return new Promise(resolve => {
    const done = (found: boolean): void => {
      clearTimeout(timer)
      libp2p.removeEventListener('connection:open', onOpen)
      signal.removeEventListener('abort', onAbort)
      resolve(found)
    }
    const onOpen = (): void => { if (hasDirectConnection(libp2p, peer)) done(true) }
    const onAbort = (): void => { done(false) }
    const timer = setTimeout(() => { done(false) }, ms)
    libp2p.addEventListener('connection:open', onOpen)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
