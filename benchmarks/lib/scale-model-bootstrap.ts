/**
 * The bootstrap's in-memory work, without libp2p: the same calls, in the
 * same order, that bootstrap/network/central-server.ts makes for a join, a leave,
 * a subnet publication and a directory publication. Only the real product
 * code runs here (Election, encodeSubnetTable, encodeDirectory,
 * AssignmentPusher's place tracking, Republisher); the network sends are
 * replaced by counters. SQLite is measured separately (scale-model.ts).
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { WIRE_VERSION, encodeDirectory, encodeSubnetTable, type SubnetTable } from '../../src/core/index.js'
import { Directory, SubnetTable as SubnetTableMessage, type DirectoryEntry } from '../../src/pb/assignment.js'
import { Election, type SubnetState } from '../../bootstrap/election/index.js'
import { AssignmentPusher } from '../../bootstrap/network/assignment-pusher.js'
import { Republisher } from '../../bootstrap/network/republisher.js'
import type { PeerRecord } from '../../bootstrap/tables/index.js'
import type { SyntheticPeer } from './scale-model-peers.js'

/** What encoding the directory gave: the bytes, or why it could not be sent as one message. */
export interface DirectoryBuild {
  servers: number
  /** protobuf size of the whole directory, encoded without the 256 KiB check */
  bytes: number
  /** encodeDirectory (the product's, with its checks) accepted it */
  fits: boolean
  error?: string
}

export class SimulatedBootstrap {
  readonly election: Election
  private readonly addresses = new Map<string, string[]>()
  private readonly pusher: AssignmentPusher
  private readonly republisher: Republisher
  private seq = 0
  private clock = 1_700_000_000_000
  /** bytes and sends the republisher would have put on the wire (table bytes; gossipsub framing not included) */
  republished = { sends: 0, bytes: 0 }

  constructor (vsLimit: number) {
    this.election = new Election({ limit: vsLimit, now: () => this.clock })
    const quiet = Object.assign(() => {}, { enabled: false, error: () => {}, trace: () => {}, newScope: () => quiet }) as any
    // only its place bookkeeping runs: stopped, it never dials (libp2p and metrics are never touched)
    this.pusher = new AssignmentPusher(null as any, null as any, quiet)
    this.pusher.stop()
    this.republisher = new Republisher(async (_subnet, bytes) => {
      this.republished.sends++
      this.republished.bytes += bytes.byteLength
    }, undefined, undefined, () => this.clock)
  }

  /** CentralServer.join's in-memory part: election, addresses, the join answer's table, the pusher's note. */
  join (peer: SyntheticPeer): { changedSubnets: string[], tableBytes: number } {
    const change = this.election.join({ peerId: peer.peerId, subnet: peer.subnet, joinedAt: peer.joinedAt, reachable: peer.reachable, cpus: peer.cpus, memoryMb: peer.memoryMb })
    this.addresses.set(peer.peerId, peer.addresses)
    const bytes = encodeSubnetTable(this.tableOf(peer.subnet))
    this.pusher.told(peer.subnet, this.election.subnet(peer.subnet), peer.peerId)
    return { changedSubnets: change.changedSubnets, tableBytes: bytes.byteLength }
  }

  /** CentralServer.remove's in-memory part. */
  leave (peerId: string): string[] {
    const change = this.election.leave(peerId)
    this.addresses.delete(peerId)
    return change.changedSubnets
  }

  /** CentralServer.updateGauges, run after every join and leave: a full copy of the table. */
  countRoles (): Record<string, number> {
    const counts: Record<string, number> = { 'virtual-server': 0, member: 0, 'central-client': 0 }
    for (const s of this.election.table()) {
      counts['virtual-server'] += s.servers.length
      counts.member += s.servers.reduce((n, g) => n + g.members.length, 0)
      counts['central-client'] += s.centralClients.length
    }
    return counts
  }

  /** CentralServer.publish's in-memory part; returns the table's size. */
  publish (subnet: string): number {
    const bytes = encodeSubnetTable(this.tableOf(subnet))
    const state = this.election.subnet(subnet)
    if (state == null) this.republisher.forget(subnet)
    else this.republisher.published(subnet, bytes)
    this.pusher.changed(subnet, state, bytes)
    return bytes.byteLength
  }

  /** The size a subnet's table would have, even past the 256 KiB limit. */
  tableSize (subnet: string): { bytes: number, fits: boolean } {
    const table = this.tableOf(subnet)
    try {
      return { bytes: encodeSubnetTable(table).byteLength, fits: true }
    } catch {
      return { bytes: SubnetTableMessage.encode(table).byteLength, fits: false }
    }
  }

  /** One steady-state republish round: every subnet's table is due (the clock jumps past the schedule). */
  async republishRound (): Promise<void> {
    this.clock += 60_000
    await this.republisher.tick()
  }

  /** DirectoryPublisher.changed's work: the entries, the change signature, the encoding. */
  buildDirectory (): DirectoryBuild {
    const servers = this.directoryEntries()
    JSON.stringify(servers)
    const directory = { version: WIRE_VERSION, seq: ++this.seq, issuedAt: this.clock, servers }
    const bytes = Directory.encode(directory).byteLength
    try {
      encodeDirectory(directory)
      return { servers: servers.length, bytes, fits: true }
    } catch (err: any) {
      return { servers: servers.length, bytes, fits: false, error: `${err.name}: ${err.message}` }
    }
  }

  /** CentralServer.directoryEntries */
  directoryEntries (): DirectoryEntry[] {
    return this.election.table().flatMap(s => s.servers.map(g => ({ peerId: g.server, addrs: (this.addresses.get(g.server) ?? []).slice(0, 8), subnet: s.subnet })))
  }

  /** CentralServer.sweep's per-peer work, minus the connection lookup: every placed peer's id parsed. */
  sweep (): number {
    let n = 0
    for (const id of this.election.peerIds()) {
      peerIdFromString(id)
      n++
    }
    return n
  }

  subnets (): SubnetState[] {
    return this.election.table()
  }

  /** CentralServer.recordsOf: what persist() saves for one subnet. */
  recordsOf (state: SubnetState | undefined): Map<string, PeerRecord> {
    const records = new Map<string, PeerRecord>()
    if (state == null) return records
    for (const id of [...state.servers.flatMap(g => [g.server, ...g.members]), ...state.centralClients]) {
      const c = this.election.candidate(id)
      if (c != null) records.set(id, { ...c, addresses: this.addresses.get(id) ?? [] })
    }
    return records
  }

  private tableOf (subnet: string): SubnetTable {
    const state = this.election.subnet(subnet)
    return {
      version: WIRE_VERSION,
      seq: ++this.seq,
      subnet,
      issuedAt: this.clock,
      servers: (state?.servers ?? []).map(g => ({ peerId: g.server, addrs: this.addresses.get(g.server) ?? [], members: g.members, limit: g.limit })),
      centralClients: state?.centralClients ?? []
    }
  }
}
