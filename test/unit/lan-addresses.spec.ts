/**
 * src/core/lan-addresses.ts: which addresses are LAN addresses, and which of
 * them belong to another home (a network none of this host's interfaces is
 * on), which a node does not dial. Nothing here dials.
 */
import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { isForeignLanAddress, isLanAddress } from '../../src/core/lan-addresses.js'

describe('LAN addresses', () => {
  it('isLanAddress knows the home and office ranges, and nothing else', () => {
    for (const ip of ['10.0.0.1', '10.255.255.255', '172.16.0.1', '172.31.255.1', '192.168.0.1', '100.64.0.1', '100.127.255.254', 'fd12::1', 'fc00::1']) assert.equal(isLanAddress(ip), true, ip)
    for (const ip of ['9.255.255.255', '11.0.0.1', '172.15.0.1', '172.32.0.1', '192.169.0.1', '100.63.255.255', '100.128.0.1', '127.0.0.1', '8.8.8.8', '203.0.113.2', '::1', '2001:db8::1', 'fe80::1', 'not an ip']) assert.equal(isLanAddress(ip), false, ip)
  })

  it('a LAN address is foreign unless one of this host\'s interfaces is on its network', () => {
    // this host: 10.5.0.2/24 and loopback
    const nets: Array<[number, number]> = [[0x0a050002, 0xffffff00], [0x7f000001, 0xff000000]]
    const foreign = (a: string): boolean => isForeignLanAddress(multiaddr(a), nets)
    assert.equal(foreign('/ip4/10.3.0.2/tcp/4001'), true, 'another home')
    assert.equal(foreign('/ip4/192.168.1.9/tcp/4001/p2p/12D3KooWLNv6tv1nnVYZQuP6Jyks51MiLRRmXD3pk2WwFcbF4osL'), true)
    assert.equal(foreign('/ip4/10.5.0.77/tcp/4001'), false, 'this home')
    assert.equal(foreign('/ip4/127.0.9.1/tcp/4001'), false, 'loopback is no LAN address')
    assert.equal(foreign('/ip4/198.51.100.2/tcp/4001'), false, 'a public address')
    assert.equal(foreign('/ip4/10.3.0.2/tcp/4001/p2p/12D3KooWLNv6tv1nnVYZQuP6Jyks51MiLRRmXD3pk2WwFcbF4osL/p2p-circuit'), false, 'a relayed address goes to the relay')
    assert.equal(foreign('/ip6/fd00::5/tcp/4001'), false, 'IPv6 is left alone')
  })
})
