import { isIPv4, isIPv6 } from 'node:net'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { JoinError, WIRE_VERSION, isLanAddress, isRelayedAddress, parseCidr, subnetOf, unmapV4, type SubnetPrefixes } from '../../src/core/index.js'
import type { JoinRequest, JoinResponse } from '../../src/core/index.js'

export class JoinRefusal extends Error {
  constructor (readonly code: JoinError, message: string) {
    super(message)
    this.name = 'JoinRefusal'
  }
}

export interface CheckedJoin {
  subnet: string
  observedIp: string
  /**
   * with /p2p/<peer>: advertised addresses on the observed IP; for a peer
   * behind NAT (none is), its advertised LAN addresses and its address
   * through the bootstrap's relay
   */
  addresses: string[]
  /** no advertised address is on the observed IP: a router stands between the peer and the bootstrap */
  behindNat: boolean
  cpus: number
  memoryMb: number
}

const MAX_KEPT_ADDRESSES = 8
/** advertised addresses read from one request (the wire allows more) */
const MAX_READ_ADDRESSES = 32

export interface JoinCheckOptions {
  prefixes: SubnetPrefixes
  allowSubnetClaims: boolean
  /** the bootstrap's own dialable addresses, with /p2p/<bootstrap>, when it relays for peers behind NAT */
  relayAddrs?: () => string[]
}

/**
 * Checks a join request against what the bootstrap observed. The subnet is
 * the observed address masked to the prefix; a claim of another subnet is
 * refused unless the operator allows claims. Advertised addresses are kept
 * only on the observed IP, so a peer cannot make others dial elsewhere.
 * A peer behind NAT has none there: its LAN addresses are kept instead
 * (only its own home can dial them), and, when the bootstrap relays, its
 * address through the relay, where it reserves a slot once it knows. A peer
 * whose router forwards a port to it has one there, and keeps its LAN
 * addresses after it, for its home.
 */
export function checkJoin (req: JoinRequest, remoteAddr: Multiaddr, peerId: string, opts: JoinCheckOptions): CheckedJoin {
  const seen = remoteAddr.getComponents().find(c => c.name === 'ip4' || c.name === 'ip6')?.value
  const observedIp = seen == null ? undefined : unmapV4(seen)
  if (observedIp == null || (!isIPv4(observedIp) && !isIPv6(observedIp))) {
    throw new JoinRefusal(JoinError.UNKNOWN_ADDRESS, `cannot tell the subnet of a peer connected over ${remoteAddr.toString()}`)
  }
  const observed = subnetOf(observedIp, opts.prefixes)
  let subnet = observed
  if (req.claimedSubnet !== '') {
    let claimed: string
    try {
      claimed = parseCidr(req.claimedSubnet).canonical
    } catch (err: any) {
      throw new JoinRefusal(JoinError.MALFORMED_MESSAGE, err.message)
    }
    if (claimed !== observed) {
      if (!opts.allowSubnetClaims) {
        throw new JoinRefusal(JoinError.SUBNET_MISMATCH, `the peer connects from ${observedIp} (subnet ${observed}) but claims ${claimed}; this bootstrap accepts claimed subnets only with --allow-subnet-claims`)
      }
      subnet = claimed
    }
  }
  const advertised: Array<{ ip: string, port: number }> = []
  for (const text of req.listenAddrs.slice(0, MAX_READ_ADDRESSES)) {
    let ma: Multiaddr
    try {
      ma = multiaddr(text)
    } catch {
      continue
    }
    const parts = ma.getComponents()
    const ip = parts.find(c => c.name === 'ip4' || c.name === 'ip6')?.value
    const port = parts.find(c => c.name === 'tcp')?.value
    // a relayed or otherwise wrapped address is not the peer's own socket
    if (ip == null || port == null || Number(port) === 0 || isRelayedAddress(ma)) continue
    advertised.push({ ip, port: Number(port) })
  }
  const behindNat = !advertised.some(a => a.ip === observedIp) && !observedIp.startsWith('127.')
  // the relayed addresses always fit: without them nobody outside the home reaches the peer
  const relayed = behindNat ? (opts.relayAddrs?.() ?? []).slice(0, MAX_KEPT_ADDRESSES).map(relay => `${relay}/p2p-circuit/p2p/${peerId}`) : []
  // a peer whose router forwards a port to it (UPnP) is dialled there from outside, and on its LAN from its own home
  const mapped = !behindNat && !isLanAddress(observedIp) && !observedIp.startsWith('127.')
  const kept = [
    ...advertised.filter(a => behindNat ? isLanAddress(a.ip) : a.ip === observedIp),
    ...(mapped ? advertised.filter(a => isLanAddress(a.ip)) : [])
  ]
  const addresses = new Set<string>()
  for (const a of kept) {
    if (addresses.size >= MAX_KEPT_ADDRESSES - relayed.length) break
    addresses.add(`/${isIPv4(a.ip) ? 'ip4' : 'ip6'}/${a.ip}/tcp/${a.port}/p2p/${peerId}`)
  }
  return {
    subnet,
    observedIp,
    addresses: [...addresses, ...relayed],
    behindNat,
    cpus: clamp(req.host?.cpus ?? 0, 0, 4096),
    memoryMb: clamp(req.host?.memoryMb ?? 0, 0, 1 << 30)
  }
}

function clamp (n: number, lo: number, hi: number): number {
  return Number.isFinite(n) ? Math.min(hi, Math.max(lo, Math.floor(n))) : lo
}

/** A join answer that refuses, saying why. */
export function refusal (code: JoinError, message: string): JoinResponse {
  return { version: WIRE_VERSION, error: code, message, userSerialId: 0, subnet: '', observedAddr: '', table: new Uint8Array(0) as Uint8Array<ArrayBuffer>, relayAddrs: [] }
}
