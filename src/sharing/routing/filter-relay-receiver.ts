/**
 * A virtual server's side of /peerhive/filter-relay/1.0.0
 * (protocols/filters.md, "Relayed by the bootstrap"): the bootstrap hands
 * it the other servers' filters over the connection it keeps anyway, each
 * once. Nothing on this stream is signed: the Noise connection already
 * proves it comes from the bootstrap, which is trusted with the roles.
 */
import {
  FILTER_EXCHANGE_TIMEOUT_MS, MAX_FILTER_RELAY_BYTES, MAX_RELAYED_FILTERS, PROTOCOL_FILTER_RELAY, WIRE_VERSION,
  peerIdOf, serveRequests, type PeerhiveMetrics
} from '../../core/index.js'
import { FilterAck, FilterError, FilterRelay } from '../../pb/filters.js'
import { decodeFilter } from './keyword-filter.js'
import type { FilterFollower } from './filter-topic.js'
import type { Connection, Logger, Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

export class FilterRelayReceiver {
  constructor (
    private readonly libp2p: Libp2p<any>,
    private readonly follower: FilterFollower,
    private readonly bootstrapId: () => string,
    private readonly isServer: (peerId: string) => boolean,
    private readonly log: Logger,
    private readonly metrics?: PeerhiveMetrics
  ) {}

  async start (): Promise<void> {
    await this.libp2p.handle(PROTOCOL_FILTER_RELAY, (stream: Stream, connection: Connection) => { void this.onStream(stream, connection) }, {
      maxInboundStreams: 2,
      maxOutboundStreams: 1
    })
  }

  async stop (): Promise<void> {
    await this.libp2p.unhandle(PROTOCOL_FILTER_RELAY)
  }

  private async onStream (stream: Stream, connection: Connection): Promise<void> {
    const from = connection.remotePeer.toString()
    await serveRequests(stream, from, {
      protocol: PROTOCOL_FILTER_RELAY,
      request: FilterRelay,
      response: FilterAck,
      maxInboundBytes: MAX_FILTER_RELAY_BYTES,
      timeoutMs: FILTER_EXCHANGE_TIMEOUT_MS,
      outcomeOf: res => res.error === FilterError.NONE ? 'ok' : res.error,
      badRequest: (err, tooLarge) => filterAck(tooLarge ? FilterError.MESSAGE_TOO_LARGE : FilterError.MALFORMED_MESSAGE, err.message),
      metrics: this.metrics,
      log: this.log
    }, relay => this.take(from, relay))
  }

  /** Keeps every filter of the relay, or none when one of them is not valid. */
  private take (from: string, relay: FilterRelay): FilterAck {
    if (relay.version !== WIRE_VERSION) return filterAck(FilterError.UNSUPPORTED_VERSION, `filter relay version ${relay.version} is not supported; this node speaks ${WIRE_VERSION}`)
    if (from !== this.bootstrapId()) return filterAck(FilterError.NOT_THE_BOOTSTRAP, 'only this node\'s bootstrap relays filters to it')
    if (!this.follower.isFollowing) return filterAck(FilterError.NOT_THE_BOOTSTRAP, 'this node is no virtual server now')
    if (relay.filters.length > MAX_RELAYED_FILTERS) return filterAck(FilterError.MESSAGE_TOO_LARGE, `a relay holds at most ${MAX_RELAYED_FILTERS} filters, not ${relay.filters.length}`)
    const self = this.libp2p.peerId.toString()
    const decoded = []
    for (const [i, f] of relay.filters.entries()) {
      try {
        peerIdOf(f.publisher)
        decoded.push({ publisher: f.publisher, ...decodeFilter(f.filter) })
      } catch (err: any) {
        this.log('refused a filter relay from %s: filter %d - %e', from, i, err)
        return filterAck(FilterError.MALFORMED_MESSAGE, `filter ${i} (of ${f.publisher.slice(0, 64)}): ${String(err.message)}`)
      }
    }
    for (const f of decoded) if (f.publisher !== self) this.follower.book.put(f.publisher, f.seq, f.filter, this.isServer)
    return filterAck(FilterError.NONE, '')
  }
}

export function filterAck (error: FilterError, message: string): FilterAck {
  return { version: WIRE_VERSION, error, message: message.slice(0, 512) }
}
