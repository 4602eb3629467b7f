import { h, setAttr, setText, syncChildren } from './dom.js'
import { count, plural, protocolName, rate } from './format.js'
import { drawSparkline, sparkline } from './sparkline.js'
import type { DashboardSnapshot, ProtocolLoad } from '../../bootstrap/dashboard/types.js'

/**
 * The central server's load: requests per second for each peerhive
 * protocol (rows carry data-protocol, data-rate and data-total), and the
 * seed's claim beside it: how many peers the virtual servers serve
 * instead of the central server.
 */
export class LoadPanel {
  constructor (private readonly tbody: HTMLTableSectionElement, private readonly claim: HTMLElement) {}

  render (snap: DashboardSnapshot): void {
    const n = snap.network
    const byServers = n.virtualServers + n.members
    const share = n.peers === 0 ? 0 : Math.round((100 * byServers) / n.peers)
    const total = snap.load.protocols.reduce((sum, p) => sum + p.rate, 0)
    this.claim.replaceChildren(
      h('b', {}, `${rate(total)} req/s`), ' in all · ',
      h('b', {}, count(n.peers)), ` peer${n.peers === 1 ? '' : 's'}: `,
      h('b', {}, `${share}%`), ` in virtual-server groups (${n.virtualServers} VS, ${plural(n.members, 'member')}), `,
      h('b', {}, count(n.centralClients)), ' served by the central server directly')
    if (snap.load.protocols.length > 0) this.tbody.querySelector('tr.empty')?.remove()
    syncChildren(this.tbody, snap.load.protocols, p => p.protocol, p => row(p), (tr, p) => { update(tr, p) })
    if (snap.load.protocols.length === 0) this.tbody.replaceChildren(h('tr', { class: 'empty' }, h('td', { colspan: 4 }, 'No request yet.')))
  }
}

function row (p: ProtocolLoad): HTMLTableRowElement {
  return h('tr', { 'data-protocol': p.protocol },
    h('td', { title: p.protocol }, protocolName(p.protocol)),
    h('td', { class: 'num rate' }),
    h('td', { class: 'num total' }),
    h('td', {}, sparkline(`${p.protocol} requests per second`)))
}

function update (tr: HTMLTableRowElement, p: ProtocolLoad): void {
  setAttr(tr, 'data-rate', p.rate)
  setAttr(tr, 'data-total', p.total)
  setText(tr.cells[1], rate(p.rate))
  setText(tr.cells[2], count(p.total) + (p.errors > 0 ? ` (${count(p.errors)} refused)` : ''))
  drawSparkline(tr.querySelector('svg')!, p.samples)
}
