import type { MapEvent, MapSubnet } from './types.js'

/** An event before it gets its id and time. */
export type MapChange = Omit<MapEvent, 'id' | 'at'>

/** Beyond this many joins (or departures) in one subnet between two looks, they are told as one event. */
const LISTED_ONE_BY_ONE = 4

type Role = { role: 'virtual-server' } | { role: 'member', server: string } | { role: 'central-client' }

interface Place { subnet: string, place: Role }

function placesOf (subnets: MapSubnet[]): Map<string, Place> {
  const places = new Map<string, Place>()
  for (const s of subnets) {
    for (const vs of s.virtualServers) {
      places.set(vs.peerId, { subnet: s.subnet, place: { role: 'virtual-server' } })
      for (const m of vs.members) places.set(m, { subnet: s.subnet, place: { role: 'member', server: vs.peerId } })
    }
    for (const c of s.centralClients) places.set(c, { subnet: s.subnet, place: { role: 'central-client' } })
  }
  return places
}

/** A PeerId as the page shows it: its last 8 characters. */
export function shortId (peerId: string): string {
  return peerId.length <= 8 ? peerId : `…${peerId.slice(-8)}`
}

/**
 * What changed on the map between two looks at the virtual-server table:
 * virtual servers elected, failovers (a member takes over from a virtual
 * server that is gone), promotions, and peers that joined or left.
 */
export function mapChanges (before: MapSubnet[], after: MapSubnet[]): MapChange[] {
  const was = placesOf(before)
  const now = placesOf(after)
  const changes: MapChange[] = []
  const explained = new Set<string>()

  for (const [peer, p] of now) {
    if (p.place.role !== 'virtual-server') continue
    const prev = was.get(peer)
    if (prev?.place.role === 'virtual-server' && prev.subnet === p.subnet) continue
    if (prev?.place.role === 'member' && !now.has(prev.place.server)) {
      const gone = prev.place.server
      explained.add(gone)
      changes.push({ kind: 'failover', subnet: p.subnet, peers: [peer, gone], text: `failover in ${p.subnet}: ${shortId(peer)} took over from ${shortId(gone)}, which is gone` })
    } else if (prev?.place.role === 'member' || prev?.place.role === 'central-client') {
      changes.push({ kind: 'promoted', subnet: p.subnet, peers: [peer], text: `${prev.place.role === 'member' ? 'member' : 'central client'} ${shortId(peer)} became a virtual server of ${p.subnet}` })
    } else {
      changes.push({ kind: 'elected', subnet: p.subnet, peers: [peer], text: `${shortId(peer)} joined ${p.subnet} as a virtual server` })
    }
  }

  const joined = new Map<string, string[]>()
  const left = new Map<string, string[]>()
  const add = (m: Map<string, string[]>, subnet: string, peer: string): void => {
    const list = m.get(subnet)
    if (list == null) m.set(subnet, [peer])
    else list.push(peer)
  }
  for (const [peer, p] of was) {
    const next = now.get(peer)
    if (next == null) {
      if (p.place.role === 'virtual-server') {
        if (!explained.has(peer)) changes.push({ kind: 'server-left', subnet: p.subnet, peers: [peer], text: `virtual server ${shortId(peer)} left ${p.subnet}` })
      } else {
        add(left, p.subnet, peer)
      }
    } else if (p.place.role === 'virtual-server' && next.place.role !== 'virtual-server') {
      changes.push({ kind: 'demoted', subnet: next.subnet, peers: [peer], text: `virtual server ${shortId(peer)} is now a ${next.place.role === 'member' ? 'member' : 'central client'} of ${next.subnet}` })
    }
  }
  for (const [peer, p] of now) if (!was.has(peer) && p.place.role !== 'virtual-server') add(joined, p.subnet, peer)

  for (const [subnet, peers] of joined) changes.push(...grouped('joined', subnet, peers, 'joined', now))
  for (const [subnet, peers] of left) changes.push(...grouped('left', subnet, peers, 'left', was))
  return changes
}

function grouped (kind: 'joined' | 'left', subnet: string, peers: string[], verb: string, places: Map<string, Place>): MapChange[] {
  if (peers.length > LISTED_ONE_BY_ONE) return [{ kind, subnet, peers, text: `${peers.length} peers ${verb} ${subnet}` }]
  return peers.map(peer => {
    const role = places.get(peer)?.place.role === 'central-client' ? 'central client' : 'member'
    return { kind, subnet, peers: [peer], text: `${role} ${shortId(peer)} ${verb} ${subnet}` }
  })
}
