/**
 * The "scale" benchmark's network and workload: which peer lives at which
 * 127.0.S.H address, which files it shares, and the seeded searches. Pure
 * functions of the knobs and the seed, so both modes (virtual servers off
 * and on) get exactly the same peers, files and searches.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { prng, shuffle } from './central-load-measure.js'

/** S = 100..199: no other benchmark or test uses these subnets */
export const FIRST_SUBNET = 100
export const MAX_SUBNETS = 100
export const HOSTS_PER_SUBNET = 10

export type SearchKind = 'subnet' | 'remote' | 'dht'

/** One peer: its place in the arrival order, its address and the files it shares. */
export interface ScalePeerPlan {
  idx: number
  ip: string
  subnet: number
  host: number
  /** wall-clock ms at which its worker starts it; set per mode */
  at: number
  files: string[]
}

/** One search of the workload: who searches, for which file (its name is one word only that file has), shared by whom. */
export interface PlannedSearch {
  n: number
  kind: SearchKind
  searcher: number
  target: number
  filename: string
}

export interface WorkloadSize { subnet: number, remote: number, dht: number }

/** Subnets for `peers` peers: ten hosts each, the last one possibly short. */
export function subnetsFor (peers: number): number {
  const subnets = Math.ceil(peers / HOSTS_PER_SUBNET)
  if (subnets > MAX_SUBNETS) throw new Error(`at most ${MAX_SUBNETS * HOSTS_PER_SUBNET} peers (127.0.${FIRST_SUBNET}-${FIRST_SUBNET + MAX_SUBNETS - 1}.1-${HOSTS_PER_SUBNET})`)
  return subnets
}

/**
 * Peer k is host 1 + (k div subnets) of subnet FIRST_SUBNET + (k mod subnets):
 * subnets interleaved, host 1 of every subnet first (it becomes the virtual server).
 */
export function peerPlans (peers: number, filesPerPeer: number, fileDir: string): ScalePeerPlan[] {
  const subnets = subnetsFor(peers)
  const plans: ScalePeerPlan[] = []
  for (let k = 0; k < peers; k++) {
    const subnet = FIRST_SUBNET + (k % subnets)
    const host = 1 + Math.floor(k / subnets)
    const files = Array.from({ length: filesPerPeer }, (_, i) => join(fileDir, `s${subnet}`, `h${host}`, fileName(subnet, host, i + 1)))
    plans.push({ idx: k, ip: `127.0.${subnet}.${host}`, subnet, host, at: 0, files })
  }
  return plans
}

/**
 * One word per file that no other file has: the DHT announces every word of
 * a file's name (src/sharing/dht/words.ts), so a name like s100-h3-1.dat
 * would add words shared by many files and DHT records that load the machine
 * without changing what is measured; and a search then has exactly one target.
 */
export function fileName (subnet: number, host: number, k: number): string {
  return `sc${subnet}h${host}f${k}`
}

/** Small files with distinct, seeded content (so distinct CIDs). */
export function writeFiles (plans: ScalePeerPlan[], bytes: number, seed: number): void {
  const rand = prng(seed ^ 0x5ca1e)
  for (const p of plans) {
    for (const f of p.files) {
      mkdirSync(join(f, '..'), { recursive: true })
      const body = Buffer.alloc(bytes)
      body.write(`peerhive scale ${f}\n`)
      for (let i = 64; i < bytes; i++) body[i] = Math.floor(rand() * 256)
      writeFileSync(f, body)
    }
  }
}

/**
 * The seeded workload: searchers drawn round-robin from a shuffled peer
 * order; `subnet` looks for a file of another peer of the searcher's subnet,
 * `remote` and `dht` for a file of a peer of another subnet. The kinds are
 * interleaved so that every part of the phase sees both tiered kinds; dht
 * searches come last (they run after the tiered ones).
 */
export function workload (plans: ScalePeerPlan[], filesPerPeer: number, size: WorkloadSize, seed: number): PlannedSearch[] {
  const rand = prng(seed)
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]
  const bySubnet = new Map<number, ScalePeerPlan[]>()
  for (const p of plans) bySubnet.set(p.subnet, [...(bySubnet.get(p.subnet) ?? []), p])
  const subnets = [...bySubnet.keys()]
  const tiered = shuffle([...Array<SearchKind>(size.subnet).fill('subnet'), ...Array<SearchKind>(size.remote).fill('remote')], rand)
  const kinds = [...tiered, ...Array<SearchKind>(size.dht).fill('dht')]
  let order: ScalePeerPlan[] = []
  const out: PlannedSearch[] = []
  for (let n = 0; n < kinds.length; n++) {
    if (n % plans.length === 0) order = shuffle(plans, rand)
    const searcher = order[n % plans.length]
    const kind = kinds[n]
    let target: ScalePeerPlan
    if (kind === 'subnet') {
      const mates = bySubnet.get(searcher.subnet)!.filter(p => p.idx !== searcher.idx)
      if (mates.length === 0) continue
      target = pick(mates)
    } else {
      const others = subnets.filter(s => s !== searcher.subnet)
      if (others.length === 0) continue
      target = pick(bySubnet.get(pick(others))!)
    }
    const k = 1 + Math.floor(rand() * filesPerPeer)
    out.push({ n: out.length, kind, searcher: searcher.idx, target: target.idx, filename: fileName(target.subnet, target.host, k) })
  }
  return out
}
