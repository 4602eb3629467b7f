/**
 * LAN addresses (issue 11). A peer behind NAT is listed with its LAN
 * addresses, for the peers of its own home. Anyone else who dials them
 * waits: across the internet such packets are dropped, or answered by a
 * rate-limited ICMP error, so the dial hangs until its timeout before the
 * peer's relayed address is tried. A node therefore dials a LAN address only
 * when one of its own interfaces is on that network.
 */
import { isIPv4, isIPv6 } from 'node:net'
import { networkInterfaces } from 'node:os'
import type { Multiaddr } from '@multiformats/multiaddr'

/** IPv4 ranges of home and office LANs (RFC 1918, and carrier-grade NAT's RFC 6598) */
const LAN_V4: Array<[number, number]> = [[0x0a000000, 8], [0xac100000, 12], [0xc0a80000, 16], [0x64400000, 10]]

function v4 (ip: string): number {
  return ip.split('.').reduce((acc, part) => (acc << 8) + Number(part), 0) >>> 0
}

/** Whether `ip` is a LAN address: only hosts behind the same router can dial it. */
export function isLanAddress (ip: string): boolean {
  if (isIPv4(ip)) {
    const n = v4(ip)
    return LAN_V4.some(([net, bits]) => (n >>> (32 - bits)) === (net >>> (32 - bits)))
  }
  // IPv6 unique local addresses, fc00::/7
  return isIPv6(ip) && /^f[cd]/i.test(ip)
}

/** The IPv4 networks of this host's interfaces, as [address, mask]; read again at most every 10 s. */
let local: { at: number, nets: Array<[number, number]> } | undefined
function localNetworks (): Array<[number, number]> {
  if (local == null || Date.now() - local.at > 10_000) {
    const nets: Array<[number, number]> = []
    for (const list of Object.values(networkInterfaces())) {
      for (const i of list ?? []) if (i.family === 'IPv4') nets.push([v4(i.address), v4(i.netmask)])
    }
    local = { at: Date.now(), nets }
  }
  return local.nets
}

/** Whether `ma` goes through a circuit relay. */
export function isRelayedAddress (ma: Multiaddr): boolean {
  return ma.getComponents().some(c => c.name === 'p2p-circuit')
}

/**
 * Whether `ma` is a LAN address of a network none of this host's
 * interfaces is on (another home's). IPv6 LAN addresses are left alone:
 * their routes are not this simple to read.
 */
export function isForeignLanAddress (ma: Multiaddr, nets: Array<[number, number]> = localNetworks()): boolean {
  const ip = ma.getComponents().find(c => c.name === 'ip4')?.value
  if (ip == null || !isLanAddress(ip) || isRelayedAddress(ma)) return false
  const n = v4(ip)
  return !nets.some(([address, mask]) => ((n & mask) >>> 0) === ((address & mask) >>> 0))
}
