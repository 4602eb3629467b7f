import {
  INDEX_TIMEOUT_MS, MAX_INDEX_UPDATE_BYTES, PROTOCOL_INDEX, WIRE_VERSION, serveRequests, tryConsume, type PeerhiveMetrics
} from '../core/index.js'
import { IndexAck, IndexError, IndexUpdate } from '../pb/file-index.js'
import { fromWire } from './wire.js'
import type { IndexEntry } from './model/types.js'
import { RateLimiter } from '@libp2p/utils'
import type { Connection, Logger, Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

/** Where received index updates go: a virtual server's SubnetIndex, or the bootstrap's central index. */
export interface IndexHolder {
  /** Applies one update from `provider`; returns the entries now held for it. Throws IndexLimitError when over a bound. */
  apply: (provider: string, update: { reset: boolean, added: IndexEntry[], removed: string[] }) => number
  /**
   * Whether a snapshot of `provider` is held. A change for a provider
   * without one is answered SNAPSHOT_NEEDED: applied alone, it would leave a
   * partial index that no later change repairs (a virtual server that
   * restarted with the same PeerId, or was just elected).
   * @default none (every change is applied)
   */
  holds?: (provider: string) => boolean
}

export interface IndexServerInit {
  /**
   * Why `peerId` may not push its index here, or undefined when it may
   * @default none (required)
   */
  refuse: (peerId: string) => string | undefined
  /**
   * Where the pushed indexes go: the subnet index of the virtual server this node is.
   * @default none (required)
   */
  holder: IndexHolder
  /**
   * Prometheus metrics to count index pushes in.
   * @default none (no metrics)
   */
  metrics?: PeerhiveMetrics
  /**
   * Updates one peer may send per 10 s.
   * @default 100
   */
  requestsPerPeer?: number
}

/** Answers /peerhive/index/1.0.0: takes members' (or central clients') index updates. */
export class IndexServer {
  private readonly log: Logger
  /** requests per peer per 10 s; more are answered RATE_LIMITED */
  private readonly limiter: RateLimiter

  constructor (private readonly libp2p: Libp2p<any>, private readonly init: IndexServerInit) {
    this.log = libp2p.logger.forComponent('peerhive:index')
    this.limiter = new RateLimiter({ points: init.requestsPerPeer ?? 100, duration: 10 })
  }

  async start (): Promise<void> {
    await this.libp2p.handle(PROTOCOL_INDEX, (stream: Stream, connection: Connection) => { void this.onStream(stream, connection) }, {
      maxInboundStreams: 4,
      // this node's own updates (it sends one at a time)
      maxOutboundStreams: 2
    })
  }

  async stop (): Promise<void> {
    await this.libp2p.unhandle(PROTOCOL_INDEX)
  }

  private async onStream (stream: Stream, connection: Connection): Promise<void> {
    const provider = connection.remotePeer.toString()
    await serveRequests(stream, provider, {
      protocol: PROTOCOL_INDEX,
      request: IndexUpdate,
      response: IndexAck,
      maxInboundBytes: MAX_INDEX_UPDATE_BYTES,
      timeoutMs: INDEX_TIMEOUT_MS,
      outcomeOf: res => res.error === IndexError.NONE ? 'ok' : res.error,
      badRequest: (err, tooLarge) => ack(tooLarge ? IndexError.MESSAGE_TOO_LARGE : IndexError.MALFORMED_MESSAGE, err.message),
      metrics: this.init.metrics,
      log: this.log
    }, update => this.apply(provider, update))
  }

  private apply (provider: string, update: IndexUpdate): IndexAck {
    if (update.version !== WIRE_VERSION) return ack(IndexError.UNSUPPORTED_VERSION, `index update version ${update.version} is not supported; this node speaks ${WIRE_VERSION}`)
    if (!tryConsume(this.limiter, provider)) return ack(IndexError.RATE_LIMITED, 'too many index updates from this peer; retry in a few seconds')
    const refusal = this.init.refuse(provider)
    if (refusal != null) return ack(IndexError.NOT_YOUR_SERVER, refusal)
    if (!update.reset && this.init.holder.holds?.(provider) === false) {
      return ack(IndexError.SNAPSHOT_NEEDED, 'this node holds no snapshot of your index; send one (reset = true)')
    }
    try {
      const held = this.init.holder.apply(provider, { reset: update.reset, added: update.added.map(e => fromWire(e, provider)), removed: update.removed })
      return { ...ack(IndexError.NONE, ''), held }
    } catch (err: any) {
      if (err.name === 'IndexLimitError') return ack(IndexError.TOO_MANY_ENTRIES, err.message)
      throw err
    }
  }
}

function ack (error: IndexError, message: string): IndexAck {
  return { version: WIRE_VERSION, error, message, held: 0 }
}
