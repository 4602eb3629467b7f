import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Logger } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

/**
 * Up to this many servers in the directory, each links to every other: the
 * whole mesh is at most 120 connections, and every search a server forwards
 * for its members then rides an open link. Beyond it, servers do not link:
 * a 100-server mesh of 12 links each slowed the joins of a 1,000-peer
 * network, and one of 4 links each still cost about 1.6 connections per
 * arrival (issue 9). Filters need no links: the bootstrap's gossip mesh
 * holds every server (GOSSIP_HUB_MESH).
 */
export const FULL_MESH_UP_TO = 16
const LINK_DIAL_TIMEOUT_MS = 5_000

/** A stable pseudo-random rank of `peer` as seen from `self` (FNV-1a), so each server links to different ones. */
function rank (self: string, peer: string): number {
  let h = 0x811c9dc5
  for (const s of [self, peer]) for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/**
 * Keeps this virtual server connected to every other virtual server of the
 * directory while the directory is small (FULL_MESH_UP_TO), and to none
 * beyond: `links` picks pseudo-random ones instead, the same each time.
 */
export function linkServers (libp2p: Libp2p<any>, servers: Array<{ peerId: string, addrs: string[] }>, log: Logger, links = servers.length <= FULL_MESH_UP_TO ? servers.length : 0): void {
  if (links <= 0) return
  const self = libp2p.peerId.toString()
  const picked = servers.filter(s => s.peerId !== self).sort((a, b) => rank(self, a.peerId) - rank(self, b.peerId)).slice(0, links)
  for (const s of picked) {
    let peer
    try {
      peer = peerIdFromString(s.peerId)
    } catch {
      continue
    }
    if (libp2p.getConnections(peer).length > 0) continue
    const addrs = s.addrs.flatMap(a => { try { return [multiaddr(a)] } catch { return [] } })
    void libp2p.peerStore.merge(peer, { multiaddrs: addrs })
      .then(async () => libp2p.dial(peer, { signal: AbortSignal.timeout(LINK_DIAL_TIMEOUT_MS) }))
      .catch((err: Error) => { log('could not link to virtual server %s - %e', s.peerId, err) })
  }
}
