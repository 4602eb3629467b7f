/**
 * Behavioural tests for the per-subnet virtual-server election
 * (MISSION NET-4: the seed's election rules; NET-8: departures and failover).
 */
import assert from 'node:assert/strict'
import { Election, rankHosts } from '../../bootstrap/election/index.js'
import type { Candidate, SubnetState } from '../../bootstrap/election/index.js'

const S9 = '127.0.9.0/24'
const S10 = '127.0.10.0/24'
const S11 = '10.1.0.0/16'

/** a fixed "now" for the injectable clock */
const NOW = 1_700_000_000_000
const SECOND = 1000
const HOUR = 3600 * SECOND

function cand (peerId: string, subnet: string = S9, over: Partial<Candidate> = {}): Candidate {
  return { peerId, subnet, joinedAt: NOW, reachable: true, cpus: 4, memoryMb: 4096, ...over }
}

function election (limit: number, now: number = NOW): Election {
  return new Election({ limit, now: () => now })
}

/** joins peers in order, all in `subnet` with default host properties */
function joinAll (e: Election, ids: string[], subnet: string = S9): void {
  for (const id of ids) e.join(cand(id, subnet))
}

/**
 * Structural invariants of the election state (NET-4 rules 1-3 and NET-8).
 * Returns nothing; throws an AssertionError with context on violation.
 */
function checkInvariants (e: Election, context: string, expectedLimit?: number): void {
  const table = e.table()
  const seen = new Map<string, string>()
  const note = (id: string, where: string): void => {
    assert.ok(!seen.has(id), `${context}: ${id} appears twice (${seen.get(id)} and ${where})`)
    seen.set(id, where)
  }
  for (const s of table) {
    const peers = s.servers.length + s.servers.reduce((n, g) => n + g.members.length, 0) + s.centralClients.length
    assert.ok(peers > 0, `${context}: subnet ${s.subnet} is listed without any peer`)
    assert.ok(s.servers.length >= 1, `${context}: subnet ${s.subnet} has peers but no virtual server`)
    for (const g of s.servers) {
      if (expectedLimit != null) assert.equal(g.limit, expectedLimit, `${context}: group ${g.server} limit`)
      assert.ok(1 + g.members.length <= g.limit, `${context}: group ${g.server} holds ${1 + g.members.length} > limit ${g.limit}`)
      note(g.server, `server in ${s.subnet}`)
      for (const m of g.members) note(m, `member of ${g.server} in ${s.subnet}`)
    }
    for (const c of s.centralClients) note(c, `central client in ${s.subnet}`)
    if (s.centralClients.length > 0) {
      for (const g of s.servers) {
        assert.equal(1 + g.members.length, g.limit,
          `${context}: ${s.subnet} has central clients ${s.centralClients.join(',')} while group ${g.server} is not full`)
      }
    }
    // placements agree with the table
    for (const g of s.servers) {
      assert.deepEqual(e.placementOf(g.server), { peerId: g.server, subnet: s.subnet, role: 'virtual-server', virtualServer: g.server }, context)
      for (const m of g.members) {
        assert.deepEqual(e.placementOf(m), { peerId: m, subnet: s.subnet, role: 'member', virtualServer: g.server }, context)
      }
    }
    for (const c of s.centralClients) {
      assert.deepEqual(e.placementOf(c), { peerId: c, subnet: s.subnet, role: 'central-client', virtualServer: null }, context)
    }
    assert.deepEqual(e.subnet(s.subnet), s, `${context}: subnet() and table() disagree for ${s.subnet}`)
  }
  // every known peer is placed exactly once, and nothing unknown is placed
  const known = e.peerIds().sort()
  assert.deepEqual([...seen.keys()].sort(), known, `${context}: table peers differ from peerIds()`)
  for (const id of known) {
    const c = e.candidate(id)
    assert.ok(c != null, `${context}: no candidate for ${id}`)
    assert.equal(e.placementOf(id)?.subnet, c.subnet, `${context}: ${id} placed outside its subnet`)
  }
}

/** mulberry32: a small seeded PRNG, so the randomized test is reproducible */
function mulberry32 (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('Election (NET-4, NET-8)', () => {
  describe('constructor', () => {
    it('rejects a negative, non-integer or NaN limit with a RangeError', () => {
      for (const limit of [-1, 1.5, 2.0001, Number.NaN, Number.POSITIVE_INFINITY]) {
        assert.throws(() => new Election({ limit }), RangeError, `limit ${limit}`)
      }
    })

    it('with limit 0 (virtual servers off) makes every peer a central client, and never promotes one', () => {
      const e = new Election({ limit: 0 })
      for (const id of ['p1', 'p2', 'p3']) {
        assert.deepEqual(e.join({ peerId: id, subnet: '127.0.9.0/24', joinedAt: 0, reachable: true, cpus: 4, memoryMb: 4096 }).placement,
          { peerId: id, subnet: '127.0.9.0/24', role: 'central-client', virtualServer: null })
      }
      e.leave('p1')
      assert.deepEqual(e.table(), [{ subnet: '127.0.9.0/24', servers: [], centralClients: ['p2', 'p3'] }])
    })

    it('accepts limit 1 and larger integers', () => {
      assert.doesNotThrow(() => new Election({ limit: 1 }))
      assert.doesNotThrow(() => new Election({ limit: 50 }))
    })

    it('starts empty', () => {
      const e = election(3)
      assert.deepEqual(e.table(), [])
      assert.deepEqual(e.peerIds(), [])
      assert.equal(e.subnet(S9), undefined)
      assert.equal(e.placementOf('p1'), undefined)
    })
  })

  describe('seed scenario, limit 3, subnet 127.0.9.0/24', () => {
    it('p1 becomes the virtual server at once (rule 1)', () => {
      const e = election(3)
      const r = e.join(cand('p1'))
      assert.deepEqual(r.changedSubnets, [S9])
      assert.deepEqual(r.placement, { peerId: 'p1', subnet: S9, role: 'virtual-server', virtualServer: 'p1' })
      assert.deepEqual(e.placementOf('p1'), r.placement)
      assert.deepEqual(e.subnet(S9), { subnet: S9, servers: [{ server: 'p1', members: [], limit: 3 }], centralClients: [] })
    })

    it('p2 and p3 join p1 until it holds 3, itself included (rule 2)', () => {
      const e = election(3)
      e.join(cand('p1'))
      const r2 = e.join(cand('p2'))
      assert.deepEqual(r2.changedSubnets, [S9])
      assert.deepEqual(r2.placement, { peerId: 'p2', subnet: S9, role: 'member', virtualServer: 'p1' })
      const r3 = e.join(cand('p3'))
      assert.deepEqual(r3.changedSubnets, [S9])
      assert.deepEqual(r3.placement, { peerId: 'p3', subnet: S9, role: 'member', virtualServer: 'p1' })
      assert.deepEqual(e.subnet(S9), { subnet: S9, servers: [{ server: 'p1', members: ['p2', 'p3'], limit: 3 }], centralClients: [] })
    })

    it('p4 finds A full and becomes a central client (rule 3)', () => {
      const e = election(3)
      joinAll(e, ['p1', 'p2', 'p3'])
      const r4 = e.join(cand('p4'))
      assert.deepEqual(r4.changedSubnets, [S9])
      assert.deepEqual(r4.placement, { peerId: 'p4', subnet: S9, role: 'central-client', virtualServer: null })
      assert.deepEqual(e.placementOf('p4'), r4.placement)
      assert.deepEqual(e.subnet(S9), {
        subnet: S9,
        servers: [{ server: 'p1', members: ['p2', 'p3'], limit: 3 }],
        centralClients: ['p4']
      })
    })

    it('p5 arrives: the waiting p4 becomes virtual server B and p5 joins it (rules 4, 5)', () => {
      const e = election(3)
      joinAll(e, ['p1', 'p2', 'p3', 'p4'])
      const r5 = e.join(cand('p5'))
      assert.deepEqual(r5.changedSubnets, [S9])
      assert.deepEqual(r5.placement, { peerId: 'p5', subnet: S9, role: 'member', virtualServer: 'p4' })
      assert.deepEqual(e.placementOf('p4'), { peerId: 'p4', subnet: S9, role: 'virtual-server', virtualServer: 'p4' })
      // the first group is untouched
      assert.deepEqual(e.placementOf('p1'), { peerId: 'p1', subnet: S9, role: 'virtual-server', virtualServer: 'p1' })
      for (const m of ['p2', 'p3']) {
        assert.deepEqual(e.placementOf(m), { peerId: m, subnet: S9, role: 'member', virtualServer: 'p1' })
      }
      const expected: SubnetState = {
        subnet: S9,
        servers: [
          { server: 'p1', members: ['p2', 'p3'], limit: 3 },
          { server: 'p4', members: ['p5'], limit: 3 }
        ],
        centralClients: []
      }
      assert.deepEqual(e.subnet(S9), expected)
      assert.deepEqual(e.table(), [expected])
      assert.deepEqual(e.peerIds().sort(), ['p1', 'p2', 'p3', 'p4', 'p5'])
      checkInvariants(e, 'seed', 3)
    })

    it('continues: p6 fills B, p7 waits, p8 makes p7 virtual server C', () => {
      const e = election(3)
      joinAll(e, ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'])
      assert.deepEqual(e.placementOf('p6'), { peerId: 'p6', subnet: S9, role: 'member', virtualServer: 'p4' })
      assert.deepEqual(e.placementOf('p7'), { peerId: 'p7', subnet: S9, role: 'central-client', virtualServer: null })
      e.join(cand('p8'))
      assert.deepEqual(e.subnet(S9), {
        subnet: S9,
        servers: [
          { server: 'p1', members: ['p2', 'p3'], limit: 3 },
          { server: 'p4', members: ['p5', 'p6'], limit: 3 },
          { server: 'p7', members: ['p8'], limit: 3 }
        ],
        centralClients: []
      })
      checkInvariants(e, 'seed continued', 3)
    })
  })

  describe('subnets are independent', () => {
    it('a lone peer of another subnet becomes its virtual server with no members', () => {
      const e = election(3)
      joinAll(e, ['p1', 'p2', 'p3', 'p4'])
      const before = e.subnet(S9)
      const r = e.join(cand('q1', S10))
      assert.deepEqual(r.changedSubnets, [S10])
      assert.deepEqual(r.placement, { peerId: 'q1', subnet: S10, role: 'virtual-server', virtualServer: 'q1' })
      assert.deepEqual(e.subnet(S10), { subnet: S10, servers: [{ server: 'q1', members: [], limit: 3 }], centralClients: [] })
      // the central client of 127.0.9.0/24 is not promoted by a newcomer of another subnet
      assert.deepEqual(e.subnet(S9), before)
      assert.equal(e.placementOf('p4')?.role, 'central-client')
      checkInvariants(e, 'independent', 3)
    })

    it('a full subnet does not spill over into another subnet, and vice versa', () => {
      const e = election(2)
      joinAll(e, ['a1', 'a2'], S9)
      joinAll(e, ['b1'], S10)
      // a3 cannot join b1's open slot: it is in another subnet
      e.join(cand('a3', S9))
      assert.equal(e.placementOf('a3')?.role, 'central-client')
      // b2 fills b1, not S9's waiting central client
      e.join(cand('b2', S10))
      assert.deepEqual(e.placementOf('b2'), { peerId: 'b2', subnet: S10, role: 'member', virtualServer: 'b1' })
      assert.equal(e.placementOf('a3')?.role, 'central-client')
      // a leave in S10 does not affect S9
      const r = e.leave('b2')
      assert.deepEqual(r.changedSubnets, [S10])
      assert.equal(e.placementOf('a3')?.role, 'central-client')
      checkInvariants(e, 'no spill', 2)
    })

    it('table() lists every subnet sorted numerically by subnet', () => {
      const e = election(3)
      e.join(cand('x', S10))
      e.join(cand('y', S9))
      e.join(cand('z', S11))
      assert.deepEqual(e.table().map(s => s.subnet), [S11, S9, S10])
    })

    it('subnet() and table() return copies that cannot change the election', () => {
      const e = election(3)
      joinAll(e, ['p1', 'p2'])
      const copy = e.subnet(S9)
      assert.ok(copy != null)
      copy.servers[0].members.push('intruder')
      copy.servers[0].server = 'intruder'
      copy.centralClients.push('intruder')
      const t = e.table()
      t[0].servers.pop()
      assert.deepEqual(e.subnet(S9), { subnet: S9, servers: [{ server: 'p1', members: ['p2'], limit: 3 }], centralClients: [] })
    })
  })

  describe('departures (NET-8)', () => {
    it('a member leaving frees its slot and a later joiner takes it', () => {
      const e = election(3)
      joinAll(e, ['p1', 'p2', 'p3'])
      const r = e.leave('p2')
      assert.deepEqual(r.changedSubnets, [S9])
      assert.equal(r.placement, undefined)
      assert.equal(e.placementOf('p2'), undefined)
      assert.equal(e.candidate('p2'), undefined)
      assert.deepEqual(e.subnet(S9), { subnet: S9, servers: [{ server: 'p1', members: ['p3'], limit: 3 }], centralClients: [] })
      const r4 = e.join(cand('p4'))
      assert.deepEqual(r4.placement, { peerId: 'p4', subnet: S9, role: 'member', virtualServer: 'p1' })
      assert.deepEqual(e.subnet(S9), { subnet: S9, servers: [{ server: 'p1', members: ['p3', 'p4'], limit: 3 }], centralClients: [] })
    })

    it('a freed slot in the second group is taken before anything else', () => {
      const e = election(3)
      joinAll(e, ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'])
      e.leave('p5')
      e.join(cand('p7'))
      assert.deepEqual(e.placementOf('p7'), { peerId: 'p7', subnet: S9, role: 'member', virtualServer: 'p4' })
      assert.equal(e.subnet(S9)?.servers.length, 2)
    })

    it('a waiting central client is absorbed when a member slot opens', () => {
      const e = election(3)
      joinAll(e, ['p1', 'p2', 'p3', 'p4'])
      assert.equal(e.placementOf('p4')?.role, 'central-client')
      const r = e.leave('p3')
      assert.deepEqual(r.changedSubnets, [S9])
      assert.deepEqual(e.placementOf('p4'), { peerId: 'p4', subnet: S9, role: 'member', virtualServer: 'p1' })
      assert.deepEqual(e.subnet(S9), { subnet: S9, servers: [{ server: 'p1', members: ['p2', 'p4'], limit: 3 }], centralClients: [] })
    })

    it('a central client leaving just disappears; the next peer waits in its place', () => {
      const e = election(3)
      joinAll(e, ['p1', 'p2', 'p3', 'p4'])
      const r = e.leave('p4')
      assert.deepEqual(r.changedSubnets, [S9])
      assert.deepEqual(e.subnet(S9), { subnet: S9, servers: [{ server: 'p1', members: ['p2', 'p3'], limit: 3 }], centralClients: [] })
      // nobody waits any more, so p5 is not paired with anyone: it waits
      e.join(cand('p5'))
      assert.deepEqual(e.placementOf('p5'), { peerId: 'p5', subnet: S9, role: 'central-client', virtualServer: null })
    })

    it('leaving an unknown peer changes nothing', () => {
      const e = election(3)
      joinAll(e, ['p1', 'p2'])
      const before = e.table()
      assert.deepEqual(e.leave('nobody'), { changedSubnets: [] })
      assert.deepEqual(e.table(), before)
      // leaving twice is harmless
      e.leave('p2')
      assert.deepEqual(e.leave('p2'), { changedSubnets: [] })
    })

    it('the last peer leaving removes the subnet', () => {
      const e = election(3)
      joinAll(e, ['p1'])
      e.join(cand('q1', S10))
      assert.deepEqual(e.leave('p1').changedSubnets, [S9])
      assert.equal(e.subnet(S9), undefined)
      assert.deepEqual(e.table().map(s => s.subnet), [S10])
      assert.deepEqual(e.peerIds(), ['q1'])
      // and the subnet starts afresh
      const r = e.join(cand('p9'))
      assert.deepEqual(r.placement, { peerId: 'p9', subnet: S9, role: 'virtual-server', virtualServer: 'p9' })
    })
  })

  describe('failover (NET-8)', () => {
    it('when a virtual server leaves, its best member takes over and the others stay in the group', () => {
      const now = NOW + 2 * HOUR
      const e = election(4, now)
      e.join(cand('p1', S9, { joinedAt: NOW }))
      e.join(cand('p2', S9, { joinedAt: now - 10 * SECOND, cpus: 64, memoryMb: 65536 })) // big but new
      e.join(cand('p3', S9, { joinedAt: NOW, cpus: 2, memoryMb: 1024 })) // small, up for 2 hours
      e.join(cand('p4', S9, { joinedAt: now - 60 * SECOND }))
      const r = e.leave('p1')
      assert.deepEqual(r.changedSubnets, [S9])
      assert.deepEqual(e.subnet(S9), { subnet: S9, servers: [{ server: 'p3', members: ['p2', 'p4'], limit: 4 }], centralClients: [] })
      assert.deepEqual(e.placementOf('p3'), { peerId: 'p3', subnet: S9, role: 'virtual-server', virtualServer: 'p3' })
      assert.deepEqual(e.placementOf('p2'), { peerId: 'p2', subnet: S9, role: 'member', virtualServer: 'p3' })
      assert.deepEqual(e.placementOf('p4'), { peerId: 'p4', subnet: S9, role: 'member', virtualServer: 'p3' })
    })

    it('a reachable member is preferred over an unreachable one with longer uptime', () => {
      const now = NOW + 2 * HOUR
      const e = election(3, now)
      e.join(cand('p1', S9, { joinedAt: NOW }))
      e.join(cand('p2', S9, { joinedAt: NOW, reachable: false, cpus: 32 }))
      e.join(cand('p3', S9, { joinedAt: now - 5 * SECOND, reachable: true, cpus: 1, memoryMb: 512 }))
      e.leave('p1')
      assert.deepEqual(e.subnet(S9)?.servers, [{ server: 'p3', members: ['p2'], limit: 3 }])
    })

    it('within one uptime bucket, more cpus win, then more memory, then the smaller peer id', () => {
      const now = NOW + HOUR
      // 1000 s and 600 s of uptime share the log2 bucket 9
      const run = (a: Partial<Candidate>, b: Partial<Candidate>): string | undefined => {
        const e = election(3, now)
        e.join(cand('vs', S9, { joinedAt: NOW }))
        e.join(cand('mA', S9, { joinedAt: now - 1000 * SECOND, ...a }))
        e.join(cand('mB', S9, { joinedAt: now - 600 * SECOND, ...b }))
        e.leave('vs')
        return e.subnet(S9)?.servers[0].server
      }
      assert.equal(run({ cpus: 4 }, { cpus: 16 }), 'mB', 'cpus beat a slightly longer uptime in the same bucket')
      assert.equal(run({ cpus: 8, memoryMb: 2048 }, { cpus: 8, memoryMb: 8192 }), 'mB', 'memory decides at equal cpus')
      assert.equal(run({ cpus: 8, memoryMb: 8192 }, { cpus: 8, memoryMb: 8192 }), 'mA', 'peer id decides at a full tie')
      // a bucket apart (1000 s vs 100 s) uptime wins over cpus
      const e = election(3, now)
      e.join(cand('vs', S9, { joinedAt: NOW }))
      e.join(cand('mA', S9, { joinedAt: now - 1000 * SECOND, cpus: 1 }))
      e.join(cand('mB', S9, { joinedAt: now - 100 * SECOND, cpus: 64 }))
      e.leave('vs')
      assert.equal(e.subnet(S9)?.servers[0].server, 'mA')
    })

    it('uses the injected clock: the same joins rank differently at a different now', () => {
      // at now = NOW + 2 s, uptimes 2 s (bucket 1) and 0 s (bucket 0): the older wins despite fewer cpus
      const early = election(3, NOW + 2 * SECOND)
      early.join(cand('vs', S9, { joinedAt: NOW }))
      early.join(cand('old', S9, { joinedAt: NOW, cpus: 1 }))
      early.join(cand('new', S9, { joinedAt: NOW + 2 * SECOND, cpus: 8 }))
      early.leave('vs')
      assert.equal(early.subnet(S9)?.servers[0].server, 'old')
      // a day later both sit in bucket 16, so cpus decide
      const late = election(3, NOW + 24 * HOUR)
      late.join(cand('vs', S9, { joinedAt: NOW }))
      late.join(cand('old', S9, { joinedAt: NOW, cpus: 1 }))
      late.join(cand('new', S9, { joinedAt: NOW + 2 * SECOND, cpus: 8 }))
      late.leave('vs')
      assert.equal(late.subnet(S9)?.servers[0].server, 'new')
    })

    it('updateHost feeds the choice (a member found unreachable is passed over)', () => {
      const e = election(3)
      joinAll(e, ['p1', 'p2', 'p3'])
      e.updateHost('p2', { reachable: false })
      assert.equal(e.candidate('p2')?.reachable, false)
      e.leave('p1')
      assert.deepEqual(e.subnet(S9)?.servers, [{ server: 'p3', members: ['p2'], limit: 3 }])
      // updating an unknown peer is a no-op
      e.updateHost('ghost', { cpus: 99 })
      assert.equal(e.candidate('ghost'), undefined)
      assert.deepEqual(e.peerIds().sort(), ['p2', 'p3'])
    })

    it('failover also absorbs a waiting central client into the freed slot', () => {
      const e = election(3)
      joinAll(e, ['p1', 'p2', 'p3', 'p4'])
      e.leave('p1')
      assert.deepEqual(e.subnet(S9), { subnet: S9, servers: [{ server: 'p2', members: ['p3', 'p4'], limit: 3 }], centralClients: [] })
      assert.deepEqual(e.placementOf('p4'), { peerId: 'p4', subnet: S9, role: 'member', virtualServer: 'p2' })
    })

    it('failover of one group leaves the other groups of the subnet alone', () => {
      const e = election(3)
      joinAll(e, ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'])
      e.leave('p4')
      assert.deepEqual(e.subnet(S9)?.servers, [
        { server: 'p1', members: ['p2', 'p3'], limit: 3 },
        { server: 'p5', members: ['p6'], limit: 3 }
      ])
    })

    it('a virtual server with no members vanishes with its group', () => {
      const e = election(2)
      joinAll(e, ['p1', 'p2', 'p3', 'p4']) // A = p1{p2}, B = p3{p4}
      assert.deepEqual(e.subnet(S9)?.servers.map(g => g.server), ['p1', 'p3'])
      e.leave('p4')
      const r = e.leave('p3')
      assert.deepEqual(r.changedSubnets, [S9])
      assert.deepEqual(e.subnet(S9), { subnet: S9, servers: [{ server: 'p1', members: ['p2'], limit: 2 }], centralClients: [] })
    })

    it('a memberless virtual server leaving with a central client waiting: that client becomes the new virtual server', () => {
      const e = election(1)
      joinAll(e, ['p1', 'p2'])
      assert.equal(e.placementOf('p2')?.role, 'central-client')
      const r = e.leave('p1')
      assert.deepEqual(r.changedSubnets, [S9])
      assert.deepEqual(e.placementOf('p2'), { peerId: 'p2', subnet: S9, role: 'virtual-server', virtualServer: 'p2' })
      assert.deepEqual(e.subnet(S9), { subnet: S9, servers: [{ server: 'p2', members: [], limit: 1 }], centralClients: [] })
    })
  })

  describe('re-join', () => {
    it('a placed peer re-joining in the same subnet keeps its place and reports no change', () => {
      const e = election(3)
      joinAll(e, ['p1', 'p2', 'p3', 'p4'])
      const before = e.table()
      for (const id of ['p1', 'p2', 'p4']) {
        const placement = e.placementOf(id)
        const r = e.join(cand(id, S9, { joinedAt: NOW + HOUR, cpus: 99 }))
        assert.deepEqual(r.changedSubnets, [], id)
        assert.deepEqual(r.placement, placement, id)
      }
      assert.deepEqual(e.table(), before)
      // the host facts are refreshed, but the original joinedAt is kept
      assert.equal(e.candidate('p2')?.cpus, 99)
      assert.equal(e.candidate('p2')?.joinedAt, NOW)
      // a re-joining central client does not count as a newcomer for rule 4
      assert.equal(e.placementOf('p4')?.role, 'central-client')
    })

    it('a re-join from another subnet moves the peer (leave + join) and reports both subnets', () => {
      const e = election(3)
      joinAll(e, ['p1', 'p2', 'p3'])
      e.join(cand('q1', S10))
      const r = e.join(cand('p3', S10))
      assert.deepEqual([...r.changedSubnets].sort(), [S10, S9].sort())
      assert.equal(r.changedSubnets.length, 2)
      assert.deepEqual(r.placement, { peerId: 'p3', subnet: S10, role: 'member', virtualServer: 'q1' })
      assert.deepEqual(e.subnet(S9), { subnet: S9, servers: [{ server: 'p1', members: ['p2'], limit: 3 }], centralClients: [] })
      assert.deepEqual(e.subnet(S10), { subnet: S10, servers: [{ server: 'q1', members: ['p3'], limit: 3 }], centralClients: [] })
      assert.equal(e.candidate('p3')?.subnet, S10)
      checkInvariants(e, 'move', 3)
    })

    it('a virtual server moving away fails its old group over and may found a new subnet', () => {
      const e = election(3)
      joinAll(e, ['p1', 'p2', 'p3'])
      const r = e.join(cand('p1', S11))
      assert.deepEqual([...r.changedSubnets].sort(), [S11, S9].sort())
      assert.deepEqual(r.placement, { peerId: 'p1', subnet: S11, role: 'virtual-server', virtualServer: 'p1' })
      assert.deepEqual(e.subnet(S9)?.servers, [{ server: 'p2', members: ['p3'], limit: 3 }])
      checkInvariants(e, 'move vs', 3)
    })

    it('the only peer of a subnet moving away empties that subnet', () => {
      const e = election(3)
      e.join(cand('p1', S9))
      e.join(cand('p1', S10))
      assert.equal(e.subnet(S9), undefined)
      assert.deepEqual(e.table().map(s => s.subnet), [S10])
    })
  })

  describe('restore', () => {
    it('rebuilds the state saved from another election', () => {
      const a = election(3)
      joinAll(a, ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'])
      a.join(cand('q1', S10))
      const saved = a.table()
      const candidates = a.peerIds().map(id => a.candidate(id)).filter((c): c is Candidate => c != null)

      const b = election(3)
      b.join(cand('stale', S11)) // restore replaces any previous state
      b.restore(saved, candidates)
      assert.deepEqual(b.table(), saved)
      assert.equal(b.candidate('stale'), undefined)
      assert.equal(b.subnet(S11), undefined)
      for (const id of a.peerIds()) assert.deepEqual(b.placementOf(id), a.placementOf(id), id)
      // and it carries on from there: p8 meets the waiting p7 (rule 4)
      b.join(cand('p8'))
      assert.deepEqual(b.placementOf('p7'), { peerId: 'p7', subnet: S9, role: 'virtual-server', virtualServer: 'p7' })
      assert.deepEqual(b.placementOf('p8'), { peerId: 'p8', subnet: S9, role: 'member', virtualServer: 'p7' })
      checkInvariants(b, 'restored', 3)
    })

    it('drops entries whose candidate is missing or belongs to another subnet', () => {
      const saved: SubnetState[] = [
        {
          subnet: S9,
          servers: [{ server: 'p1', members: ['p2', 'gone', 'q9'], limit: 4 }],
          centralClients: []
        },
        { subnet: S10, servers: [{ server: 'ghost', members: [], limit: 3 }], centralClients: [] }
      ]
      const e = election(3)
      e.restore(saved, [cand('p1'), cand('p2'), cand('q9', S10), cand('unplaced')])
      assert.deepEqual(e.table(), [{ subnet: S9, servers: [{ server: 'p1', members: ['p2'], limit: 4 }], centralClients: [] }])
      assert.equal(e.placementOf('gone'), undefined)
      assert.equal(e.placementOf('ghost'), undefined)
      // candidates that end up unplaced are forgotten
      assert.equal(e.candidate('q9'), undefined)
      assert.equal(e.candidate('unplaced'), undefined)
      assert.deepEqual(e.peerIds().sort(), ['p1', 'p2'])
      checkInvariants(e, 'restore drop')
    })

    it('drops a central client whose candidate is missing', () => {
      const e = election(2)
      e.restore([{ subnet: S9, servers: [{ server: 'p1', members: ['p2'], limit: 2 }], centralClients: ['gone'] }], [cand('p1'), cand('p2')])
      assert.deepEqual(e.subnet(S9)?.centralClients, [])
      // with nobody waiting, the next peer waits (rule 3), it is not paired with a ghost
      e.join(cand('p3'))
      assert.equal(e.placementOf('p3')?.role, 'central-client')
    })

    it('groups keep their own saved limit; new groups take the election limit', () => {
      const e = election(3)
      e.restore(
        [
          { subnet: S9, servers: [{ server: 'p1', members: ['p2'], limit: 2 }], centralClients: [] },
          { subnet: S10, servers: [{ server: 'q1', members: ['q2', 'q3'], limit: 5 }], centralClients: [] }
        ],
        [cand('p1'), cand('p2'), cand('q1', S10), cand('q2', S10), cand('q3', S10)]
      )
      // p1's saved group of 2 is full under its own limit, though the election's limit is 3
      e.join(cand('p3'))
      assert.equal(e.placementOf('p3')?.role, 'central-client')
      e.join(cand('p4'))
      assert.deepEqual(e.subnet(S9)?.servers, [
        { server: 'p1', members: ['p2'], limit: 2 },
        { server: 'p3', members: ['p4'], limit: 3 }
      ])
      // q1's saved group of 5 takes two more members under the election's limit 3
      e.join(cand('q4', S10))
      e.join(cand('q5', S10))
      assert.deepEqual(e.subnet(S10)?.servers, [{ server: 'q1', members: ['q2', 'q3', 'q4', 'q5'], limit: 5 }])
      e.join(cand('q6', S10))
      assert.equal(e.placementOf('q6')?.role, 'central-client')
      checkInvariants(e, 'restore limits')
    })
  })

  describe('limit 1: every group is just its virtual server', () => {
    it('p1 is the virtual server, p2 waits, p3 makes p2 a virtual server and waits itself', () => {
      const e = election(1)
      assert.deepEqual(e.join(cand('p1')).placement, { peerId: 'p1', subnet: S9, role: 'virtual-server', virtualServer: 'p1' })
      assert.deepEqual(e.join(cand('p2')).placement, { peerId: 'p2', subnet: S9, role: 'central-client', virtualServer: null })
      const r3 = e.join(cand('p3'))
      assert.deepEqual(r3.changedSubnets, [S9])
      assert.deepEqual(r3.placement, { peerId: 'p3', subnet: S9, role: 'central-client', virtualServer: null })
      assert.deepEqual(e.placementOf('p2'), { peerId: 'p2', subnet: S9, role: 'virtual-server', virtualServer: 'p2' })
      assert.deepEqual(e.subnet(S9), {
        subnet: S9,
        servers: [{ server: 'p1', members: [], limit: 1 }, { server: 'p2', members: [], limit: 1 }],
        centralClients: ['p3']
      })
      e.join(cand('p4'))
      assert.deepEqual(e.subnet(S9), {
        subnet: S9,
        servers: [
          { server: 'p1', members: [], limit: 1 },
          { server: 'p2', members: [], limit: 1 },
          { server: 'p3', members: [], limit: 1 }
        ],
        centralClients: ['p4']
      })
      checkInvariants(e, 'limit 1', 1)
    })

    it('a departing virtual server does not promote the waiting client while other groups remain', () => {
      const e = election(1)
      joinAll(e, ['p1', 'p2', 'p3']) // p1, p2 virtual servers; p3 waits
      e.leave('p1')
      assert.deepEqual(e.subnet(S9), { subnet: S9, servers: [{ server: 'p2', members: [], limit: 1 }], centralClients: ['p3'] })
      // when the last virtual server goes, the waiting client takes over
      e.leave('p2')
      assert.deepEqual(e.subnet(S9), { subnet: S9, servers: [{ server: 'p3', members: [], limit: 1 }], centralClients: [] })
      checkInvariants(e, 'limit 1 leave', 1)
    })
  })

  describe('randomized invariants', () => {
    it('hold after every one of ~2000 random joins, moves, updates and leaves', () => {
      const subnets = [S9, S10, S11]
      const limits = [2, 3, 4, 5]
      const opsPerLimit = 500
      let ops = 0
      for (const limit of limits) {
        const rand = mulberry32(0xC0FFEE + limit)
        const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]
        let clock = NOW
        const e = new Election({ limit, now: () => clock })
        const model = new Map<string, string>() // peerId -> subnet
        const pool = Array.from({ length: 30 }, (_, i) => `peer${String(i).padStart(2, '0')}`)
        for (let i = 0; i < opsPerLimit; i++) {
          clock += Math.floor(rand() * 30 * SECOND)
          const id = pick(pool)
          const x = rand()
          let what: string
          if (x < 0.55) {
            const subnet = model.get(id) != null && rand() < 0.5 ? model.get(id) as string : pick(subnets)
            const previous = model.get(id)
            const before = e.placementOf(id)
            what = `join ${id} ${subnet}`
            const r = e.join(cand(id, subnet, {
              joinedAt: clock - Math.floor(rand() * HOUR),
              reachable: rand() < 0.8,
              cpus: 1 + Math.floor(rand() * 16),
              memoryMb: 512 * (1 + Math.floor(rand() * 16))
            }))
            assert.deepEqual(r.placement, e.placementOf(id), what)
            if (previous === subnet) {
              assert.deepEqual(r.changedSubnets, [], `${what}: re-join in place`)
              assert.deepEqual(r.placement, before, `${what}: re-join keeps its place`)
            } else if (previous != null) {
              assert.deepEqual([...r.changedSubnets].sort(), [previous, subnet].sort(), `${what}: move`)
            } else {
              assert.deepEqual(r.changedSubnets, [subnet], `${what}: newcomer`)
            }
            model.set(id, subnet)
          } else if (x < 0.9) {
            const previous = model.get(id)
            what = `leave ${id}`
            const r = e.leave(id)
            assert.deepEqual(r.changedSubnets, previous == null ? [] : [previous], what)
            assert.equal(e.placementOf(id), undefined, what)
            model.delete(id)
          } else {
            what = `updateHost ${id}`
            e.updateHost(id, { reachable: rand() < 0.5, cpus: 1 + Math.floor(rand() * 8) })
          }
          ops++
          const context = `limit ${limit}, op ${i}: ${what}`
          checkInvariants(e, context, limit)
          assert.deepEqual(e.peerIds().sort(), [...model.keys()].sort(), `${context}: peers`)
          for (const [peer, subnet] of model) assert.equal(e.placementOf(peer)?.subnet, subnet, `${context}: ${peer}`)
          for (const s of e.table()) {
            // with limit >= 2, rule 4 pairs a waiting client with the next newcomer, so at most one waits
            assert.ok(s.centralClients.length <= 1, `${context}: ${s.subnet} has ${s.centralClients.length} central clients`)
          }
        }
        // and the state survives a save/restore round trip unchanged
        const saved = e.table()
        const restored = new Election({ limit, now: () => clock })
        restored.restore(saved, e.peerIds().map(id => e.candidate(id)).filter((c): c is Candidate => c != null))
        assert.deepEqual(restored.table(), saved, `limit ${limit}: restore round trip`)
      }
      assert.equal(ops, limits.length * opsPerLimit)
    })

    it('holds for limit 1 too (waiting clients are still only there when every group is full)', () => {
      const rand = mulberry32(42)
      const e = new Election({ limit: 1, now: () => NOW })
      const pool = Array.from({ length: 12 }, (_, i) => `n${i}`)
      for (let i = 0; i < 300; i++) {
        const id = pool[Math.floor(rand() * pool.length)]
        if (rand() < 0.6) e.join(cand(id, rand() < 0.5 ? S9 : S10))
        else e.leave(id)
        checkInvariants(e, `limit 1 op ${i}`, 1)
      }
    })
  })
})

describe('rankHosts', () => {
  const now = NOW + 24 * HOUR
  const host = (peerId: string, over: Partial<Candidate> = {}): Candidate => cand(peerId, S9, { joinedAt: now - HOUR, ...over })
  const order = (cs: Candidate[]): string[] => rankHosts(cs, now).map(c => c.peerId)

  it('returns an empty list for no candidates', () => {
    assert.deepEqual(rankHosts([], now), [])
  })

  it('puts reachable hosts first, whatever their other qualities', () => {
    assert.deepEqual(order([
      host('a', { reachable: false, joinedAt: NOW, cpus: 64, memoryMb: 1 << 20 }),
      host('b', { reachable: true, joinedAt: now, cpus: 1, memoryMb: 256 }),
      host('c', { reachable: false, joinedAt: now, cpus: 1 })
    ]), ['b', 'a', 'c'])
  })

  it('then prefers longer uptime, by log2 buckets', () => {
    assert.deepEqual(order([
      host('short', { joinedAt: now - 10 * SECOND, cpus: 64 }),
      host('long', { joinedAt: now - 10 * HOUR, cpus: 1 }),
      host('mid', { joinedAt: now - 10 * 60 * SECOND, cpus: 8 })
    ]), ['long', 'mid', 'short'])
  })

  it('ignores uptime differences inside one bucket: cpus, then memory decide', () => {
    // 1000 s and 600 s: both floor(log2(1 + s)) = 9
    assert.deepEqual(order([
      host('older', { joinedAt: now - 1000 * SECOND, cpus: 2 }),
      host('newer', { joinedAt: now - 600 * SECOND, cpus: 8 })
    ]), ['newer', 'older'])
    assert.deepEqual(order([
      host('older', { joinedAt: now - 1000 * SECOND, cpus: 8, memoryMb: 1024 }),
      host('newer', { joinedAt: now - 600 * SECOND, cpus: 8, memoryMb: 4096 })
    ]), ['newer', 'older'])
  })

  it('breaks a full tie by the smaller peer id, independent of input order', () => {
    const cs = [host('z'), host('m'), host('a'), host('k')]
    assert.deepEqual(order(cs), ['a', 'k', 'm', 'z'])
    assert.deepEqual(order([...cs].reverse()), ['a', 'k', 'm', 'z'])
  })

  it('treats a join time in the future as no uptime', () => {
    assert.deepEqual(order([
      host('future', { joinedAt: now + HOUR, cpus: 8 }),
      host('fresh', { joinedAt: now, cpus: 4 })
    ]), ['future', 'fresh'])
  })

  it('applies all criteria in order on a mixed list', () => {
    assert.deepEqual(order([
      host('u-long', { reachable: false, joinedAt: NOW }),
      host('r-short-big', { joinedAt: now - 5 * SECOND, cpus: 64 }),
      host('r-long-small', { joinedAt: now - 10 * HOUR, cpus: 1, memoryMb: 512 }),
      host('r-long-small-mem', { joinedAt: now - 10 * HOUR, cpus: 1, memoryMb: 2048 }),
      host('r-long-more-cpu', { joinedAt: now - 10 * HOUR, cpus: 2, memoryMb: 512 })
    ]), ['r-long-more-cpu', 'r-long-small-mem', 'r-long-small', 'r-short-big', 'u-long'])
  })

  it('does not modify its input', () => {
    const cs = [host('b'), host('a')]
    const copy = structuredClone(cs)
    rankHosts(cs, now)
    assert.deepEqual(cs, copy)
  })
})
