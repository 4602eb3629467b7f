import { TopicValidatorResult } from '@libp2p/gossipsub'
import { FILTER_TOPIC } from '../../protocols/filters.js'
import { publishCounted, type PeerhiveMetrics } from '../../core/index.js'
import { FilterBook } from './filter-book.js'
import { KeywordFilter, decodeFilter } from './keyword-filter.js'
import type { Logger, PeerId } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

/** Index changes within this long make one new filter: members push their indexes in bursts. */
export const FILTER_DEBOUNCE_MS = 1_000
/**
 * The current filter goes out again this often, so a newly elected virtual server learns the others' (until then it
 * asks them: unknown counts as may-match). Not shorter: every server's filter reaches every server each time.
 */
export const FILTER_REPUBLISH_MS = 300_000
/**
 * Filter bytes all the servers together may receive per second. Every
 * server's new filter reaches every other server (once, through the
 * bootstrap's mesh: GOSSIP_HUB_MESH), so the topic's traffic grows with
 * the square of the number of servers: at 1,000 peers, filters republished
 * at each member's arrival kept both cores busy and joins timed out. Each
 * server spaces its new filters by its share of this budget instead.
 */
export const FILTER_NETWORK_BYTES_PER_SEC = 170 * 1024
/**
 * ... and filter messages: each copy costs its receiver a signature check
 * whatever its size, and small filters (a few hundred bytes) fit the byte
 * budget at every member's arrival. 500 a second spaces a server's new
 * filters by 20 s in a network of 100 servers, so a remote search sees a
 * new file within about 20 s (the DHT tier finds it meanwhile).
 */
export const FILTER_NETWORK_MESSAGES_PER_SEC = 500
/** A new filter waits at most this long, however large the network. */
export const FILTER_MAX_SPACING_MS = 60_000

/** How long a server waits between two new filters of `bytes` in a network of `servers` servers. */
export function filterSpacingMs (bytes: number, servers: number, debounceMs = FILTER_DEBOUNCE_MS): number {
  const n = Math.max(1, servers)
  const forBytes = bytes * n * n / FILTER_NETWORK_BYTES_PER_SEC
  const forMessages = n * n / FILTER_NETWORK_MESSAGES_PER_SEC
  const ms = Math.ceil(Math.max(forBytes, forMessages) * 1000)
  return Math.min(FILTER_MAX_SPACING_MS, Math.max(debounceMs, ms))
}

/**
 * Filters all the servers together may hand the bootstrap per second. A
 * filter handed over reaches each other server once, in the relay's
 * batches, whose bytes the bootstrap paces (bootstrap/network/filter-relay.ts):
 * only the hand-overs themselves grow with the number of servers.
 */
export const FILTER_HAND_OVERS_PER_SEC = 100

/** How long a server waits between two new filters it hands the bootstrap, in a network of `servers` servers. */
export function handOverSpacingMs (servers: number, debounceMs = FILTER_DEBOUNCE_MS): number {
  const ms = Math.ceil(Math.max(1, servers) / FILTER_HAND_OVERS_PER_SEC * 1000)
  return Math.min(FILTER_MAX_SPACING_MS, Math.max(debounceMs, ms))
}

/** A failed hand-over is tried again after this long, doubled at each failure up to FILTER_MAX_SPACING_MS. */
const HAND_OVER_RETRY_MS = 2_000

export interface FilterPublisherOptions {
  metrics?: PeerhiveMetrics
  /** @default FILTER_DEBOUNCE_MS */
  debounceMs?: number
  /** @default FILTER_REPUBLISH_MS */
  republishMs?: number
  /** run before each publication: a virtual server of a small network keeps its links to the other servers then */
  beforePublish?: () => void
  /** how many servers follow the topic (the directory's size): new filters are spaced by it */
  servers?: () => number
  /**
   * Hands a filter to the bootstrap, which relays it to the other servers
   * (handFilterOver). Throws UnsupportedProtocolError when the bootstrap is
   * older: the filters then go out on the topic until the next start or join (handOverAgain).
   * @default none (filters go out on the topic: the bootstrap's own)
   */
  handOver?: (bytes: Uint8Array) => Promise<void>
}

/**
 * Follows the filter topic into a FilterBook: only signed, well-formed
 * filters are kept (newest per publisher). A filter of a publisher that is
 * no server now is kept but not forwarded; routing uses only the current
 * servers' filters anyway.
 */
export class FilterFollower {
  readonly book = new FilterBook()
  private following = false

  constructor (
    private readonly libp2p: Libp2p<any>,
    /** whether `peerId` is a virtual server of the current directory, or the bootstrap */
    private readonly isServer: (peerId: string) => boolean,
    private readonly log: Logger
  ) {}

  start (): void {
    if (this.following) return
    this.following = true
    const pubsub = this.libp2p.services.pubsub
    pubsub.topicValidators.set(FILTER_TOPIC, this.validate)
    pubsub.subscribe(FILTER_TOPIC)
  }

  stop (): void {
    if (!this.following) return
    this.following = false
    const pubsub = this.libp2p.services.pubsub
    pubsub.unsubscribe(FILTER_TOPIC)
    pubsub.topicValidators.delete(FILTER_TOPIC)
    this.book.retain(() => false)
  }

  get isFollowing (): boolean {
    return this.following
  }

  private readonly validate = (_peer: PeerId, msg: any): TopicValidatorResult => {
    if (msg.type !== 'signed') return TopicValidatorResult.Reject
    const from = msg.from.toString()
    if (from === this.libp2p.peerId.toString()) return TopicValidatorResult.Ignore
    let decoded
    try {
      decoded = decodeFilter(msg.data)
    } catch (err: any) {
      this.log('refused a filter from %s - %e', from, err)
      return TopicValidatorResult.Reject
    }
    this.book.put(from, decoded.seq, decoded.filter, this.isServer)
    return this.isServer(from) ? TopicValidatorResult.Accept : TopicValidatorResult.Ignore
  }
}

/**
 * Publishes this node's filter: a new one (debounced) after its index
 * changes, and the current one again every 5 minutes. A virtual server
 * hands it to the bootstrap to relay; the bootstrap, or a server whose
 * bootstrap is older, publishes it on the filter topic.
 */
export class FilterPublisher {
  private timer?: ReturnType<typeof setTimeout>
  private resendTimer?: ReturnType<typeof setTimeout>
  private interval?: ReturnType<typeof setInterval>
  private last?: Uint8Array
  private seq = 0
  /** when the last new filter was built (epoch ms) */
  private lastNewAt = 0
  /** the filter last published, for tests and the benchmark */
  current?: KeywordFilter

  private readonly debounceMs: number
  private readonly republishMs: number
  /** whether filters go out on the topic: no hand-over, or the bootstrap does not take them */
  private onTopic: boolean
  private retryTimer?: ReturnType<typeof setTimeout>
  private retryMs = HAND_OVER_RETRY_MS

  constructor (
    private readonly libp2p: Libp2p<any>,
    private readonly build: () => KeywordFilter,
    private readonly log: Logger,
    private readonly opts: FilterPublisherOptions = {}
  ) {
    this.debounceMs = opts.debounceMs ?? FILTER_DEBOUNCE_MS
    this.republishMs = opts.republishMs ?? FILTER_REPUBLISH_MS
    this.onTopic = opts.handOver == null
  }

  get running (): boolean {
    return this.interval != null
  }

  start (): void {
    if (this.interval != null) return
    // a bootstrap that did not take filters may have been upgraded since
    this.onTopic = this.opts.handOver == null
    // a rebuild also shrinks the filter after removals (a stale bit only costs a false positive, never a miss)
    this.interval = setInterval(() => { this.publish(true) }, this.republishMs)
    this.changed()
  }

  stop (): void {
    clearTimeout(this.timer)
    clearTimeout(this.resendTimer)
    clearTimeout(this.retryTimer)
    clearInterval(this.interval)
    this.resendTimer = undefined
    this.retryTimer = undefined
    this.timer = undefined
    this.interval = undefined
    this.last = undefined
    this.current = undefined
  }

  /** The index changed: build and publish a new filter soon (once per burst). */
  changed (): void {
    if (this.interval == null || this.timer != null) return
    const servers = this.opts.servers?.() ?? 1
    const spacing = this.onTopic ? filterSpacingMs(this.last?.byteLength ?? 0, servers, this.debounceMs) : handOverSpacingMs(servers, this.debounceMs)
    const wait = Math.max(this.debounceMs, this.lastNewAt + spacing - Date.now())
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.publish(false)
    }, wait)
  }

  /** After a new join: the bootstrap may have restarted (holding no filter) or been upgraded. Hands the current filter over again. */
  handOverAgain (): void {
    if (this.interval == null || this.opts.handOver == null || this.last == null) return
    this.onTopic = false
    void this.send()
  }

  /**
   * A peer subscribed to the filter topic (a newly elected virtual server):
   * send the current filter again soon, once per burst of subscriptions.
   */
  resendSoon (): void {
    if (this.interval == null || this.resendTimer != null) return
    this.resendTimer = setTimeout(() => {
      this.resendTimer = undefined
      void this.send()
    }, this.debounceMs)
  }

  /** Publishes a new filter if the index's differs from the last one; else, when `again`, the last one again. */
  private publish (again: boolean): void {
    if (this.interval == null) return
    this.opts.beforePublish?.()
    let filter: KeywordFilter
    try {
      filter = this.build()
    } catch (err: any) {
      this.log.error('could not build the keyword filter - %e', err)
      return
    }
    const same = this.current != null && this.current.hashes === filter.hashes && sameBytes(this.current.bits, filter.bits)
    if (!same) {
      // seq grows across restarts too (a receiver keeps the highest)
      this.seq = Math.max(this.seq + 1, Date.now())
      this.lastNewAt = Date.now()
      this.current = filter
      this.last = filter.encode(this.seq, Date.now())
    }
    if (!same || again) void this.send()
  }

  private async send (): Promise<void> {
    const bytes = this.last
    if (bytes == null) return
    if (!this.onTopic && this.opts.handOver != null) {
      clearTimeout(this.retryTimer)
      this.retryTimer = undefined
      try {
        await this.opts.handOver(bytes)
        this.retryMs = HAND_OVER_RETRY_MS
        return
      } catch (err: any) {
        if (err.name !== 'UnsupportedProtocolError') {
          this.log('could not hand the keyword filter to the bootstrap; trying again in %d ms - %e', this.retryMs, err)
          this.retryLater(bytes)
          return
        }
        this.log('the bootstrap does not relay filters; publishing them on the topic')
        this.onTopic = true
      }
    }
    try {
      await publishCounted(this.libp2p.services.pubsub, FILTER_TOPIC, bytes, 'filters', this.opts.metrics)
    } catch (err: any) {
      this.log('could not publish the keyword filter - %e', err)
    }
  }

  /** Hands `bytes` over again later, unless a newer filter replaced it or the publisher stopped. */
  private retryLater (bytes: Uint8Array): void {
    if (this.interval == null) return
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      if (this.last === bytes) void this.send()
    }, this.retryMs)
    this.retryMs = Math.min(FILTER_MAX_SPACING_MS, this.retryMs * 2)
  }
}

function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}
