/**
 * End to end, with real `peerhive` processes: the seed's election scenario
 * (vs-limit 3, five peers of one subnet arriving one at a time), a lone peer
 * in another subnet, and the CLI's behaviour without a daemon and on SIGTERM.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { waitUntil } from '../helpers/wait.js'
import { Cluster, POLL_MS, WAIT_MS, disagreement, peerhive, rowOf, status, stopProcess, type CliNode, type NodeStatus, type SubnetRow } from './cluster.js'

const PORT = 4721
const S21 = '127.0.21.0/24'
const S22 = '127.0.22.0/24'

/** A TCP address on `ip`, with or without the /p2p/<peerId> suffix. */
function addressIn (ip: string, peerId: string): RegExp {
  return new RegExp(`^/ip4/${ip.replaceAll('.', '\\.')}/tcp/\\d+(/p2p/${peerId})?$`)
}

describe('e2e: election of virtual servers (vs-limit 3)', function () {
  this.timeout(90_000)
  const cluster = new Cluster(PORT, ['--vs-limit', '3'])
  const p: CliNode[] = []
  const id = (i: number): string => p[i - 1].peerId

  before(async () => {
    await cluster.startBootstrap()
  })

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(cluster.logs())
  })

  after(async () => {
    await cluster.stopAll()
  })

  it('makes the first peer of a subnet its virtual server', async () => {
    const { node, status: s } = await cluster.startPlaced('p1', 21, 1)
    p.push(node)
    assert.equal(s.role, 'virtual-server')
    assert.equal(s.subnet, S21)
    assert.equal(s.virtualServer, id(1))
    assert.deepEqual(s.members, [])

    const row = rowOf(await cluster.subnets(), S21)
    assert.ok(row != null, 'the bootstrap lists 127.0.21.0/24')
    assert.equal(row.virtualServers.length, 1)
    assert.equal(row.virtualServers[0].peerId, id(1))
    assert.equal(row.virtualServers[0].clientCount, 1)
    assert.equal(row.virtualServers[0].limitCount, 3)
    // the table carries the address the virtual server listens on, in its subnet
    assert.match(row.virtualServers[0].addresses[0] ?? '', addressIn('127.0.21.1', id(1)))
    assert.deepEqual(row.centralClients, [])
  })

  it('puts the second and third peers in the first group, as members of its virtual server', async () => {
    for (const i of [2, 3]) {
      const { node, status: s } = await cluster.startPlaced(`p${i}`, 21, i)
      p.push(node)
      assert.equal(s.role, 'member', `p${i} role`)
      assert.equal(s.subnet, S21)
      assert.equal(s.virtualServer, id(1), `p${i} names p1 as its virtual server`)
    }
    // the virtual server learns its members from the signed table the bootstrap publishes
    const a = await waitUntil('p1 to list p2 and p3 as members', async () => {
      const s = await status(p[0])
      return s.members.length === 2 ? s : undefined
    }, WAIT_MS, POLL_MS)
    assert.equal(a.role, 'virtual-server')
    assert.deepEqual(a.members, [id(2), id(3)])

    const row = rowOf(await cluster.subnets(), S21)
    assert.deepEqual(row?.virtualServers.map(v => ({ peerId: v.peerId, members: v.members, clientCount: v.clientCount })),
      [{ peerId: id(1), members: [id(2), id(3)], clientCount: 3 }])
    assert.deepEqual(row?.centralClients, [])
  })

  it('makes the fourth peer a central client once the group is full', async () => {
    const { node, status: s } = await cluster.startPlaced('p4', 21, 4)
    p.push(node)
    assert.equal(s.role, 'central-client')
    assert.equal(s.subnet, S21)
    assert.equal(s.virtualServer, null)

    const row = rowOf(await cluster.subnets(), S21)
    assert.deepEqual(row?.centralClients, [id(4)])
    assert.equal(row?.virtualServers.length, 1)
    assert.equal(row?.virtualServers[0].clientCount, 3)
    // the full group is untouched
    assert.deepEqual((await status(p[0])).members, [id(2), id(3)])
  })

  it('promotes the waiting central client to virtual server B when the fifth peer arrives, with p5 as its member', async () => {
    const { node, status: s5 } = await cluster.startPlaced('p5', 21, 5)
    p.push(node)
    assert.equal(s5.role, 'member')
    assert.equal(s5.virtualServer, id(4), 'p5 is a member of p4')

    const table = await cluster.subnets()
    const row = rowOf(table, S21)
    assert.deepEqual(row, {
      subnet: S21,
      virtualServers: [
        { peerId: id(1), addresses: row?.virtualServers[0]?.addresses, clientCount: 3, limitCount: 3, members: [id(2), id(3)] },
        { peerId: id(4), addresses: row?.virtualServers[1]?.addresses, clientCount: 2, limitCount: 3, members: [id(5)] }
      ],
      centralClients: []
    })
    assert.match(row?.virtualServers[1].addresses[0] ?? '', addressIn('127.0.21.4', id(4)))

    // p4 learns of its promotion from the published table
    const b = await waitUntil('p4 to say it is virtual server B with member p5', async () => {
      const s = await status(p[3])
      return s.role === 'virtual-server' && s.members.length === 1 ? s : undefined
    }, WAIT_MS, POLL_MS)
    assert.equal(b.virtualServer, id(4))
    assert.deepEqual(b.members, [id(5)])

    // every daemon's own status agrees with the bootstrap's table
    const statuses = await Promise.all(p.map(async n => status(n)))
    for (const s of statuses) assert.equal(disagreement(table, s), undefined)
    assert.deepEqual(statuses.map(s => [s.role, s.virtualServer]), [
      ['virtual-server', id(1)], ['member', id(1)], ['member', id(1)], ['virtual-server', id(4)], ['member', id(4)]
    ])
    assert.deepEqual(statuses[0].members, [id(2), id(3)])
    // each peer got its own user serial
    assert.equal(new Set(statuses.map(s => s.userSerialId)).size, 5)
  })

  describe('a lone peer in another subnet', () => {
    let q: CliNode

    it('becomes that subnet\'s virtual server, with no members', async () => {
      const placed = await cluster.startPlaced('q1', 22, 7)
      q = placed.node
      const s: NodeStatus = placed.status
      assert.equal(s.role, 'virtual-server')
      assert.equal(s.subnet, S22)
      assert.equal(s.virtualServer, q.peerId)
      assert.deepEqual(s.members, [])

      const table: SubnetRow[] = await cluster.subnets()
      assert.deepEqual(table.map(r => r.subnet), [S21, S22])
      const row = rowOf(table, S22)
      assert.equal(row?.virtualServers.length, 1)
      assert.deepEqual({ ...row?.virtualServers[0], addresses: undefined }, { peerId: q.peerId, addresses: undefined, clientCount: 1, limitCount: 3, members: [] })
      assert.deepEqual(row?.centralClients, [])
      // the other subnet is not affected
      assert.equal(rowOf(table, S21)?.virtualServers.length, 2)
    })

    it('stops cleanly on SIGTERM: exit code 0, node.json removed, and the bootstrap drops it', async () => {
      assert.ok(q != null, 'needs the lone peer of the previous test')
      assert.ok(existsSync(join(q.dataDir, 'node.json')))
      const ended = await stopProcess(q, 'SIGTERM', 15_000)
      assert.deepEqual(ended, { code: 0, signal: null, forced: false }, `the daemon did not exit 0 on SIGTERM: ${q.text()}`)
      assert.equal(existsSync(join(q.dataDir, 'node.json')), false, 'node.json is removed')
      assert.match(q.text(), /SIGTERM: stopping/)

      await waitUntil('the bootstrap to drop 127.0.22.0/24', async () => rowOf(await cluster.subnets(), S22) == null, WAIT_MS, POLL_MS)
      const after = await peerhive(['status', '--data', q.dataDir, '--json'])
      assert.equal(after.code, 3, 'status of a stopped daemon exits 3')
    })
  })

  describe('the CLI without a daemon', () => {
    it('status exits 3 and tells how to start one', async () => {
      const dir = join(cluster.bootstrapDir, '..', 'nobody-here')
      mkdirSync(dir)
      for (const args of [['status', '--data', dir], ['status', '--data', dir, '--json'], ['subnets', '--data', dir]]) {
        const r = await peerhive(args)
        assert.equal(r.code, 3, `peerhive ${args.join(' ')} exits 3 (stderr: ${r.stderr})`)
        assert.equal(r.stdout, '')
        assert.match(r.stderr, /no peerhive node running/)
        assert.ok(r.stderr.includes(`peerhive daemon --data ${dir} --bootstrap`), `says how to start one: ${r.stderr}`)
      }
    })

    it('status of a killed daemon (stale node.json) also exits 3', async () => {
      const { node } = await cluster.startPlaced('gone', 22, 9)
      await stopProcess(node, 'SIGKILL')
      assert.ok(existsSync(join(node.dataDir, 'node.json')), 'kill -9 leaves node.json behind')
      const r = await peerhive(['status', '--data', node.dataDir])
      assert.equal(r.code, 3, `stderr: ${r.stderr}`)
      assert.match(r.stderr, /no peerhive node answers/)
      assert.ok(r.stderr.includes('peerhive daemon --data'), r.stderr)
    })
  })

  describe('shutdown', () => {
    it('the bootstrap also stops cleanly on SIGTERM, and keeps its database', async () => {
      const boot = cluster.bootstrap
      const ended = await stopProcess(boot, 'SIGTERM', 15_000)
      assert.deepEqual(ended, { code: 0, signal: null, forced: false }, `the bootstrap did not exit 0 on SIGTERM: ${boot.text()}`)
      assert.equal(existsSync(join(boot.dataDir, 'node.json')), false, 'node.json is removed')
      assert.ok(existsSync(join(boot.dataDir, 'central.db')), 'central.db stays for the next start')
      const r = await peerhive(['subnets', '--data', boot.dataDir])
      assert.equal(r.code, 3)
    })
  })
})
