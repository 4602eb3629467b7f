import { byId, h, setAttr, setText } from './dom.js'
import { duration, plural, shortId } from './format.js'
import { EventsLog } from './events.js'
import { JobsPanel } from './jobs.js'
import { LoadPanel } from './load.js'
import { NetworkMap } from './map.js'
import { ProvidersTable } from './providers.js'
import type { DashboardSnapshot } from '../../bootstrap/dashboard/types.js'

/** The operator's token lives in this tab's sessionStorage only. */
const TOKEN_KEY = 'peerhive.dashboard.token'

const map = new NetworkMap(document.getElementById('map') as unknown as SVGSVGElement)
const load = new LoadPanel(byId<HTMLTableElement>('load').tBodies[0], byId('load-claim'))
const events = new EventsLog(byId<HTMLOListElement>('events'))
const jobs = new JobsPanel(byId('jobs'), byId('jobs-summary'), byId('throughput'))
const providers = new ProvidersTable(byId<HTMLTableElement>('providers').tBodies[0], byId('providers-summary'), removeProvider)
const conn = byId('conn')
const actionStatus = byId('action-status')
const tokenForm = byId<HTMLFormElement>('token-form')
const tokenInput = byId<HTMLInputElement>('token-input')

let latest: DashboardSnapshot | undefined
let drawn: DashboardSnapshot | undefined
let frame = 0

function show (snap: DashboardSnapshot): void {
  latest = snap
  // one redraw per animation frame, however fast snapshots come
  if (frame === 0) frame = requestAnimationFrame(draw)
}

function draw (): void {
  frame = 0
  const snap = latest
  if (snap == null || snap === drawn) return
  drawn = snap
  setText(byId('bootstrap-id'), shortId(snap.bootstrap.peerId))
  byId('bootstrap-id').title = `${snap.bootstrap.peerId}\n${snap.bootstrap.addresses.join('\n')}`
  const n = snap.network
  const running = snap.jobs.list.filter(j => j.state === 'running').length
  setText(byId('summary'), [
    `up ${duration(snap.bootstrap.uptimeMs)}`,
    `${plural(n.peers, 'peer')} in ${plural(n.subnets.length + n.subnetsLeftOff, 'subnet')}`,
    plural(n.virtualServers, 'virtual server'),
    plural(n.centralClients, 'central client'),
    plural(snap.providers.total, 'provider'),
    `${plural(running, 'job')} running`
  ].join(' · '))
  setText(byId('map-note'), n.peers === 0 ? 'No peer has joined yet.' : n.subnetsLeftOff > 0 ? `${n.subnetsLeftOff} more subnets are not drawn.` : '')
  map.render(snap)
  load.render(snap)
  events.render(snap)
  jobs.render(snap)
  providers.render(snap)
  document.body.dataset.updated = String(snap.at)
}

function connect (): void {
  const source = new EventSource('/events')
  source.addEventListener('open', () => { setConn('live', 'live') })
  source.addEventListener('snapshot', evt => {
    setConn('live', 'live')
    try {
      show(JSON.parse((evt as MessageEvent<string>).data))
    } catch (err) {
      console.error('a snapshot the page cannot read', err)
    }
  })
  // EventSource reconnects by itself (the server asks for 2 s); a closed one is opened again
  source.addEventListener('error', () => {
    setConn('lost', 'reconnecting…')
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, 3_000)
  })
}

function setConn (state: string, text: string): void {
  setAttr(conn, 'data-state', state)
  setText(conn, text)
}

// ---------------------------------------------------------------- the operator's token and actions

function token (): string | null {
  return sessionStorage.getItem(TOKEN_KEY)
}

function askToken (message?: string): void {
  tokenForm.hidden = false
  tokenInput.focus()
  if (message != null) say(message, 'error')
}

function say (text: string, kind: 'ok' | 'error'): void {
  actionStatus.replaceChildren(h('span', { class: kind }, text))
  setAttr(actionStatus, 'data-kind', kind)
}

async function removeProvider (peer: string, ban: boolean): Promise<void> {
  const t = token()
  if (t == null) {
    askToken(`To ${ban ? 'ban' : 'remove'} a provider, enter the operator's token first.`)
    return
  }
  let res: Response
  try {
    res = await fetch(`/api/providers/${encodeURIComponent(peer)}/remove`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ban })
    })
  } catch (err) {
    say(`The bootstrap did not answer: ${(err as Error).message}`, 'error')
    return
  }
  const body = await res.json().catch(() => ({}))
  if (res.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY)
    askToken('The bootstrap refused that token. Enter the one in its data directory (api.token).')
    return
  }
  if (!res.ok) {
    say(`${ban ? 'Ban' : 'Remove'} failed (${res.status}): ${String(body.message ?? body.error ?? '')}`, 'error')
    return
  }
  say(`Provider ${shortId(peer)} is ${String(body.provider?.state ?? (ban ? 'banned' : 'removed'))}.`, 'ok')
}

byId('token-button').addEventListener('click', () => {
  tokenForm.hidden = !tokenForm.hidden
  if (!tokenForm.hidden) tokenInput.focus()
})
tokenForm.addEventListener('submit', evt => {
  evt.preventDefault()
  const value = tokenInput.value.trim()
  if (value === '') return
  sessionStorage.setItem(TOKEN_KEY, value)
  tokenInput.value = ''
  tokenForm.hidden = true
  updateTokenButton()
  say('Token kept for this tab. Remove and Ban now act.', 'ok')
})
byId('token-forget').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY)
  tokenForm.hidden = true
  updateTokenButton()
})

function updateTokenButton (): void {
  const button = byId('token-button')
  setText(button, token() == null ? 'Operator token' : 'Operator token ✓')
  setAttr(button, 'data-token', token() == null ? 'none' : 'set')
}

window.addEventListener('resize', () => {
  drawn = undefined
  if (latest != null) show(latest)
})

updateTokenButton()
connect()
