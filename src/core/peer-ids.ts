import { peerIdFromString } from '@libp2p/peer-id'
import type { PeerId } from '@libp2p/interface'

/** PeerIds kept parsed; past it, the oldest is dropped. */
const MAX_PARSED = 4_096
const parsed = new Map<string, PeerId>()

/**
 * peerIdFromString, parsed once per string: a search names the same
 * servers and providers again and again, and every parse decodes base58
 * and a multihash, then encodes base58 again when the PeerId is printed.
 * Throws as peerIdFromString does on a malformed string.
 */
export function peerIdOf (text: string): PeerId {
  let id = parsed.get(text)
  if (id == null) {
    id = peerIdFromString(text)
    if (parsed.size >= MAX_PARSED) parsed.delete(parsed.keys().next().value as string)
    parsed.set(text, id)
  }
  return id
}
