import { h, setAttr, setText, syncChildren } from './dom.js'
import { count, duration, megabytes, shortId } from './format.js'
import type { DashboardSnapshot, ProviderInfo } from '../../bootstrap/dashboard/types.js'

/** The operator's action on a provider; resolves when the bootstrap answered. */
export type ProviderAction = (peer: string, ban: boolean) => Promise<void>

/** How long a first click on Remove or Ban waits for the confirming second click. */
const ARM_MS = 4_000

/**
 * The providers table: host, state, units out now, history (valid,
 * invalid, failed, timed out, lost; trust; mean turnaround) and the
 * operator's Remove and Ban buttons, each asking for a second click.
 * Rows carry data-provider and data-state.
 */
export class ProvidersTable {
  constructor (private readonly tbody: HTMLTableSectionElement, private readonly summary: HTMLElement, private readonly act: ProviderAction) {}

  render (snap: DashboardSnapshot): void {
    const { list, total, states } = snap.providers
    const parts = Object.entries(states).filter(([, n]) => n > 0).map(([state, n]) => `${n} ${state}`)
    setText(this.summary, total === 0 ? 'none has registered yet' : `${count(total)} known · ${parts.join(' · ')}${list.length < total ? ` · the ${list.length} seen last are listed` : ''}`)
    syncChildren(this.tbody, list, p => p.peerId, p => this.row(p), (tr, p) => { this.update(tr, p) })
    if (list.length === 0 && this.tbody.children.length === 0) this.tbody.append(h('tr', { class: 'empty' }, h('td', { colspan: 7 }, 'Providers appear here when a daemon runs with --provider.')))
    else if (list.length > 0) this.tbody.querySelector('tr.empty')?.remove()
  }

  private row (p: ProviderInfo): HTMLTableRowElement {
    const remove = h('button', { type: 'button', class: 'act', 'data-action': 'remove', onclick: () => { this.click(p.peerId, false, remove) } }, 'Remove')
    const ban = h('button', { type: 'button', class: 'act danger', 'data-action': 'ban', onclick: () => { this.click(p.peerId, true, ban) } }, 'Ban')
    return h('tr', { 'data-provider': p.peerId },
      h('td', { class: 'who' }, h('code', { title: p.peerId }, shortId(p.peerId)), h('div', { class: 'sub' })),
      h('td', { class: 'host' }, h('div', { class: 'cpu' }), h('div', { class: 'sub' })),
      h('td', {}, h('span', { class: 'badge' })),
      h('td', { class: 'num current' }),
      h('td', { class: 'history' }),
      h('td', { class: 'num turnaround' }),
      h('td', { class: 'actions' }, remove, ban))
  }

  private update (tr: HTMLTableRowElement, p: ProviderInfo): void {
    const cells = tr.cells
    setAttr(tr, 'data-state', p.state)
    // a provider that never registered a name is listed under its PeerId
    const user = p.userid == null ? 'no user' : p.userid === p.peerId ? `user #${p.userSerialId ?? '?'}` : `${p.userid} #${p.userSerialId ?? '?'}`
    setText(cells[0].querySelector('.sub')!, user)
    const host = p.host
    setText(cells[1].querySelector('.cpu')!, host.cpuModel === '' ? 'unknown CPU' : host.cpuModel)
    setText(cells[1].querySelector('.sub')!, [
      `${host.cores} core${host.cores === 1 ? '' : 's'}${host.cpuMhz > 0 ? ` × ${host.cpuMhz} MHz` : ''}`,
      host.os,
      `${megabytes(host.memoryMb)} RAM`,
      `${megabytes(host.freeDiskMb)} free`,
      host.network + (host.bandwidthBps > 0 ? ` ${Math.round(host.bandwidthBps / 1e6)} Mbit/s` : ''),
      `donates ${p.cpus} cpu(s), ${megabytes(p.maxMemoryMb)}/unit`
    ].filter(x => x !== '').join(' · '))
    const badge = cells[2].querySelector('.badge')!
    setText(badge, p.state)
    setAttr(badge, 'class', `badge state-${p.state}`)
    setText(cells[3], `${p.current} / ${p.cpus}`)
    const hist = p.history
    const want = [
      ['valid', hist.valid], ['invalid', hist.invalid], ['failed', hist.failed], ['timed out', hist.timedOut], ['lost', hist.lost]
    ] as const
    const key = JSON.stringify([want, hist.trusted, hist.validStreak])
    if (cells[4].dataset.key !== key) {
      cells[4].dataset.key = key
      cells[4].replaceChildren(
        ...want.map(([what, n]) => h('span', { class: `h h-${what.replace(' ', '-')}${n === 0 ? ' zero' : ''}`, 'data-history': what }, `${count(n)} ${what}`)),
        h('span', { class: hist.trusted ? 'trust yes' : 'trust' }, hist.trusted ? '★ trusted' : `streak ${hist.validStreak}`))
    }
    setText(cells[5], duration(hist.meanTurnaroundMs))
    const gone = p.state === 'removed' || p.state === 'banned'
    const [remove, ban] = cells[6].querySelectorAll('button')
    if (remove.dataset.armed == null) remove.disabled = gone
    if (ban.dataset.armed == null) ban.disabled = p.state === 'banned'
  }

  private click (peer: string, ban: boolean, button: HTMLButtonElement): void {
    const label = ban ? 'Ban' : 'Remove'
    if (button.dataset.armed == null) {
      button.dataset.armed = '1'
      button.textContent = `Confirm ${label.toLowerCase()}?`
      button.classList.add('armed')
      setTimeout(() => { disarm(button, label) }, ARM_MS)
      return
    }
    disarm(button, label)
    button.disabled = true
    this.act(peer, ban).finally(() => { button.disabled = false })
  }
}

function disarm (button: HTMLButtonElement, label: string): void {
  delete button.dataset.armed
  button.classList.remove('armed')
  button.textContent = label
}
