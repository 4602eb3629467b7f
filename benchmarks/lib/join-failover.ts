/**
 * What the "join" benchmark's consistency and failover checks compare: each
 * peer's status against the bootstrap's table, and the members' placement
 * events after their virtual server was killed.
 */
import type { PlacementEvent } from './join-worker.js'

/** How many peers' status matches the bootstrap's table, and how the others differ. */
export function agreement (table: any[], peers: any[]): { agreeing: number, total: number, disagreeing: string[], kinds: Record<string, number> } {
  let agreeing = 0
  const disagreeing: string[] = []
  const kinds: Record<string, number> = {}
  for (const p of peers) {
    const st = p.status
    if (st == null) {
      disagreeing.push(`peer #${p.idx}: not started`)
      kinds['not started'] = (kinds['not started'] ?? 0) + 1
      continue
    }
    const row = table.find((r: any) => r.subnet === st.subnet)
    const vs = row?.virtualServers.find((v: any) => v.peerId === st.virtualServer)
    let ok = false
    if (st.role === 'virtual-server') ok = vs != null && vs.members.join() === st.members.join()
    else if (st.role === 'member') ok = vs != null && vs.members.includes(st.peerId)
    else if (st.role === 'central-client') ok = row?.centralClients.includes(st.peerId) === true
    if (ok) {
      agreeing++
      continue
    }
    const inTable = roleIn(row, st.peerId)
    const kind = `peer says ${st.role}, table says ${inTable}${st.role === inTable && inTable === 'virtual-server' ? ' (other members)' : ''}`
    kinds[kind] = (kinds[kind] ?? 0) + 1
    disagreeing.push(`peer #${p.idx} ${String(st.peerId).slice(-8)} in ${st.subnet}: ${kind}`)
  }
  return { agreeing, total: peers.length, disagreeing, kinds }
}

function roleIn (row: any, peerId: string): string {
  if (row == null) return 'absent'
  if (row.virtualServers.some((v: any) => v.peerId === peerId)) return 'virtual-server'
  if (row.virtualServers.some((v: any) => v.members.includes(peerId))) return 'member'
  if (row.centralClients.includes(peerId)) return 'central-client'
  return 'absent'
}

/** Whether every former member of a killed server's group has reported the same new virtual server, and when. */
export function memberReport (placementLog: PlacementEvent[], members: string[], victim: string, tKill: number): { done: boolean, allMs?: number, firstMs?: number, memberMs: number[], newVs?: string, reported: number } {
  const latest = new Map<string, PlacementEvent>()
  const after = placementLog.filter(e => e.t >= tKill && members.includes(e.peerId))
  for (const e of after) latest.set(e.peerId, e)
  const vsSet = new Set([...latest.values()].map(e => e.virtualServer))
  const newVs = vsSet.size === 1 ? [...vsSet][0] ?? undefined : undefined
  const done = latest.size === members.length && newVs != null && newVs !== victim && members.includes(newVs)
  const memberMs: number[] = []
  if (done) {
    for (const m of members) {
      const first = after.find(e => e.peerId === m && e.virtualServer === newVs)
      if (first != null) memberMs.push(first.t - tKill)
    }
  }
  const firstMs = after.length > 0 ? Math.min(...after.map(e => e.t)) - tKill : undefined
  return { done, allMs: done ? Math.max(...memberMs) : undefined, firstMs, memberMs, newVs, reported: latest.size }
}
