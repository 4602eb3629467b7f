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
