/**
 * Who serves the DHT (issue 9): the bootstrap and nodes run with dhtMode
 * 'server'; under 'auto' every peer is a DHT client whatever its role,
 * virtual servers included, and a promotion changes nothing. Files of
 * members are still found through the DHT from another subnet. Clients walk
 * hourly, servers every 10 minutes or so, each at its own pace.
 */
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DHT_PROTOCOL } from '../../src/core/constants.js'
import { CLIENT_DHT_UPKEEP_MS, SERVER_DHT_UPKEEP_MS, SERVER_UPKEEP_JITTER } from '../../src/topology/dht-role.js'
import { searchDht } from '../../src/sharing/dht/index.js'
import { InvalidOptionError } from '../../src/index.js'
import { TestNetwork } from '../helpers/network.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import type { PeerhiveNode } from '../../src/index.js'
import type { Libp2p } from 'libp2p'

const A = 91
const B = 92
const C = 93
const WAIT_MS = 20_000

function serves (libp2p: Libp2p<any>): boolean {
  return libp2p.getProtocols().includes(DHT_PROTOCOL)
}

/** Waits until the node's DHT runs `mode` (a placement switches it a moment after the event). */
async function waitMode (node: PeerhiveNode, mode: 'client' | 'server'): Promise<void> {
  await waitUntil(`${node.status().role} ${node.peerId} in DHT ${mode} mode`, () => node.dhtRole.mode() === mode, WAIT_MS)
}

function isServerPace (ms: number | undefined): boolean {
  return ms != null && Math.abs(ms - SERVER_DHT_UPKEEP_MS) <= SERVER_DHT_UPKEEP_MS * SERVER_UPKEEP_JITTER
}

async function inRoutingTable (holder: Libp2p<any>, peer: PeerhiveNode): Promise<boolean> {
  return (await holder.services.dht.routingTable.find(peer.libp2p.peerId)) != null
}

describe('who serves the DHT', function () {
  this.timeout(120_000)
  const net = new TestNetwork()
  const tmp = tempDir()
  /** subnet A: a1 virtual server, a2 and a3 members (vsLimit 3) */
  const a: PeerhiveNode[] = []
  /** subnet B: b1 virtual server, b2 member */
  const b: PeerhiveNode[] = []
  /** subnet C: two nodes an operator runs as DHT servers (c1 the virtual server, c2 a member) */
  const c: PeerhiveNode[] = []

  before(async () => {
    await net.startBootstrap({ vsLimit: 3 })
    for (let h = 1; h <= 3; h++) {
      const node = await net.addPeer(A, h)
      await node.waitForPlacement(undefined, AbortSignal.timeout(WAIT_MS))
      a.push(node)
    }
    for (let h = 1; h <= 2; h++) {
      const node = await net.addPeer(B, h)
      await node.waitForPlacement(undefined, AbortSignal.timeout(WAIT_MS))
      b.push(node)
    }
    for (let h = 1; h <= 2; h++) {
      const node = await net.addPeer(C, h, { dhtMode: 'server' })
      await node.waitForPlacement(undefined, AbortSignal.timeout(WAIT_MS))
      c.push(node)
    }
  })

  after(async () => {
    await net.stop()
    tmp.cleanup()
  })

  it('under auto every peer is a DHT client, virtual servers included; the bootstrap and "server" nodes serve it', async () => {
    assert.deepEqual([...a, ...b, ...c].map(n => n.status().role), ['virtual-server', 'member', 'member', 'virtual-server', 'member', 'virtual-server', 'member'])
    for (const node of [...a, ...b]) {
      await waitMode(node, 'client')
      assert.equal(serves(node.libp2p), false, `a ${node.status().role} does not handle the DHT protocol`)
    }
    for (const node of c) {
      await waitMode(node, 'server')
      assert.ok(serves(node.libp2p), `a ${node.status().role} run as a DHT server handles the DHT protocol`)
    }
    assert.equal(net.bootstrap.libp2p.services.dht.getMode(), 'server')
    // other nodes put servers, never clients, into their routing tables
    await waitUntil('the bootstrap to hold both DHT servers in its routing table', async () =>
      await inRoutingTable(net.bootstrap.libp2p, c[0]) && await inRoutingTable(net.bootstrap.libp2p, c[1]), WAIT_MS)
    assert.equal(await inRoutingTable(net.bootstrap.libp2p, a[0]), false, 'a virtual server under auto is in no routing table')
    assert.equal(await inRoutingTable(net.bootstrap.libp2p, a[1]), false, 'a member is in no routing table')
  })

  it('a DHT client walks the network hourly, each server every 10 minutes or so at its own pace', async () => {
    const upkeep = (n: PeerhiveNode): unknown[] => {
      const dht = n.libp2p.services.dht
      return [n.dhtRole.upkeepMs(), dht.querySelf?.interval]
    }
    // if kad-dht renames these internals, DhtRole silently keeps kad-dht's pace: this fails first
    for (const client of [...a, ...b]) assert.deepEqual(upkeep(client), [CLIENT_DHT_UPKEEP_MS, CLIENT_DHT_UPKEEP_MS])
    const paces = c.map(server => {
      const [refresh, self] = upkeep(server) as number[]
      assert.equal(refresh, self, 'a server refreshes its table and queries itself at one pace')
      assert.ok(isServerPace(refresh), `a server walks every ${refresh} ms`)
      return refresh
    })
    // servers started together must not walk together: the chance of two equal draws is nil
    assert.notEqual(paces[0], paces[1], 'two servers walk at the same pace')
  })

  it('a file shared by a member is found through the DHT by a member of another subnet', async () => {
    const dir = join(tmp.path, 'a2-share')
    mkdirSync(dir, { recursive: true })
    const path = join(dir, 'dhtrole-quokka-notes.txt')
    writeFileSync(path, 'shared by a member that is only a DHT client\n')
    await a[1].share([path])
    const found = await waitUntil('b2 to find a2\'s file through the DHT', async () => {
      for await (const e of searchDht(b[1].libp2p, ['quokka'], { timeoutMs: 5_000 })) {
        if (e.filename === 'dhtrole-quokka-notes.txt') return e
      }
      return undefined
    }, 60_000, 500)
    assert.equal(found.provider, a[1].peerId)
  })

  it('when the virtual server goes, the promoted member stays a DHT client', async () => {
    const [old, ...rest] = a
    await old.stop()
    const promoted = await waitUntil('a member of A to be promoted', () => rest.find(n => n.status().role === 'virtual-server'), WAIT_MS)
    await promoted.dhtRole.settled()
    assert.equal(promoted.dhtRole.mode(), 'client')
    assert.equal(serves(promoted.libp2p), false)
    assert.deepEqual(promoted.dhtRole.upkeepMs(), CLIENT_DHT_UPKEEP_MS)
  })

  it('"client" keeps a node out of the DHT\'s servers as "auto" does', async () => {
    const vsClient = await net.addPeer(C + 1, 1, { dhtMode: 'client' })
    await vsClient.waitForPlacement(['virtual-server'], AbortSignal.timeout(WAIT_MS))
    await vsClient.dhtRole.settled()
    assert.equal(vsClient.dhtRole.mode(), 'client')
    assert.equal(serves(vsClient.libp2p), false)
  })

  it('refuses an unknown dhtMode', async () => {
    await assert.rejects(net.addPeer(C, 9, { dhtMode: 'sometimes' as any }), (err: Error) => err instanceof InvalidOptionError && /dhtMode/.test(err.message))
  })
})
