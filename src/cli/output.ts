import type { NodeStatus } from '../status.js'

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
  lines.push(`addresses      ${s.addresses.join('\n               ')}`)
  return lines.join('\n')
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

export function formatResult (r: { cid: string, filename: string, directory: string, size: number, title: string, providers: string[], tier: string, ms: number }): string {
  const name = r.directory === '' ? r.filename : `${r.directory}/${r.filename}`
  return `[${r.tier}] ${name}  ${formatBytes(r.size)}${r.title !== '' ? `  "${r.title}"` : ''}  ${r.cid}  (${r.providers.length} provider${r.providers.length === 1 ? '' : 's'}, ${r.ms} ms)`
}
