/**
 * End to end, with real `peerhive` processes: what the bootstrap and the
 * surviving daemons do when a daemon is killed with SIGKILL (no goodbye,
 * only a closed socket).
 */
import assert from 'node:assert/strict'
import { waitUntil } from '../helpers/wait.js'
import { Cluster, POLL_MS, WAIT_MS, disagreement, kill9, peersIn, rowOf, status, type CliNode, type SubnetRow } from './cluster.js'

/** The spec's limit for electing a new virtual server, measured from the kill. */
const FAILOVER_MS = 5_000

async function placedAll (cluster: Cluster, subnet: number, hosts: number[]): Promise<CliNode[]> {
  const nodes: CliNode[] = []
  for (const h of hosts) nodes.push((await cluster.startPlaced(`d${subnet}-${h}`, subnet, h)).node)
  return nodes
}

/** Waits until every node's own status agrees with the bootstrap's current table; returns the table. */
async function allAgree (cluster: Cluster, nodes: CliNode[], timeoutMs = WAIT_MS): Promise<SubnetRow[]> {
  return waitUntil('every daemon to agree with the bootstrap', async () => {
    const table = await cluster.subnets()
    for (const n of nodes) {
      const why = disagreement(table, await status(n))
      // thrown, so that waitUntil reports the last disagreement if it times out
      if (why != null) throw new Error(why)
    }
    return table
  }, timeoutMs, POLL_MS)
}

describe('e2e: failover when a daemon is killed', function () {
  this.timeout(90_000)

  describe('the virtual server of a full group (vs-limit 4) is killed', () => {
    const S = '127.0.31.0/24'
    const cluster = new Cluster(4722, ['--vs-limit', '4'])
    let nodes: CliNode[] = []

    before(async () => {
      await cluster.startBootstrap()
      nodes = await placedAll(cluster, 31, [1, 2, 3, 4])
    })
    afterEach(function () { if (this.currentTest?.state === 'failed') console.error(cluster.logs()) })
    after(async () => { await cluster.stopAll() })

    it('elects a former member within 5 s, never lists the dead peer again, and the survivors follow', async () => {
      const [vs, ...members] = nodes
      const before = rowOf(await allAgree(cluster, nodes), S)
      assert.deepEqual(before?.virtualServers.map(v => [v.peerId, v.members, v.clientCount, v.limitCount]),
        [[vs.peerId, members.map(m => m.peerId), 4, 4]])

      const killedAt = Date.now()
      await kill9(vs)
      const newRow = await waitUntil('the bootstrap to elect a new virtual server', async () => {
        const row = rowOf(await cluster.subnets(), S)
        return row != null && row.virtualServers.length === 1 && row.virtualServers[0].peerId !== vs.peerId ? row : undefined
      }, FAILOVER_MS + 10_000, 50)
      const tookMs = Date.now() - killedAt
      console.log(`      (new virtual server listed ${tookMs} ms after the kill)`)
      assert.ok(tookMs <= FAILOVER_MS, `a new virtual server was listed ${tookMs} ms after the kill (limit ${FAILOVER_MS} ms)`)

      const successor = newRow.virtualServers[0]
      const formerMembers = members.map(m => m.peerId)
      assert.ok(formerMembers.includes(successor.peerId), `the new virtual server ${successor.peerId} is one of the former members`)
      assert.deepEqual([...successor.members].sort(), formerMembers.filter(id => id !== successor.peerId).sort())
      assert.equal(successor.clientCount, 3)
      assert.equal(successor.limitCount, 4)
      assert.deepEqual(newRow.centralClients, [])
      const successorNode = members.find(m => m.peerId === successor.peerId)
      assert.ok(successorNode?.info()?.multiaddrs.includes(successor.addresses[0]), `the table gives the new virtual server's own address: ${JSON.stringify(successor.addresses)}`)

      // the dead peer never comes back into the table: sample for a while, then the daemons must agree
      const deadline = Date.now() + 2_000
      while (Date.now() < deadline) {
        assert.ok(!peersIn(await cluster.subnets()).includes(vs.peerId), 'the killed virtual server is listed again')
      }
      const table = await allAgree(cluster, members)
      assert.ok(!peersIn(table).includes(vs.peerId))
      assert.deepEqual(rowOf(table, S)?.virtualServers[0].peerId, successor.peerId, 'the choice is stable')
      for (const m of members) {
        const s = await status(m)
        if (m.peerId === successor.peerId) {
          assert.equal(s.role, 'virtual-server')
          assert.equal(s.virtualServer, m.peerId)
          assert.deepEqual([...s.members].sort(), successor.members.slice().sort())
        } else {
          assert.equal(s.role, 'member')
          assert.equal(s.virtualServer, successor.peerId)
        }
      }
    })
  })

  describe('a member of a full group (vs-limit 4) is killed', () => {
    const S = '127.0.32.0/24'
    const cluster = new Cluster(4723, ['--vs-limit', '4'])
    let nodes: CliNode[] = []

    before(async () => {
      await cluster.startBootstrap()
      nodes = await placedAll(cluster, 32, [1, 2, 3, 4])
    })
    afterEach(function () { if (this.currentTest?.state === 'failed') console.error(cluster.logs()) })
    after(async () => { await cluster.stopAll() })

    it('frees the slot, and the next daemon takes it as a member instead of waiting as a central client', async () => {
      const [vs, m1, victim, m3] = nodes
      assert.deepEqual(rowOf(await allAgree(cluster, nodes), S)?.virtualServers.map(v => [v.peerId, v.clientCount]), [[vs.peerId, 4]])

      const killedAt = Date.now()
      await kill9(victim)
      const row = await waitUntil('the bootstrap to free the killed member\'s slot', async () => {
        const r = rowOf(await cluster.subnets(), S)
        return r?.virtualServers[0]?.clientCount === 3 ? r : undefined
      }, FAILOVER_MS + 10_000, 50)
      assert.ok(Date.now() - killedAt <= FAILOVER_MS, `the slot was freed ${Date.now() - killedAt} ms after the kill`)
      assert.deepEqual(row.virtualServers.map(v => [v.peerId, v.members]), [[vs.peerId, [m1.peerId, m3.peerId]]], 'the virtual server stays, the killed member is gone')
      assert.deepEqual(row.centralClients, [])
      await waitUntil('the virtual server to drop the killed member', async () => (await status(vs)).members.join() === [m1.peerId, m3.peerId].join(), WAIT_MS, POLL_MS)

      const { node: late, status: s } = await cluster.startPlaced('d32-9', 32, 9)
      assert.equal(s.role, 'member', 'the newcomer takes the free slot')
      assert.equal(s.virtualServer, vs.peerId)
      const table = await allAgree(cluster, [vs, m1, m3, late])
      assert.deepEqual(rowOf(table, S)?.virtualServers.map(v => [v.peerId, v.members, v.clientCount]), [[vs.peerId, [m1.peerId, m3.peerId, late.peerId], 4]])
      assert.deepEqual(rowOf(table, S)?.centralClients, [])
    })
  })

  describe('a member is killed while a central client waits (vs-limit 2)', () => {
    const S = '127.0.33.0/24'
    const cluster = new Cluster(4724, ['--vs-limit', '2'])
    let nodes: CliNode[] = []

    before(async () => {
      await cluster.startBootstrap()
      nodes = await placedAll(cluster, 33, [1, 2, 3])
    })
    afterEach(function () { if (this.currentTest?.state === 'failed') console.error(cluster.logs()) })
    after(async () => { await cluster.stopAll() })

    it('absorbs the central client as the new member', async () => {
      const [vs, member, waiting] = nodes
      const before = rowOf(await allAgree(cluster, nodes), S)
      assert.deepEqual(before?.virtualServers.map(v => [v.peerId, v.members]), [[vs.peerId, [member.peerId]]])
      assert.deepEqual(before?.centralClients, [waiting.peerId])
      assert.equal((await status(waiting)).virtualServer, null)

      const killedAt = Date.now()
      await kill9(member)
      const row = await waitUntil('the central client to be absorbed', async () => {
        const r = rowOf(await cluster.subnets(), S)
        return r?.centralClients.length === 0 ? r : undefined
      }, FAILOVER_MS + 10_000, 50)
      assert.ok(Date.now() - killedAt <= FAILOVER_MS, `absorbed ${Date.now() - killedAt} ms after the kill`)
      assert.deepEqual(row.virtualServers.map(v => [v.peerId, v.members, v.clientCount, v.limitCount]), [[vs.peerId, [waiting.peerId], 2, 2]])

      await allAgree(cluster, [vs, waiting])
      const s = await status(waiting)
      assert.equal(s.role, 'member')
      assert.equal(s.virtualServer, vs.peerId)
      assert.deepEqual((await status(vs)).members, [waiting.peerId])
    })
  })
})
