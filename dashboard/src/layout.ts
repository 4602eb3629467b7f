import type { MapSubnet } from '../../bootstrap/dashboard/types.js'

/**
 * Where everything goes on the network map. The central server sits on
 * top; below it every subnet is a box; in a box each virtual server heads a
 * column with its members under it, and the central clients share a column
 * of their own at the right.
 */

export type PeerRole = 'virtual-server' | 'member' | 'central-client'

export interface PlacedPeer { id: string, role: PeerRole, subnet: string, x: number, y: number, server?: string, label?: string }
export interface PlacedBox { subnet: string, x: number, y: number, w: number, h: number, peers: number }
export interface Edge { kind: 'server' | 'member' | 'central', x1: number, y1: number, x2: number, y2: number }
export interface Note { x: number, y: number, text: string }
export interface MapLayout { width: number, height: number, hub: { x: number, y: number }, boxes: PlacedBox[], peers: PlacedPeer[], edges: Edge[], notes: Note[] }

export const VS_R = 15
export const MEMBER_R = 7
export const CLIENT_SIZE = 12
const STEP = 22
const MEMBER_COLS = 4
const CLIENT_COLS = 3
const PAD = 12
const TITLE_H = 22
const COL_GAP = 12
const BOX_GAP = 16
const MARGIN = 10
const HUB_Y = 28
const TOP = 78

interface Column { w: number, h: number, place: (x: number, y: number) => void }

export function layoutMap (subnets: MapSubnet[], width: number): MapLayout {
  const hub = { x: width / 2, y: HUB_Y }
  const peers: PlacedPeer[] = []
  const edges: Edge[] = []
  const boxes: PlacedBox[] = []
  const notes: Note[] = []

  // one box per subnet, sized by its columns (wrapped when wider than the map)
  const sized = subnets.map(subnet => {
    const columns: Column[] = subnet.virtualServers.map(vs => serverColumn(subnet.subnet, vs.peerId, vs.members, `${vs.clientCount}/${vs.limitCount}`, peers))
    if (subnet.centralClients.length > 0) columns.push(clientColumn(subnet.subnet, subnet.centralClients, peers, notes))
    const inner = Math.max(120, width - 2 * MARGIN - 2 * PAD)
    const rows: Column[][] = [[]]
    let used = 0
    for (const c of columns) {
      const row = rows[rows.length - 1]
      if (row.length > 0 && used + COL_GAP + c.w > inner) {
        rows.push([c])
        used = c.w
      } else {
        used += (row.length > 0 ? COL_GAP : 0) + c.w
        row.push(c)
      }
    }
    const rowWidths = rows.map(r => r.reduce((n, c) => n + c.w, 0) + COL_GAP * Math.max(0, r.length - 1))
    const rowHeights = rows.map(r => Math.max(0, ...r.map(c => c.h)))
    const w = Math.max(150, ...rowWidths) + 2 * PAD
    const h = TITLE_H + PAD + rowHeights.reduce((n, x) => n + x, 0) + COL_GAP * Math.max(0, rows.length - 1) + PAD
    const count = subnet.virtualServers.reduce((n, v) => n + 1 + v.members.length, 0) + subnet.centralClients.length
    return {
      w,
      h,
      place: (x: number, y: number) => {
        boxes.push({ subnet: subnet.subnet, x, y, w, h, peers: count })
        let cy = y + TITLE_H + PAD
        rows.forEach((row, i) => {
          let cx = x + (w - rowWidths[i]) / 2
          for (const c of row) {
            c.place(cx, cy)
            cx += c.w + COL_GAP
          }
          cy += rowHeights[i] + COL_GAP
        })
      }
    }
  })

  // boxes flow in rows, each row centred
  let y = TOP
  let row: typeof sized = []
  let rowW = 0
  const flush = (): void => {
    if (row.length === 0) return
    let x = (width - rowW) / 2
    const rowH = Math.max(...row.map(b => b.h))
    for (const b of row) {
      b.place(x, y)
      x += b.w + BOX_GAP
    }
    y += rowH + BOX_GAP
    row = []
    rowW = 0
  }
  for (const b of sized) {
    const next = rowW + (row.length > 0 ? BOX_GAP : 0) + b.w
    if (row.length > 0 && next > width - 2 * MARGIN) flush()
    rowW += (row.length > 0 ? BOX_GAP : 0) + b.w
    row.push(b)
  }
  flush()

  // the central server talks to every virtual server and central client
  for (const p of peers) {
    if (p.role === 'virtual-server') edges.push({ kind: 'server', x1: hub.x, y1: hub.y + 14, x2: p.x, y2: p.y - VS_R })
    if (p.role === 'central-client') edges.push({ kind: 'central', x1: hub.x, y1: hub.y + 14, x2: p.x, y2: p.y - CLIENT_SIZE / 2 })
  }
  const byId = new Map(peers.map(p => [p.id, p]))
  const memberEdges = peers.filter(p => p.role === 'member' && p.server != null).map(p => {
    const vs = byId.get(p.server!)!
    return { kind: 'member' as const, x1: vs.x, y1: vs.y, x2: p.x, y2: p.y }
  })
  edges.push(...memberEdges)
  return { width, height: Math.max(y, TOP + 40), hub, boxes, peers, edges, notes }
}

function serverColumn (subnet: string, server: string, members: string[], label: string, peers: PlacedPeer[]): Column {
  const cols = Math.min(MEMBER_COLS, Math.max(1, members.length))
  const rows = Math.ceil(members.length / cols)
  const w = Math.max(92, cols * STEP + 6)
  const h = 2 * VS_R + 22 + rows * STEP
  return {
    w,
    h,
    place: (x, y) => {
      const cx = x + w / 2
      peers.push({ id: server, role: 'virtual-server', subnet, x: cx, y: y + VS_R + 2, label })
      const left = cx - ((cols - 1) * STEP) / 2
      members.forEach((m, i) => {
        peers.push({ id: m, role: 'member', subnet, server, x: left + (i % cols) * STEP, y: y + 2 * VS_R + 22 + Math.floor(i / cols) * STEP + MEMBER_R })
      })
    }
  }
}

function clientColumn (subnet: string, clients: string[], peers: PlacedPeer[], notes: Note[]): Column {
  const cols = Math.min(CLIENT_COLS, clients.length)
  const rows = Math.ceil(clients.length / cols)
  const w = Math.max(72, cols * STEP + 6)
  const h = 16 + rows * STEP
  return {
    w,
    h,
    place: (x, y) => {
      const left = x + w / 2 - ((cols - 1) * STEP) / 2
      notes.push({ x: x + w / 2, y: y + 8, text: 'central clients' })
      clients.forEach((c, i) => {
        peers.push({ id: c, role: 'central-client', subnet, x: left + (i % cols) * STEP, y: y + 16 + Math.floor(i / cols) * STEP + CLIENT_SIZE / 2 })
      })
    }
  }
}
