import { isIPv4, isIPv6 } from 'node:net'

/** The network address of a CIDR subnet as 16 bytes (IPv4 mapped into ::ffff:0:0/96), or undefined. */
function networkBytes (cidr: string): Uint8Array | undefined {
  const ip = cidr.split('/')[0]
  const out = new Uint8Array(16)
  if (isIPv4(ip)) {
    out[10] = 0xff
    out[11] = 0xff
    ip.split('.').forEach((part, i) => { out[12 + i] = Number(part) })
    return out
  }
  if (!isIPv6(ip) || ip.includes('.')) return undefined
  const [head, tail] = ip.split('::')
  const groups = (s: string | undefined): number[] => s == null || s === '' ? [] : s.split(':').map(g => parseInt(g, 16))
  const left = groups(head)
  const right = groups(tail)
  const all = tail == null ? left : [...left, ...new Array(8 - left.length - right.length).fill(0), ...right]
  all.forEach((g, i) => { out[2 * i] = g >> 8; out[2 * i + 1] = g & 0xff })
  return out
}

/**
 * Leading bits two subnets' network addresses share (0..128; an IPv4 pair
 * counts its 96 mapped bits too, so it ranks above any IPv4/IPv6 pair).
 * Longer means nearer: the seed's nearest-first by IP prefix.
 */
export function commonPrefixBits (a: string, b: string): number {
  const x = networkBytes(a)
  const y = networkBytes(b)
  if (x == null || y == null) return 0
  for (let i = 0; i < 16; i++) {
    const diff = x[i] ^ y[i]
    if (diff !== 0) return i * 8 + Math.clz32(diff) - 24
  }
  return 128
}

/**
 * Orders servers nearest first for a searcher in `subnet`: its own router
 * band (subnet) first, then by the prefix their subnets share with it,
 * longest first. Ties keep their given order, so the result is stable.
 */
export function byNearness<T extends { subnet: string }> (subnet: string, servers: T[]): T[] {
  const rank = (s: T): number => s.subnet === subnet ? 129 : commonPrefixBits(subnet, s.subnet)
  return servers.map((s, i) => ({ s, i, r: rank(s) })).sort((a, b) => b.r - a.r || a.i - b.i).map(x => x.s)
}
