/**
 * File data prefers a direct connection (issue 11). A download may meet a
 * provider behind NAT first through a relay, while a hole punch
 * (src/topology/hole-punch.ts) sets up a direct connection beside it, a few
 * hundred milliseconds later.
 */
import type { PeerId } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

/** How long a download waits for a hole punch under way before it gives up on a provider reached only through a relay. */
export const PUNCH_WAIT_MS = 3_000

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
