import { s, setAttr, setText } from './dom.js'
import { shortId } from './format.js'
import { CLIENT_SIZE, MEMBER_R, VS_R, layoutMap, type PeerRole, type PlacedPeer } from './layout.js'
import type { DashboardSnapshot } from '../../bootstrap/dashboard/types.js'

/** How long a newly elected virtual server (and the subnet of a failover) stays highlighted. */
const FRESH_MS = 8_000
/** How long a peer that left stays on the map, fading, where it was. */
const GONE_MS = 6_000
/** Zooms tried, largest first, and the height the picture should fit in. */
const ZOOMS = [1.7, 1.5, 1.3, 1.15]
const MAP_HEIGHT = 560

const ROLE_ATTR: Record<PeerRole, string> = { 'virtual-server': 'data-vs', member: 'data-member', 'central-client': 'data-central-client' }
const ROLE_TEXT: Record<PeerRole, string> = { 'virtual-server': 'virtual server', member: 'member', 'central-client': 'central client' }

interface PeerNode { g: SVGGElement, role?: PeerRole, goneTimer?: ReturnType<typeof setTimeout> }

/**
 * The network map, an SVG picture kept across snapshots: every peer is one
 * element that moves (with a transition) when its place changes, a new
 * virtual server pulses for a few seconds, and a peer that is gone fades
 * out in red where it was. Elements carry data-vs, data-member or
 * data-central-client with the PeerId, and data-subnet on each subnet.
 */
export class NetworkMap {
  private readonly edges = s('g', { class: 'edges' })
  private readonly boxes = s('g', { class: 'boxes' })
  private readonly notes = s('g', { class: 'notes' })
  private readonly peerLayer = s('g', { class: 'peers' })
  private readonly hub = s('g', { class: 'hub', 'data-bootstrap': '' },
    s('rect', { x: -58, y: -14, width: 116, height: 28, rx: 7 }),
    s('text', { y: 4, 'text-anchor': 'middle' }, 'central server'))
  private readonly peers = new Map<string, PeerNode>()
  private readonly boxNodes = new Map<string, SVGGElement>()

  constructor (private readonly svg: SVGSVGElement) {
    svg.append(this.edges, this.boxes, this.notes, this.hub, this.peerLayer)
  }

  render (snap: DashboardSnapshot): void {
    // a small network is drawn larger: the largest zoom whose picture still fits the panel's height
    const width = Math.max(420, Math.round(this.svg.parentElement?.clientWidth ?? 800) - 2)
    let zoom = 1
    let layout = layoutMap(snap.network.subnets, width)
    for (const z of ZOOMS) {
      const tried = layoutMap(snap.network.subnets, width / z)
      if (tried.height * z <= MAP_HEIGHT) {
        zoom = z
        layout = tried
        break
      }
    }
    setAttr(this.svg, 'viewBox', `0 0 ${layout.width} ${layout.height}`)
    setAttr(this.svg, 'width', Math.round(layout.width * zoom))
    setAttr(this.svg, 'height', Math.round(layout.height * zoom))
    setAttr(this.svg, 'data-zoom', zoom)
    this.hub.style.transform = `translate(${layout.hub.x}px, ${layout.hub.y}px)`
    setAttr(this.hub, 'data-bootstrap', snap.bootstrap.peerId)

    const recent = snap.events.filter(e => snap.at - e.at < FRESH_MS)
    const fresh = new Set(recent.filter(e => e.kind === 'elected' || e.kind === 'failover' || e.kind === 'promoted').map(e => e.peers[0]))
    const alerted = new Set(recent.filter(e => e.kind === 'failover' || e.kind === 'server-left').map(e => e.subnet))

    this.edges.replaceChildren(...layout.edges.map(e => e.kind === 'member'
      ? s('line', { class: `edge ${e.kind}`, x1: e.x1, y1: e.y1, x2: e.x2, y2: e.y2 })
      : s('path', { class: `edge ${e.kind}`, d: `M${e.x1},${e.y1} C${e.x1},${(e.y1 + e.y2) / 2} ${e.x2},${(e.y1 + e.y2) / 2} ${e.x2},${e.y2}` })))
    this.notes.replaceChildren(...layout.notes.map(n => s('text', { x: n.x, y: n.y, 'text-anchor': 'middle' }, n.text)))

    const boxesNow = new Set<string>()
    for (const b of layout.boxes) {
      boxesNow.add(b.subnet)
      let g = this.boxNodes.get(b.subnet)
      if (g == null) {
        g = s('g', { class: 'subnet', 'data-subnet': b.subnet }, s('rect', { rx: 10 }), s('text', { class: 'title', x: 10, y: 15 }))
        this.boxNodes.set(b.subnet, g)
        this.boxes.append(g)
      }
      g.style.transform = `translate(${b.x}px, ${b.y}px)`
      const rect = g.querySelector('rect')!
      setAttr(rect, 'width', b.w)
      setAttr(rect, 'height', b.h)
      setText(g.querySelector('text')!, `${b.subnet} · ${b.peers} peer${b.peers === 1 ? '' : 's'}`)
      g.classList.toggle('alert', alerted.has(b.subnet))
    }
    for (const [subnet, g] of this.boxNodes) {
      if (boxesNow.has(subnet)) continue
      g.remove()
      this.boxNodes.delete(subnet)
    }

    const placedNow = new Set<string>()
    for (const p of layout.peers) {
      placedNow.add(p.id)
      this.place(p, fresh.has(p.id))
    }
    for (const [id, node] of this.peers) if (!placedNow.has(id)) this.leave(id, node)
  }

  private place (p: PlacedPeer, fresh: boolean): void {
    let node = this.peers.get(p.id)
    if (node == null) {
      node = { g: s('g', { class: 'peer', 'data-peer': p.id }) }
      this.peers.set(p.id, node)
      node.g.style.transform = `translate(${p.x}px, ${p.y}px)`
      this.peerLayer.append(node.g)
      // moves after this first placement are animated
      requestAnimationFrame(() => { node?.g.classList.add('placed') })
    }
    const { g } = node
    if (node.goneTimer != null) {
      clearTimeout(node.goneTimer)
      node.goneTimer = undefined
      g.classList.remove('gone')
      g.removeAttribute('data-gone')
      node.role = undefined
    }
    if (node.role !== p.role) {
      if (node.role != null) g.removeAttribute(ROLE_ATTR[node.role])
      node.role = p.role
      g.replaceChildren(...shapeOf(p.role), s('title'))
      g.setAttribute('class', `peer ${roleClass(p.role)}${g.classList.contains('placed') ? ' placed' : ''}`)
    }
    setAttr(g, ROLE_ATTR[p.role], p.id)
    setAttr(g, 'data-role', p.role)
    setAttr(g, 'data-subnet', p.subnet)
    setAttr(g, 'data-server', p.server)
    g.style.transform = `translate(${p.x}px, ${p.y}px)`
    g.classList.toggle('fresh', fresh)
    const label = g.querySelector('text.label')
    if (label != null) setText(label, `${shortId(p.id)} · ${p.label ?? ''}`)
    setText(g.querySelector('title')!, `${ROLE_TEXT[p.role]} ${p.id}${p.server != null ? `\nvirtual server ${p.server}` : ''}`)
  }

  /** A peer that left stays a moment, fading in red, without its role attributes. */
  private leave (id: string, node: PeerNode): void {
    if (node.goneTimer != null) return
    if (node.role != null) node.g.removeAttribute(ROLE_ATTR[node.role])
    node.g.setAttribute('data-gone', id)
    node.g.classList.remove('fresh')
    node.g.classList.add('gone')
    const tag = node.g.querySelector('text.tag')
    if (tag != null) tag.textContent = '✕'
    node.goneTimer = setTimeout(() => {
      node.g.remove()
      if (this.peers.get(id) === node) this.peers.delete(id)
    }, GONE_MS)
  }
}

function roleClass (role: PeerRole): string {
  return role === 'virtual-server' ? 'vs' : role === 'member' ? 'member' : 'client'
}

function shapeOf (role: PeerRole): SVGElement[] {
  if (role === 'virtual-server') {
    return [
      s('circle', { class: 'halo', r: VS_R + 7 }),
      s('circle', { class: 'body', r: VS_R }),
      s('text', { class: 'tag', y: 4, 'text-anchor': 'middle' }, 'VS'),
      s('text', { class: 'label', y: VS_R + 13, 'text-anchor': 'middle' })
    ]
  }
  if (role === 'member') return [s('circle', { class: 'halo', r: MEMBER_R + 5 }), s('circle', { class: 'body', r: MEMBER_R })]
  const half = CLIENT_SIZE / 2
  return [s('circle', { class: 'halo', r: half + 5 }), s('rect', { class: 'body', x: -half, y: -half, width: CLIENT_SIZE, height: CLIENT_SIZE, rx: 2 })]
}
