/**
 * `peerhive status` prints the node's status with formatStatus: a peer says
 * how others reach it (issue 11).
 */
import assert from 'node:assert/strict'
import { formatStatus } from '../../cli/format/output.js'
import type { NodeStatus } from '../../src/index.js'

const BASE: NodeStatus = {
  peerId: '12D3KooWLNv6tv1nnVYZQuP6Jyks51MiLRRmXD3pk2WwFcbF4osL',
  role: 'member',
  subnet: '203.0.113.0/30',
  virtualServer: '12D3KooWQa8zpuW7NGTRmR9ouVEqQqEjae9oyvNXjtSTQMcYws82',
  members: [],
  addresses: ['/ip4/10.1.0.2/tcp/4001/p2p/12D3KooWLNv6tv1nnVYZQuP6Jyks51MiLRRmXD3pk2WwFcbF4osL'],
  userSerialId: 1,
  bootstrap: '/ip4/198.51.100.2/tcp/4001/p2p/12D3KooWAMembUbevPJLaSNpv6KsRvPsFXEgRbarRHvJMktwxGs8',
  bootstrapConnected: true,
  joinError: null,
  reachability: 'direct',
  relay: null,
  connections: { direct: 2, relayed: 0 },
  holePunch: null,
  portMapping: { state: 'idle', mappings: [] },
  uptimeMs: 1000
}

const reachableLine = (s: NodeStatus): string | undefined => formatStatus(s).split('\n').find(l => l.startsWith('reachable'))

describe('status output: how others reach the peer', () => {
  it('says directly, or through the router\'s forward with its public address', () => {
    assert.equal(reachableLine(BASE), 'reachable      directly')
    const mapped: NodeStatus = { ...BASE, reachability: 'mapped', portMapping: { state: 'mapped', gateway: '10.1.0.1:5000', mappings: [{ internal: '10.1.0.2:4001', external: '203.0.113.2:4001' }] } }
    assert.equal(reachableLine(mapped), 'reachable      through its router\'s forward (UPnP): 203.0.113.2:4001')
  })

  it('behind NAT, counts its relay slots and hole punches, or says why it holds no slot', () => {
    const natted: NodeStatus = {
      ...BASE,
      reachability: 'behind-nat',
      relay: { state: 'reserved', addrs: ['/ip4/198.51.100.6/tcp/4001/p2p/x/p2p-circuit/p2p/y', '/ip4/198.51.100.2/tcp/4001/p2p/z/p2p-circuit/p2p/y'] },
      holePunch: { attempts: 3, succeeded: 2, answered: 1, reversed: 0, recentMs: [150, 170] }
    }
    assert.equal(reachableLine(natted), 'reachable      behind NAT, through 2 relay slots; hole punches 2 of 3')
    const failed: NodeStatus = { ...natted, relay: { state: 'failed', addrs: [], error: 'the relay refused' } }
    assert.equal(reachableLine(failed), 'reachable      behind NAT, through relay failed (the relay refused); hole punches 2 of 3')
  })

  it('says nothing of it for the bootstrap', () => {
    assert.equal(reachableLine({ ...BASE, role: 'bootstrap', reachability: null, portMapping: null }), undefined)
  })
})
