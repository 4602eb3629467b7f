/**
 * Sees every search request a peer sends, on a new stream or on a session's
 * (protocols/search.md): the benchmarks count requests per search with it.
 * Wrapping libp2p.dialProtocol would miss the requests that reuse a stream.
 */
import { searchSessions } from '../../src/sharing/search-ask.js'
import type { PeerhiveNode } from '../../src/index.js'

/** Calls `seen` with the PeerId each search request of `node` goes to, and the request's outcome. */
export function watchSearchRequests (node: PeerhiveNode, seen: (peerId: string, outcome: Promise<unknown>) => void): void {
  const sessions = searchSessions(node.libp2p) as any
  const ask = sessions.ask.bind(sessions)
  sessions.ask = (peer: unknown, request: unknown, signal: AbortSignal) => {
    const outcome = ask(peer, request, signal)
    seen(String(peer), outcome)
    return outcome
  }
}
