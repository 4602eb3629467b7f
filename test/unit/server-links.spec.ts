/**
 * Which other virtual servers a virtual server links to (server-links.ts):
 * every one in a small network, so the searches it forwards for its members
 * ride open links; none in a large network, where the bootstrap relays the
 * filters; as many pseudo-random ones as asked, the same each time.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { FULL_MESH_UP_TO, linkServers } from '../../src/sharing/routing/server-links.js'

async function directory (n: number): Promise<Array<{ peerId: string, addrs: string[] }>> {
  return Promise.all(Array.from({ length: n }, async (_, i) => ({
    peerId: peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString(),
    addrs: [`/ip4/127.0.${100 + i}.1/tcp/4001`]
  })))
}

/** A libp2p that records dials and holds the connections given. */
function fakeLibp2p (self: string, connected: Set<string> = new Set()): { libp2p: any, dialed: string[] } {
  const dialed: string[] = []
  const libp2p = {
    peerId: { toString: () => self },
    getConnections: (peer: any) => connected.has(peer.toString()) ? [{}] : [],
    peerStore: { merge: async () => {} },
    dial: async (peer: any) => { dialed.push(peer.toString()) }
  }
  return { libp2p, dialed }
}

const log = Object.assign(() => {}, { error: () => {}, trace: () => {} }) as any

describe('virtual servers\' links to each other', () => {
  it(`links to every other server while the directory holds at most ${FULL_MESH_UP_TO}`, async () => {
    const servers = await directory(FULL_MESH_UP_TO)
    const { libp2p, dialed } = fakeLibp2p(servers[0].peerId)
    linkServers(libp2p, servers, log)
    await new Promise(resolve => setImmediate(resolve))
    assert.deepEqual(dialed.sort(), servers.slice(1).map(s => s.peerId).sort())
  })

  it(`links to none while the directory holds more than ${FULL_MESH_UP_TO}`, async () => {
    const servers = await directory(FULL_MESH_UP_TO + 1)
    const { libp2p, dialed } = fakeLibp2p(servers[0].peerId)
    linkServers(libp2p, servers, log)
    await new Promise(resolve => setImmediate(resolve))
    assert.deepEqual(dialed, [])
  })

  it('links to as many as asked, the same ones each time, and not to those it is connected to', async () => {
    const servers = await directory(FULL_MESH_UP_TO + 1)
    const first = fakeLibp2p(servers[0].peerId)
    linkServers(first.libp2p, servers, log, 4)
    await new Promise(resolve => setImmediate(resolve))
    assert.equal(first.dialed.length, 4)
    assert.ok(!first.dialed.includes(servers[0].peerId), 'not to itself')

    const again = fakeLibp2p(servers[0].peerId, new Set(first.dialed.slice(0, 1)))
    linkServers(again.libp2p, servers, log, 4)
    await new Promise(resolve => setImmediate(resolve))
    assert.deepEqual(again.dialed, first.dialed.slice(1))
  })
})
