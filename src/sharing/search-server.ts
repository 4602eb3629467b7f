import {
  MAX_SEARCH_HITS, MAX_SEARCH_REQUEST_BYTES, PROTOCOL_SEARCH, SEARCH_TIMEOUT_MS, WIRE_VERSION, serveRequests, tryConsume, type PeerhiveMetrics, type SessionOptions
} from '../core/index.js'
import { SearchError, SearchRequest, SearchResponse, type SearchHit, type ServerRef } from '../pb/search.js'
import { queryWords } from './model/matching.js'
import type { Forwarded } from './search-forward.js'
import { RateLimiter } from '@libp2p/utils'
import type { Connection, Logger, Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

export interface SearchAnswer {
  hits: SearchHit[]
  servers: ServerRef[]
  /** `servers` holds only the servers whose keyword filters may match, nearest first (protocols/filters.md) */
  serversRouted?: boolean
  /** with serversRouted: whether the central index may hold a match */
  centralMayMatch?: boolean
  /** this node asked the routed servers for the requester (forwarding) */
  forwarded?: Forwarded
}

export interface SearchServerInit {
  /**
   * Why this node does not answer searches now (it is no virtual server), or undefined
   * @default none (required)
   */
  refuse: () => string | undefined
  /**
   * Answers one search: the matching entries of the subnet index, at most `limit`, and, when `wantServers`, the other subnets' virtual servers;
   * with `forwardTimeoutMs`, it may also ask those servers for the requester within that time
   * @default none (required)
   */
  answer: (words: string[], limit: number, requester: string, wantServers: boolean, forwardTimeoutMs?: number) => Promise<SearchAnswer> | SearchAnswer
  /**
   * Prometheus metrics to count searches in.
   * @default none (no metrics)
   */
  metrics?: PeerhiveMetrics
  /**
   * Searches one peer may ask per 10 s.
   * @default 200
   */
  requestsPerPeer?: number
  /**
   * Whether a peer is another virtual server: it forwards its members'
   * searches, so it may ask SERVER_ALLOWANCE times as many.
   * @default none (every peer gets requestsPerPeer)
   */
  isServer?: (peerId: string) => boolean
  /**
   * Keep a stream open for the asker's next search (a session) for this many
   * ms after an answer. The bootstrap keeps none: a stream per central
   * client would cost it more than the round trip saves.
   * @default none (one search per stream)
   */
  sessionIdleMs?: number
}

/** How many members' worth of searches a forwarding virtual server may ask (DEFAULT_VS_LIMIT members each). */
export const SERVER_ALLOWANCE = 8

/** Answers /peerhive/search/1.0.0 from this node's index (a virtual server's group, or the bootstrap's central index). */
export class SearchServer {
  private readonly log: Logger
  /** requests per peer per 10 s; more are answered RATE_LIMITED */
  private readonly limiter: RateLimiter
  /** the same for other virtual servers, which forward their members' searches */
  private readonly serverLimiter: RateLimiter

  constructor (private readonly libp2p: Libp2p<any>, private readonly init: SearchServerInit) {
    this.log = libp2p.logger.forComponent('peerhive:search')
    this.limiter = new RateLimiter({ points: init.requestsPerPeer ?? 200, duration: 10 })
    this.serverLimiter = new RateLimiter({ points: (init.requestsPerPeer ?? 200) * SERVER_ALLOWANCE, duration: 10 })
  }

  async start (): Promise<void> {
    await this.libp2p.handle(PROTOCOL_SEARCH, (stream: Stream, connection: Connection) => { void this.onStream(stream, connection) }, {
      maxInboundStreams: 8,
      // this node's own searches to one peer use the same limit
      maxOutboundStreams: 8,
      // a search is small: it may cross a relay's limited connection to a server behind NAT
      runOnLimitedConnection: true
    })
  }

  async stop (): Promise<void> {
    await this.libp2p.unhandle(PROTOCOL_SEARCH)
  }

  private async onStream (stream: Stream, connection: Connection): Promise<void> {
    const requester = connection.remotePeer.toString()
    const idleMs = this.init.sessionIdleMs
    const session: SessionOptions<SearchResponse> | undefined = idleMs == null ? undefined : { idleMs, exchangeMs: SEARCH_TIMEOUT_MS, keepOpen: res => res.sessionOpen }
    await serveRequests(stream, requester, {
      protocol: PROTOCOL_SEARCH,
      request: SearchRequest,
      response: SearchResponse,
      maxInboundBytes: MAX_SEARCH_REQUEST_BYTES,
      timeoutMs: SEARCH_TIMEOUT_MS,
      session,
      // a keep-alive is no search: counted under its own outcome, so a count of searches can leave it out
      outcomeOf: (res, req) => res.error !== SearchError.NONE ? res.error : req?.keepSession === true ? 'kept' : 'ok',
      badRequest: (err, tooLarge) => response(tooLarge ? SearchError.MESSAGE_TOO_LARGE : SearchError.MALFORMED_MESSAGE, err.message),
      metrics: this.init.metrics,
      log: this.log
    }, async req => {
      const res = await this.answer(req, requester)
      return { ...res, sessionOpen: session != null && res.error === SearchError.NONE }
    })
  }

  private async answer (req: SearchRequest, requester: string): Promise<SearchResponse> {
    if (req.version !== WIRE_VERSION) return response(SearchError.UNSUPPORTED_VERSION, `search version ${req.version} is not supported; this node speaks ${WIRE_VERSION}`)
    const limiter = this.init.isServer?.(requester) === true ? this.serverLimiter : this.limiter
    if (!tryConsume(limiter, requester)) return response(SearchError.RATE_LIMITED, 'too many searches from this peer; retry in a few seconds')
    const refusal = this.init.refuse()
    if (refusal != null) return response(SearchError.NOT_A_SERVER, refusal)
    if (req.keepSession) {
      const asksMore = req.words.length > 0 || req.wantServers || req.forward
      return response(asksMore ? SearchError.MALFORMED_MESSAGE : SearchError.NONE, asksMore ? 'a session keep-alive carries no words and asks nothing else' : '')
    }
    const words = queryWords(req.words)
    if (words.length === 0) return response(SearchError.MALFORMED_MESSAGE, 'a search needs at least one word')
    const limit = Math.min(MAX_SEARCH_HITS, Math.max(1, req.limit))
    const forwardMs = req.forward && req.wantServers ? Math.min(MAX_FORWARD_MS, req.forwardTimeoutMs === 0 ? DEFAULT_FORWARD_MS : req.forwardTimeoutMs) : undefined
    const { hits, servers, serversRouted, centralMayMatch, forwarded } = await this.init.answer(words, limit, requester, req.wantServers, forwardMs)
    return {
      ...response(SearchError.NONE, ''),
      hits: hits.slice(0, limit),
      servers: servers.slice(0, MAX_SERVERS),
      serversRouted: serversRouted === true,
      centralMayMatch: centralMayMatch === true,
      forwarded: forwarded != null,
      remoteHits: forwarded?.hits.slice(0, limit) ?? [],
      serversAsked: forwarded?.asked ?? 0,
      serversAnswered: forwarded?.answered ?? 0,
      serversDone: forwarded?.done ?? 0
    }
  }
}

/** Longest a virtual server spends asking the routed servers for a member, whatever the member asks (the exchange itself ends at SEARCH_TIMEOUT_MS). */
export const MAX_FORWARD_MS = 4_000
/** Forwarding time when the request says 0 */
const DEFAULT_FORWARD_MS = 2_000

/** servers per answer (search.proto's limit) */
const MAX_SERVERS = 1024

function response (error: SearchError, message: string): SearchResponse {
  return { version: WIRE_VERSION, error, message, hits: [], servers: [], serversRouted: false, centralMayMatch: false, forwarded: false, remoteHits: [], serversAsked: 0, serversAnswered: 0, serversDone: 0, sessionOpen: false }
}
