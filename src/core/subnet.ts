import { isIPv4, isIPv6 } from 'node:net'
import { InvalidOptionError } from './errors.js'

export interface SubnetPrefixes {
  v4: number
  v6: number
}

/** The router band of an address: IPv4 masked to `v4` bits, IPv6 to `v6` bits, as CIDR. */
export function subnetOf (address: string, prefixes: SubnetPrefixes): string {
  const ip = unmapV4(address)
  if (isIPv4(ip)) return `${maskV4(ip, prefixes.v4)}/${prefixes.v4}`
  if (isIPv6(ip)) return `${maskV6(ip, prefixes.v6)}/${prefixes.v6}`
  throw new InvalidOptionError(`not an IP address: ${ip}`)
}

/** Parses a CIDR string into its canonical form; throws InvalidOptionError when it is not one. */
export function parseCidr (cidr: string): { ip: string, bits: number, canonical: string } {
  const m = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(cidr.trim())
  if (m == null) throw new InvalidOptionError(`not a CIDR subnet: "${cidr}" (expected for example 127.0.9.0/24)`)
  const ip = m[1]
  const bits = Number(m[2])
  if (isIPv4(ip) && bits <= 32) return { ip, bits, canonical: `${maskV4(ip, bits)}/${bits}` }
  if (isIPv6(ip) && bits <= 128) return { ip, bits, canonical: `${maskV6(ip, bits)}/${bits}` }
  throw new InvalidOptionError(`not a CIDR subnet: "${cidr}"`)
}

export function validatePrefix (bits: number, family: 4 | 6): number {
  const max = family === 4 ? 32 : 128
  if (!Number.isInteger(bits) || bits < 1 || bits > max) {
    throw new InvalidOptionError(`subnet prefix for IPv${family} must be an integer from 1 to ${max}, got ${bits}`)
  }
  return bits
}

/**
 * An IPv4 peer that reaches a dual-stack (`/ip6/::`) listener shows up as
 * ::ffff:a.b.c.d; it belongs to its IPv4 subnet. Other addresses are
 * returned as they are.
 */
export function unmapV4 (ip: string): string {
  if (!isIPv6(ip)) return ip
  const g = expandV6(ip)
  if (g.slice(0, 5).some(x => x !== 0) || g[5] !== 0xffff) return ip
  return [g[6] >> 8, g[6] & 0xff, g[7] >> 8, g[7] & 0xff].join('.')
}

function maskV4 (ip: string, bits: number): string {
  const n = ip.split('.').reduce((acc, part) => (acc * 256) + Number(part), 0)
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0
  const masked = (n & mask) >>> 0
  return [24, 16, 8, 0].map(shift => (masked >>> shift) & 0xff).join('.')
}

function maskV6 (ip: string, bits: number): string {
  const groups = expandV6(ip)
  const out = groups.map((g, i) => {
    const start = i * 16
    if (bits >= start + 16) return g
    if (bits <= start) return 0
    const keep = bits - start
    return g & ((0xffff << (16 - keep)) & 0xffff)
  })
  return formatV6(out)
}

/** RFC 5952 text: lower case, the longest run (first on a tie) of two or more zero groups as "::". */
function formatV6 (groups: number[]): string {
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength) { bestStart = i; bestLength = j - i }
    i = j
  }
  const hex = groups.map(g => g.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}

function expandV6 (ip: string): number[] {
  let text = ip
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (v4tail != null) {
    const p = v4tail[1].split('.').map(Number)
    text = text.slice(0, -v4tail[1].length) + `${((p[0] << 8) | p[1]).toString(16)}:${((p[2] << 8) | p[3]).toString(16)}`
  }
  const [head, tail] = text.split('::')
  const h = head === '' ? [] : head.split(':')
  const t = tail == null || tail === '' ? [] : tail.split(':')
  const zeros = tail == null ? [] : new Array(8 - h.length - t.length).fill('0')
  return [...h, ...zeros, ...t].map(g => parseInt(g, 16))
}
