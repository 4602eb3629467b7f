import { peerIdFromString } from '@libp2p/peer-id'
import {
  ASSIGNMENT_TIMEOUT_MS, MAX_ACK_BYTES, MAX_CONCURRENT_PUSHES, PROTOCOL_ASSIGNMENT,
  AssignmentAck, requestResponse, type Codec, type PeerhiveMetrics
} from '../src/core/index.js'
import type { SubnetState } from './election/index.js'
import type { Logger } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

const rawBytes: Codec<Uint8Array> = { encode: b => b, decode: b => b instanceof Uint8Array ? b : b.subarray() }

/**
 * Pushes a subnet's new table straight to each peer whose own place in it
 * changed (a promotion, a failover, a new member list). Gossipsub still
 * carries every table to every subscriber, but it silently drops messages
 * for a subscriber whose stream it has not opened yet, and it opens those
 * one peer at a time; a peer must not miss its own promotion.
 */
export class AssignmentPusher {
  private readonly lastPlaces = new Map<string, Map<string, string>>()
  /** latest table per peer still to push: a peer with several pending changes gets only the newest */
  private readonly pending = new Map<string, Uint8Array>()
  private inFlight = 0
  private running = true

  constructor (private readonly libp2p: Libp2p<any>, private readonly metrics: PeerhiveMetrics, private readonly log: Logger) {}

  stop (): void {
    this.running = false
    this.pending.clear()
  }

  /** A peer got `state` in its join answer: it needs no push until its place changes again. */
  told (subnet: string, state: SubnetState | undefined, peerId: string): void {
    const place = placesOf(state).get(peerId)
    if (place == null) return
    let places = this.lastPlaces.get(subnet)
    if (places == null) this.lastPlaces.set(subnet, places = new Map())
    places.set(peerId, place)
  }

  /** `bytes` is the encoded table of `state`, just published: push it to the peers whose place changed. */
  changed (subnet: string, state: SubnetState | undefined, bytes: Uint8Array): void {
    const places = placesOf(state)
    const before = this.lastPlaces.get(subnet) ?? new Map<string, string>()
    if (places.size === 0) this.lastPlaces.delete(subnet)
    else this.lastPlaces.set(subnet, places)
    for (const [peerId, place] of places) {
      if (before.get(peerId) !== place) this.pending.set(peerId, bytes)
    }
    this.drain()
  }

  private drain (): void {
    while (this.running && this.inFlight < MAX_CONCURRENT_PUSHES && this.pending.size > 0) {
      const [peerId, bytes] = this.pending.entries().next().value as [string, Uint8Array]
      this.pending.delete(peerId)
      this.inFlight++
      void this.push(peerId, bytes).finally(() => {
        this.inFlight--
        this.drain()
      })
    }
  }

  private async push (peerId: string, bytes: Uint8Array): Promise<void> {
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
  }
}

/** Each peer's place in a table, as a string that changes whenever the peer should hear of it. */
function placesOf (state: SubnetState | undefined): Map<string, string> {
  const places = new Map<string, string>()
  for (const g of state?.servers ?? []) {
    places.set(g.server, `virtual-server:${g.members.join(',')}`)
    for (const m of g.members) places.set(m, `member:${g.server}`)
  }
  for (const c of state?.centralClients ?? []) places.set(c, 'central-client')
  return places
}
