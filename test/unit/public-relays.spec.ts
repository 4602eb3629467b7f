/**
 * Behavioural tests for bootstrap/network/public-relays.ts: which public
 * peer's relay the bootstrap gives each peer behind NAT.
 */
import assert from 'node:assert/strict'
import { PublicRelays, oneAddressPerRelay } from '../../bootstrap/network/public-relays.js'

const addrOf = (relay: string): string => `/ip4/198.51.100.6/tcp/4001/p2p/${relay}`

describe('PublicRelays', () => {
  it('gives each peer the least loaded relay with room, and the same one at every join', () => {
    const relays = new PublicRelays(() => true)
    relays.offer('r1', addrOf('r1'), 2)
    relays.offer('r2', addrOf('r2'), 4)
    const given = ['a', 'b', 'c', 'd'].map(p => relays.relayFor(p))
    assert.deepEqual(given, [addrOf('r1'), addrOf('r2'), addrOf('r2'), addrOf('r1')], 'by share of slots in use')
    assert.equal(relays.relayFor('a'), addrOf('r1'), 'sticky')
    relays.offer('r3', addrOf('r3'), 1)
    assert.equal(relays.relayFor('e'), addrOf('r3'))
    assert.equal(relays.relayFor('f'), addrOf('r2'), 'r1 and r3 are full')
    assert.equal(relays.relayFor('g'), addrOf('r2'))
    assert.equal(relays.relayFor('h'), undefined, 'every slot is given')
  })

  it('hands out only relays the bootstrap could reach, and never a peer to itself', () => {
    const reachable = new Set<string>()
    const relays = new PublicRelays(id => reachable.has(id))
    relays.offer('r1', addrOf('r1'), 8)
    assert.equal(relays.relayFor('a'), undefined)
    reachable.add('r1')
    assert.equal(relays.relayFor('r1'), undefined)
    assert.equal(relays.relayFor('a'), addrOf('r1'))
    reachable.delete('r1')
    assert.equal(relays.relayFor('a'), undefined, 'a relay the probe no longer reaches is taken back')
  })

  it('frees the slots of a peer that left, and forgets a relay that left or stopped relaying', () => {
    const relays = new PublicRelays(() => true)
    relays.offer('r1', addrOf('r1'), 1)
    assert.equal(relays.relayFor('a'), addrOf('r1'))
    relays.remove('a')
    assert.equal(relays.relayFor('b'), addrOf('r1'), 'a\'s slot went to b')
    relays.offer('r1', addrOf('r1'), 0)
    assert.deepEqual(relays.size(), { relays: 0, given: 0 })
    assert.equal(relays.relayFor('b'), undefined)
    relays.offer('r2', addrOf('r2'), 1)
    relays.offer('r2', '/ip4/198.51.100.10/tcp/4001/p2p/r2', 1)
    assert.equal(relays.relayFor('b'), '/ip4/198.51.100.10/tcp/4001/p2p/r2', 'a relay\'s new address replaces its old one')
    relays.remove('r2')
    assert.equal(relays.relayFor('b'), undefined)
  })
})

describe('oneAddressPerRelay', () => {
  it('keeps the first address of each relay', () => {
    assert.deepEqual(oneAddressPerRelay([addrOf('r1'), '/ip4/192.0.2.9/tcp/4001/p2p/r1', addrOf('r2')]), [addrOf('r1'), addrOf('r2')])
  })
})
