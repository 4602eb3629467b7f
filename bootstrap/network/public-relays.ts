/**
 * Publicly reachable peers that offer a circuit relay (a daemon run with
 * `--relay-slots`, JoinRequest.relay_slots), and which of them each peer
 * behind NAT is given (issue 11). A peer behind NAT gets the least loaded
 * one, and the same one at every join while it stays, beside the
 * bootstrap's own relay: the bootstrap then carries less, and the peer stays
 * reachable when either goes.
 */
export class PublicRelays {
  /** relay's PeerId → its address (with /p2p/<relay>), its slots, and the peers given it */
  private readonly relays = new Map<string, { addr: string, slots: number, given: Set<string> }>()
  /** peer behind NAT → the relay it was given */
  private readonly givenTo = new Map<string, string>()

  /** @param usable whether a relay may be handed out now (the bootstrap's probe reached it) */
  constructor (private readonly usable: (relay: string) => boolean) {}

  /** `relay` offers `slots` slots at `addr` (0 slots: it no longer does). */
  offer (relay: string, addr: string, slots: number): void {
    if (slots <= 0) {
      this.withdraw(relay)
      return
    }
    const known = this.relays.get(relay)
    if (known != null) {
      known.addr = addr
      known.slots = slots
    } else {
      this.relays.set(relay, { addr, slots, given: new Set() })
    }
  }

  /** `peer` left: as a relay, it is handed out no more; as a peer behind NAT, its slot is free. */
  remove (peer: string): void {
    this.release(peer)
    this.withdraw(peer)
  }

  /** The public relay `peer` should reserve a slot on (its address), if any has room. */
  relayFor (peer: string): string | undefined {
    const current = this.givenTo.get(peer)
    if (current != null) {
      const relay = this.relays.get(current)
      if (relay != null && this.usable(current)) return relay.addr
      this.release(peer)
    }
    let best: { id: string, load: number } | undefined
    for (const [id, relay] of this.relays) {
      if (id === peer || relay.given.size >= relay.slots || !this.usable(id)) continue
      const load = relay.given.size / relay.slots
      if (best == null || load < best.load) best = { id, load }
    }
    if (best == null) return undefined
    this.relays.get(best.id)!.given.add(peer)
    this.givenTo.set(peer, best.id)
    return this.relays.get(best.id)!.addr
  }

  /** How many relays are known, and how many peers they were given. */
  size (): { relays: number, given: number } {
    return { relays: this.relays.size, given: this.givenTo.size }
  }

  /** `relay` relays no more: the peers it was given get another at their next join. */
  private withdraw (relay: string): void {
    const known = this.relays.get(relay)
    if (known == null) return
    for (const p of known.given) this.givenTo.delete(p)
    this.relays.delete(relay)
  }

  private release (peer: string): void {
    const relay = this.givenTo.get(peer)
    if (relay == null) return
    this.relays.get(relay)?.given.delete(peer)
    this.givenTo.delete(peer)
  }
}

/** The first address of each relay in `addrs` (each ends with /p2p/<relay>): a peer reserves one slot per relay. */
export function oneAddressPerRelay (addrs: string[]): string[] {
  const seen = new Set<string>()
  return addrs.filter(a => {
    const relay = a.slice(a.lastIndexOf('/p2p/'))
    if (seen.has(relay)) return false
    seen.add(relay)
    return true
  })
}
