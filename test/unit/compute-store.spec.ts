import assert from 'node:assert/strict'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { CentralTables } from '../../bootstrap/tables/index.js'
import { ComputeStore } from '../../bootstrap/compute/index.js'
import { ComputeFixture, cidOf, hello } from '../helpers/compute-scheduler.js'
import { tempDir } from '../helpers/tmp-dir.js'

describe('compute store (central.db)', () => {
  it('lives in central.db next to the central tables, durable: WAL, synchronous = FULL, foreign keys', () => {
    const dir = tempDir()
    try {
      const path = join(dir.path, 'central.db')
      const tables = new CentralTables(path)
      const store = new ComputeStore(path)
      assert.deepEqual(store.settings(), { journalMode: 'wal', synchronous: 2, foreignKeys: true })
      for (const t of ['jobs', 'units', 'replicas', 'providers', 'provider_apps', 'user_details', 'users', 'peers', 'client_index']) {
        assert.ok(tables.tableNames().includes(t), `table ${t}`)
      }
      store.close()
      tables.close()
    } finally {
      dir.cleanup()
    }
  })

  it('can be opened before the central tables, which then open unchanged', () => {
    const dir = tempDir()
    try {
      const path = join(dir.path, 'central.db')
      new ComputeStore(path).close()
      const tables = new CentralTables(path)
      assert.ok(tables.userFor('peer-a') > 0)
      tables.close()
    } finally {
      dir.cleanup()
    }
  })

  it('opens a central.db from before solo_valid_units: the column is added, its jobs count 0 units validated alone', async () => {
    const f = await new ComputeFixture().init()
    try {
      const job = f.scheduler.submit('owner', f.job(2))
      f.store.close()
      const db = new DatabaseSync(f.path)
      db.exec('ALTER TABLE jobs DROP COLUMN solo_valid_units')
      db.close()
      f.restart()
      assert.equal(f.scheduler.status(job.id, { peerId: 'owner', operator: false }).soloValidUnits, 0)
    } finally {
      f.close()
    }
  })

  it('registers on the users table the join fills: the serial a peer got at join stays', () => {
    const dir = tempDir()
    try {
      const path = join(dir.path, 'central.db')
      const tables = new CentralTables(path)
      const store = new ComputeStore(path)
      const serial = tables.userFor('peer-a')
      assert.equal(store.userByPeer('peer-a')?.userid, 'peer-a')
      assert.equal(store.linkUser('peer-a', 'alice', 'a@example.org', 1), serial)
      assert.deepEqual(store.userByName('alice'), { userSerialId: serial, userid: 'alice', peerId: 'peer-a', email: 'a@example.org' })
      // the next join of that peer finds the same row
      assert.equal(tables.userFor('peer-a'), serial)
      store.deleteUser(serial)
      assert.equal(store.userByPeer('peer-a'), undefined)
      store.close()
      tables.close()
    } finally {
      dir.cleanup()
    }
  })

  it('rolls a transaction back whole, nested ones included', () => {
    const dir = tempDir()
    try {
      const store = new ComputeStore(join(dir.path, 'central.db'))
      assert.throws(() => store.transaction(() => {
        store.ensureUser('peer-x', 1)
        store.transaction(() => { store.ensureUser('peer-y', 1) })
        throw new Error('boom')
      }), /boom/)
      assert.equal(store.inTransaction, false)
      assert.equal(store.userByPeer('peer-x'), undefined)
      assert.equal(store.userByPeer('peer-y'), undefined)
      store.transaction(() => { store.ensureUser('peer-z', 1) })
      assert.equal(store.userByPeer('peer-z')?.userid, 'peer-z')
      store.close()
    } finally {
      dir.cleanup()
    }
  })

  it('links providers to the applications they accept (provider_apps)', async () => {
    const f = await new ComputeFixture().init()
    try {
      const app1 = await cidOf('app 1')
      const app2 = await cidOf('app 2')
      f.scheduler.hello('picky', hello({ apps: [app1] }))
      f.scheduler.hello('both', hello({ apps: [app1, app2] }))
      f.scheduler.hello('any', hello())
      assert.deepEqual(f.store.providerApps('both'), [app1, app2].sort())
      assert.deepEqual(f.store.providersOfApp(app1), ['any', 'both', 'picky'])
      assert.deepEqual(f.store.providersOfApp(app2), ['any', 'both'])
      // a new HELLO replaces the list
      f.scheduler.hello('both', hello({ apps: [app2] }))
      assert.deepEqual(f.store.providerApps('both'), [app2])
      assert.deepEqual(f.scheduler.provider('both')?.apps, [app2])
    } finally {
      f.close()
    }
  })

  it('keeps every state change of a request on disk once it returns', async () => {
    const f = await new ComputeFixture().init()
    try {
      f.scheduler.hello('A', hello())
      const job = f.scheduler.submit('owner', f.job(3))
      const units = f.scheduler.fetch('A', 2).units
      // another connection sees the committed rows at once
      const db = new DatabaseSync(f.path, { readOnly: true })
      const states = db.prepare('SELECT state, COUNT(*) AS n FROM units GROUP BY state ORDER BY state').all()
      assert.deepEqual(states.map((r: any) => [r.state, Number(r.n)]), [['pending', 1], ['running', 2]])
      const replicas = db.prepare('SELECT id, provider, state FROM replicas ORDER BY id').all() as any[]
      assert.deepEqual(replicas.map(r => [Number(r.id), r.provider, r.state]), units.map(u => [u.replicaId, 'A', 'assigned']))
      const row = db.prepare('SELECT state, unit_states FROM jobs WHERE id = ?').get(job.id) as any
      assert.equal(row.state, 'running')
      assert.equal(JSON.parse(row.unit_states).running, 2)
      db.close()
    } finally {
      f.close()
    }
  })
})
