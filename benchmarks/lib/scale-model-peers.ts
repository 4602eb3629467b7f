/**
 * Synthetic peers for the scale-model benchmark: deterministic, with ids,
 * addresses and subnets shaped like real ones, so encoded sizes are the
 * sizes a real network would see. Nothing here is dialled.
 */
import { base58btc } from 'multiformats/bases/base58'
import type { Candidate } from '../../bootstrap/election/index.js'

export interface SyntheticPeer extends Candidate {
  /** as the bootstrap keeps them (bootstrap/network/join-request.ts): one TCP address with /p2p/<peer id> */
  addresses: string[]
}

export type Distribution = 'uniform' | 'skewed'

export interface PeerSet {
  distribution: Distribution
  peers: SyntheticPeer[]
  /** peers per subnet, in subnet order (subnet i is subnetCidr(i)) */
  subnetSizes: number[]
}

/** mulberry32: a small seeded PRNG, so every run builds the same network */
export function seededRandom (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * An Ed25519 peer id string ("12D3KooW…", 52 characters): the identity
 * multihash of a protobuf public key, here with random key bytes. It parses
 * like a real one; no key pair is generated, which keeps 100,000 of them cheap.
 */
export function syntheticPeerId (random: () => number): string {
  const bytes = new Uint8Array(38)
  bytes.set([0x00, 0x24, 0x08, 0x01, 0x12, 0x20])
  for (let i = 6; i < 38; i++) bytes[i] = Math.floor(random() * 256)
  return base58btc.encode(bytes).slice(1)
}

/** The /24 of subnet `i`, in public-looking IPv4 space (100.0.0.0 upwards), so strings have realistic lengths. */
export function subnetCidr (i: number): string {
  return `${subnetPrefix(i)}.0/24`
}

function subnetPrefix (i: number): string {
  if (!Number.isInteger(i) || i < 0 || i >= 100 * 65536) throw new RangeError(`subnet index out of range: ${i}`)
  return `${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`
}

/** Every subnet holds `perSubnet` peers (the last one may hold fewer). */
export function uniformSizes (peers: number, perSubnet: number): number[] {
  if (!Number.isInteger(peers) || peers < 1 || !Number.isInteger(perSubnet) || perSubnet < 1) throw new RangeError('peers and perSubnet must be positive integers')
  const sizes = new Array<number>(Math.floor(peers / perSubnet)).fill(perSubnet)
  if (peers % perSubnet > 0) sizes.push(peers % perSubnet)
  return sizes
}

/**
 * Zipf-like subnet sizes (s = 1): subnet k holds a share proportional to
 * 1/(k+1), each at least one peer, summing to `peers` exactly (largest
 * remainders). A few subnets are large (campus NATs, cloud ranges), most
 * small. No subnet holds more than `cap` peers: the excess is spread over
 * the smallest subnets (a join in a subnet of s peers costs the bootstrap
 * O(s), so an uncapped 100,000-peer Zipf run alone takes minutes).
 */
export function skewedSizes (peers: number, subnets: number, cap = Infinity): number[] {
  if (!Number.isInteger(peers) || !Number.isInteger(subnets) || subnets < 1 || peers < subnets) throw new RangeError('need integers with peers >= subnets >= 1')
  const spare = peers - subnets
  let harmonic = 0
  for (let k = 1; k <= subnets; k++) harmonic += 1 / k
  const exact = Array.from({ length: subnets }, (_, k) => spare / (k + 1) / harmonic)
  const sizes = exact.map(x => 1 + Math.floor(x))
  let left = peers - sizes.reduce((a, b) => a + b, 0)
  const byRemainder = exact.map((x, k) => [x - Math.floor(x), k]).sort((a, b) => b[0] - a[0])
  for (const [, k] of byRemainder) {
    if (left <= 0) break
    sizes[k]++
    left--
  }
  if (cap < Math.ceil(peers / subnets)) throw new RangeError(`a cap of ${cap} cannot hold ${peers} peers in ${subnets} subnets`)
  let excess = 0
  for (let k = 0; k < subnets; k++) {
    if (sizes[k] > cap) {
      excess += sizes[k] - cap
      sizes[k] = cap
    }
  }
  for (let k = subnets - 1; excess > 0; k = k === 0 ? subnets - 1 : k - 1) {
    if (sizes[k] < cap) {
      sizes[k]++
      excess--
    }
  }
  return sizes
}

/**
 * Builds the peers of `sizes`, in a shuffled arrival order (subnets fill
 * up interleaved, as they would on a real network). Hosts beyond 254 in
 * one /24 stand for peers behind one NAT: they get ports, not addresses.
 */
export function buildPeers (distribution: Distribution, sizes: number[], seed = 1): PeerSet {
  const random = seededRandom(seed)
  const peers: SyntheticPeer[] = []
  const start = 1_700_000_000_000
  sizes.forEach((size, s) => {
    const subnet = subnetCidr(s)
    const prefix = subnetPrefix(s)
    for (let h = 0; h < size; h++) {
      const peerId = syntheticPeerId(random)
      const host = 1 + (h % 254)
      const port = 4001 + Math.floor(h / 254) + Math.floor(random() * 50_000)
      peers.push({
        peerId,
        subnet,
        joinedAt: start + peers.length,
        reachable: random() < 0.6,
        cpus: 1 << Math.floor(random() * 5),
        memoryMb: 1024 << Math.floor(random() * 5),
        addresses: [`/ip4/${prefix}.${host}/tcp/${port}/p2p/${peerId}`]
      })
    }
  })
  for (let i = peers.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const t = peers[i]
    peers[i] = peers[j]
    peers[j] = t
  }
  peers.forEach((p, i) => { p.joinedAt = start + i * 100 })
  return { distribution, peers, subnetSizes: sizes }
}

/** The largest subnet of the skewed shape: a big campus behind one NAT. */
export const SKEWED_MAX_SUBNET = 2_000

/** The peer set for a size and a distribution: 10 per subnet, or Zipf over as many subnets (at most SKEWED_MAX_SUBNET each). */
export function peerSet (peers: number, distribution: Distribution, perSubnet = 10, seed = 1): PeerSet {
  const sizes = distribution === 'uniform' ? uniformSizes(peers, perSubnet) : skewedSizes(peers, Math.max(1, Math.floor(peers / perSubnet)), SKEWED_MAX_SUBNET)
  return buildPeers(distribution, sizes, seed)
}
