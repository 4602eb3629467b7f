import type { NodeStatus, ProviderInfo } from '../../src/index.js'

/** Exit codes, stable for scripts. */
export const EXIT = { OK: 0, ERROR: 1, USAGE: 2, NO_DAEMON: 3 } as const

export function printJson (value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n')
}

export function formatStatus (s: NodeStatus): string {
  const lines = [
    `peer id        ${s.peerId}`,
    `role           ${s.role}`,
    `subnet         ${s.subnet ?? '-'}`,
    `virtual server ${s.virtualServer ?? '-'}`
  ]
  if (s.role === 'virtual-server') lines.push(`members        ${s.members.length === 0 ? '-' : s.members.join('\n               ')}`)
  if (s.bootstrapConnected === false) lines.push(`bootstrap      not connected; joining again${s.joinError != null ? ` (last error: ${s.joinError})` : ''}`)
  const reach = reachabilityLine(s)
  if (reach != null) lines.push(`reachable      ${reach}`)
  lines.push(`addresses      ${s.addresses.join('\n               ')}`)
  return lines.join('\n')
}

/** How others reach a peer, in words; none for the bootstrap. */
function reachabilityLine (s: NodeStatus): string | undefined {
  switch (s.reachability) {
    case null: return undefined
    case 'unknown': return 'not known before the first join'
    case 'direct': return 'directly'
    case 'mapped': return `through its router's forward (UPnP): ${s.portMapping?.mappings.map(m => m.external).join(', ') ?? ''}`
    case 'behind-nat': {
      const relay = s.relay == null ? 'no relay' : s.relay.addrs.length > 0 ? `${s.relay.addrs.length} relay slot${s.relay.addrs.length === 1 ? '' : 's'}` : `relay ${s.relay.state}${s.relay.error != null ? ` (${s.relay.error})` : ''}`
      const punches = s.holePunch == null ? '' : `; hole punches ${s.holePunch.succeeded} of ${s.holePunch.attempts}`
      return `behind NAT, through ${relay}${punches}`
    }
  }
}

export function formatSubnets (rows: Array<{ subnet: string, virtualServers: Array<{ peerId: string, clientCount: number, limitCount: number, members: string[] }>, centralClients: string[] }>): string {
  if (rows.length === 0) return 'no peers have joined yet'
  const out: string[] = []
  for (const r of rows) {
    out.push(`${r.subnet}`)
    for (const vs of r.virtualServers) {
      out.push(`  virtual server ${vs.peerId}  ${vs.clientCount}/${vs.limitCount}`)
      for (const m of vs.members) out.push(`    member ${m}`)
    }
    for (const c of r.centralClients) out.push(`  central client ${c}`)
  }
  return out.join('\n')
}

export function formatFiles (files: Array<{ cid: string, path: string, size: number, title: string, keywords: string[] }>): string {
  if (files.length === 0) return 'this node shares no files (share some with: peerhive share PATH)'
  return files.map(f => `${f.cid}  ${formatBytes(f.size).padStart(9)}  ${f.path}${f.title !== '' ? `  "${f.title}"` : ''}${f.keywords.length > 0 ? `  [${f.keywords.join(', ')}]` : ''}`).join('\n')
}

export function formatBytes (n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++ }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`
}

/** Names shown in full up to this many; past it, the first and "+N other names". */
const NAMES_SHOWN = 3

export function formatResult (r: { cid: string, filename: string, directory: string, size: number, title: string, providers: string[], names?: string[], tier: string, ms: number }): string {
  const name = r.directory === '' ? r.filename : `${r.directory}/${r.filename}`
  const others = (r.names ?? []).filter(n => n !== r.filename)
  const also = others.length === 0 ? '' : others.length < NAMES_SHOWN ? `  (also named ${others.join(', ')})` : `  (+${others.length} other names)`
  return `[${r.tier}] ${name}${also}  ${formatBytes(r.size)}${r.title !== '' ? `  "${r.title}"` : ''}  ${r.cid}  (${r.providers.length} provider${r.providers.length === 1 ? '' : 's'}, ${r.ms} ms)`
}

/** What `search` prints when it found nothing: that, and where it looked. */
export function formatNoMatch (words: string[], tiers: string[]): string {
  return `no file matches "${words.join(' ')}" (asked: ${tiers.length === 0 ? 'no tier' : tiers.join(', ')})`
}

/** 1.2 s, 3 min 4 s, 2 h 5 min. */
export function formatDuration (ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-'
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = Math.round(ms / 1000)
  if (s < 60) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${s % 60} s`
  const h = Math.floor(m / 60)
  if (h < 48) return `${h} h ${m % 60} min`
  return `${Math.floor(h / 24)} d ${h % 24} h`
}

/** The entries of a count map that are not zero, as "valid 3, running 2"; "-" when all are. */
function counts (map: Record<string, number> | undefined): string {
  const parts = Object.entries(map ?? {}).filter(([, n]) => n > 0).map(([k, n]) => `${k.replace(/_/g, ' ')} ${n}`)
  return parts.length === 0 ? '-' : parts.join(', ')
}

interface JobStatusView {
  id: string
  name: string
  owner?: string
  state: string
  submittedAt: number
  finishedAt?: number
  units: number
  unitStates: Record<string, number>
  replicaStates?: Record<string, number>
  soloValidUnits?: number
  progress: number
  etaMs?: number
  errors?: Array<{ unit: number, error: string }>
}

/** The note after a job's progress bar (which counts valid units): its state and ETA. */
export function jobProgressNote (s: JobStatusView): string {
  const eta = s.etaMs != null && s.state === 'running' ? `  ETA ${formatDuration(s.etaMs)}` : ''
  const failed = (s.unitStates?.failed ?? 0) > 0 ? `  ${s.unitStates.failed} failed` : ''
  return `units valid  ${s.state}${failed}${eta}`
}

/** `job status`: state, units by state, progress, ETA. */
export function formatJobStatus (s: JobStatusView, now = Date.now()): string {
  const lines = [
    `job        ${s.id}${s.name !== '' ? `  "${s.name}"` : ''}`,
    `state      ${s.state}`,
    `progress   ${(s.progress * 100).toFixed(1)}%  (${s.unitStates?.valid ?? 0} of ${s.units} units valid)${s.etaMs != null && s.state === 'running' ? `  ETA ${formatDuration(s.etaMs)}` : ''}`,
    `units      ${counts(s.unitStates)}`
  ]
  if (s.replicaStates != null) lines.push(`replicas   ${counts(s.replicaStates)}`)
  // adaptive replication: say how many valid units rest on one provider's word, below the quorum
  if ((s.soloValidUnits ?? 0) > 0) lines.push(`solo       ${s.soloValidUnits} of ${s.units} units validated by a trusted provider alone (adaptive)`)
  lines.push(`submitted  ${new Date(s.submittedAt).toISOString()}  (${formatDuration(now - s.submittedAt)} ago)`)
  if (s.finishedAt != null) lines.push(`finished   ${new Date(s.finishedAt).toISOString()}  (took ${formatDuration(s.finishedAt - s.submittedAt)})`)
  for (const e of s.errors ?? []) lines.push(`error      unit ${e.unit}: ${e.error}`)
  return lines.join('\n')
}

/** `jobs`: one line per job. */
export function formatJobList (jobs: JobStatusView[]): string {
  if (jobs.length === 0) return 'no jobs (submit one with: peerhive job submit JOB.json)'
  const width = Math.max(...jobs.map(j => j.id.length))
  return jobs.map(j => `${j.id.padEnd(width)}  ${j.state.padEnd(9)}  ${(j.progress * 100).toFixed(0).padStart(3)}%  ${String(j.unitStates?.valid ?? 0).padStart(6)}/${String(j.units).padEnd(6)}  ${j.name}`).join('\n')
}

/** `providers`: registration, host, state and history of each provider. */
export function formatProviders (providers: ProviderInfo[], now = Date.now()): string {
  if (providers.length === 0) return 'no providers have registered (start one with: peerhive daemon ... --provider)'
  const out: string[] = []
  for (const p of providers) {
    const h = p.host
    // an unregistered provider's user id is its PeerId: not worth printing twice
    const named = p.userid != null && p.userid !== '' && p.userid !== p.peerId
    const user = named ? `  user ${p.userid ?? ''}${p.userSerialId != null ? ` (#${p.userSerialId})` : ''}` : p.userSerialId != null ? `  user #${p.userSerialId}` : ''
    out.push(`${p.peerId}  ${p.state}${user}`)
    out.push(`  host      ${h.cpuModel !== '' ? h.cpuModel : 'unknown CPU'}, ${h.cores} cores${h.cpuMhz > 0 ? ` @ ${h.cpuMhz} MHz` : ''}, ${h.os}, ${formatBytes(h.memoryMb * 1024 * 1024)} memory, ${formatBytes(h.freeDiskMb * 1024 * 1024)} free disk, ${h.network}${h.bandwidthBps > 0 ? `, ${formatBytes(h.bandwidthBps)}/s` : ''}`)
    out.push(`  donates   ${p.cpus} cpu(s), ${p.maxMemoryMb} MiB per unit, apps: ${p.apps.length === 0 ? 'any' : p.apps.join(', ')}`)
    const hist = p.history
    out.push(`  work      ${p.current} running; valid ${hist.valid}, invalid ${hist.invalid}, failed ${hist.failed}, timed out ${hist.timedOut}, lost ${hist.lost}`)
    out.push(`  trust     ${hist.validStreak} valid in a row${hist.trusted ? ' (trusted)' : ''}${hist.meanTurnaroundMs != null ? `; mean turnaround ${formatDuration(hist.meanTurnaroundMs)}` : ''}; level ${Number.isFinite(p.level) ? p.level.toFixed(2) : '-'}`)
    out.push(`  seen      first ${new Date(p.firstSeen).toISOString()}, last ${formatDuration(now - p.lastSeen)} ago`)
  }
  return out.join('\n')
}
