import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { SCHEMA, SCHEMA_VERSION } from './schema.js'
import type { Candidate, SubnetState } from '../election/index.js'

export interface PeerRecord extends Candidate {
  addresses: string[]
}

export interface SavedTable {
  subnets: SubnetState[]
  peers: PeerRecord[]
}

export interface VirtualServerRow {
  peerId: string
  serverAddress: string
  serverPort: number
  routerBand: string
  clientCount: number
  limitCount: number
}

/** The bootstrap's SQLite database. Every write is one transaction, so a kill -9 leaves a consistent file. */
export class CentralTables {
  private readonly db: DatabaseSync

  constructor (path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
    this.db = new DatabaseSync(path)
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;')
    const hasMeta = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() != null
    const version = hasMeta ? this.getMeta('schema_version') : undefined
    if (version != null && Number(version) > SCHEMA_VERSION) {
      this.db.close()
      throw new Error(`database ${path} has schema version ${version}, newer than this peerhive's (${SCHEMA_VERSION}); upgrade peerhive`)
    }
    this.db.exec(SCHEMA)
    if (version == null) this.setMeta('schema_version', String(SCHEMA_VERSION))
  }

  close (): void {
    if (this.db.isOpen) this.db.close()
  }

  /** Returns the user serial for a peer, creating the user (userid = peer id) on first sight. */
  userFor (peerId: string, now = Date.now()): number {
    this.db.prepare('INSERT INTO users (userid, peer_id, created_at, last_seen) VALUES (?, ?, ?, ?) ON CONFLICT (peer_id) DO UPDATE SET last_seen = excluded.last_seen')
      .run(peerId, peerId, now, now)
    const row = this.db.prepare('SELECT user_serial_id FROM users WHERE peer_id = ?').get(peerId) as { user_serial_id: number }
    return Number(row.user_serial_id)
  }

  /** The next assignment sequence number; persisted so peers never see it go back after a restart. */
  nextSeq (): number {
    const next = Number(this.getMeta('assignment_seq') ?? '0') + 1
    this.setMeta('assignment_seq', String(next))
    return next
  }

  /** Replaces what is stored of one subnet with its current table and peers. */
  saveSubnet (subnet: string, state: SubnetState | undefined, peers: Map<string, PeerRecord>): void {
    this.transaction(() => {
      this.db.prepare('DELETE FROM virtual_servers WHERE router_band = ?').run(subnet)
      this.db.prepare('DELETE FROM peers WHERE router_band = ?').run(subnet)
      if (state == null) return
      const insertVs = this.db.prepare('INSERT OR REPLACE INTO virtual_servers (peer_id, server_address, server_port, router_band, client_count, limit_count, members, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      const insertPeer = this.db.prepare('INSERT OR REPLACE INTO peers (peer_id, router_band, role, virtual_server, addresses, joined_at, reachable, cpus, memory_mb, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      let position = 0
      const savePeer = (id: string, role: string, vs: string | null): void => {
        const p = peers.get(id)
        if (p == null) return
        insertPeer.run(id, subnet, role, vs, JSON.stringify(p.addresses), p.joinedAt, p.reachable ? 1 : 0, p.cpus, p.memoryMb, position++)
      }
      state.servers.forEach((g, i) => {
        const { host, port } = hostPort(peers.get(g.server)?.addresses ?? [])
        insertVs.run(g.server, host, port, subnet, 1 + g.members.length, g.limit, JSON.stringify(g.members), i)
        savePeer(g.server, 'virtual-server', g.server)
        for (const m of g.members) savePeer(m, 'member', g.server)
      })
      for (const c of state.centralClients) savePeer(c, 'central-client', null)
    })
  }

  /** Everything needed to rebuild the election after a restart. */
  load (): SavedTable {
    const peerRows = this.db.prepare('SELECT * FROM peers ORDER BY router_band, position').all() as any[]
    const vsRows = this.db.prepare('SELECT * FROM virtual_servers ORDER BY router_band, position').all() as any[]
    const subnets = new Map<string, SubnetState>()
    const subnetOf = (s: string): SubnetState => {
      let state = subnets.get(s)
      if (state == null) subnets.set(s, state = { subnet: s, servers: [], centralClients: [] })
      return state
    }
    for (const r of vsRows) {
      subnetOf(r.router_band).servers.push({ server: r.peer_id, members: JSON.parse(r.members), limit: Number(r.limit_count) })
    }
    const peers: PeerRecord[] = peerRows.map(r => {
      if (r.role === 'central-client') subnetOf(r.router_band).centralClients.push(r.peer_id)
      return {
        peerId: r.peer_id,
        subnet: r.router_band,
        joinedAt: Number(r.joined_at),
        reachable: r.reachable === 1,
        cpus: Number(r.cpus),
        memoryMb: Number(r.memory_mb),
        addresses: JSON.parse(r.addresses)
      }
    })
    return { subnets: [...subnets.values()], peers }
  }

  /** The seed's virtual-server table, as stored. */
  virtualServers (): VirtualServerRow[] {
    return (this.db.prepare('SELECT * FROM virtual_servers ORDER BY router_band, position').all() as any[]).map(r => ({
      peerId: r.peer_id,
      serverAddress: r.server_address,
      serverPort: Number(r.server_port),
      routerBand: r.router_band,
      clientCount: Number(r.client_count),
      limitCount: Number(r.limit_count)
    }))
  }

  /** Names of the tables in the database (for operators and tests). */
  tableNames (): string[] {
    return (this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map(r => r.name)
  }

  private transaction (fn: () => void): void {
    this.db.exec('BEGIN IMMEDIATE')
    try {
      fn()
      this.db.exec('COMMIT')
    } catch (err) {
      this.db.exec('ROLLBACK')
      throw err
    }
  }

  private getMeta (key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined
    return row?.value
  }

  private setMeta (key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value)
  }
}

/** Host and TCP port of the first TCP multiaddr string, for the seed's server_address / server_port columns. */
function hostPort (addresses: string[]): { host: string, port: number } {
  for (const a of addresses) {
    const m = /^\/ip[46]\/([^/]+)\/tcp\/(\d+)/.exec(a)
    if (m != null) return { host: m[1], port: Number(m[2]) }
  }
  return { host: '', port: 0 }
}
