/**
 * Forwarding (protocols/search.md): a virtual server asks the routed
 * servers for one of its members, over the links servers keep among
 * themselves, so the member's remote search opens no connection to another
 * subnet (as a Gnutella ultrapeer routes its leaves' queries). Bounded: only
 * the node's own members, a few searches at once, and a deadline each.
 */
import { askIndex, askRounds } from './search-ask.js'
import type { SearchHit, SearchResponse, ServerRef } from '../pb/search.js'
import type { Libp2p } from 'libp2p'

/**
 * Searches forwarded at once; past it, a member asks the routed servers
 * itself. It also keeps forwarded requests to any one server within the 8
 * search streams a server accepts per connection.
 */
export const MAX_FORWARDS_IN_FLIGHT = 8

export interface Forwarded {
  hits: SearchHit[]
  /** requests sent */
  asked: number
  answered: number
  /** servers, from the first, whose round ended before the deadline: the member goes on after them */
  done: number
}

export class SearchForwarder {
  private inFlight = 0

  constructor (private readonly libp2p: Libp2p<any>, private readonly maxInFlight = MAX_FORWARDS_IN_FLIGHT) {}

  /**
   * Asks `servers` (routed, nearest first), FAN_OUT at a time, until a
   * server answers with hits or `timeoutMs` is up; undefined when too many
   * forwarded searches run already. The first hits end it: the rest of
   * their round is not waited for (the member's search, not exhaustive,
   * would stop there too).
   */
  async forward (servers: ServerRef[], words: string[], limit: number, timeoutMs: number): Promise<Forwarded | undefined> {
    if (this.inFlight >= this.maxInFlight) return undefined
    this.inFlight++
    try {
      const signal = AbortSignal.timeout(timeoutMs)
      const out: Forwarded = { hits: [], asked: 0, answered: 0, done: 0 }
      const ask = async (s: ServerRef): Promise<SearchResponse | undefined> => {
        out.asked++
        return askIndex(this.libp2p, s.peerId, words, { limit, wantServers: false }, signal).catch(() => undefined)
      }
      let heard = 0
      for await (const { res, roundEnd } of askRounds(this.libp2p, servers, ask, () => signal.aborted)) {
        heard++
        if (res != null) {
          out.answered++
          out.hits.push(...res.hits)
        }
        // a round the deadline cut short is not done: the member asks its servers again
        if (roundEnd && !signal.aborted) out.done = heard
        if (out.hits.length > 0) break
      }
      out.hits = out.hits.slice(0, limit)
      return out
    } finally {
      this.inFlight--
    }
  }
}
