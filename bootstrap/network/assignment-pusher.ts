import { peerIdFromString } from '@libp2p/peer-id'
import {
  ASSIGNMENT_TIMEOUT_MS, MAX_ACK_BYTES, MAX_CONCURRENT_PUSHES, PROTOCOL_ASSIGNMENT,
  AssignmentAck, rawBytes, requestResponse, type PeerhiveMetrics
} from '../../src/core/index.js'
import type { SubnetState } from '../election/index.js'
import type { Logger } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

/** a failed push is tried again after these delays (ms); gossip repeats are only a safety net behind them */
const RETRY_DELAYS_MS = [1_000, 4_000]

/**
 * Pushes a subnet's new table straight to each peer whose own place in it
 * changed (a promotion, a failover, a new member list). Gossipsub still
 * carries every table to every subscriber, but it silently drops messages
 * for a subscriber whose stream it has not opened yet, and it opens those
 * one peer at a time; a peer must not miss its own promotion. A failed
 * push is tried twice more (after 1 s and 4 s) unless a newer table for
 * the peer replaced it or the peer left.
 */
export class AssignmentPusher {
  private readonly lastPlaces = new Map<string, Map<string, string>>()
  /** latest table per peer still to push: a peer with several pending changes gets only the newest */
  private readonly pending = new Map<string, Uint8Array>()
  /** how many attempts a pending push has had */
  private readonly attempts = new Map<string, number>()
  /** failed pushes waiting for their next attempt, by peer */
  private readonly retries = new Map<string, { bytes: Uint8Array, attempt: number, timer: ReturnType<typeof setTimeout> }>()
  private inFlight = 0
  private running = true

  constructor (
    private readonly libp2p: Libp2p<any>,
    private readonly metrics: PeerhiveMetrics,
    private readonly log: Logger,
    /** a virtual server's addresses: a member must hear when they change (its server restarted on another port) */
    private readonly addressesOf: (peerId: string) => string[] = () => []
  ) {}

  stop (): void {
    this.running = false
    this.pending.clear()
    for (const r of this.retries.values()) clearTimeout(r.timer)
    this.retries.clear()
    this.attempts.clear()
  }

  /** A peer got `state` in its join answer: it needs no push until its place changes again. */
  told (subnet: string, state: SubnetState | undefined, peerId: string): void {
    const place = this.placesOf(state).get(peerId)
    if (place == null) return
    let places = this.lastPlaces.get(subnet)
    if (places == null) this.lastPlaces.set(subnet, places = new Map())
    places.set(peerId, place)
  }

  /** `bytes` is the encoded table of `state`, just published: push it to the peers whose place changed. */
  changed (subnet: string, state: SubnetState | undefined, bytes: Uint8Array): void {
    const places = this.placesOf(state)
    const before = this.lastPlaces.get(subnet) ?? new Map<string, string>()
    if (places.size === 0) this.lastPlaces.delete(subnet)
    else this.lastPlaces.set(subnet, places)
    for (const [peerId, place] of places) {
      if (before.get(peerId) !== place) this.queue(peerId, bytes, 0)
    }
    this.drain()
  }

  /** a newer table replaces whatever was pending or waiting for a retry */
  private queue (peerId: string, bytes: Uint8Array, attempt: number): void {
    const waiting = this.retries.get(peerId)
    if (waiting != null) clearTimeout(waiting.timer)
    this.retries.delete(peerId)
    this.pending.set(peerId, bytes)
    this.attempts.set(peerId, attempt)
  }

  private drain (): void {
    while (this.running && this.inFlight < MAX_CONCURRENT_PUSHES && this.pending.size > 0) {
      const [peerId, bytes] = this.pending.entries().next().value as [string, Uint8Array]
      this.pending.delete(peerId)
      const attempt = this.attempts.get(peerId) ?? 0
      this.attempts.delete(peerId)
      this.inFlight++
      void this.push(peerId, bytes).then(ok => {
        if (!ok) this.retryLater(peerId, bytes, attempt)
      }).finally(() => {
        this.inFlight--
        this.drain()
      })
    }
  }

  private retryLater (peerId: string, bytes: Uint8Array, attempt: number): void {
    const delay = RETRY_DELAYS_MS[attempt]
    // a newer table is already on its way, or the attempts are used up
    if (!this.running || delay == null || this.pending.has(peerId) || this.retries.has(peerId)) return
    const timer = setTimeout(() => {
      if (this.retries.get(peerId)?.bytes !== bytes) return
      this.retries.delete(peerId)
      // a peer that left meanwhile needs no table
      if (![...this.lastPlaces.values()].some(places => places.has(peerId))) return
      this.pending.set(peerId, bytes)
      this.attempts.set(peerId, attempt + 1)
      this.drain()
    }, delay)
    this.retries.set(peerId, { bytes, attempt, timer })
  }

  /** Whether the peer acknowledged the table. */
  private async push (peerId: string, bytes: Uint8Array): Promise<boolean> {
    const signal = AbortSignal.timeout(ASSIGNMENT_TIMEOUT_MS)
    let outcome = 'ok'
    try {
      const stream = await this.libp2p.dialProtocol(peerIdFromString(peerId), PROTOCOL_ASSIGNMENT, { signal })
      await requestResponse(stream, bytes, rawBytes, AssignmentAck, {
        maxInboundBytes: MAX_ACK_BYTES,
        signal,
        onBytes: (direction, n) => { this.metrics.bytes.inc({ protocol: PROTOCOL_ASSIGNMENT, direction }, n) }
      })
    } catch (err: any) {
      outcome = signal.aborted ? 'TIMEOUT' : 'STREAM_ERROR'
      this.log('could not push the table to %s - %e', peerId, err)
    } finally {
      this.metrics.pushed.inc({ outcome })
    }
    return outcome === 'ok'
  }

  /** Each peer's place in a table, as a string that changes whenever the peer should hear of it. */
  private placesOf (state: SubnetState | undefined): Map<string, string> {
    const places = new Map<string, string>()
    for (const g of state?.servers ?? []) {
      places.set(g.server, `virtual-server:${g.members.join(',')}`)
      const server = `member:${g.server}@${this.addressesOf(g.server).join(',')}`
      for (const m of g.members) places.set(m, server)
    }
    for (const c of state?.centralClients ?? []) places.set(c, 'central-client')
    return places
  }
}
