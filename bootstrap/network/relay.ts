/** The bootstrap's own relay addresses, which it names to peers behind NAT (the relay itself: src/core/relay-server.ts). */
import { isRelayedAddress } from '../../src/core/index.js'
import type { Libp2p } from 'libp2p'

/**
 * Relayed addresses start with one of these: the bootstrap's own TCP
 * addresses, with /p2p/<bootstrap> (at most 2). Its announce filter already
 * leaves out loopback beside others (withoutLoopbackBesideOthers).
 */
export function relayBaseAddrs (libp2p: Libp2p<any>): string[] {
  return libp2p.getMultiaddrs().filter(ma => !isRelayedAddress(ma)).slice(0, 2).map(ma => ma.toString())
}
