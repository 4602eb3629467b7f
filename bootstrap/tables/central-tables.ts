import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import { DatabaseTooNewError, openDatabase } from '../../src/core/index.js'
import { SCHEMA, SCHEMA_VERSION } from './schema.js'
import { IndexLimitError, searchText, type IndexEntry } from '../../src/sharing/index.js'
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

const MAX_CACHED_STATEMENTS = 128

/** The bootstrap's SQLite database. Every write is one transaction, so a kill -9 leaves a consistent file. */
export class CentralTables {
  private readonly db: DatabaseSync
  /** compiled statements by SQL text: compiling one costs more than running it, and a join runs several */
  private readonly statements = new Map<string, StatementSync>()

  constructor (path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
    this.db = openDatabase(path)
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;')
    const hasMeta = this.stmt("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() != null
    const version = hasMeta ? this.getMeta('schema_version') : undefined
    if (version != null && Number(version) > SCHEMA_VERSION) {
      this.db.close()
      throw new DatabaseTooNewError(`database ${path} has schema version ${version}, newer than this peerhive's (${SCHEMA_VERSION}); upgrade peerhive`)
    }
    this.db.exec(SCHEMA)
    if (version == null) this.setMeta('schema_version', String(SCHEMA_VERSION))
  }

  close (): void {
    this.statements.clear()
    if (this.db.isOpen) this.db.close()
  }

  /** Returns the user serial for a peer, creating the user (userid = peer id) on first sight. */
  userFor (peerId: string, now = Date.now()): number {
    const row = this.stmt('INSERT INTO users (userid, peer_id, created_at, last_seen) VALUES (?, ?, ?, ?) ON CONFLICT (peer_id) DO UPDATE SET last_seen = excluded.last_seen RETURNING user_serial_id')
      .get(peerId, peerId, now, now) as { user_serial_id: number }
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
      this.stmt('DELETE FROM virtual_servers WHERE router_band = ?').run(subnet)
      this.stmt('DELETE FROM peers WHERE router_band = ?').run(subnet)
      if (state == null) return
      const insertVs = this.stmt('INSERT OR REPLACE INTO virtual_servers (peer_id, server_address, server_port, router_band, client_count, limit_count, members, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      const insertPeer = this.stmt('INSERT OR REPLACE INTO peers (peer_id, router_band, role, virtual_server, addresses, joined_at, reachable, cpus, memory_mb, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
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
    const peerRows = this.stmt('SELECT * FROM peers ORDER BY router_band, position').all() as any[]
    const vsRows = this.stmt('SELECT * FROM virtual_servers ORDER BY router_band, position').all() as any[]
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

  /**
   * Applies a central client's index update to the client index (the seed's
   * table). Returns the entries now held for that peer.
   */
  applyIndex (peerId: string, subnet: string, update: { reset: boolean, added: IndexEntry[], removed: string[] }, maxPerPeer: number): number {
    let held = 0
    this.transaction(() => {
      if (update.reset) this.stmt('DELETE FROM client_index WHERE peer_id = ?').run(peerId)
      const remove = this.stmt('DELETE FROM client_index WHERE peer_id = ? AND cid = ?')
      for (const cid of update.removed) remove.run(peerId, cid)
      const insert = this.stmt(`INSERT INTO client_index (cid, peer_id, filename, directory, filesize, title, keyword, user_serial_id, userid, router_band, search_text)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (peer_id, cid) DO UPDATE SET filename = excluded.filename, directory = excluded.directory, filesize = excluded.filesize,
          title = excluded.title, keyword = excluded.keyword, search_text = excluded.search_text, router_band = excluded.router_band`)
      for (const e of update.added) {
        insert.run(e.cid, peerId, e.filename, e.directory, e.size, e.title, e.keywords.join(','), e.userSerialId, e.userid, subnet, searchText(e))
      }
      held = this.indexCount(peerId)
      if (held > maxPerPeer) throw new IndexLimitError(`at most ${maxPerPeer} entries per peer`)
    })
    return held
  }

  /** Entries matching every (normalized) word, from the client index. */
  searchIndex (words: string[], limit: number): IndexEntry[] {
    // a word matches the searchable text, or is exactly the CID (how downloads find providers)
    const where = words.map(() => "(search_text LIKE ? ESCAPE '\\' OR cid = ?)").join(' AND ')
    const rows = this.stmt(`SELECT * FROM client_index WHERE ${where} LIMIT ?`)
      .all(...words.flatMap(w => [`%${w.replace(/[\\%_]/g, c => '\\' + c)}%`, w]), limit) as any[]
    return rows.map(r => ({
      cid: r.cid,
      filename: r.filename,
      directory: r.directory,
      size: Number(r.filesize),
      title: r.title,
      keywords: r.keyword === '' ? [] : String(r.keyword).split(','),
      provider: r.peer_id,
      userSerialId: Number(r.user_serial_id ?? 0),
      userid: r.userid
    }))
  }

  /** The searchable text and CID of every entry of the client index (what the central index's keyword filter covers). */
  searchables (): Array<{ text: string, cid: string }> {
    return (this.db.prepare('SELECT search_text, cid FROM client_index').all() as any[]).map(r => ({ text: String(r.search_text), cid: String(r.cid) }))
  }

  /** Drops the index entries of every peer of `subnet` that is not in `keep`. */
  dropIndexExcept (subnet: string, keep: Set<string>): void {
    const peers = (this.stmt('SELECT DISTINCT peer_id FROM client_index WHERE router_band = ?').all(subnet) as Array<{ peer_id: string }>).map(r => r.peer_id)
    const drop = this.stmt('DELETE FROM client_index WHERE peer_id = ?')
    for (const p of peers) if (!keep.has(p)) drop.run(p)
  }

  indexCount (peerId?: string): number {
    const row = peerId == null
      ? this.stmt('SELECT COUNT(*) AS n FROM client_index').get() as { n: number }
      : this.stmt('SELECT COUNT(*) AS n FROM client_index WHERE peer_id = ?').get(peerId) as { n: number }
    return Number(row.n)
  }

  /** The seed's virtual-server table, as stored. */
  virtualServers (): VirtualServerRow[] {
    return (this.stmt('SELECT * FROM virtual_servers ORDER BY router_band, position').all() as any[]).map(r => ({
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
    return (this.stmt("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map(r => r.name)
  }

  private stmt (sql: string): StatementSync {
    let statement = this.statements.get(sql)
    if (statement == null) {
      // searches build their SQL from the number of words: bounded, but keep the cache small anyway
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.clear()
      this.statements.set(sql, statement = this.db.prepare(sql))
    }
    return statement
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
    const row = this.stmt('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined
    return row?.value
  }

  private setMeta (key: string, value: string): void {
    this.stmt('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value)
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
