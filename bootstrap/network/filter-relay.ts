/**
 * The bootstrap's side of the relayed keyword filters (protocols/filters.md,
 * "Relayed by the bootstrap"). Gossiped, every new filter of a server was a
 * signed message that each of the other servers checked, and forwarded to
 * its own mesh peers besides: at 1,000 peers a tenth of the peers' CPU
 * while the network filled (issue 9). Here a server hands its filter over
 * on the connection it keeps to the bootstrap, and the bootstrap hands each
 * server, in one message, every filter it has not had yet: one exchange
 * per server per batch, no signature, no copies. A new server gets every
 * filter at once, not within the 5 minutes of the topic's republishing.
 */
import {
  FILTER_EXCHANGE_TIMEOUT_MS, MAX_FILTER_ACK_BYTES, MAX_FILTER_MESSAGE_BYTES, MAX_FILTER_RELAY_BYTES, MAX_RELAYED_FILTERS,
  PROTOCOL_FILTER, PROTOCOL_FILTER_RELAY, WIRE_VERSION, FilterAck, FilterError, FilterRelay,
  openRequestChannel, peerIdOf, rawBytes, requestResponse, serveRequests, tryConsume, type PeerhiveMetrics, type RelayedFilter
} from '../../src/core/index.js'
import { FILTER_NETWORK_BYTES_PER_SEC, decodeFilter, filterAck, type FilterBook } from '../../src/sharing/index.js'
import { RateLimiter } from '@libp2p/utils'
import type { Connection, Logger, Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

/** How often the relay looks for servers that lack filters. */
const TICK_MS = 250
/** Relays in flight at once. */
const MAX_CONCURRENT_RELAYS = 16
/** A server whose relay failed is tried again after these delays (ms), by failures in a row; an older server (no relay protocol) after the last. */
const RETRY_DELAYS_MS = [1_000, 4_000, 15_000, 60_000, 300_000]
/** Filters one server may hand over per 10 s (a server spaces its own by at least 1 s). */
const HAND_OVERS_PER_SERVER = 20
/** What a RelayedFilter adds to its filter's bytes: the publisher's PeerId and the fields' tags and lengths. */
const ENTRY_OVERHEAD_BYTES = 64

export interface FilterRelayServerInit {
  /** the bootstrap's filter book: filters handed over are routed with like the gossiped ones */
  book: FilterBook
  /** the virtual servers of the election now */
  servers: () => string[]
  isServer: (peerId: string) => boolean
  metrics: PeerhiveMetrics
  log: Logger
}

interface Held { seq: number, bytes: Uint8Array<ArrayBuffer>, rev: number }

export class FilterRelayServer {
  /** each server's newest filter, in the order they came (a Map keeps re-inserted keys last) */
  private readonly held = new Map<string, Held>()
  /** grows with every filter handed over */
  private rev = 0
  /** per server: the rev up to which it has every filter */
  private readonly sentUpTo = new Map<string, number>()
  private readonly failures = new Map<string, { count: number, retryAt: number }>()
  private readonly inFlight = new Set<string>()
  private readonly limiter = new RateLimiter({ points: HAND_OVERS_PER_SERVER, duration: 10 })
  /** bytes the relay may still send now (FILTER_NETWORK_BYTES_PER_SEC, at most one full message ahead) */
  private budget = MAX_FILTER_RELAY_BYTES
  private budgetAt = Date.now()
  private timer?: ReturnType<typeof setInterval>

  constructor (private readonly libp2p: Libp2p<any>, private readonly init: FilterRelayServerInit) {}

  async start (): Promise<void> {
    await this.libp2p.handle(PROTOCOL_FILTER, (stream: Stream, connection: Connection) => { void this.onStream(stream, connection) }, {
      maxInboundStreams: 2,
      maxOutboundStreams: 1
    })
    this.timer = setInterval(() => { this.tick() }, TICK_MS)
    this.timer.unref?.()
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.libp2p.unhandle(PROTOCOL_FILTER)
  }

  private async onStream (stream: Stream, connection: Connection): Promise<void> {
    const from = connection.remotePeer.toString()
    await serveRequests(stream, from, {
      protocol: PROTOCOL_FILTER,
      request: rawBytes,
      response: FilterAck,
      maxInboundBytes: MAX_FILTER_MESSAGE_BYTES,
      timeoutMs: FILTER_EXCHANGE_TIMEOUT_MS,
      outcomeOf: res => res.error === FilterError.NONE ? 'ok' : res.error,
      badRequest: (err, tooLarge) => filterAck(tooLarge ? FilterError.MESSAGE_TOO_LARGE : FilterError.MALFORMED_MESSAGE, err.message),
      metrics: this.init.metrics,
      log: this.init.log
    }, bytes => this.take(from, bytes))
  }

  private take (from: string, bytes: Uint8Array): FilterAck {
    if (!tryConsume(this.limiter, from)) return filterAck(FilterError.RATE_LIMITED, 'too many filters from this peer; send the newest in a few seconds')
    if (!this.init.isServer(from)) return filterAck(FilterError.NOT_A_SERVER, 'only a virtual server of this bootstrap\'s election hands its filter over')
    let decoded
    try {
      decoded = decodeFilter(bytes)
    } catch (err: any) {
      return filterAck(FilterError.MALFORMED_MESSAGE, err.message)
    }
    this.init.book.put(from, decoded.seq, decoded.filter, this.init.isServer)
    const known = this.held.get(from)
    // the same filter again (the 5-minute republish, or a retry whose answer was lost) changes nothing
    if (known == null || known.seq < decoded.seq) {
      this.held.delete(from)
      this.held.set(from, { seq: decoded.seq, bytes: new Uint8Array(bytes), rev: ++this.rev })
    }
    return filterAck(FilterError.NONE, '')
  }

  private tick (): void {
    if (this.rev === 0) return
    const servers = this.init.servers()
    const current = new Set(servers)
    for (const id of [...this.sentUpTo.keys()]) if (!current.has(id)) this.sentUpTo.delete(id)
    for (const id of [...this.failures.keys()]) if (!current.has(id)) this.failures.delete(id)
    // a publisher that is no server now: its filter is not relayed any more
    for (const id of [...this.held.keys()]) if (!current.has(id)) this.held.delete(id)
    const now = Date.now()
    this.budget = Math.min(MAX_FILTER_RELAY_BYTES, this.budget + (now - this.budgetAt) * FILTER_NETWORK_BYTES_PER_SEC / 1000)
    this.budgetAt = now
    for (const server of servers) {
      if (this.inFlight.size >= MAX_CONCURRENT_RELAYS || this.budget <= 0) return
      const upTo = this.sentUpTo.get(server) ?? 0
      if (upTo >= this.rev || this.inFlight.has(server) || (this.failures.get(server)?.retryAt ?? 0) > now) continue
      const batch = this.batchFor(server, upTo)
      if (batch.filters.length === 0) {
        this.sentUpTo.set(server, batch.upTo)
        continue
      }
      this.budget -= batch.bytes
      this.inFlight.add(server)
      void this.relay(server, batch).finally(() => this.inFlight.delete(server))
    }
  }

  /** The filters `server` lacks (handed over after rev `after`, not its own), oldest first, as many as one message holds. */
  private batchFor (server: string, after: number): { filters: RelayedFilter[], upTo: number, bytes: number } {
    const filters: RelayedFilter[] = []
    let bytes = 0
    for (const [publisher, h] of this.held) {
      if (h.rev <= after || publisher === server) continue
      const size = h.bytes.byteLength + ENTRY_OVERHEAD_BYTES
      if (filters.length >= MAX_RELAYED_FILTERS || bytes + size > MAX_FILTER_RELAY_BYTES - 1024) return { filters, upTo: h.rev - 1, bytes }
      filters.push({ publisher, filter: h.bytes })
      bytes += size
    }
    return { filters, upTo: this.rev, bytes }
  }

  private async relay (server: string, batch: { filters: RelayedFilter[], upTo: number }): Promise<void> {
    const signal = AbortSignal.timeout(FILTER_EXCHANGE_TIMEOUT_MS)
    const onBytes = (direction: 'in' | 'out', n: number): void => { this.init.metrics.bytes.inc({ protocol: PROTOCOL_FILTER_RELAY, direction }, n) }
    try {
      const channel = await openRequestChannel(this.libp2p, peerIdOf(server), PROTOCOL_FILTER_RELAY, MAX_FILTER_ACK_BYTES, { signal })
      const ack = await requestResponse(channel, { version: WIRE_VERSION, filters: batch.filters }, FilterRelay, FilterAck, { maxInboundBytes: MAX_FILTER_ACK_BYTES, signal, onBytes })
      if (ack.error !== FilterError.NONE) throw new Error(`${ack.error}: ${ack.message}`)
      this.sentUpTo.set(server, Math.max(this.sentUpTo.get(server) ?? 0, batch.upTo))
      this.failures.delete(server)
    } catch (err: any) {
      const count = err.name === 'UnsupportedProtocolError' ? RETRY_DELAYS_MS.length : (this.failures.get(server)?.count ?? 0) + 1
      const delay = RETRY_DELAYS_MS[Math.min(count, RETRY_DELAYS_MS.length) - 1]
      this.failures.set(server, { count, retryAt: Date.now() + delay })
      this.init.log('could not relay %d filter(s) to %s; trying again in %d ms - %e', batch.filters.length, server, delay, err)
    }
  }
}
