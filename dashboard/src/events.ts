import { h } from './dom.js'
import { clock } from './format.js'
import type { DashboardSnapshot } from '../../bootstrap/dashboard/types.js'

const KEPT = 60

/** The events log, newest on top: elections, failovers, joins, providers, jobs. Items carry data-kind. */
export class EventsLog {
  private lastId = 0
  private first = true

  constructor (private readonly list: HTMLOListElement) {}

  render (snap: DashboardSnapshot): void {
    const news = snap.events.filter(e => e.id > this.lastId)
    // a restarted bootstrap counts from 1 again
    if (snap.events.length > 0 && snap.events[snap.events.length - 1].id < this.lastId) {
      this.list.replaceChildren()
      this.lastId = 0
      this.render(snap)
      return
    }
    for (const e of news) {
      this.list.prepend(h('li', { class: `ev ev-${e.kind}${this.first ? '' : ' new'}`, 'data-kind': e.kind, 'data-event': e.id, 'data-peers': e.peers.join(' ') },
        h('time', {}, clock(e.at)), ' ', e.text))
      this.lastId = e.id
    }
    this.first = false
    while (this.list.children.length > KEPT) this.list.lastElementChild?.remove()
    if (this.list.children.length === 0) this.list.append(h('li', { class: 'ev empty' }, 'Nothing happened yet.'))
    else if (news.length > 0) this.list.querySelector('li.empty')?.remove()
  }
}
