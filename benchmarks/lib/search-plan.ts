/**
 * The "search" benchmark's network and workload: 10 subnets of 10 peers
 * (127.0.S.H, S = 120..129), one file each, plus DHT-only providers in
 * subnet 130; a seeded mix of subnet, remote and DHT searches.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { prng, shuffle } from './central-load-measure.js'
import type { HostedPeerPlan } from './central-load-worker.js'
import type { DhtProviderPlan } from './search-bench-dht-provider.js'

export const FIRST_SUBNET = 120
export const SUBNETS = 10
export const HOSTS_PER_SUBNET = 10
export const PEERS = SUBNETS * HOSTS_PER_SUBNET
export const DHT_SUBNET = 130
export const DHT_PROVIDERS = 4
export const DHT_FILES_PER_PROVIDER = 5
const FILE_BYTES = 2_048

export type Kind = 'subnet' | 'remote' | 'dht'
export const KINDS: Kind[] = ['subnet', 'remote', 'dht']
export interface Target { file: string, word: string, worker: 'peers' | 'dht', idx: number }
export interface PlannedSearch { n: number, kind: Kind, searcher: number, target: Target }

export function peerPlans (tmp: string): HostedPeerPlan[] {
  const plans: HostedPeerPlan[] = []
  for (let k = 0; k < PEERS; k++) {
    // subnets interleaved: host 1 of every subnet arrives first and becomes its virtual server
    const subnet = FIRST_SUBNET + (k % SUBNETS)
    const host = 1 + Math.floor(k / SUBNETS)
    plans.push({ idx: k, ip: `127.0.${subnet}.${host}`, subnet, host, at: 0, files: [join(tmp, 'files', `sb${subnet}h${host}f1.dat`)], title: '', keywords: [] })
  }
  return plans
}

export function dhtProviderPlans (tmp: string): DhtProviderPlan[] {
  return Array.from({ length: DHT_PROVIDERS }, (_, i) => ({
    idx: i,
    ip: `127.0.${DHT_SUBNET}.${i + 1}`,
    files: Array.from({ length: DHT_FILES_PER_PROVIDER }, (_, k) => join(tmp, 'files', `dhtonly${i + 1}f${k + 1}.dat`)),
    title: '',
    keywords: []
  }))
}

export function writeFiles (tmp: string, files: string[], seed: number): void {
  const rand = prng(seed ^ 0x5eed)
  mkdirSync(join(tmp, 'files'), { recursive: true })
  for (const f of files) {
    const body = Buffer.alloc(FILE_BYTES)
    body.write(`peerhive search benchmark ${f}\n`)
    for (let i = 128; i < FILE_BYTES; i++) body[i] = Math.floor(rand() * 256)
    writeFileSync(f, body)
  }
}

export function workload (plans: HostedPeerPlan[], dhtPlans: DhtProviderPlan[], seed: number, perKind: number): PlannedSearch[] {
  const rand = prng(seed)
  const pickOne = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]
  const kinds = shuffle(KINDS.flatMap(k => Array.from({ length: perKind }, () => k)), rand)
  const dhtTargets: Target[] = dhtPlans.flatMap(p => p.files.map(f => ({ file: baseName(f), word: baseName(f).replace(/\.dat$/, ''), worker: 'dht' as const, idx: p.idx })))
  const target = (p: HostedPeerPlan): Target => ({ file: baseName(p.files[0]), word: baseName(p.files[0]).replace(/\.dat$/, ''), worker: 'peers', idx: p.idx })
  return kinds.map((kind, n) => {
    const searcher = pickOne(plans)
    let t: Target
    if (kind === 'subnet') t = target(pickOne(plans.filter(p => p.subnet === searcher.subnet && p.idx !== searcher.idx)))
    else if (kind === 'remote') t = target(pickOne(plans.filter(p => p.subnet !== searcher.subnet)))
    else t = pickOne(dhtTargets)
    return { n, kind, searcher: searcher.idx, target: t }
  })
}

function baseName (path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}
