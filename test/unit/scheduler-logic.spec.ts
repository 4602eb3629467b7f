import assert from 'node:assert/strict'
import { ComputeRefusal, GroupCommit, UnitQueue, helloFromWire, isScarce, median, providerLevel, quorumVerdict, replicasWanted, reportFromWire } from '../../bootstrap/compute/index.js'
import { ReplicaResult, WorkRequest } from '../../src/pb/work.js'
import { ComputeFixture, cidOf, hello } from '../helpers/compute-scheduler.js'

describe('scheduler logic: quorum', () => {
  it('finds a hash with a quorum, or says how far the best one is', () => {
    assert.deepEqual(quorumVerdict([], 2), { kind: 'undecided', best: 0 })
    assert.deepEqual(quorumVerdict([{ hash: 'a', solo: false }], 2), { kind: 'undecided', best: 1 })
    assert.deepEqual(quorumVerdict([{ hash: 'a', solo: false }, { hash: 'b', solo: false }], 2), { kind: 'undecided', best: 1 })
    assert.deepEqual(quorumVerdict([{ hash: 'a', solo: false }, { hash: 'b', solo: false }, { hash: 'b', solo: false }], 2), { kind: 'valid', hash: 'b', solo: false })
    assert.deepEqual(quorumVerdict([{ hash: 'a', solo: false }], 1), { kind: 'valid', hash: 'a', solo: false })
    // a trusted provider's single replica decides alone, below the quorum
    assert.deepEqual(quorumVerdict([{ hash: 'z', solo: true }], 3), { kind: 'valid', hash: 'z', solo: true })
    // with quorum 1 one result is the quorum: nothing is decided below it
    assert.deepEqual(quorumVerdict([{ hash: 'z', solo: true }], 1), { kind: 'valid', hash: 'z', solo: false })
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

describe('scheduler logic: group commit', () => {
  it('applies requests that arrive together in one transaction; a refusal leaves the others alone', async () => {
    const f = await new ComputeFixture().init()
    try {
      const s = f.scheduler
      let transactions = 0
      const commits = new GroupCommit(fn => { transactions++; s.atomically(fn) }, err => err instanceof ComputeRefusal)
      const answers = await Promise.allSettled([
        commits.run(() => s.hello('A', hello())),
        commits.run(() => s.fetch('nobody', 1)),
        commits.run(() => s.submit('owner', f.job(2))),
        commits.run(() => s.fetch('A', 64))
      ])
      assert.equal(transactions, 1)
      assert.deepEqual(answers.map(a => a.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
      assert.equal((answers[1] as PromiseRejectedResult).reason.code, 'NOT_REGISTERED')
      assert.equal((answers[3] as PromiseFulfilledResult<any>).value.units.length, 2)
    } finally {
      f.close()
    }
  })

  it('rolls the whole batch back on a fault, and memory follows the database', async () => {
    const f = await new ComputeFixture().init()
    try {
      const s = f.scheduler
      s.hello('A', hello())
      const job = s.submit('owner', f.job(2))
      const commits = new GroupCommit(fn => { s.atomically(fn) }, err => err instanceof ComputeRefusal)
      const answers = await Promise.allSettled([
        commits.run(() => s.fetch('A', 1)),
        commits.run(() => { throw new Error('a bug') })
      ])
      assert.deepEqual(answers.map(a => a.status), ['rejected', 'rejected'])
      // the unit handed out in the failed batch is not out: the next FETCH gets unit 0 again
      assert.equal(s.status(job.id, { peerId: 'owner', operator: false }).unitStates.running, 0)
      assert.deepEqual(s.fetch('A', 1).units.map(u => u.unitIndex), [0])
    } finally {
      f.close()
    }
  })
})

describe('scheduler logic: what a provider sends', () => {
  const request = (over: Partial<WorkRequest>): WorkRequest => ({ version: 1, kind: WorkRequest.Kind.HELLO, cpus: 0, maxMemoryMb: 0, apps: [], maxUnits: 0, results: [], ...over })

  it('clamps a HELLO and falls back to the host for unset limits', async () => {
    const app = await cidOf('x')
    const h = helloFromWire(request({
      host: { cpuModel: 'evil\ncpu' + 'x'.repeat(500), cores: 8, cpuMhz: 2500, os: 'linux', memoryMb: 16384, freeDiskMb: 10, network: 'satellite', bandwidthBps: 5 },
      apps: [app, app]
    }))
    assert.equal(h.cpus, 8)
    assert.equal(h.maxMemoryMb, 4096)
    assert.equal(h.host.cpuModel.length, 128)
    assert.ok(!h.host.cpuModel.includes('\n'))
    assert.equal(h.host.network, '')
    assert.deepEqual(h.apps, [app])
    assert.equal(helloFromWire(request({ cpus: 3, maxMemoryMb: 512 })).cpus, 3)
    assert.equal(helloFromWire(request({})).cpus, 1)
    assert.throws(() => helloFromWire(request({ apps: ['nope'] })), /apps\[0\] is not a CID/)
  })

  it('maps outcomes and keeps an empty hash out', () => {
    const items = reportFromWire([
      { replicaId: 1, outcome: ReplicaResult.Outcome.OK, outputHash: new Uint8Array(32) as Uint8Array<ArrayBuffer>, outputBytes: 5, wallMs: 2, error: '' },
      { replicaId: 2, outcome: ReplicaResult.Outcome.ABANDONED, outputHash: new Uint8Array(0) as Uint8Array<ArrayBuffer>, outputBytes: 0, wallMs: 0, error: 'stopping' }
    ])
    assert.deepEqual(items.map(i => [i.replicaId, i.outcome, i.hash?.byteLength]), [[1, 'ok', 32], [2, 'abandoned', undefined]])
  })
})
