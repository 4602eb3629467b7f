import { rankHosts } from './host-rank.js'
import type { Candidate, ElectionChange, Group, Placement, SubnetState } from './types.js'

export interface ElectionInit {
  /**
   * Capacity of a new group, the virtual server included (seed: limit_count); 0 turns virtual servers off
   * @default none (required)
   */
  limit: number
  /**
   * Clock, for host ranking
   * @default Date.now
   */
  now?: () => number
}

/**
 * The seed's election (001 §3, §4.2) plus departures and failover, as a pure
 * state machine: no I/O, no timers. The bootstrap feeds it joins and leaves
 * and publishes the subnet tables it reports as changed.
 */
export class Election {
  private readonly limit: number
  private readonly now: () => number
  private readonly subnets = new Map<string, SubnetState>()
  private readonly candidates = new Map<string, Candidate>()

  constructor (init: ElectionInit) {
    if (!Number.isInteger(init.limit) || init.limit < 0) {
      throw new RangeError(`virtual-server limit must be an integer >= 0 (0: no virtual servers), got ${init.limit}`)
    }
    this.limit = init.limit
    this.now = init.now ?? Date.now
  }

  /** Places a peer. A peer already placed in the same subnet keeps its place. */
  join (candidate: Candidate): ElectionChange {
    const known = this.candidates.get(candidate.peerId)
    const changed = new Set<string>()
    if (known != null) {
      if (known.subnet === candidate.subnet) {
        this.candidates.set(candidate.peerId, { ...candidate, joinedAt: known.joinedAt })
        return { placement: this.placementOf(candidate.peerId), changedSubnets: [] }
      }
      for (const s of this.leave(candidate.peerId).changedSubnets) changed.add(s)
    }
    this.candidates.set(candidate.peerId, candidate)
    const state = this.subnetOf(candidate.subnet)
    changed.add(candidate.subnet)

    const open = state.servers.find(g => groupSize(g) < g.limit)
    if (this.limit === 0) {
      // virtual servers off: the central server serves every peer
      state.centralClients.push(candidate.peerId)
    } else if (open != null) {
      open.members.push(candidate.peerId)
    } else if (state.servers.length === 0) {
      state.servers.push(this.newGroup(candidate.peerId))
    } else if (state.centralClients.length > 0) {
      // rule 4: the waiting central client becomes a new virtual server and the newcomer joins it
      const promoted = this.best(state.centralClients)
      state.centralClients = state.centralClients.filter(id => id !== promoted)
      const group = this.newGroup(promoted)
      state.servers.push(group)
      if (groupSize(group) < group.limit) group.members.push(candidate.peerId)
      else state.centralClients.push(candidate.peerId)
    } else {
      state.centralClients.push(candidate.peerId)
    }
    return { placement: this.placementOf(candidate.peerId), changedSubnets: [...changed] }
  }

  /** Removes a peer: frees a member's slot, fails a virtual server over to its best member. */
  leave (peerId: string): ElectionChange {
    const candidate = this.candidates.get(peerId)
    if (candidate == null) return { changedSubnets: [] }
    this.candidates.delete(peerId)
    const state = this.subnetOf(candidate.subnet)

    state.centralClients = state.centralClients.filter(id => id !== peerId)
    const index = state.servers.findIndex(g => g.server === peerId)
    if (index >= 0) {
      const group = state.servers[index]
      if (group.members.length > 0) {
        const next = this.best(group.members)
        group.server = next
        group.members = group.members.filter(id => id !== next)
      } else {
        state.servers.splice(index, 1)
      }
    } else {
      for (const g of state.servers) g.members = g.members.filter(id => id !== peerId)
    }
    this.absorbCentralClients(state)
    if (state.servers.length === 0 && state.centralClients.length === 0) this.subnets.delete(candidate.subnet)
    return { changedSubnets: [candidate.subnet] }
  }

  /** Updates what is known of a placed peer's host (for example a reachability probe's answer). */
  updateHost (peerId: string, update: Partial<Pick<Candidate, 'reachable' | 'cpus' | 'memoryMb'>>): void {
    const c = this.candidates.get(peerId)
    if (c != null) this.candidates.set(peerId, { ...c, ...update })
  }

  /**
   * Loads a saved table (after a bootstrap restart). Groups keep their own
   * limit. An entry whose candidate is missing leaves as a departure would:
   * its group fails over and waiting central clients fill the freed slots.
   */
  restore (subnets: SubnetState[], candidates: Candidate[]): void {
    this.subnets.clear()
    this.candidates.clear()
    for (const c of candidates) this.candidates.set(c.peerId, c)
    const missing: string[] = []
    const seen = new Set<string>()
    const keep = (id: string, subnet: string): boolean => {
      if (seen.has(id)) return false
      seen.add(id)
      const c = this.candidates.get(id)
      if (c != null && c.subnet !== subnet) return false
      if (c == null) {
        missing.push(id)
        this.candidates.set(id, { peerId: id, subnet, joinedAt: 0, reachable: false, cpus: 0, memoryMb: 0 })
      }
      return true
    }
    for (const s of subnets) {
      const servers = s.servers
        .filter(g => keep(g.server, s.subnet))
        .map(g => ({ server: g.server, members: g.members.filter(id => keep(id, s.subnet)), limit: g.limit }))
      this.subnets.set(s.subnet, { subnet: s.subnet, servers, centralClients: s.centralClients.filter(id => keep(id, s.subnet)) })
    }
    for (const id of missing) this.leave(id)
    for (const id of [...this.candidates.keys()]) {
      if (this.placementOf(id) == null) this.candidates.delete(id)
    }
    for (const state of [...this.subnets.values()]) {
      this.absorbCentralClients(state)
      if (state.servers.length === 0 && state.centralClients.length === 0) this.subnets.delete(state.subnet)
    }
  }

  placementOf (peerId: string): Placement | undefined {
    const c = this.candidates.get(peerId)
    if (c == null) return undefined
    const state = this.subnets.get(c.subnet)
    if (state == null) return undefined
    for (const g of state.servers) {
      if (g.server === peerId) return { peerId, subnet: c.subnet, role: 'virtual-server', virtualServer: peerId }
      if (g.members.includes(peerId)) return { peerId, subnet: c.subnet, role: 'member', virtualServer: g.server }
    }
    if (state.centralClients.includes(peerId)) return { peerId, subnet: c.subnet, role: 'central-client', virtualServer: null }
    return undefined
  }

  candidate (peerId: string): Candidate | undefined {
    return this.candidates.get(peerId)
  }

  /** A copy of one subnet's table, or undefined when the subnet has no peer. */
  subnet (subnet: string): SubnetState | undefined {
    const s = this.subnets.get(subnet)
    return s == null ? undefined : cloneSubnet(s)
  }

  /** Copies of every subnet's table, sorted by subnet. */
  table (): SubnetState[] {
    return [...this.subnets.values()].map(cloneSubnet).sort((a, b) => a.subnet.localeCompare(b.subnet, 'en', { numeric: true }))
  }

  peerIds (): string[] {
    return [...this.candidates.keys()]
  }

  /** Every virtual server's PeerId, without copying the tables (the bootstrap pings them every few seconds). */
  serverIds (): string[] {
    const ids: string[] = []
    for (const s of this.subnets.values()) for (const g of s.servers) ids.push(g.server)
    return ids
  }

  /** How many peers hold each role, without copying the tables (the bootstrap recounts at every join). */
  roleCounts (): Record<'virtual-server' | 'member' | 'central-client', number> {
    const counts = { 'virtual-server': 0, member: 0, 'central-client': 0 }
    for (const s of this.subnets.values()) {
      counts['virtual-server'] += s.servers.length
      for (const g of s.servers) counts.member += g.members.length
      counts['central-client'] += s.centralClients.length
    }
    return counts
  }

  private newGroup (server: string): Group {
    return { server, members: [], limit: this.limit }
  }

  /** Fills open slots with waiting central clients; a subnet without a group gets one. */
  private absorbCentralClients (state: SubnetState): void {
    while (state.centralClients.length > 0 && this.limit > 0) {
      const open = state.servers.find(g => groupSize(g) < g.limit)
      const chosen = this.best(state.centralClients)
      if (open != null) {
        open.members.push(chosen)
      } else if (state.servers.length === 0) {
        state.servers.push(this.newGroup(chosen))
      } else {
        return
      }
      state.centralClients = state.centralClients.filter(id => id !== chosen)
    }
  }

  private best (peerIds: string[]): string {
    const ranked = rankHosts(peerIds.map(id => this.candidates.get(id)).filter(c => c != null), this.now())
    return ranked[0]?.peerId ?? peerIds[0]
  }

  private subnetOf (subnet: string): SubnetState {
    let state = this.subnets.get(subnet)
    if (state == null) {
      state = { subnet, servers: [], centralClients: [] }
      this.subnets.set(subnet, state)
    }
    return state
  }
}

function groupSize (g: Group): number {
  return 1 + g.members.length
}

function cloneSubnet (s: SubnetState): SubnetState {
  return {
    subnet: s.subnet,
    servers: s.servers.map(g => ({ server: g.server, members: [...g.members], limit: g.limit })),
    centralClients: [...s.centralClients]
  }
}
