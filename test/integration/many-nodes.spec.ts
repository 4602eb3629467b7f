import assert from 'node:assert/strict'
import { TestNetwork } from '../helpers/network.js'
import { waitUntil } from '../helpers/wait.js'
import type { PeerhiveNode } from '../../src/index.js'

const SUBNETS = 6
const PER_SUBNET = 10
const LIMIT = 4

describe('a network of 60 nodes in 6 subnets, in one process', function () {
  this.timeout(120_000)
  const net = new TestNetwork()
  const bySubnet = new Map<number, PeerhiveNode[]>()

  before(async () => {
    await net.startBootstrap({ vsLimit: LIMIT })
    for (let h = 1; h <= PER_SUBNET; h++) {
      // peers of every subnet arrive interleaved, one arrival at a time per subnet
      await Promise.all(Array.from({ length: SUBNETS }, async (_, i) => {
        const s = 10 + i
        const node = await net.addPeer(s, h)
        await node.waitForPlacement(undefined, AbortSignal.timeout(10_000))
        bySubnet.set(s, [...(bySubnet.get(s) ?? []), node])
      }))
    }
  })

  after(async () => { await net.stop() })

  it('groups every peer by its subnet and elects virtual servers by the seed rules', async () => {
    const table = await waitUntil('every peer to be placed', () => {
      const t = net.bootstrap.subnets()
      const placed = t.reduce((n, s) => n + s.virtualServers.reduce((m, v) => m + v.clientCount, 0) + s.centralClients.length, 0)
      return placed === SUBNETS * PER_SUBNET ? t : undefined
    })
    assert.equal(table.length, SUBNETS)
    for (const row of table) {
      const s = Number(row.subnet.split('.')[2])
      assert.equal(row.subnet, `127.0.${s}.0/24`)
      const nodes = bySubnet.get(s) ?? []
      // 10 peers with limit 4: groups of 4, 4, then the last two form a third group (rule 4)
      assert.deepEqual(row.virtualServers.map(v => v.clientCount), [4, 4, 2])
      assert.deepEqual(row.centralClients, [])
      // the first peer of the subnet is its first virtual server (rule 1)
      assert.equal(row.virtualServers[0].peerId, nodes[0].peerId)
      for (const vs of row.virtualServers) assert.equal(vs.limitCount, LIMIT)
    }
  })

  it('lets every node say what it is, consistently with the bootstrap', async () => {
    await waitUntil('every node to agree with the bootstrap', () => {
      const table = net.bootstrap.subnets()
      for (const node of net.nodes) {
        const st = node.status()
        const row = table.find(r => r.subnet === st.subnet)
        if (row == null) return false
        const vs = row.virtualServers.find(v => v.peerId === st.virtualServer)
        if (st.role === 'virtual-server') {
          if (vs == null || vs.peerId !== node.peerId || vs.members.join() !== st.members.join()) return false
        } else if (st.role === 'member') {
          if (vs == null || !vs.members.includes(node.peerId)) return false
        } else if (st.role !== 'central-client' || !row.centralClients.includes(node.peerId)) {
          return false
        }
      }
      return true
    }, 15_000)
  })

  it('fails a virtual server over to one of its members, and the others follow it', async () => {
    const nodes = bySubnet.get(12) ?? []
    const victim = nodes[0]
    const before = net.bootstrap.subnets().find(r => r.subnet === '127.0.12.0/24')?.virtualServers[0]
    assert.equal(before?.peerId, victim.peerId)
    await victim.stop()
    const started = Date.now()
    const after = await waitUntil('a new virtual server for the group', () => {
      const vs = net.bootstrap.subnets().find(r => r.subnet === '127.0.12.0/24')?.virtualServers
        .find(v => before?.members.includes(v.peerId))
      return vs
    }, 5_000)
    assert.ok(Date.now() - started < 5_000)
    assert.deepEqual([after.peerId, ...after.members].sort(), [...(before?.members ?? [])].sort())
    await waitUntil('the members to follow the new virtual server', () => {
      return nodes.filter(n => after.members.includes(n.peerId)).every(n => n.status().virtualServer === after.peerId) &&
        nodes.find(n => n.peerId === after.peerId)?.status().role === 'virtual-server'
    }, 5_000)
  })
})
