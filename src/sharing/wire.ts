import { peerIdFromString } from '@libp2p/peer-id'
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

/** Addresses this node knows for a peer (from identify), for search hits. */
export async function knownAddrs (libp2p: Libp2p<any>, peerId: string, max = 4): Promise<string[]> {
  try {
    const peer = await libp2p.peerStore.get(peerIdFromString(peerId))
    return peer.addresses.slice(0, max).map(a => a.multiaddr.toString())
  } catch {
    return []
  }
}
