import assert from 'node:assert/strict'
import { UnitQueue, isScarce, median, providerLevel, quorumVerdict, replicasWanted } from '../../bootstrap/compute/index.js'

describe('scheduler logic: quorum', () => {
  it('finds a hash with a quorum, or says how far the best one is', () => {
    assert.deepEqual(quorumVerdict([], 2), { kind: 'undecided', best: 0 })
    assert.deepEqual(quorumVerdict([{ hash: 'a', solo: false }], 2), { kind: 'undecided', best: 1 })
    assert.deepEqual(quorumVerdict([{ hash: 'a', solo: false }, { hash: 'b', solo: false }], 2), { kind: 'undecided', best: 1 })
    assert.deepEqual(quorumVerdict([{ hash: 'a', solo: false }, { hash: 'b', solo: false }, { hash: 'b', solo: false }], 2), { kind: 'valid', hash: 'b' })
    assert.deepEqual(quorumVerdict([{ hash: 'a', solo: false }], 1), { kind: 'valid', hash: 'a' })
    // a trusted provider's single replica decides alone
    assert.deepEqual(quorumVerdict([{ hash: 'z', solo: true }], 3), { kind: 'valid', hash: 'z' })
  })

  it('wants one more replica when every issued one is decided without a quorum, never past maxAttempts', () => {
    assert.equal(replicasWanted({ live: 1, want: 0, attempts: 2, maxAttempts: 5 }), 0)
    assert.equal(replicasWanted({ live: 0, want: 0, attempts: 2, maxAttempts: 5 }), 1)
    assert.equal(replicasWanted({ live: 0, want: 3, attempts: 3, maxAttempts: 5 }), 2)
    assert.equal(replicasWanted({ live: 0, want: 0, attempts: 5, maxAttempts: 5 }), 0)
  })
})

describe('scheduler logic: priority levels', () => {
  const base = { cpus: 4, maxMemoryMb: 1024, host: { cores: 8, cpuMhz: 2000 }, valid: 0, invalid: 0, failed: 0, timedOut: 0, lost: 0, turnaroundSum: 0, turnaroundCount: 0 }

  it('ranks more cores × MHz, more memory, a better valid rate and a faster turnaround higher', () => {
    const level = providerLevel(base)
    assert.ok(providerLevel({ ...base, cpus: 8 }) > level)
    assert.ok(providerLevel({ ...base, host: { cores: 8, cpuMhz: 3000 } }) > level)
    assert.ok(providerLevel({ ...base, maxMemoryMb: 4096 }) > level)
    assert.ok(providerLevel({ ...base, valid: 20 }) > level)
    assert.ok(providerLevel({ ...base, invalid: 5 }) < level)
    const quick = providerLevel({ ...base, valid: 10, turnaroundSum: 10 * 500, turnaroundCount: 10 })
    const slow = providerLevel({ ...base, valid: 10, turnaroundSum: 10 * 60_000, turnaroundCount: 10 })
    assert.ok(quick > slow)
    // without --cpus the host's cores count
    assert.equal(providerLevel({ ...base, cpus: 0 }), providerLevel({ ...base, cpus: 8 }))
  })

  it('splits at the median; work is scarce below demand', () => {
    assert.equal(median([]), 0)
    assert.equal(median([3, 1, 2]), 2)
    assert.equal(median([4, 1, 3, 2]), 2.5)
    assert.equal(isScarce(10, 64), true)
    assert.equal(isScarce(64, 64), false)
  })
})

describe('scheduler logic: unit queue', () => {
  it('hands out fresh units from the head, or the tail, and takes one back', () => {
    const q = new UnitQueue(Uint32Array.from([5, 6, 7, 8]))
    assert.equal(q.freshLeft, 4)
    assert.equal(q.takeFresh(), 5)
    assert.equal(q.takeFresh(true), 8)
    q.untakeFresh(8, true)
    q.untakeFresh(5)
    assert.equal(q.freshLeft, 4)
    assert.deepEqual([q.takeFresh(), q.takeFresh(), q.takeFresh(), q.takeFresh(), q.takeFresh()], [5, 6, 7, 8, undefined])
    assert.equal(q.hasWork(), false)
  })

  it('keeps partial units sorted and unique, and compacts them in one pass', () => {
    const q = new UnitQueue(new Uint32Array(0), [9, 2, 5])
    q.addPartial(7)
    q.addPartial(2)
    q.addPartial(0)
    const seen: number[] = []
    q.visitPartial(i => { seen.push(i); return i % 2 === 0 }, () => false)
    assert.deepEqual(seen, [0, 2, 5, 7, 9])
    const kept: number[] = []
    q.visitPartial(i => { kept.push(i); return true }, () => false)
    assert.deepEqual(kept, [0, 2])
    // stopping early keeps the rest
    q.addPartial(4)
    let n = 0
    q.visitPartial(() => { n++; return false }, () => n >= 1)
    assert.equal(q.partialCount, 2)
    q.removePartial(2)
    q.removePartial(3)
    assert.equal(q.partialCount, 1)
    q.clear()
    assert.equal(q.hasWork(), false)
  })
})
