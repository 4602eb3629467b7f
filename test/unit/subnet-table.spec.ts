import assert from 'node:assert/strict'
import { MAX_TABLE_BYTES, SubnetTable, decodeSubnetTable, encodeSubnetTable, placeIn } from '../../src/core/index.js'

const table = (over: Partial<SubnetTable> = {}): SubnetTable => ({
  version: 1,
  seq: 7,
  subnet: '127.0.9.0/24',
  issuedAt: 1,
  servers: [{ peerId: 'A', addrs: ['/ip4/127.0.9.1/tcp/1/p2p/A'], members: ['B', 'C'], limit: 3 }],
  centralClients: ['D'],
  ...over
})

describe('subnet tables from the network', () => {
  it('round-trips a table and places each peer in it', () => {
    const t = decodeSubnetTable(encodeSubnetTable(table()))
    assert.deepEqual(t, table())
    assert.deepEqual(placeIn(t, 'A'), { role: 'virtual-server', virtualServer: 'A', members: ['B', 'C'], virtualServerAddrs: ['/ip4/127.0.9.1/tcp/1/p2p/A'] })
    assert.equal(placeIn(t, 'B')?.role, 'member')
    assert.equal(placeIn(t, 'B')?.virtualServer, 'A')
    assert.deepEqual(placeIn(t, 'D'), { role: 'central-client', virtualServer: null, members: [], virtualServerAddrs: [] })
    assert.equal(placeIn(t, 'E'), undefined)
  })

  it('refuses an unknown version', () => {
    const bytes = SubnetTable.encode(table({ version: 2 }))
    assert.throws(() => decodeSubnetTable(bytes), { name: 'UnsupportedVersionError', message: /version 2/ })
  })

  it('refuses malformed bytes', () => {
    assert.throws(() => decodeSubnetTable(new Uint8Array(16).fill(0xff)), { name: 'MalformedMessageError' })
  })

  it('refuses a table over the size limit, both ways', () => {
    const huge = new Uint8Array(MAX_TABLE_BYTES + 1)
    assert.throws(() => decodeSubnetTable(huge), { name: 'MessageTooLargeError' })
    const members = (g: string): string[] => Array.from({ length: 3000 }, (_, i) => `12D3KooW${g.repeat(44)}${i}`)
    const servers = ['x', 'y'].map(g => ({ peerId: g, addrs: [], members: members(g), limit: 5000 }))
    assert.throws(() => encodeSubnetTable(table({ servers })), { name: 'MessageTooLargeError' })
  })

  it('refuses more entries than the limits allow, even in a small message', () => {
    const addrs = Array.from({ length: 17 }, (_, i) => `/ip4/127.0.9.1/tcp/${i}`)
    const bytes = SubnetTable.encode(table({ servers: [{ peerId: 'A', addrs, members: [], limit: 3 }] }))
    assert.ok(bytes.byteLength < MAX_TABLE_BYTES)
    assert.throws(() => decodeSubnetTable(bytes), { name: 'MalformedMessageError', message: /addrs/ })
  })
})
