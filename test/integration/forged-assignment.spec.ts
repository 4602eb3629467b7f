import assert from 'node:assert/strict'
import { isDeepStrictEqual } from 'node:util'
import { multiaddr } from '@multiformats/multiaddr'
import { MAX_TABLE_BYTES, PROTOCOL_ASSIGNMENT, WIRE_VERSION, assignmentTopic, encodeSubnetTable, type SubnetTable } from '../../src/core/index.js'
import { TestNetwork } from '../helpers/network.js'
import { frame, rawClient } from '../helpers/raw-join.js'
import { waitUntil } from '../helpers/wait.js'
import type { PeerhiveNode } from '../../src/index.js'
import type { SubnetView } from '../../bootstrap/index.js'
import type { Libp2p } from 'libp2p'

const SUBNET = '127.0.50.0/24'
const TOPIC = assignmentTopic(SUBNET)

interface Seen {
  rejected: Array<{ from: string | null, reason: string }>
  placements: number
}

/** What a node says of its place, without the fields that change on their own (uptime, addresses). */
function placeOf (node: PeerhiveNode): object {
  const { role, subnet, virtualServer, members, userSerialId, joinError } = node.status()
  return { role, subnet, virtualServer, members, userSerialId, joinError }
}

describe('a forged assignment on the gossipsub topic changes nothing', function () {
  this.timeout(60_000)
  const net = new TestNetwork()
  const victims: PeerhiveNode[] = []
  const seen = new Map<PeerhiveNode, Seen>()
  let rogue: Libp2p<any>
  let rogueId: string
  let places: object[]
  let table: SubnetView[]

  /**
   * Publishes `data` from the rogue, waits until every victim has either
   * refused it (which proves it arrived) or acted on it, then checks that
   * nothing changed and that each victim said why it refused.
   */
  async function attack (data: Uint8Array): Promise<void> {
    const before = victims.map(v => seen.get(v)?.rejected.length ?? 0)
    const { recipients } = await rogue.services.pubsub.publish(TOPIC, data)
    const to = new Set(recipients.map((p: any) => p.toString()))
    for (const v of victims) assert.ok(to.has(v.peerId), `the rogue sent its message to ${v.peerId}`)
    await waitUntil('every victim to refuse the forged message (or act on it)', () => victims.every((v, i) =>
      (seen.get(v)?.rejected.length ?? 0) > before[i] || seen.get(v)?.placements !== 0 || !isDeepStrictEqual(placeOf(v), places[i])), 5_000)
    await unchanged()
    for (const [i, v] of victims.entries()) {
      const refusals = seen.get(v)?.rejected.slice(before[i]) ?? []
      assert.ok(refusals.length > 0, `${v.peerId} emitted assignment:rejected`)
      for (const r of refusals) {
        assert.equal(r.from, rogueId)
        assert.match(r.reason, /not signed by the bootstrap/)
      }
    }
  }

  /** Nothing changed: each victim's place, and the bootstrap's table; no placement event fired. */
  async function unchanged (): Promise<void> {
    // give a wrongly accepted table time to be applied
    await new Promise(resolve => setTimeout(resolve, 300))
    assert.deepEqual(victims.map(placeOf), places)
    assert.deepEqual(net.bootstrap.subnets(), table)
    for (const v of victims) assert.equal(seen.get(v)?.placements, 0, `${v.peerId} changed its placement`)
  }

  before(async () => {
    await net.startBootstrap({ vsLimit: 3 })
    // one at a time, so the roles are known: a virtual server with two members, then a central client
    for (let h = 1; h <= 4; h++) {
      const node = await net.addPeer(50, h)
      await node.waitForPlacement(undefined, AbortSignal.timeout(10_000))
      victims.push(node)
    }
    await waitUntil('the victims to agree with the bootstrap', () => {
      const [vs, m1, m2, cc] = victims.map(v => v.status())
      return vs.role === 'virtual-server' && vs.members.join() === [victims[1].peerId, victims[2].peerId].join() &&
        m1.role === 'member' && m1.virtualServer === vs.peerId && m2.role === 'member' && m2.virtualServer === vs.peerId &&
        cc.role === 'central-client'
    })
    places = victims.map(placeOf)
    table = net.bootstrap.subnets()
    for (const v of victims) {
      const s: Seen = { rejected: [], placements: 0 }
      seen.set(v, s)
      v.topology.addEventListener('assignment:rejected', evt => { s.rejected.push(evt.detail) })
      v.addEventListener('placement', () => { s.placements++ })
    }

    // the rogue: a full peerhive stack in the same subnet that never joins, on the victims' topic
    rogue = await rawClient('127.0.50.9')
    rogueId = rogue.peerId.toString()
    rogue.services.pubsub.subscribe(TOPIC)
    for (const v of victims) await rogue.dial(multiaddr(v.multiaddrs()[0]))
    await waitUntil('the victims to be gossip peers of the rogue on their topic', () => {
      const subscribers = new Set(rogue.services.pubsub.getSubscribers(TOPIC).map((p: any) => p.toString()))
      return victims.every(v => subscribers.has(v.peerId))
    }, 10_000)
  })

  after(async () => {
    await rogue?.stop()
    await net.stop()
  })

  it('refuses a well-formed table that makes the rogue the virtual server, with a huge seq', async () => {
    const forged: SubnetTable = {
      version: WIRE_VERSION,
      seq: Number.MAX_SAFE_INTEGER,
      subnet: SUBNET,
      issuedAt: Date.now(),
      servers: [{
        peerId: rogueId,
        addrs: rogue.getMultiaddrs().map(ma => ma.toString()),
        members: victims.map(v => v.peerId),
        limit: 16
      }],
      centralClients: []
    }
    await attack(encodeSubnetTable(forged))
    await unchanged()
  })

  it('refuses a table that swaps the virtual server and a member', async () => {
    const [vs, m1, m2, cc] = victims.map(v => v.peerId)
    await attack(encodeSubnetTable({
      version: WIRE_VERSION,
      seq: Number.MAX_SAFE_INTEGER,
      subnet: SUBNET,
      issuedAt: Date.now(),
      servers: [{ peerId: m1, addrs: [], members: [vs, m2, cc], limit: 4 }],
      centralClients: []
    }))
    await unchanged()
  })

  it('refuses a table that leaves the victims out (which would make them join again)', async () => {
    await attack(encodeSubnetTable({ version: WIRE_VERSION, seq: Number.MAX_SAFE_INTEGER, subnet: SUBNET, issuedAt: Date.now(), servers: [], centralClients: [] }))
    await unchanged()
  })

  it('refuses malformed bytes and an oversized payload, and the victims keep running', async () => {
    await attack(new Uint8Array(64).fill(0xff))
    await attack(new Uint8Array(0))
    // over the 256 KiB table limit, under gossipsub's inbound limit: reaches the victims and is refused
    await attack(new Uint8Array(MAX_TABLE_BYTES + 1024).fill(0x2a))
    // over gossipsub's inbound limit (512 KiB): dropped by gossipsub itself, whatever the rogue manages to send
    await rogue.services.pubsub.publish(TOPIC, new Uint8Array(1 << 20).fill(0x2a)).catch(() => {})
    await unchanged()
    for (const v of victims) assert.equal(v.libp2p.status, 'started')
  })

  it('refuses a table pushed over a direct stream by anyone but the bootstrap', async () => {
    const [vs, m1, m2, cc] = victims.map(v => v.peerId)
    const forged = encodeSubnetTable({
      version: WIRE_VERSION,
      seq: Number.MAX_SAFE_INTEGER,
      subnet: SUBNET,
      issuedAt: Date.now(),
      servers: [{ peerId: rogueId, addrs: [], members: [vs, m1, m2, cc], limit: 8 }],
      centralClients: []
    })
    const before = victims.map(v => seen.get(v)?.rejected.length ?? 0)
    for (const v of victims) {
      const stream = await rogue.dialProtocol(multiaddr(v.multiaddrs()[0]), PROTOCOL_ASSIGNMENT)
      // the victim aborts the stream as soon as it sees who opened it, so the write may already fail
      try {
        stream.send(frame(forged))
        await stream.close()
      } catch {}
    }
    await waitUntil('every victim to refuse the pushed table', () => victims.every((v, i) => (seen.get(v)?.rejected.length ?? 0) > before[i]), 5_000)
    for (const [i, v] of victims.entries()) {
      for (const r of seen.get(v)?.rejected.slice(before[i]) ?? []) {
        assert.equal(r.from, rogueId)
        assert.match(r.reason, /only from the bootstrap/)
      }
    }
    await unchanged()
  })

  it('still follows the tables the bootstrap signs, though the forged ones carried a higher seq', async () => {
    // a fifth peer: the central client becomes a virtual server and the newcomer its member (rule 4)
    const newcomer = await net.addPeer(50, 5)
    await newcomer.waitForPlacement(undefined, AbortSignal.timeout(10_000))
    const cc = victims[3]
    await waitUntil('the central client to follow the bootstrap\'s new table', () => {
      const st = cc.status()
      return st.role === 'virtual-server' && st.members.join() === newcomer.peerId
    }, 10_000)
    assert.equal(newcomer.status().virtualServer, cc.peerId)
    // the others kept their places
    assert.deepEqual(victims.slice(0, 3).map(placeOf), places.slice(0, 3))
    // the rogue never got into the bootstrap's table
    assert.ok(!JSON.stringify(net.bootstrap.subnets()).includes(rogueId))
  })
})

