import { h, setAttr, setText, syncChildren } from './dom.js'
import { clock, count, duration, rate, shortId } from './format.js'
import { drawSparkline, sparkline } from './sparkline.js'
import type { DashboardJob, DashboardSnapshot } from '../../bootstrap/dashboard/types.js'

const UNIT_STATES = ['valid', 'running', 'pending', 'failed', 'cancelled'] as const

/**
 * The jobs: one card per job (data-job, data-state) with a progress bar of
 * its units by state, its counts, ETA and a throughput sparkline; above
 * them, the throughput of all jobs together.
 */
export class JobsPanel {
  private readonly total = sparkline('valid units per second, all jobs')
  private readonly totalText = h('span', { class: 'value' })

  constructor (private readonly container: HTMLElement, private readonly summary: HTMLElement, throughput: HTMLElement) {
    throughput.append(h('span', { class: 'what' }, 'units validated per second'), this.total, this.totalText)
  }

  render (snap: DashboardSnapshot): void {
    const { list, throughput, validUnits } = snap.jobs
    const running = list.filter(j => j.state === 'running').length
    setText(this.summary, list.length === 0 ? 'none yet' : `${running} running · ${list.length - running} ended while watched`)
    drawSparkline(this.total, throughput)
    setText(this.totalText, `${rate(throughput[throughput.length - 1] ?? 0)}/s now · ${count(validUnits)} validated since start`)
    if (list.length > 0) this.container.querySelector(':scope > p.note')?.remove()
    syncChildren(this.container, list, j => j.id, j => card(j), (el, j) => { update(el, j) })
    if (list.length === 0) this.container.replaceChildren(h('p', { class: 'note' }, 'Jobs appear here when an owner submits one (peerhive job submit).'))
  }
}

function card (job: DashboardJob): HTMLElement {
  return h('div', { class: 'job', 'data-job': job.id },
    h('div', { class: 'head' },
      h('b', { class: 'name' }),
      h('code', { class: 'id', title: job.id }, job.id.length > 12 ? job.id.slice(0, 12) : job.id),
      h('span', { class: 'badge' }),
      h('span', { class: 'meta' })),
    h('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100 },
      ...UNIT_STATES.map(state => h('span', { class: `seg seg-${state}`, 'data-units': state }))),
    h('div', { class: 'counts' }),
    h('div', { class: 'foot' },
      h('span', { class: 'replicas' }),
      h('span', { class: 'tp' }, sparkline(`valid units per second of job ${job.id}`), h('span', { class: 'value' }))))
}

function update (el: HTMLElement, job: DashboardJob): void {
  setAttr(el, 'data-state', job.state)
  setAttr(el, 'data-progress', job.progress.toFixed(4))
  setText(el.querySelector('.name')!, job.name === '' ? 'unnamed job' : job.name)
  const badge = el.querySelector('.badge')!
  setText(badge, job.state)
  setAttr(badge, 'class', `badge state-${job.state}`)
  const eta = job.state === 'running' && job.etaMs != null ? ` · ETA ${duration(job.etaMs)}` : ''
  const ended = job.finishedAt != null ? ` · ended ${clock(job.finishedAt)} after ${duration(job.finishedAt - job.submittedAt)}` : ''
  setText(el.querySelector('.meta')!, `owner ${shortId(job.owner)} · submitted ${clock(job.submittedAt)}${eta}${ended}`)
  const bar = el.querySelector<HTMLElement>('.bar')!
  setAttr(bar, 'aria-valuenow', Math.round(job.progress * 100))
  for (const state of UNIT_STATES) {
    const seg = bar.querySelector<HTMLElement>(`[data-units="${state}"]`)!
    const n = job.unitStates[state] ?? 0
    seg.style.width = `${job.units === 0 ? 0 : (100 * n) / job.units}%`
    seg.title = `${n} ${state}`
  }
  const others = UNIT_STATES.slice(1).filter(s => s !== 'cancelled' || job.unitStates.cancelled > 0)
  setText(el.querySelector('.counts')!, `${job.unitStates.valid}/${job.units} valid (${Math.floor(job.progress * 100)}%) · ${others.map(s => `${job.unitStates[s] ?? 0} ${s}`).join(' · ')}`)
  const r = job.replicaStates
  setText(el.querySelector('.replicas')!, `replicas: ${r.assigned} out · ${r.invalid} invalid · ${r.failed + r.timed_out + r.lost} lost or failed`)
  drawSparkline(el.querySelector<SVGSVGElement>('.tp svg')!, job.throughput)
  // a running job: its latest rate; an ended one: its mean
  const seconds = ((job.finishedAt ?? 0) - job.submittedAt) / 1_000
  setText(el.querySelector('.tp .value')!, job.state === 'running' || seconds <= 0
    ? `${rate(job.throughput[job.throughput.length - 1] ?? 0)} units/s`
    : `${rate(job.unitStates.valid / seconds)} units/s on average`)
}
