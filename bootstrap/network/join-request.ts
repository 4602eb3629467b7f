import { isIPv4, isIPv6 } from 'node:net'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { JoinError, parseCidr, subnetOf, unmapV4, type SubnetPrefixes } from '../../src/core/index.js'
import type { JoinRequest } from '../../src/core/index.js'

export class JoinRefusal extends Error {
  constructor (readonly code: JoinError, message: string) {
    super(message)
    this.name = 'JoinRefusal'
  }
}

export interface CheckedJoin {
  subnet: string
  observedIp: string
  /** advertised addresses that are on the observed IP, with /p2p/<peer> */
  addresses: string[]
  cpus: number
  memoryMb: number
}

const MAX_KEPT_ADDRESSES = 8

/**
 * Checks a join request against what the bootstrap observed. The subnet is
 * the observed address masked to the prefix; a claim of another subnet is
 * refused unless the operator allows claims. Advertised addresses are kept
 * only on the observed IP, so a peer cannot make others dial elsewhere.
 */
export function checkJoin (req: JoinRequest, remoteAddr: Multiaddr, peerId: string, opts: { prefixes: SubnetPrefixes, allowSubnetClaims: boolean }): CheckedJoin {
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
  const addresses = new Set<string>()
  for (const text of req.listenAddrs) {
    let ma: Multiaddr
    try {
      ma = multiaddr(text)
    } catch {
      continue
    }
    const parts = ma.getComponents()
    const ip = parts.find(c => c.name === 'ip4' || c.name === 'ip6')?.value
    const port = parts.find(c => c.name === 'tcp')?.value
    if (ip !== observedIp || port == null || Number(port) === 0) continue
    addresses.add(`/${isIPv4(ip) ? 'ip4' : 'ip6'}/${ip}/tcp/${Number(port)}/p2p/${peerId}`)
    if (addresses.size >= MAX_KEPT_ADDRESSES) break
  }
  return {
    subnet,
    observedIp,
    addresses: [...addresses],
    cpus: clamp(req.host?.cpus ?? 0, 0, 4096),
    memoryMb: clamp(req.host?.memoryMb ?? 0, 0, 1 << 30)
  }
}

function clamp (n: number, lo: number, hi: number): number {
  return Number.isFinite(n) ? Math.min(hi, Math.max(lo, Math.floor(n))) : lo
}
