import { peerIdOf } from '../core/index.js'
import { FileEntry } from '../pb/file-index.js'
import type { IndexEntry } from './model/types.js'
import type { Libp2p } from 'libp2p'

/** An entry as it travels: the provider is not in it (it is the sender, or named beside it). */
export function toWire (e: IndexEntry): FileEntry {
  return { cid: e.cid, filename: e.filename, directory: e.directory, size: e.size, title: e.title, keywords: e.keywords, userSerialId: e.userSerialId, userid: e.userid }
}

export function fromWire (e: FileEntry, provider: string): IndexEntry {
  return { cid: e.cid, filename: e.filename, directory: e.directory, size: e.size, title: e.title, keywords: e.keywords, provider, userSerialId: e.userSerialId, userid: e.userid }
}

/**
 * Addresses this node knows for peers (from identify), for search hits. A
 * virtual server names the same members in answer after answer, and every
 * peer-store read takes the peer's lock: each peer's are read at most every
 * ttlMs.
 */
export class KnownAddrs {
  private readonly cache = new Map<string, { addrs: string[], at: number }>()

  constructor (private readonly libp2p: Libp2p<any>, private readonly ttlMs = 10_000, private readonly maxPeers = 1_024) {}

  async of (peerId: string, max = 4): Promise<string[]> {
    const now = Date.now()
    const held = this.cache.get(peerId)
    if (held != null && now - held.at < this.ttlMs) return held.addrs.slice(0, max)
    let addrs: string[] = []
    try {
      const peer = await this.libp2p.peerStore.get(peerIdOf(peerId))
      addrs = peer.addresses.slice(0, MAX_KEPT).map(a => a.multiaddr.toString())
    } catch {
      // an unknown peer, or a malformed PeerId from the network: no addresses
    }
    this.cache.delete(peerId)
    // a peer not known yet (identify still running) is read again next time
    if (addrs.length > 0) {
      if (this.cache.size >= this.maxPeers) this.cache.delete(this.cache.keys().next().value as string)
      this.cache.set(peerId, { addrs, at: now })
    }
    return addrs.slice(0, max)
  }
}

/** addresses kept per peer */
const MAX_KEPT = 8
