import assert from 'node:assert/strict'
import { peerIdFromString } from '@libp2p/peer-id'
import { peerSet, skewedSizes, subnetCidr, syntheticPeerId, seededRandom, uniformSizes } from '../../benchmarks/lib/scale-model-peers.js'
import { SimulatedBootstrap } from '../../benchmarks/lib/scale-model-bootstrap.js'
import { networkModel, replayArrivals } from '../../benchmarks/lib/scale-model-network.js'

describe('scale-model helpers (benchmarks/lib/scale-model-*)', () => {
  it('synthetic peer ids parse as Ed25519 peer ids and do not repeat', () => {
    const random = seededRandom(3)
    const ids = Array.from({ length: 500 }, () => syntheticPeerId(random))
    assert.equal(new Set(ids).size, ids.length)
    for (const id of ids.slice(0, 20)) {
      assert.equal(id.length, 52)
      assert.equal(peerIdFromString(id).type, 'Ed25519')
    }
  })

  it('uniform sizes put the stated number of peers in each subnet', () => {
    assert.deepEqual(uniformSizes(1_000, 10), new Array(100).fill(10))
    assert.deepEqual(uniformSizes(25, 10), [10, 10, 5])
    const set = peerSet(1_000, 'uniform', 10)
    const bySubnet = new Map<string, number>()
    for (const p of set.peers) bySubnet.set(p.subnet, (bySubnet.get(p.subnet) ?? 0) + 1)
    assert.equal(bySubnet.size, 100)
    assert.ok([...bySubnet.values()].every(n => n === 10))
    assert.ok(set.peers.every(p => p.addresses[0].endsWith(`/p2p/${p.peerId}`) && p.addresses[0].startsWith(`/ip4/${p.subnet.slice(0, -5)}.`)))
  })

  it('skewed sizes sum to the peers, give every subnet a peer and follow 1/k', () => {
    const sizes = skewedSizes(10_000, 1_000)
    assert.equal(sizes.reduce((a, b) => a + b, 0), 10_000)
    assert.equal(sizes.length, 1_000)
    assert.ok(sizes.every(n => n >= 1))
    // Zipf s = 1: subnet 1 holds about half of subnet 0's share, subnet 9 about a tenth
    assert.ok(Math.abs((sizes[1] - 1) / (sizes[0] - 1) - 0.5) < 0.01)
    assert.ok(Math.abs((sizes[9] - 1) / (sizes[0] - 1) - 0.1) < 0.01)
  })

  it('a capped skewed shape keeps the total and holds no subnet above the cap', () => {
    const sizes = skewedSizes(100_000, 10_000, 2_000)
    assert.equal(sizes.reduce((a, b) => a + b, 0), 100_000)
    assert.equal(Math.max(...sizes), 2_000)
    assert.ok(sizes.every(n => n >= 1))
    assert.throws(() => skewedSizes(100, 10, 5), RangeError)
  })

  it('builds the same network from the same seed, in an interleaved arrival order', () => {
    const a = peerSet(200, 'skewed', 10, 5)
    const b = peerSet(200, 'skewed', 10, 5)
    assert.deepEqual(a.peers.map(p => p.peerId), b.peers.map(p => p.peerId))
    // shuffled: the first ten arrivals are not all from one subnet
    assert.ok(new Set(a.peers.slice(0, 10).map(p => p.subnet)).size > 1)
    assert.equal(subnetCidr(0), '100.0.0.0/24')
    assert.equal(subnetCidr(65_537), '101.0.1.0/24')
  })

  it('the simulated bootstrap elects with the product election: 10 peers per subnet make two groups', () => {
    const sim = new SimulatedBootstrap(8)
    for (const p of peerSet(100, 'uniform', 10).peers) sim.join(p)
    const counts = sim.countRoles()
    assert.deepEqual(counts, { 'virtual-server': 20, member: 80, 'central-client': 0 })
    const dir = sim.buildDirectory()
    assert.equal(dir.servers, 20)
    assert.equal(dir.fits, true)
    assert.equal(sim.sweep(), 100)
  })

  it('reports a directory past 4,096 servers as not fitting one message', () => {
    const sim = new SimulatedBootstrap(8)
    // one peer per subnet: every peer is its subnet's virtual server
    for (const p of peerSet(4_200, 'uniform', 1).peers) sim.join(p)
    const dir = sim.buildDirectory()
    assert.equal(dir.servers, 4_200)
    assert.equal(dir.fits, false)
    assert.match(dir.error ?? '', /^MessageTooLargeError/)
    assert.ok(dir.bytes > 256 * 1024)
  })

  it('the network model grows the directory cost with the network and is idle-free of changes', () => {
    const base = { peers: 10_000, subnets: 1_000, virtualServers: 2_000, tableBytesPerPeer: 750, directoryBytes: 300_000 }
    const idle = networkModel({ ...base, sessionS: null })
    assert.equal(idle.directory.changesPerSec, 0)
    assert.equal(idle.directory.fitsOneMessage, false)
    assert.equal(idle.directory.pagesOf256KiB, 2)
    assert.equal(idle.bootstrapConnections.fits, false)
    const churn = networkModel({ ...base, sessionS: 3_600 })
    assert.ok(churn.bootstrapBytesPerPeerPerSec.directory > idle.bootstrapBytesPerPeerPerSec.directory)
    assert.equal(churn.bootstrapBytesPerPeerPerSec.pings, idle.bootstrapBytesPerPeerPerSec.pings)
  })

  it('replays arrivals: round-robin changes the set of virtual servers only in the first and the promoting rounds', () => {
    const peers = peerSet(200, 'uniform', 10).peers
    const host = (p: typeof peers[number]): number => Number(p.addresses[0].split('/')[2].split('.')[3])
    const roundRobin = [...peers].sort((a, b) => host(a) - host(b) || a.subnet.localeCompare(b.subnet))
    const rr = replayArrivals(roundRobin, 'round-robin', 10, 8, 150)
    // 20 subnets: hosts 1 in seconds 0-1, hosts 10 (the promotions) in seconds 18-19
    assert.equal(rr.secondsWithChange, 4)
    const shuffled = replayArrivals(peers, 'shuffled', 10, 8, 150)
    assert.ok(shuffled.secondsWithChange > rr.secondsWithChange)
    assert.ok(shuffled.directoryBytesPerJoin > rr.directoryBytesPerJoin)
  })
})
