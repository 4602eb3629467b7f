/**
 * The asking side of search sessions (protocols/search.md, Sessions): a
 * stream whose server said `session_open` waits here for this node's next
 * search to the same peer. Reusing it saves the new stream's protocol
 * negotiation (a round trip) and most of a request's CPU, which is most of
 * what a member's search of its virtual server costs.
 */
import { MAX_SEARCH_RESPONSE_BYTES, PROTOCOL_SEARCH, SEARCH_SESSION_REUSE_MS, SEARCH_TIMEOUT_MS, WIRE_VERSION, closeOrAbort, openRequestChannel, peerIdOf, type RequestChannel } from '../core/index.js'
import { SearchError, SearchRequest, SearchResponse } from '../pb/search.js'
import type { PeerId } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

/**
 * A kept session (keepWarm) is renewed when its stream has been idle this
 * long: before SEARCH_SESSION_REUSE_MS, so the next search always finds it.
 */
export const KEEP_WARM_MS = 30_000
/** How soon keepWarm tries again while it has no session: not connected yet, or the last attempt failed. */
const KEEP_WARM_RETRY_MS = 2_000

/** Answers to a keep-alive that say the server will never take one. */
const OLDER_VERSION = [SearchError.MALFORMED_MESSAGE, SearchError.UNSUPPORTED_VERSION]

/** Idle streams kept per peer: searches to one peer at once beyond it open streams that close after their answer. */
const IDLE_PER_PEER = 2
/** Peers with idle streams; past it, the longest idle peer's go. */
const MAX_IDLE_PEERS = 32

interface Idle {
  channel: RequestChannel
  since: number
  /** drops the stream from the pool once the peer closes or resets it */
  onClose: () => void
}

export class SearchSessions {
  /** by PeerId, in the order their streams went idle (a Map keeps insertion order) */
  private readonly idle = new Map<string, Idle[]>()

  /** the peer whose session is kept open between searches (a member's virtual server), and its next round */
  private warm?: { peer: PeerId, timer?: ReturnType<typeof setTimeout> }

  constructor (private readonly libp2p: Libp2p<any>, private readonly keepWarmMs = KEEP_WARM_MS) {}

  /**
   * Keeps one session with `peer` open ahead of this node's searches (a
   * member with its virtual server, protocols/search.md "Sessions"), so its
   * first search after a quiet spell needs no new stream; undefined stops.
   * A peer that cannot take keep-alives (an older version) is no longer kept.
   */
  keepWarm (peerId: string | undefined): void {
    if (peerId != null && this.warm?.peer.toString() === peerId) return
    clearTimeout(this.warm?.timer)
    this.warm = undefined
    if (peerId == null) return
    try {
      this.warm = { peer: peerIdOf(peerId) }
    } catch {
      return
    }
    void this.round(this.warm)
  }

  /** Asks `peer` over an idle session stream when there is one (a stale one is replaced by a fresh stream), else a new stream. */
  async ask (peer: PeerId, request: SearchRequest, signal: AbortSignal): Promise<SearchResponse> {
    return await this.send(peer, request, signal)
  }

  /** ask's work, shared with the keep-alives, which are no searches: whoever watches ask sees searches only. */
  private async send (peer: PeerId, request: SearchRequest, signal: AbortSignal): Promise<SearchResponse> {
    const reused = this.take(peer.toString())
    if (reused != null) {
      try {
        return await this.exchange(peer, reused, request, signal)
      } catch (err) {
        // the server may have closed the idle stream as this request went out: one fresh stream is tried
        if (signal.aborted) throw err
      }
    }
    // a server behind NAT is reached through a relay, on a limited connection (see SearchServer)
    const channel = await openRequestChannel(this.libp2p, peer, PROTOCOL_SEARCH, MAX_SEARCH_RESPONSE_BYTES, { signal, runOnLimitedConnection: true })
    return await this.exchange(peer, channel, request, signal)
  }

  /** The peer whose session is kept open now (for tests and diagnosis). */
  get keptWarm (): string | undefined {
    return this.warm?.peer.toString()
  }

  /** Idle streams held now (for tests and diagnosis). */
  get size (): number {
    let n = 0
    for (const list of this.idle.values()) n += list.length
    return n
  }

  /**
   * Sends a keep-alive over the kept session unless a search used it lately;
   * opens one when there is none. Never dials: the session rides the
   * connection the member keeps for its index anyway.
   */
  private async renew (peer: PeerId): Promise<void> {
    if (this.libp2p.getConnections(peer).length === 0) return
    const newest = this.newestIdle(peer.toString())
    if (newest != null && performance.now() - newest.since < this.keepWarmMs) return
    const request: SearchRequest = { version: WIRE_VERSION, words: [], limit: 0, wantServers: false, forward: false, forwardTimeoutMs: 0, keepSession: true }
    try {
      const res = await this.send(peer, request, AbortSignal.timeout(SEARCH_TIMEOUT_MS))
      // an older version reads a request with no words as malformed; a busy server (RATE_LIMITED) or one between roles is tried again
      if (OLDER_VERSION.includes(res.error) && this.warm?.peer.equals(peer) === true) this.keepWarm(undefined)
    } catch {
      // the peer is away or restarting: the next round tries again
    }
  }

  /**
   * One round of keepWarm, then the next: when the kept session would
   * reach keepWarmMs of idleness, or soon while there is none yet (a new
   * member's connection to its server opens shortly after its placement).
   */
  private async round (warm: { peer: PeerId, timer?: ReturnType<typeof setTimeout> }): Promise<void> {
    await this.renew(warm.peer)
    // stopped, or another peer kept, meanwhile
    if (this.warm !== warm) return
    const retryMs = Math.min(KEEP_WARM_RETRY_MS, this.keepWarmMs)
    const newest = this.newestIdle(warm.peer.toString())
    const delayMs = newest == null ? retryMs : Math.max(retryMs, newest.since + this.keepWarmMs - performance.now())
    warm.timer = setTimeout(() => { void this.round(warm) }, delayMs)
    warm.timer.unref?.()
  }

  private newestIdle (key: string): Idle | undefined {
    const list = this.idle.get(key)
    return list?.[list.length - 1]
  }

  private async exchange (peer: PeerId, channel: RequestChannel, request: SearchRequest, signal: AbortSignal): Promise<SearchResponse> {
    const res = await channel.exchange(request, SearchRequest, SearchResponse, { maxInboundBytes: MAX_SEARCH_RESPONSE_BYTES, signal })
    if (!(res.sessionOpen && channel.open && this.put(peer.toString(), channel))) await closeOrAbort(channel.stream, signal)
    return res
  }

  private take (key: string): RequestChannel | undefined {
    const list = this.idle.get(key)
    while (list != null && list.length > 0) {
      const entry = list.pop()!
      if (list.length === 0) this.idle.delete(key)
      unwatch(entry)
      if (entry.channel.open && performance.now() - entry.since < SEARCH_SESSION_REUSE_MS) return entry.channel
      void closeOrAbort(entry.channel.stream)
    }
    return undefined
  }

  /** Keeps the stream for the next search to `key`; false when the peer has enough idle streams already. */
  private put (key: string, channel: RequestChannel): boolean {
    const list = this.idle.get(key) ?? []
    if (list.length >= IDLE_PER_PEER) return false
    const onClose = (): void => { this.drop(key, entry) }
    const entry: Idle = { channel, since: performance.now(), onClose }
    channel.stream.addEventListener('close', onClose, { once: true })
    channel.stream.addEventListener('remoteCloseWrite', onClose, { once: true })
    // the peer moves to the end: the longest idle peer is first
    this.idle.delete(key)
    this.idle.set(key, [...list, entry])
    if (this.idle.size > MAX_IDLE_PEERS) {
      const [oldest] = this.idle.keys()
      // a copy: drop takes each out of the list
      for (const e of [...this.idle.get(oldest) ?? []]) this.drop(oldest, e)
    }
    return true
  }

  /** Removes an idle stream and closes our side: the server closed its side, or the pool is full. */
  private drop (key: string, entry: Idle): void {
    const list = this.idle.get(key)
    const at = list?.indexOf(entry) ?? -1
    if (list == null || at < 0) return
    list.splice(at, 1)
    if (list.length === 0) this.idle.delete(key)
    unwatch(entry)
    if (entry.channel.stream.status === 'open') void closeOrAbort(entry.channel.stream)
  }
}

function unwatch (entry: Idle): void {
  entry.channel.stream.removeEventListener('close', entry.onClose)
  entry.channel.stream.removeEventListener('remoteCloseWrite', entry.onClose)
}
