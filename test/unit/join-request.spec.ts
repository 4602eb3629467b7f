/**
 * Behavioural tests for bootstrap/network/join-request.ts: what the bootstrap makes
 * of a join request, given the address it observed the peer connect from.
 * Nothing here dials; multiaddrs are only constructed.
 */
import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { checkJoin, JoinRefusal } from '../../bootstrap/network/join-request.js'
import { JoinError } from '../../src/pb/join.js'
import type { HostInfo, JoinRequest } from '../../src/pb/join.js'

const PEER = '12D3KooWLNv6tv1nnVYZQuP6Jyks51MiLRRmXD3pk2WwFcbF4osL'
const OTHER_PEER = '12D3KooWAMembUbevPJLaSNpv6KsRvPsFXEgRbarRHvJMktwxGs8'
const OBSERVED_IP = '127.0.31.4'
const REMOTE = multiaddr(`/ip4/${OBSERVED_IP}/tcp/5555`)
const OBSERVED_SUBNET = '127.0.31.0/24'
const OPTS = { prefixes: { v4: 24, v6: 64 }, allowSubnetClaims: false }
const CLAIMS_ALLOWED = { ...OPTS, allowSubnetClaims: true }

function req (over: Partial<JoinRequest> = {}): JoinRequest {
  return { version: 1, listenAddrs: [], claimedSubnet: '', relaySlots: 0, ...over }
}

function host (over: Partial<HostInfo>): HostInfo {
  return { cpus: 4, memoryMb: 4096, uptimeMs: 0, platform: 'linux', ...over }
}

/** runs checkJoin expecting a JoinRefusal with `code` */
function refuses (fn: () => unknown, code: JoinError, context: string): JoinRefusal {
  let caught: unknown
  assert.throws(fn, (err: any) => { caught = err; return true }, context)
  assert.ok(caught instanceof JoinRefusal, `${context}: expected a JoinRefusal, got ${String(caught)}`)
  assert.equal(caught.name, 'JoinRefusal', context)
  assert.equal(caught.code, code, `${context}: refusal code`)
  assert.ok(caught.message.length > 0, `${context}: refusal has a message`)
  return caught
}

const own = (port: number): string => `/ip4/${OBSERVED_IP}/tcp/${port}/p2p/${PEER}`

describe('checkJoin', () => {
  describe('subnet', () => {
    it('is the observed address masked to the prefix when nothing is claimed', () => {
      const c = checkJoin(req(), REMOTE, PEER, OPTS)
      assert.equal(c.subnet, OBSERVED_SUBNET)
      assert.equal(c.observedIp, OBSERVED_IP)
    })

    it('follows the configured IPv4 prefix', () => {
      assert.equal(checkJoin(req(), REMOTE, PEER, { ...OPTS, prefixes: { v4: 16, v6: 64 } }).subnet, '127.0.0.0/16')
      assert.equal(checkJoin(req(), REMOTE, PEER, { ...OPTS, prefixes: { v4: 32, v6: 64 } }).subnet, '127.0.31.4/32')
    })

    it('masks an IPv6 peer with the IPv6 prefix', () => {
      const remote = multiaddr('/ip6/2001:db8:1:2::5/tcp/5555')
      const c = checkJoin(req(), remote, PEER, OPTS)
      assert.equal(c.subnet, '2001:db8:1:2::/64')
      assert.equal(c.observedIp, '2001:db8:1:2::5')
      assert.equal(checkJoin(req(), remote, PEER, { ...OPTS, prefixes: { v4: 24, v6: 48 } }).subnet, '2001:db8:1::/48')
    })

    it('accepts a claim equal to the observed subnet', () => {
      assert.equal(checkJoin(req({ claimedSubnet: OBSERVED_SUBNET }), REMOTE, PEER, OPTS).subnet, OBSERVED_SUBNET)
    })

    it('compares the claim in canonical form (host bits and whitespace do not matter)', () => {
      assert.equal(checkJoin(req({ claimedSubnet: '127.0.31.200/24' }), REMOTE, PEER, OPTS).subnet, OBSERVED_SUBNET)
      assert.equal(checkJoin(req({ claimedSubnet: ' 127.0.31.0/24 ' }), REMOTE, PEER, OPTS).subnet, OBSERVED_SUBNET)
    })

    it('refuses a claim of another subnet with SUBNET_MISMATCH', () => {
      const err = refuses(() => checkJoin(req({ claimedSubnet: '127.0.32.0/24' }), REMOTE, PEER, OPTS), JoinError.SUBNET_MISMATCH, 'other /24')
      assert.match(err.message, /127\.0\.31\.4/)
      assert.match(err.message, /127\.0\.32\.0\/24/)
    })

    it('refuses a claim of the right network with another prefix length', () => {
      refuses(() => checkJoin(req({ claimedSubnet: '127.0.0.0/16' }), REMOTE, PEER, OPTS), JoinError.SUBNET_MISMATCH, '/16 claim')
      refuses(() => checkJoin(req({ claimedSubnet: '127.0.31.4/32' }), REMOTE, PEER, OPTS), JoinError.SUBNET_MISMATCH, '/32 claim')
    })

    it('uses the claimed subnet (canonicalised) when claims are allowed', () => {
      const c = checkJoin(req({ claimedSubnet: '127.0.32.9/24' }), REMOTE, PEER, CLAIMS_ALLOWED)
      assert.equal(c.subnet, '127.0.32.0/24')
      assert.equal(c.observedIp, OBSERVED_IP, 'the observed IP stays what was observed')
    })

    it('still uses the observed subnet when claims are allowed but none is made', () => {
      assert.equal(checkJoin(req(), REMOTE, PEER, CLAIMS_ALLOWED).subnet, OBSERVED_SUBNET)
    })

    for (const bad of ['banana', '10.0.0.0/33', '127.0.31.0', '127.0.31.0/', '999.0.0.0/8']) {
      it(`refuses a malformed claim ${JSON.stringify(bad)} with MALFORMED_MESSAGE, even when claims are allowed`, () => {
        refuses(() => checkJoin(req({ claimedSubnet: bad }), REMOTE, PEER, OPTS), JoinError.MALFORMED_MESSAGE, bad)
        refuses(() => checkJoin(req({ claimedSubnet: bad }), REMOTE, PEER, CLAIMS_ALLOWED), JoinError.MALFORMED_MESSAGE, `${bad} (claims allowed)`)
      })
    }

    for (const addr of ['/dns4/example.com/tcp/1', '/dns6/example.com/tcp/1', '/dns/example.com/tcp/1', '/unix/tmp%2Fpeerhive.sock']) {
      it(`refuses a peer connected over ${addr} with UNKNOWN_ADDRESS`, () => {
        refuses(() => checkJoin(req(), multiaddr(addr), PEER, OPTS), JoinError.UNKNOWN_ADDRESS, addr)
        refuses(() => checkJoin(req({ claimedSubnet: OBSERVED_SUBNET }), multiaddr(addr), PEER, CLAIMS_ALLOWED), JoinError.UNKNOWN_ADDRESS, `${addr} with claim`)
      })
    }

    // behind a dual-stack listener (/ip6/::/tcp/N) an IPv4 peer is observed as /ip6/::ffff:a.b.c.d
    it('treats an IPv4-mapped observed address as the IPv4 address', () => {
      const c = checkJoin(req({ listenAddrs: [`/ip4/${OBSERVED_IP}/tcp/4001`] }), multiaddr(`/ip6/::ffff:${OBSERVED_IP}/tcp/5555`), PEER, OPTS)
      assert.equal(c.subnet, OBSERVED_SUBNET)
      assert.deepEqual(c.addresses, [own(4001)])
    })
  })

  describe('listen addresses', () => {
    it('keeps an address on the observed IP and appends /p2p/<peer>', () => {
      const c = checkJoin(req({ listenAddrs: [`/ip4/${OBSERVED_IP}/tcp/4001`] }), REMOTE, PEER, OPTS)
      assert.deepEqual(c.addresses, [own(4001)])
      const ma = multiaddr(c.addresses[0])
      assert.equal(ma.getComponents().find(x => x.name === 'p2p')?.value, PEER)
    })

    it('drops addresses on other IPs, so a peer cannot make others dial elsewhere', () => {
      const c = checkJoin(req({
        listenAddrs: ['/ip4/127.0.31.5/tcp/4001', '/ip4/127.0.0.1/tcp/4001', '/ip4/10.0.0.1/tcp/4001', '/ip6/::1/tcp/4001', '/dns4/example.com/tcp/4001']
      }), REMOTE, PEER, OPTS)
      assert.deepEqual(c.addresses, [])
    })

    it('drops addresses without a tcp port or with port 0', () => {
      const c = checkJoin(req({
        listenAddrs: [`/ip4/${OBSERVED_IP}/tcp/0`, `/ip4/${OBSERVED_IP}/udp/4001/quic-v1`, `/ip4/${OBSERVED_IP}`, `/ip4/${OBSERVED_IP}/tcp/4002`]
      }), REMOTE, PEER, OPTS)
      assert.deepEqual(c.addresses, [own(4002)])
    })

    it('names the joining peer even when an address names another peer', () => {
      const c = checkJoin(req({ listenAddrs: [`/ip4/${OBSERVED_IP}/tcp/4001/p2p/${OTHER_PEER}`] }), REMOTE, PEER, OPTS)
      assert.deepEqual(c.addresses, [own(4001)])
      assert.ok(!c.addresses.some(a => a.includes(OTHER_PEER)))
    })

    it('deduplicates, keeping first-seen order', () => {
      const c = checkJoin(req({
        listenAddrs: [`/ip4/${OBSERVED_IP}/tcp/4002`, `/ip4/${OBSERVED_IP}/tcp/4001`, `/ip4/${OBSERVED_IP}/tcp/4002`, `/ip4/${OBSERVED_IP}/tcp/4002/p2p/${PEER}`, `/ip4/${OBSERVED_IP}/tcp/4001`]
      }), REMOTE, PEER, OPTS)
      assert.deepEqual(c.addresses, [own(4002), own(4001)])
    })

    it('keeps at most 8 addresses, the first 8 distinct ones', () => {
      const listenAddrs = Array.from({ length: 20 }, (_, i) => `/ip4/${OBSERVED_IP}/tcp/${4001 + i}`)
      const c = checkJoin(req({ listenAddrs }), REMOTE, PEER, OPTS)
      assert.equal(c.addresses.length, 8)
      assert.deepEqual(c.addresses, Array.from({ length: 8 }, (_, i) => own(4001 + i)))
    })

    it('counts only kept, distinct addresses towards the cap', () => {
      const listenAddrs = [
        ...Array.from({ length: 10 }, () => `/ip4/${OBSERVED_IP}/tcp/4001`),
        ...Array.from({ length: 10 }, (_, i) => `/ip4/10.9.9.9/tcp/${5000 + i}`),
        'garbage', 'garbage',
        `/ip4/${OBSERVED_IP}/tcp/4002`
      ]
      const c = checkJoin(req({ listenAddrs }), REMOTE, PEER, OPTS)
      assert.deepEqual(c.addresses, [own(4001), own(4002)])
    })

    it('ignores strings that are not multiaddrs', () => {
      const c = checkJoin(req({
        listenAddrs: ['banana', '', '/', '/ip4/999.1.1.1/tcp/1', '/ip4/127.0.31.4/tcp/99999', '/nonsense/1', `${OBSERVED_IP}:4001`, `/ip4/${OBSERVED_IP}/tcp/4003`]
      }), REMOTE, PEER, OPTS)
      assert.deepEqual(c.addresses, [own(4003)])
    })

    it('keeps IPv6 addresses on the observed IPv6 address', () => {
      const remote = multiaddr('/ip6/2001:db8:1:2::5/tcp/5555')
      const c = checkJoin(req({
        listenAddrs: ['/ip6/2001:db8:1:2::5/tcp/4001', '/ip6/2001:db8:1:2::6/tcp/4001', `/ip4/${OBSERVED_IP}/tcp/4001`]
      }), remote, PEER, OPTS)
      assert.deepEqual(c.addresses, [`/ip6/2001:db8:1:2::5/tcp/4001/p2p/${PEER}`])
    })

    it('returns no addresses when none are advertised', () => {
      assert.deepEqual(checkJoin(req(), REMOTE, PEER, OPTS).addresses, [])
    })
  })

  describe('a peer behind NAT (no advertised address on the observed IP)', () => {
    const ROUTER = multiaddr('/ip4/203.0.113.2/tcp/40211')
    const RELAY = '/ip4/198.51.100.2/tcp/4001/p2p/12D3KooWRelayRelayRelayRelayRelayRelayRelayRelayRel'
    const NAT_OPTS = { ...OPTS, relayAddrs: () => [RELAY] }

    it('is told apart from a peer whose own address the bootstrap saw', () => {
      assert.equal(checkJoin(req({ listenAddrs: ['/ip4/10.1.0.2/tcp/4001'] }), ROUTER, PEER, OPTS).behindNat, true)
      assert.equal(checkJoin(req({ listenAddrs: ['/ip4/203.0.113.2/tcp/4001', '/ip4/10.1.0.2/tcp/4001'] }), ROUTER, PEER, OPTS).behindNat, false)
      // a bootstrap on the same host sees loopback: nobody stands between them
      assert.equal(checkJoin(req({ listenAddrs: ['/ip4/10.1.0.2/tcp/4001'] }), REMOTE, PEER, OPTS).behindNat, false)
    })

    it('keeps its LAN addresses (for its own home) and adds its address through the bootstrap\'s relay', () => {
      const c = checkJoin(req({
        listenAddrs: ['/ip4/127.0.0.1/tcp/4001', '/ip4/10.1.0.2/tcp/4001', '/ip4/192.168.7.9/tcp/4002', '/ip4/8.8.8.8/tcp/4001', '/ip6/fd00::5/tcp/4001', '/ip6/2001:db8::5/tcp/4001']
      }), ROUTER, PEER, NAT_OPTS)
      assert.deepEqual(c.addresses, [
        `/ip4/10.1.0.2/tcp/4001/p2p/${PEER}`,
        `/ip4/192.168.7.9/tcp/4002/p2p/${PEER}`,
        `/ip6/fd00::5/tcp/4001/p2p/${PEER}`,
        `${RELAY}/p2p-circuit/p2p/${PEER}`
      ], 'loopback and public addresses are not kept: the peer could make others dial anywhere')
    })

    it('gets no relayed address when the bootstrap does not relay', () => {
      const c = checkJoin(req({ listenAddrs: ['/ip4/10.1.0.2/tcp/4001'] }), ROUTER, PEER, OPTS)
      assert.deepEqual(c.addresses, [`/ip4/10.1.0.2/tcp/4001/p2p/${PEER}`])
    })

    it('ignores relayed addresses the peer advertises: the bootstrap names its own relay only', () => {
      const c = checkJoin(req({ listenAddrs: [`/ip4/203.0.113.2/tcp/4001/p2p/${OTHER_PEER}/p2p-circuit`, '/ip4/10.1.0.2/tcp/4001'] }), ROUTER, PEER, NAT_OPTS)
      assert.equal(c.behindNat, true, 'a relayed address on the observed IP is not the peer\'s own socket')
      assert.deepEqual(c.addresses, [`/ip4/10.1.0.2/tcp/4001/p2p/${PEER}`, `${RELAY}/p2p-circuit/p2p/${PEER}`])
    })

    it('a peer whose router forwards a port to it (UPnP) gets no relayed address, and keeps its LAN addresses after the forwarded one, for its home', () => {
      const c = checkJoin(req({ listenAddrs: ['/ip4/10.1.0.2/tcp/4001', '/ip4/203.0.113.2/tcp/4001', '/ip4/198.51.100.9/tcp/4001'] }), ROUTER, PEER, NAT_OPTS)
      assert.equal(c.behindNat, false)
      assert.deepEqual(c.addresses, [`/ip4/203.0.113.2/tcp/4001/p2p/${PEER}`, `/ip4/10.1.0.2/tcp/4001/p2p/${PEER}`], 'another public address is still dropped')
    })

    it('a peer seen on loopback keeps no LAN address: the bootstrap runs on its host', () => {
      const c = checkJoin(req({ listenAddrs: [`/ip4/${OBSERVED_IP}/tcp/4001`, '/ip4/10.1.0.2/tcp/4001'] }), REMOTE, PEER, NAT_OPTS)
      assert.deepEqual(c.addresses, [own(4001)])
    })

    it('keeps at most 8 addresses, and always room for the relayed one', () => {
      const listenAddrs = Array.from({ length: 12 }, (_, i) => `/ip4/10.1.0.${i + 2}/tcp/4001`)
      const c = checkJoin(req({ listenAddrs }), ROUTER, PEER, NAT_OPTS)
      assert.equal(c.addresses.length, 8)
      assert.equal(c.addresses[7], `${RELAY}/p2p-circuit/p2p/${PEER}`, 'the first seven LAN addresses, then the relayed one')
    })
  })

  describe('host info', () => {
    it('passes sane values through', () => {
      const c = checkJoin(req({ host: host({ cpus: 8, memoryMb: 16384 }) }), REMOTE, PEER, OPTS)
      assert.equal(c.cpus, 8)
      assert.equal(c.memoryMb, 16384)
    })

    it('is 0 cpus and 0 MB when the request has no host info', () => {
      const c = checkJoin(req(), REMOTE, PEER, OPTS)
      assert.equal(c.cpus, 0)
      assert.equal(c.memoryMb, 0)
    })

    it('clamps negative values to 0', () => {
      const c = checkJoin(req({ host: host({ cpus: -3, memoryMb: -1024 }) }), REMOTE, PEER, OPTS)
      assert.equal(c.cpus, 0)
      assert.equal(c.memoryMb, 0)
    })

    it('turns NaN into 0', () => {
      const c = checkJoin(req({ host: host({ cpus: Number.NaN, memoryMb: Number.NaN }) }), REMOTE, PEER, OPTS)
      assert.equal(c.cpus, 0)
      assert.equal(c.memoryMb, 0)
    })

    it('caps huge values (4096 cpus, 2^30 MB)', () => {
      const c = checkJoin(req({ host: host({ cpus: 1e9, memoryMb: 2 ** 52 }) }), REMOTE, PEER, OPTS)
      assert.equal(c.cpus, 4096)
      assert.equal(c.memoryMb, 2 ** 30)
      const edge = checkJoin(req({ host: host({ cpus: 4096, memoryMb: 2 ** 30 }) }), REMOTE, PEER, OPTS)
      assert.equal(edge.cpus, 4096)
      assert.equal(edge.memoryMb, 2 ** 30)
    })

    it('rounds fractions down to integers', () => {
      const c = checkJoin(req({ host: host({ cpus: 3.9, memoryMb: 2047.5 }) }), REMOTE, PEER, OPTS)
      assert.equal(c.cpus, 3)
      assert.equal(c.memoryMb, 2047)
    })

    it('never yields a non-finite number', () => {
      for (const v of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]) {
        const c = checkJoin(req({ host: host({ cpus: v, memoryMb: v }) }), REMOTE, PEER, OPTS)
        assert.ok(Number.isFinite(c.cpus) && c.cpus >= 0 && c.cpus <= 4096, `cpus from ${v}: ${c.cpus}`)
        assert.ok(Number.isFinite(c.memoryMb) && c.memoryMb >= 0 && c.memoryMb <= 2 ** 30, `memoryMb from ${v}: ${c.memoryMb}`)
      }
    })
  })
})
