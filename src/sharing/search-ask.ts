/**
 * Asking indexes for a search (protocols/search.md): one request to one
 * index, and the remote tier's rounds over the routed servers, nearest
 * first. A searcher uses both, and so does a virtual server that asks the
 * routed servers for one of its members (forwarding).
 */
import { multiaddr } from '@multiformats/multiaddr'
import { WIRE_VERSION, peerIdOf } from '../core/index.js'
import { SearchError, type SearchResponse, type ServerRef } from '../pb/search.js'
import { SearchSessions } from './search-sessions.js'
import { SearchRefusedError } from './model/errors.js'
import type { Libp2p } from 'libp2p'

/** Routed servers asked at once, nearest first: a round that finds results ends the remote tier. */
export const FAN_OUT = 4

/** What one search request asks, besides its words. */
export interface AskFields {
  limit: number
  wantServers: boolean
  /** ask a member's virtual server to ask the routed servers itself, within this many ms */
  forwardTimeoutMs?: number
}

/** Each node's idle search streams, kept with the node itself (a node's searches and forwards share them). */
const sessions = new WeakMap<Libp2p<any>, SearchSessions>()

export async function askIndex (libp2p: Libp2p<any>, peerId: string, words: string[], fields: AskFields, signal: AbortSignal, ref?: ServerRef): Promise<SearchResponse> {
  const peer = peerIdOf(peerId)
  if (ref != null) await rememberAddrs(libp2p, ref)
  const forward = fields.forwardTimeoutMs != null
  const req = { version: WIRE_VERSION, words, limit: fields.limit, wantServers: fields.wantServers, forward, forwardTimeoutMs: forward ? fields.forwardTimeoutMs ?? 0 : 0, keepSession: false }
  const res = await searchSessions(libp2p).ask(peer, req, signal)
  if (res.error !== SearchError.NONE) throw new SearchRefusedError(peerId, res.error, res.message)
  return res
}

export function searchSessions (libp2p: Libp2p<any>): SearchSessions {
  let pool = sessions.get(libp2p)
  if (pool == null) {
    pool = new SearchSessions(libp2p)
    sessions.set(libp2p, pool)
  }
  return pool
}

/** Tells the peer store where a server is: the directory or a routed answer may know it before libp2p does. */
export async function rememberAddrs (libp2p: Libp2p<any>, ref: ServerRef): Promise<void> {
  if (ref.addrs.length === 0) return
  try {
    const peer = peerIdOf(ref.peerId)
    // a connected peer's addresses are known already: no peer-store write on every search
    if (libp2p.getConnections(peer).length > 0) return
    await libp2p.peerStore.merge(peer, { multiaddrs: ref.addrs.map(a => multiaddr(a)) })
  } catch {
    // a malformed address or PeerId from the network: the request to that server then fails and is skipped
  }
}

/**
 * Asks `servers` FAN_OUT at a time, in their order (nearest first), and
 * yields each server's answer (undefined: it failed) as it comes in, so a
 * slow server of a round holds up no one's results; `roundEnd` marks the
 * round's last one. `stop` is asked before each round: a round that found
 * what was wanted ends the tier.
 */
export async function * askRounds (libp2p: Libp2p<any>, servers: ServerRef[], ask: (server: ServerRef) => Promise<SearchResponse | undefined>, stop: () => boolean): AsyncGenerator<{ server: ServerRef, res?: SearchResponse, roundEnd: boolean }> {
  for (let i = 0; i < servers.length && !stop(); i += FAN_OUT) {
    const round = servers.slice(i, i + FAN_OUT)
    // addresses first, so the round's requests then start nearest first, in order
    await Promise.all(round.map(async s => { await rememberAddrs(libp2p, s) }))
    const pending = new Map(round.map(server => [server, ask(server).then(res => ({ server, res }))]))
    while (pending.size > 0) {
      const next = await Promise.race(pending.values())
      pending.delete(next.server)
      yield { ...next, roundEnd: pending.size === 0 }
    }
  }
}
