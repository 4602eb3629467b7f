/**
 * Behavioural tests for bootstrap/tables/central-tables.ts: the bootstrap's
 * SQLite tables (the seed's users / virtual_servers / client_index, plus
 * peers and meta), on a real file in a temporary directory.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { CentralTables } from '../../bootstrap/tables/index.js'
import type { PeerRecord } from '../../bootstrap/tables/index.js'
import type { SubnetState } from '../../bootstrap/election/index.js'
import { tempDir } from '../helpers/tmp-dir.js'

const S9 = '127.0.9.0/24'
const S10 = '127.0.10.0/24'
const T0 = 1_700_000_000_000

function record (peerId: string, subnet: string, over: Partial<PeerRecord> = {}): PeerRecord {
  return { peerId, subnet, joinedAt: T0, reachable: true, cpus: 4, memoryMb: 4096, addresses: [], ...over }
}

function peerMap (...records: PeerRecord[]): Map<string, PeerRecord> {
  return new Map(records.map(r => [r.peerId, r]))
}

/** column names of a table, read through a separate connection */
function columns (path: string, table: string): string[] {
  const db = new DatabaseSync(path)
  try {
    return (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map(c => c.name)
  } finally {
    db.close()
  }
}

/** a subnet with two groups (one full), a central client, and records for all */
function sampleS9 (): { state: SubnetState, peers: Map<string, PeerRecord> } {
  const state: SubnetState = {
    subnet: S9,
    servers: [
      { server: 'vs-a', members: ['m-a1', 'm-a2'], limit: 3 },
      { server: 'vs-b', members: [], limit: 3 }
    ],
    centralClients: ['cc-1', 'cc-2']
  }
  const peers = peerMap(
    record('vs-a', S9, {
      joinedAt: T0 + 1,
      reachable: true,
      cpus: 16,
      memoryMb: 65536,
      addresses: ['/ip4/127.0.9.10/udp/4001/quic-v1', '/ip4/127.0.9.10/tcp/4001/p2p/vs-a', '/ip4/127.0.9.10/tcp/4002/p2p/vs-a']
    }),
    record('m-a1', S9, { joinedAt: T0 + 2, reachable: false, cpus: 2, memoryMb: 1024, addresses: ['/ip4/127.0.9.11/tcp/4001/p2p/m-a1'] }),
    record('m-a2', S9, { joinedAt: T0 + 3, reachable: true, cpus: 1, memoryMb: 512, addresses: [] }),
    record('vs-b', S9, { joinedAt: T0 + 4, reachable: true, cpus: 8, memoryMb: 8192, addresses: ['/ip6/2001:db8::7/tcp/5001/p2p/vs-b'] }),
    record('cc-1', S9, { joinedAt: T0 + 5, reachable: false, cpus: 0, memoryMb: 0, addresses: ['/ip4/127.0.9.20/tcp/4001/p2p/cc-1'] }),
    record('cc-2', S9, { joinedAt: T0 + 6, reachable: true, cpus: 3, memoryMb: 3000, addresses: [] })
  )
  return { state, peers }
}

function sampleS10 (): { state: SubnetState, peers: Map<string, PeerRecord> } {
  return {
    state: { subnet: S10, servers: [{ server: 'vs-10', members: ['m-10'], limit: 8 }], centralClients: [] },
    peers: peerMap(
      record('vs-10', S10, { addresses: ['/ip4/127.0.10.1/tcp/7000/p2p/vs-10'] }),
      record('m-10', S10, { addresses: ['/ip4/127.0.10.2/tcp/7001/p2p/m-10'] })
    )
  }
}

const byId = (peers: PeerRecord[]): Map<string, PeerRecord> => new Map(peers.map(p => [p.peerId, p]))

describe('CentralTables', () => {
  let dir: { path: string, cleanup: () => void }
  let dbPath: string
  let open: CentralTables[]

  const openTables = (path = dbPath): CentralTables => {
    const t = new CentralTables(path)
    open.push(t)
    return t
  }

  beforeEach(() => {
    dir = tempDir('peerhive-central-tables-')
    dbPath = join(dir.path, 'central.db')
    open = []
  })

  afterEach(() => {
    for (const t of open) t.close()
    dir.cleanup()
  })

  describe('schema', () => {
    it('creates the database file, and its directory when missing', () => {
      const nested = join(dir.path, 'a', 'b', 'central.db')
      openTables(nested).close()
      assert.ok(existsSync(nested))
    })

    it('has the seed\'s tables and its own', () => {
      const names = openTables().tableNames()
      for (const t of ['users', 'virtual_servers', 'client_index', 'peers', 'meta']) assert.ok(names.includes(t), `table ${t} in ${names.join(',')}`)
    })

    it('gives virtual_servers the seed\'s columns', () => {
      openTables().close()
      const cols = columns(dbPath, 'virtual_servers')
      for (const c of ['server_address', 'server_port', 'router_band', 'client_count', 'limit_count']) assert.ok(cols.includes(c), `virtual_servers.${c} in ${cols.join(',')}`)
    })

    it('gives client_index the seed\'s columns', () => {
      openTables().close()
      const cols = columns(dbPath, 'client_index')
      for (const c of ['filename', 'directory', 'filesize', 'title', 'user_serial_id', 'userid', 'keyword']) assert.ok(cols.includes(c), `client_index.${c} in ${cols.join(',')}`)
    })

    it('gives users a serial id and a user id', () => {
      openTables().close()
      const cols = columns(dbPath, 'users')
      for (const c of ['user_serial_id', 'userid']) assert.ok(cols.includes(c), `users.${c} in ${cols.join(',')}`)
    })

    it('reopens an existing database without losing data', () => {
      const t = openTables()
      const serial = t.userFor('peer-1', T0)
      t.close()
      const again = openTables()
      assert.equal(again.userFor('peer-1', T0 + 1), serial)
      assert.ok(again.tableNames().includes('users'))
    })

    it('refuses a database with a newer schema_version, with a clear error', () => {
      openTables().close()
      const db = new DatabaseSync(dbPath)
      const r = db.prepare("UPDATE meta SET value = '999' WHERE key = 'schema_version'").run()
      assert.equal(Number(r.changes), 1, 'schema_version was stored by the first open')
      db.close()
      assert.throws(() => new CentralTables(dbPath), (err: any) => {
        assert.ok(err instanceof Error)
        assert.match(err.message, /schema version 999/)
        assert.match(err.message, /newer/)
        assert.match(err.message, /upgrade/)
        return true
      })
    })

    it('records its schema_version and opens a database of the same version', () => {
      openTables().close()
      const db = new DatabaseSync(dbPath)
      const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined
      db.close()
      assert.ok(row != null, 'schema_version is stored')
      assert.ok(Number.isInteger(Number(row.value)) && Number(row.value) >= 1, `schema_version ${row.value}`)
      assert.doesNotThrow(() => openTables())
    })
  })

  describe('userFor', () => {
    it('gives a stable serial per peer', () => {
      const t = openTables()
      const a = t.userFor('peer-a', T0)
      assert.ok(Number.isInteger(a) && a > 0, `serial ${a}`)
      assert.equal(t.userFor('peer-a', T0 + 10), a)
      assert.equal(t.userFor('peer-a', T0 + 20), a)
    })

    it('gives distinct serials to distinct peers', () => {
      const t = openTables()
      const ids = ['peer-a', 'peer-b', 'peer-c', 'peer-d']
      const serials = ids.map(id => t.userFor(id, T0))
      assert.equal(new Set(serials).size, ids.length, `serials ${serials.join(',')}`)
    })

    it('keeps serials across close and reopen, and does not reuse them', () => {
      const t = openTables()
      const a = t.userFor('peer-a', T0)
      const b = t.userFor('peer-b', T0)
      t.close()
      const again = openTables()
      assert.equal(again.userFor('peer-b', T0 + 1), b)
      assert.equal(again.userFor('peer-a', T0 + 1), a)
      const c = again.userFor('peer-c', T0 + 1)
      assert.ok(c !== a && c !== b, `new serial ${c} differs from ${a} and ${b}`)
    })

    it('stores the peer id as the userid and updates last_seen', () => {
      const t = openTables()
      const serial = t.userFor('peer-a', T0)
      t.userFor('peer-a', T0 + 5000)
      t.close()
      const db = new DatabaseSync(dbPath)
      const row = db.prepare('SELECT userid, created_at, last_seen FROM users WHERE user_serial_id = ?').get(serial) as any
      db.close()
      assert.equal(row.userid, 'peer-a')
      assert.equal(Number(row.created_at), T0)
      assert.equal(Number(row.last_seen), T0 + 5000)
    })
  })

  describe('nextSeq', () => {
    it('strictly increases', () => {
      const t = openTables()
      const seqs = Array.from({ length: 5 }, () => t.nextSeq())
      for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `seq ${seqs.join(',')}`)
    })

    it('strictly increases across close and reopen', () => {
      const t = openTables()
      t.nextSeq()
      const last = t.nextSeq()
      t.close()
      const again = openTables()
      const next = again.nextSeq()
      assert.ok(next > last, `after reopen ${next} > ${last}`)
      again.close()
      const third = openTables()
      assert.ok(third.nextSeq() > next)
    })
  })

  describe('saveSubnet and load', () => {
    it('starts empty', () => {
      assert.deepEqual(openTables().load(), { subnets: [], peers: [] })
      assert.deepEqual(openTables().virtualServers(), [])
    })

    it('round-trips a subnet state with its peers', () => {
      const { state, peers } = sampleS9()
      openTables().saveSubnet(S9, state, peers)
      const saved = openTables().load()
      assert.deepEqual(saved.subnets, [state])
      assert.equal(saved.peers.length, peers.size)
      const loaded = byId(saved.peers)
      for (const [id, p] of peers) assert.deepEqual(loaded.get(id), p, `peer ${id}`)
    })

    it('round-trips across close and reopen of the file', () => {
      const { state, peers } = sampleS9()
      const t = openTables()
      t.saveSubnet(S9, state, peers)
      t.close()
      const saved = openTables().load()
      assert.deepEqual(saved.subnets, [state])
      const loaded = byId(saved.peers)
      assert.deepEqual(loaded.get('m-a1'), peers.get('m-a1'))
      assert.equal(loaded.get('m-a1')?.reachable, false)
      assert.equal(loaded.get('vs-a')?.reachable, true)
      assert.deepEqual(loaded.get('vs-a')?.addresses, peers.get('vs-a')?.addresses)
      assert.equal(loaded.get('cc-2')?.joinedAt, T0 + 6)
      assert.equal(loaded.get('cc-2')?.memoryMb, 3000)
    })

    it('keeps the order of servers, members and central clients', () => {
      const t = openTables()
      const state: SubnetState = {
        subnet: S9,
        servers: [{ server: 'z', members: ['y', 'x'], limit: 4 }, { server: 'a', members: ['c', 'b'], limit: 4 }],
        centralClients: ['q', 'p']
      }
      t.saveSubnet(S9, state, peerMap(...['z', 'y', 'x', 'a', 'c', 'b', 'q', 'p'].map(id => record(id, S9))))
      assert.deepEqual(t.load().subnets, [state])
    })

    it('exposes the seed\'s virtual-server rows, address and port from the first tcp address', () => {
      const t = openTables()
      const { state, peers } = sampleS9()
      t.saveSubnet(S9, state, peers)
      assert.deepEqual(t.virtualServers(), [
        { peerId: 'vs-a', serverAddress: '127.0.9.10', serverPort: 4001, routerBand: S9, clientCount: 3, limitCount: 3 },
        { peerId: 'vs-b', serverAddress: '2001:db8::7', serverPort: 5001, routerBand: S9, clientCount: 1, limitCount: 3 }
      ])
    })

    it('stores the same in the server_address / server_port columns of the file', () => {
      const t = openTables()
      const { state, peers } = sampleS9()
      t.saveSubnet(S9, state, peers)
      t.close()
      const db = new DatabaseSync(dbPath)
      const rows = db.prepare('SELECT server_address, server_port, router_band, client_count, limit_count FROM virtual_servers ORDER BY position').all() as any[]
      db.close()
      assert.deepEqual(rows.map(r => [r.server_address, Number(r.server_port), r.router_band, Number(r.client_count), Number(r.limit_count)]), [
        ['127.0.9.10', 4001, S9, 3, 3],
        ['2001:db8::7', 5001, S9, 1, 3]
      ])
    })

    it('leaves address and port empty for a virtual server without a tcp address', () => {
      const t = openTables()
      t.saveSubnet(S9, { subnet: S9, servers: [{ server: 'vs', members: [], limit: 8 }], centralClients: [] },
        peerMap(record('vs', S9, { addresses: ['/ip4/127.0.9.1/udp/1/quic-v1', '/dns4/example.com/tcp/1'] })))
      const [row] = t.virtualServers()
      assert.equal(row.serverAddress, '')
      assert.equal(row.serverPort, 0)
    })

    it('replaces what was stored of a subnet on the next save', () => {
      const t = openTables()
      const { state, peers } = sampleS9()
      t.saveSubnet(S9, state, peers)
      const smaller: SubnetState = { subnet: S9, servers: [{ server: 'm-a1', members: ['cc-1'], limit: 3 }], centralClients: [] }
      t.saveSubnet(S9, smaller, peerMap(peers.get('m-a1')!, peers.get('cc-1')!))
      const saved = t.load()
      assert.deepEqual(saved.subnets, [smaller])
      assert.deepEqual(saved.peers.map(p => p.peerId).sort(), ['cc-1', 'm-a1'])
      assert.deepEqual(t.virtualServers().map(r => r.peerId), ['m-a1'])
    })

    it('removes a subnet when saving undefined', () => {
      const t = openTables()
      const { state, peers } = sampleS9()
      t.saveSubnet(S9, state, peers)
      t.saveSubnet(S9, undefined, new Map())
      assert.deepEqual(t.load(), { subnets: [], peers: [] })
      assert.deepEqual(t.virtualServers(), [])
      t.close()
      assert.deepEqual(openTables().load(), { subnets: [], peers: [] })
    })

    it('does not touch another subnet when saving one', () => {
      const t = openTables()
      const s9 = sampleS9()
      const s10 = sampleS10()
      t.saveSubnet(S9, s9.state, s9.peers)
      t.saveSubnet(S10, s10.state, s10.peers)
      // re-save S9 smaller, then drop it: S10 must stay as it was
      t.saveSubnet(S9, { subnet: S9, servers: [{ server: 'vs-a', members: [], limit: 3 }], centralClients: [] }, s9.peers)
      let saved = t.load()
      assert.deepEqual(saved.subnets.find(s => s.subnet === S10), s10.state)
      assert.deepEqual(byId(saved.peers).get('m-10'), s10.peers.get('m-10'))
      t.saveSubnet(S9, undefined, new Map())
      saved = t.load()
      assert.deepEqual(saved.subnets, [s10.state])
      assert.deepEqual(saved.peers.map(p => p.peerId).sort(), ['m-10', 'vs-10'])
      assert.deepEqual(t.virtualServers().map(r => [r.peerId, r.routerBand]), [['vs-10', S10]])
    })

    it('loads several subnets', () => {
      const t = openTables()
      const s9 = sampleS9()
      const s10 = sampleS10()
      t.saveSubnet(S10, s10.state, s10.peers)
      t.saveSubnet(S9, s9.state, s9.peers)
      const saved = t.load()
      assert.equal(saved.subnets.length, 2)
      assert.deepEqual(saved.subnets.find(s => s.subnet === S9), s9.state)
      assert.deepEqual(saved.subnets.find(s => s.subnet === S10), s10.state)
      assert.equal(saved.peers.length, s9.peers.size + s10.peers.size)
      for (const p of saved.peers) assert.equal(p.subnet, s9.peers.has(p.peerId) ? S9 : S10, p.peerId)
    })
  })
})
