/** The bootstrap's own relay addresses, which it names to peers behind NAT (the relay itself: src/core/relay-server.ts). */
import type { Libp2p } from 'libp2p'

/** Relayed addresses start with one of these: the bootstrap's own TCP addresses but loopback, with /p2p/<bootstrap> (at most 2). */
export function relayBaseAddrs (libp2p: Libp2p<any>): string[] {
  return libp2p.getMultiaddrs()
    .filter(ma => {
      const ip = ma.getComponents().find(c => c.name === 'ip4' || c.name === 'ip6')?.value
      return ip != null && !ip.startsWith('127.') && ip !== '::1' && !ma.toString().includes('/p2p-circuit')
    })
    .slice(0, 2)
    .map(ma => ma.toString())
}
