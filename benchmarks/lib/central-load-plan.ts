/**
 * The "central-load" benchmark's network and workload: 12 subnets of 8
 * peers (127.0.S.H), their files, and the seeded searches, the same in both
 * modes; and the checks of the bootstrap's table against that layout.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { prng, shuffle } from './central-load-measure.js'
import type { Kind, PlannedSearch } from './central-load-figures.js'
import type { HostedPeerPlan } from './central-load-worker.js'

export const FIRST_SUBNET = 90
export const SUBNETS = 12
export const HOSTS_PER_SUBNET = 8
export const PEERS = SUBNETS * HOSTS_PER_SUBNET
export const FILES_PER_PEER = 3
export const FILE_BYTES = 2_048
export const VS_LIMIT_ON = 8

export function peerPlans (tmp: string): HostedPeerPlan[] {
  const plans: HostedPeerPlan[] = []
  for (let k = 0; k < PEERS; k++) {
    const subnet = FIRST_SUBNET + (k % SUBNETS)
    const host = 1 + Math.floor(k / SUBNETS)
    const files = Array.from({ length: FILES_PER_PEER }, (_, i) => join(tmp, 'files', `s${subnet}`, `h${host}`, fileName(subnet, host, i + 1)))
    plans.push({ idx: k, ip: `127.0.${subnet}.${host}`, subnet, host, at: 0, files, title: '', keywords: [] })
  }
  return plans
}

/**
 * One word per file, that only this file contains: the DHT announces every
 * word of a file's name, title and keywords (src/sharing/dht/words.ts), so
 * s90-h3-1.dat would add the words s90, h3 and dat shared by many files, and
 * tens of extra DHT records per peer that load the 2 cores without changing
 * what this benchmark measures.
 */
export function fileName (subnet: number, host: number, k: number): string {
  return `s${subnet}h${host}f${k}`
}

export function writeFiles (plans: HostedPeerPlan[], seed: number): void {
  const rand = prng(seed ^ 0x5eed)
  for (const p of plans) {
    for (const f of p.files) {
      mkdirSync(join(f, '..'), { recursive: true })
      const body = Buffer.alloc(FILE_BYTES)
      body.write(`peerhive central-load ${f}\n`)
      for (let i = 64; i < FILE_BYTES; i++) body[i] = Math.floor(rand() * 256)
      writeFileSync(f, body)
    }
  }
}

/** The seeded workload: searchers round-robin over a shuffled peer order, exactly 1 in 5 looking in another subnet. */
export function workload (plans: HostedPeerPlan[], searches: number, seed: number): PlannedSearch[] {
  const rand = prng(seed)
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]
  const kinds = shuffle(Array.from({ length: searches }, (_, i): Kind => i % 5 === 4 ? 'remote' : 'subnet'), rand)
  const at = new Map(plans.map(p => [`${p.subnet}/${p.host}`, p]))
  const subnets = Array.from({ length: SUBNETS }, (_, i) => FIRST_SUBNET + i)
  const hosts = Array.from({ length: HOSTS_PER_SUBNET }, (_, i) => 1 + i)
  let order: number[] = []
  const out: PlannedSearch[] = []
  for (let n = 0; n < searches; n++) {
    if (n % PEERS === 0) order = shuffle(plans.map(p => p.idx), rand)
    const searcher = plans[order[n % PEERS]]
    const kind = kinds[n]
    const subnet = kind === 'subnet' ? searcher.subnet : pick(subnets.filter(s => s !== searcher.subnet))
    const host = kind === 'subnet' ? pick(hosts.filter(h => h !== searcher.host)) : pick(hosts)
    const k = 1 + Math.floor(rand() * FILES_PER_PEER)
    out.push({ n, searcher: searcher.idx, kind, target: at.get(`${subnet}/${host}`)!.idx, filename: fileName(subnet, host, k) })
  }
  return out
}

/** Whether the table is the layout's: one virtual server with all its subnet's peers (vsLimit > 0), or every peer a central client. */
export function tableOk (table: any[], mode: { vsLimit: number }): boolean {
  if (table.length !== SUBNETS) return false
  return table.every(row => mode.vsLimit > 0
    ? row.virtualServers.length === 1 && row.virtualServers[0].clientCount === HOSTS_PER_SUBNET && row.centralClients.length === 0
    : row.virtualServers.length === 0 && row.centralClients.length === HOSTS_PER_SUBNET)
}

export function tableShape (table: any[]): Record<string, number> {
  return {
    subnets: table.length,
    virtualServers: table.reduce((n, r) => n + r.virtualServers.length, 0),
    members: table.reduce((n, r) => n + r.virtualServers.reduce((m: number, g: any) => m + g.members.length, 0), 0),
    centralClients: table.reduce((n, r) => n + r.centralClients.length, 0)
  }
}

export function sameServers (a: any[], b: any[]): boolean {
  const ids = (t: any[]): string => t.flatMap(r => r.virtualServers.map((g: any) => g.peerId)).sort().join()
  return ids(a) === ids(b)
}
