import assert from 'node:assert/strict'
import { ComputeRefusal, type Assignment, type ComputeScheduler } from '../../bootstrap/compute/index.js'
import { ComputeFixture, cidOf, hashOf, hello, honest, lie } from '../helpers/compute-scheduler.js'

const OWNER = { peerId: 'owner', operator: false }
const STRANGER = { peerId: 'stranger', operator: false }
const OPERATOR = { peerId: 'operator', operator: true }

function refused (fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (err: any) => {
    assert.ok(err instanceof ComputeRefusal, `expected a ComputeRefusal, got ${err}`)
    assert.equal(err.code, code, err.message)
    if (message != null) assert.match(err.message, message)
    return true
  })
}

function indexes (units: Assignment[]): number[] {
  return units.map(u => u.unitIndex)
}

/** Runs providers (FETCH, then REPORT with `answer`) until none gets a unit. */
function drain (s: ComputeScheduler, peers: string[], answer = honest): number {
  let total = 0
  for (;;) {
    let got = 0
    for (const p of peers) {
      const { units } = s.fetch(p, 64)
      got += units.length
      if (units.length > 0) s.report(p, units.map(answer))
    }
    total += got
    if (got === 0) return total
  }
}

describe('compute scheduler', () => {
  let f: ComputeFixture
  let s: ComputeScheduler

  beforeEach(async () => {
    f = await new ComputeFixture().init()
    s = f.scheduler
  })

  afterEach(() => {
    f.close()
  })

  it('validates by quorum 2: both replicas agree, the job is done, holders listed', () => {
    s.hello('A', hello())
    s.hello('B', hello())
    const job = s.submit('owner', f.job(3, { quorum: 2 }))
    assert.equal(job.state, 'running')
    assert.deepEqual(job.unitStates, { pending: 3, running: 0, valid: 0, failed: 0, cancelled: 0 })

    const a = s.fetch('A', 64)
    assert.deepEqual(indexes(a.units), [0, 1, 2])
    // A never gets a second replica of the same unit
    assert.deepEqual(s.fetch('A', 64).units, [])
    const b = s.fetch('B', 64)
    assert.deepEqual(indexes(b.units), [0, 1, 2])
    assert.equal(a.units[0].owner, 'owner')
    assert.equal(a.units[0].maxMemoryBytes, 64 * 1024 * 1024)
    assert.equal(a.units[0].deadlineMs, 600_000)
    assert.deepEqual(a.units[0].args, ['u0'])

    assert.equal(s.report('A', a.units.map(honest)).accepted, 3)
    let st = s.status(job.id, OWNER)
    assert.equal(st.replicaStates.reported, 3)
    assert.equal(st.unitStates.running, 3)
    assert.equal(s.report('B', b.units.map(honest)).accepted, 3)
    st = s.status(job.id, OWNER)
    assert.equal(st.state, 'done')
    assert.equal(st.progress, 1)
    assert.deepEqual(st.unitStates, { pending: 0, running: 0, valid: 3, failed: 0, cancelled: 0 })
    assert.equal(st.replicaStates.valid, 6)
    assert.ok(st.finishedAt != null)

    const results = s.results(job.id, OWNER)
    assert.equal(results.state, 'done')
    assert.deepEqual(results.units[1], { index: 1, state: 'valid', hash: Buffer.from(hashOf('u1')).toString('hex'), holders: ['A', 'B'] })
    assert.equal(s.provider('A')?.history.valid, 3)
    assert.equal(s.provider('A')?.history.validStreak, 3)
  })

  it('marks a liar invalid and counts it; one more replica settles the disagreement', () => {
    for (const p of ['honest1', 'liar', 'honest2']) s.hello(p, hello())
    const job = s.submit('owner', f.job(1, { quorum: 2, maxAttempts: 3 }))
    const h1 = s.fetch('honest1', 64).units
    const l = s.fetch('liar', 64).units
    s.report('honest1', h1.map(honest))
    s.report('liar', l.map(lie))
    let st = s.status(job.id, OWNER)
    assert.equal(st.state, 'running')
    assert.equal(st.replicaStates.reported, 2)
    // the third replica goes to the one provider that has not had this unit
    assert.deepEqual(s.fetch('liar', 64).units, [])
    const h2 = s.fetch('honest2', 64).units
    assert.deepEqual(indexes(h2), [0])
    s.report('honest2', h2.map(honest))
    st = s.status(job.id, OWNER)
    assert.equal(st.state, 'done')
    assert.equal(st.replicaStates.valid, 2)
    assert.equal(st.replicaStates.invalid, 1)
    assert.equal(s.provider('liar')?.history.invalid, 1)
    assert.equal(s.provider('liar')?.history.validStreak, 0)
    assert.equal(s.provider('honest1')?.history.valid, 1)
    assert.deepEqual(s.results(job.id, OWNER).units[0].holders, ['honest1', 'honest2'])
  })

  it('fails a unit (and its job) when maxAttempts replicas bring no quorum', () => {
    const peers = ['p1', 'p2', 'p3', 'p4']
    for (const p of peers) s.hello(p, hello())
    const job = s.submit('owner', f.job(2, { quorum: 2, maxAttempts: 3 }))
    let n = 0
    // every provider gives a different answer to unit 0; unit 1 is answered honestly
    for (const p of peers) {
      const { units } = s.fetch(p, 64)
      s.report(p, units.map(u => u.unitIndex === 0 ? { replicaId: u.replicaId, outcome: 'ok', hash: hashOf(`answer ${n++}`) } : honest(u)))
    }
    const st = s.status(job.id, OWNER)
    assert.equal(st.state, 'failed')
    assert.equal(st.unitStates.failed, 1)
    assert.equal(st.errors?.[0].unit, 0)
    assert.match(st.errors?.[0].error ?? '', /no 2 results agreed within 3 replicas/)
    // three replicas were used on unit 0, never a fourth
    assert.equal(n, 3)
    // the failed job hands out nothing more
    assert.deepEqual(s.fetch('p4', 64).units, [])
  })

  it('reissues failed replicas to another provider, and fails a unit that always fails', () => {
    for (const p of ['a', 'b', 'c', 'd', 'e']) s.hello(p, hello())
    const job = s.submit('owner', f.job(1, { maxAttempts: 3 }))
    for (const p of ['a', 'b', 'c']) {
      const { units } = s.fetch(p, 64)
      assert.equal(units.length, 1, `provider ${p} gets the unit`)
      s.report(p, [{ replicaId: units[0].replicaId, outcome: 'failed', error: 'trap: unreachable', wallMs: 3 }])
    }
    const st = s.status(job.id, OWNER)
    assert.equal(st.state, 'failed')
    assert.equal(st.replicaStates.failed, 3)
    assert.match(st.errors?.[0].error ?? '', /trap: unreachable/)
    assert.equal(s.provider('a')?.history.failed, 1)
  })

  it('times a replica out at its deadline and reissues it to another provider', () => {
    s.hello('slow', hello())
    s.hello('fast', hello())
    const job = s.submit('owner', f.job(1, { deadlineMs: 1000 }))
    const slow = s.fetch('slow', 64).units
    assert.equal(slow.length, 1)
    f.tick(999)
    assert.equal(s.sweep(), 0)
    f.tick(1)
    assert.equal(s.sweep(), 1)
    let st = s.status(job.id, OWNER)
    assert.equal(st.replicaStates.timed_out, 1)
    assert.equal(s.provider('slow')?.history.timedOut, 1)
    assert.deepEqual(s.fetch('slow', 64).units, [])
    const fast = s.fetch('fast', 64).units
    assert.deepEqual(indexes(fast), [0])
    // the late report of the timed-out replica is not recorded
    const late = s.report('slow', slow.map(honest))
    assert.equal(late.accepted, 0)
    assert.match(late.refused[0], /already final \(timed_out\)/)
    s.report('fast', fast.map(honest))
    st = s.status(job.id, OWNER)
    assert.equal(st.state, 'done')
  })

  it('loses the replicas of a provider that disconnects and reissues them at once', () => {
    s.hello('gone', hello())
    s.hello('stays', hello())
    const job = s.submit('owner', f.job(2))
    assert.equal(s.fetch('gone', 64).units.length, 2)
    assert.equal(s.provider('gone')?.state, 'working')
    s.disconnected('gone')
    assert.equal(s.provider('gone')?.state, 'offline')
    assert.equal(s.provider('gone')?.history.lost, 2)
    assert.equal(s.status(job.id, OWNER).replicaStates.lost, 2)
    refused(() => s.fetch('gone', 64), 'NOT_REGISTERED', /HELLO/)
    const units = s.fetch('stays', 64).units
    assert.deepEqual(indexes(units), [0, 1])
    s.report('stays', units.map(honest))
    assert.equal(s.status(job.id, OWNER).state, 'done')
  })

  it('trusts a provider after 10 valid results in a row: one replica validates alone; one invalid resets it', () => {
    s.hello('T', hello())
    s.hello('P', hello())
    // earn trust: 10 units validated by quorum 2
    const warmup = s.submit('owner', f.job(10, { quorum: 2 }))
    drain(s, ['T', 'P'])
    assert.equal(s.status(warmup.id, OWNER).state, 'done')
    assert.equal(s.provider('T')?.history.trusted, true)

    const job = s.submit('owner', f.job(2, { quorum: 2, adaptive: true }))
    const t = s.fetch('T', 64).units
    assert.deepEqual(indexes(t), [0, 1])
    // each went to T alone: nothing is left for P
    assert.deepEqual(s.fetch('P', 64).units, [])
    s.report('T', t.map(honest))
    const st = s.status(job.id, OWNER)
    assert.equal(st.state, 'done')
    assert.equal(st.replicaStates.valid, 2)
    assert.equal(st.soloValidUnits, 2)

    // a job that does not ask for adaptive replication (the default) still gets its quorum from a trusted provider
    const strict = s.submit('owner', f.job(1, { quorum: 2 }))
    const t2 = s.fetch('T', 64).units
    const p2 = s.fetch('P', 64).units
    assert.equal(t2.length, 1)
    assert.equal(p2.length, 1)
    s.report('T', t2.map(lie))
    s.report('P', p2.map(honest))
    assert.equal(s.provider('T')?.history.validStreak, 12)
    // the third replica decides: T lied
    s.hello('Q', hello())
    s.report('Q', s.fetch('Q', 64).units.map(honest))
    assert.equal(s.status(strict.id, OWNER).state, 'done')
    assert.equal(s.status(strict.id, OWNER).soloValidUnits, 0)
    const info = s.provider('T')
    assert.equal(info?.history.invalid, 1)
    assert.equal(info?.history.validStreak, 0)
    assert.equal(info?.history.trusted, false)
  })

  it('sends a trusted provider\'s failed single replica back to a full quorum', () => {
    const g = new ComputeFixture({ trustStreak: 1 })
    try {
      g.app = f.app
      const t = g.scheduler
      for (const p of ['T', 'P', 'R']) t.hello(p, hello())
      // T alone earns trust (a streak of 1 here); P and R have none
      t.submit('owner', g.job(1))
      drain(t, ['T'])
      const job = t.submit('owner', g.job(1, { quorum: 2, adaptive: true }))
      const solo = t.fetch('T', 64).units
      assert.equal(solo.length, 1)
      assert.deepEqual(t.fetch('P', 64).units, [])
      t.report('T', [{ replicaId: solo[0].replicaId, outcome: 'memory', error: 'out of memory' }])
      // two replicas now, neither to T
      assert.equal(t.fetch('T', 64).units.length, 0)
      const p = t.fetch('P', 64).units
      const r = t.fetch('R', 64).units
      assert.equal(p.length + r.length, 2)
      t.report('P', p.map(honest))
      t.report('R', r.map(honest))
      assert.equal(t.status(job.id, OWNER).state, 'done')
    } finally {
      g.close()
    }
  })

  it('counts the units a trusted provider validated alone, below the quorum, in STATUS and after a restart', () => {
    const g = new ComputeFixture({ trustStreak: 1 })
    try {
      g.app = f.app
      let t = g.scheduler
      for (const p of ['T', 'P']) t.hello(p, hello())
      // T alone earns trust (a streak of 1 here)
      t.submit('owner', g.job(1))
      drain(t, ['T'])
      // quorum 1: one result is the quorum, nothing is below it
      const single = t.submit('owner', g.job(2, { adaptive: true }))
      drain(t, ['T'])
      assert.equal(t.status(single.id, OWNER).soloValidUnits, 0)

      const job = t.submit('owner', g.job(4, { quorum: 2, adaptive: true }))
      // P takes unit 0 first, so T's replica of it is the second of a quorum; units 1 and 2 go to T alone
      const p = t.fetch('P', 1).units
      const solo = t.fetch('T', 3).units
      assert.deepEqual(indexes(p), [0])
      assert.deepEqual(indexes(solo), [0, 1, 2])
      t.report('P', p.map(honest))
      t.report('T', solo.map(honest))
      const st = t.status(job.id, OWNER)
      assert.equal(st.state, 'running')
      assert.equal(st.unitStates.valid, 3)
      assert.equal(st.soloValidUnits, 2)

      // the count is kept in central.db: a restarted bootstrap goes on from it
      g.restart({ trustStreak: 1 })
      t = g.scheduler
      assert.equal(t.status(job.id, OWNER).soloValidUnits, 2)
      t.hello('T', hello())
      drain(t, ['T'])
      assert.equal(t.status(job.id, OWNER).state, 'done')
      assert.equal(t.status(job.id, OWNER).soloValidUnits, 3)
      // and an ended job's status, read from its row
      g.restart({ trustStreak: 1 })
      assert.equal(g.scheduler.status(job.id, OWNER).soloValidUnits, 3)
      assert.equal(g.scheduler.list('owner').find(j => j.id === job.id)?.soloValidUnits, 3)
    } finally {
      g.close()
    }
  })

  it('hands out jobs by priority, then first come first served, then unit order', () => {
    s.hello('A', hello())
    const low = s.submit('owner', f.job(2, { priority: 0 }))
    const high = s.submit('owner', f.job(2, { priority: 5 }))
    const low2 = s.submit('owner', f.job(2, { priority: 0 }))
    const units = s.fetch('A', 5).units
    assert.deepEqual(units.map(u => [u.jobId, u.unitIndex]), [[high.id, 0], [high.id, 1], [low.id, 0], [low.id, 1], [low2.id, 0]])
  })

  it('matches requirements: memory cap, free disk, accepted apps', async () => {
    const other = await cidOf('another app')
    s.hello('small', hello({ maxMemoryMb: 128 }))
    s.hello('full-disk', hello({}, { freeDiskMb: 10 }))
    s.hello('picky', hello({ apps: [other] }))
    s.hello('any', hello({ maxMemoryMb: 4096 }))
    const job = s.submit('owner', f.job(4, { requirements: { memoryMb: 256, diskMb: 100 } }))
    const small = s.fetch('small', 64)
    assert.deepEqual(small.units, [])
    assert.ok(small.retryMs > 0)
    assert.deepEqual(s.fetch('full-disk', 64).units, [])
    assert.deepEqual(s.fetch('picky', 64).units, [])
    assert.equal(s.fetch('any', 2).units.length, 2)
    // a job of the app the picky provider accepts
    s.submit('owner', { ...f.job(1), app: other })
    assert.equal(s.fetch('picky', 64).units.length, 1)
    assert.equal(s.status(job.id, OWNER).unitStates.running, 2)
  })

  it('priority mode: slow providers wait while work is scarce; fast ones get the largest cost first', async () => {
    const g = new ComputeFixture({ mode: 'priority', retryMs: 1000 })
    try {
      g.app = f.app
      const t = g.scheduler
      t.hello('fast', hello({ cpus: 16, maxMemoryMb: 4096 }, { cpuMhz: 3500 }))
      t.hello('mid', hello({ cpus: 4 }))
      t.hello('slow', hello({ cpus: 1, maxMemoryMb: 256 }, { cpuMhz: 800 }))
      const info = t.providerList()
      const level = (id: string): number => info.find(p => p.peerId === id)!.level
      assert.ok(level('fast') > level('mid') && level('mid') > level('slow'))

      const costs = [1, 9, 3, 7, 5]
      const job = t.submit('owner', { app: g.app, appName: 'a', units: costs.map((cost, i) => ({ args: [`u${i}`], cost })) })
      // 5 ready replicas against 3 × 64 asked: scarce; the slow provider waits
      t.fetch('fast', 64)
      const wait = t.fetch('slow', 64)
      assert.deepEqual(wait.units, [])
      assert.equal(wait.retryMs, 1000)
      g.tick(600)
      // ...until the work has waited 2 × retryMs without a faster taker
      const job2 = t.submit('owner', { app: g.app, appName: 'a', units: costs.map((cost, i) => ({ args: [`v${i}`], cost })) })
      assert.deepEqual(t.fetch('slow', 64).units, [])
      g.tick(2000)
      const late = t.fetch('slow', 1).units
      assert.equal(late.length, 1)
      // the slow provider takes from the small end
      assert.equal(late[0].jobId, job2.id)
      assert.equal(late[0].unitIndex, 0)
      const fast = t.fetch('fast', 64).units
      // the fast provider took job 1 by cost, largest first, and now job 2's rest, largest first
      assert.deepEqual(fast.map(u => u.args[0]), ['v1', 'v3', 'v4', 'v2'])
      assert.equal(t.status(job.id, OWNER).unitStates.running, 5)
    } finally {
      g.close()
    }
  })

  it('priority mode: the fast provider\'s first fetch takes units by largest cost', () => {
    const g = new ComputeFixture({ mode: 'priority' })
    try {
      g.app = f.app
      const t = g.scheduler
      t.hello('only', hello())
      t.submit('owner', { app: g.app, appName: 'a', units: [2, 8, 4, 8].map((cost, i) => ({ args: [`u${i}`], cost })) })
      assert.deepEqual(indexes(t.fetch('only', 64).units), [1, 3, 2, 0])
    } finally {
      g.close()
    }
  })

  it('cancels a job: its replicas out are cancelled and their providers told', () => {
    s.hello('A', hello())
    const job = s.submit('owner', f.job(3))
    const units = s.fetch('A', 2).units
    refused(() => s.cancel(job.id, STRANGER), 'FORBIDDEN')
    const st = s.cancel(job.id, OWNER)
    assert.equal(st.state, 'cancelled')
    assert.deepEqual(st.unitStates, { pending: 0, running: 0, valid: 0, failed: 0, cancelled: 3 })
    assert.equal(st.replicaStates.cancelled, 2)
    const next = s.fetch('A', 64)
    assert.deepEqual(next.units, [])
    assert.deepEqual(next.cancelled.sort(), units.map(u => u.replicaId).sort())
    // told once
    assert.deepEqual(s.fetch('A', 64).cancelled, [])
    const late = s.report('A', units.map(honest))
    assert.equal(late.accepted, 0)
    // cancelling again answers the final status
    assert.equal(s.cancel(job.id, OWNER).state, 'cancelled')
    refused(() => s.cancel('nope', OWNER), 'NOT_FOUND')
  })

  it('checks a late report of a replica cancelled because its unit became valid', () => {
    for (const p of ['A', 'B', 'C']) s.hello(p, hello())
    const job = s.submit('owner', f.job(1, { quorum: 2, replication: 3 }))
    const a = s.fetch('A', 1).units
    const b = s.fetch('B', 1).units
    const c = s.fetch('C', 1).units
    s.report('A', a.map(honest))
    s.report('B', b.map(honest))
    assert.equal(s.status(job.id, OWNER).state, 'done')
    // C reports before it hears of the cancellation: checked against the valid hash
    const late = s.report('C', c.map(lie))
    assert.equal(late.accepted, 1)
    assert.deepEqual(late.cancelled, c.map(u => u.replicaId))
    assert.equal(s.provider('C')?.history.invalid, 1)
    const st = s.status(job.id, OWNER)
    assert.equal(st.replicaStates.cancelled, 0)
    assert.equal(st.replicaStates.invalid, 1)
  })

  it('refuses reports it cannot record, each with a reason, and records the rest', () => {
    s.hello('A', hello())
    s.hello('B', hello())
    s.submit('owner', f.job(4))
    const a = s.fetch('A', 2).units
    const b = s.fetch('B', 2).units
    const answer = s.report('A', [
      honest(a[0]),
      honest(a[0]),
      honest(b[0]),
      { replicaId: 987654, outcome: 'ok', hash: hashOf('x') },
      { replicaId: a[1].replicaId, outcome: 'ok', hash: new Uint8Array(5) }
    ])
    assert.equal(answer.accepted, 1)
    assert.deepEqual(answer.refused.map(r => r.replace(/\d+/, 'N')), [
      'replica N is reported twice',
      'replica N is not this provider\'s',
      'replica N is unknown',
      'replica N: an OK result needs a 32-byte output_hash, got 5 bytes'
    ])
    refused(() => s.report('stranger', [honest(a[1])]), 'NOT_REGISTERED')
  })

  it('removes and bans providers: their replicas are reissued, their requests refused', () => {
    s.hello('bad', hello())
    s.hello('good', hello())
    const job = s.submit('owner', f.job(1))
    assert.equal(s.fetch('bad', 64).units.length, 1)
    refused(() => s.remove('bad', false, STRANGER), 'FORBIDDEN')
    refused(() => s.remove('unknown', false, OPERATOR), 'NOT_FOUND')
    assert.equal(s.remove('bad', false, OPERATOR).state, 'removed')
    assert.equal(s.status(job.id, OWNER).replicaStates.lost, 1)
    refused(() => s.fetch('bad', 64), 'REMOVED')
    refused(() => s.hello('bad', hello()), 'REMOVED')
    refused(() => s.report('bad', []), 'REMOVED')
    assert.equal(s.fetch('good', 64).units.length, 1)
    // a peer can be banned before it is ever seen
    assert.equal(s.remove('future', true, OPERATOR).state, 'banned')
    assert.deepEqual(s.bannedPeers(), ['future'])
    assert.equal(s.remove('bad', true, OPERATOR).state, 'banned')
    assert.deepEqual(s.bannedPeers().sort(), ['bad', 'future'])
  })

  it('registers users: a name belongs to one peer; unregister cancels the user\'s jobs', () => {
    const serial = s.register('owner', 'alice', 'alice@example.org')
    assert.ok(serial > 0)
    assert.equal(s.register('owner', 'alice', 'alice@example.org'), serial)
    refused(() => s.register('mallory', 'alice', ''), 'FORBIDDEN', /belongs to another peer/)
    refused(() => s.register('owner', '../alice', ''), 'MALFORMED_MESSAGE')
    refused(() => s.register('owner', 'alice', 'not an email'), 'MALFORMED_MESSAGE')
    // a rename keeps the serial
    assert.equal(s.register('owner', 'alice2', ''), serial)
    assert.deepEqual(s.userOf('owner'), { userSerialId: serial, userid: 'alice2', peerId: 'owner', email: '' })

    s.hello('owner', hello())
    assert.equal(s.provider('owner')?.userid, 'alice2')
    const job = s.submit('owner', f.job(2))
    const out = s.unregister('owner')
    assert.deepEqual(out, { userSerialId: serial, cancelledJobs: [job.id] })
    assert.equal(s.status(job.id, OWNER).state, 'cancelled')
    assert.equal(s.userOf('owner'), undefined)
    assert.equal(s.provider('owner'), undefined)
    refused(() => s.unregister('owner'), 'NOT_FOUND')
    // the name is free again
    assert.ok(s.register('mallory', 'alice2', '') > 0)
  })

  it('keeps STATUS and RESULTS to the owner and the operator', () => {
    const job = s.submit('owner', f.job(1))
    refused(() => s.status(job.id, STRANGER), 'FORBIDDEN')
    refused(() => s.results(job.id, STRANGER), 'FORBIDDEN')
    assert.equal(s.status(job.id, OPERATOR).id, job.id)
    refused(() => s.status('0123456789abcdef', OWNER), 'NOT_FOUND')
    assert.deepEqual(s.list('owner').map(j => j.id), [job.id])
    assert.deepEqual(s.list('stranger'), [])
  })

  it('refuses an invalid job with every problem, one per line', () => {
    refused(() => s.submit('owner', { app: 'not-a-cid', range: { from: 0, to: 10, step: 1, args: ['{from}'] }, quorum: 3, replication: 2 }), 'INVALID_JOB',
      /app must be a CID in a submitted job.*\nreplication \(2\) must be at least quorum \(3\)/)
  })

  it('pages RESULTS: `next` names the first unit left out', () => {
    s.hello('A', hello())
    const job = s.submit('owner', f.job(10))
    drain(s, ['A'])
    const page = s.results(job.id, OWNER, { from: 2, limit: 3 })
    assert.deepEqual(page.units.map(u => u.index), [2, 3, 4])
    assert.equal(page.next, 5)
    const tight = s.results(job.id, OWNER, { budgetBytes: 600 })
    assert.ok(tight.units.length >= 1 && tight.units.length < 10)
    assert.equal(tight.next, tight.units.length)
    assert.equal(s.results(job.id, OWNER).next, undefined)
  })

  it('estimates the time left from the recent validation rate', () => {
    s.hello('A', hello())
    const job = s.submit('owner', f.job(10))
    for (let i = 0; i < 4; i++) {
      f.tick(1000)
      s.report('A', s.fetch('A', 1).units.map(honest))
    }
    // 3 intervals of 1 s for the first 4 units: 6 left at 1 unit/s
    assert.equal(s.status(job.id, OWNER).etaMs, 6000)
    assert.ok(Math.abs(s.status(job.id, OWNER).progress - 0.4) < 1e-9)
  })

  it('continues every running job after a restart: replicas in flight keep their deadlines (no downtime here), providers HELLO again', () => {
    s.hello('A', hello())
    s.hello('B', hello())
    const job = s.submit('owner', f.job(6, { quorum: 2, deadlineMs: 10_000 }))
    const a = s.fetch('A', 3).units
    const b = s.fetch('B', 2).units
    s.report('A', a.slice(0, 2).map(honest))
    s.report('B', b.slice(0, 1).map(honest))
    const before = s.status(job.id, OWNER)
    assert.equal(before.unitStates.valid, 1)

    f.restart()
    s = f.scheduler
    const after = s.status(job.id, OWNER)
    assert.deepEqual(after.unitStates, before.unitStates)
    assert.deepEqual(after.replicaStates, before.replicaStates)
    assert.equal(s.provider('A')?.state, 'offline')
    // a FETCH needs a new HELLO; a REPORT of replicas held across the restart is taken
    refused(() => s.fetch('A', 64), 'NOT_REGISTERED')
    assert.equal(s.report('A', [honest(a[2])]).accepted, 1)
    s.hello('A', hello())
    s.hello('B', hello())
    // B's unfinished replica keeps its deadline
    f.tick(10_000)
    assert.equal(s.sweep(), 1)
    assert.equal(s.status(job.id, OWNER).replicaStates.timed_out, 1)
    drain(s, ['A', 'B'])
    // unit 1 was held by both A and B: its reissue needs a third provider
    assert.equal(s.status(job.id, OWNER).state, 'running')
    s.hello('C', hello())
    drain(s, ['A', 'B', 'C'])
    const done = s.status(job.id, OWNER)
    assert.equal(done.state, 'done')
    assert.equal(done.unitStates.valid, 6)
    // and the finished job reads the same after another restart
    f.restart()
    assert.deepEqual(f.scheduler.status(job.id, OWNER), done)
    assert.deepEqual(f.scheduler.results(job.id, OWNER).units.map(u => u.holders.length), [2, 2, 2, 2, 2, 2])
    const credited = ['A', 'B', 'C'].map(p => f.scheduler.provider(p)?.history.valid ?? 0).reduce((x, y) => x + y, 0)
    assert.equal(credited, done.replicaStates.valid)
  })

  it('does not count the bootstrap\'s own downtime against a replica: it gets a whole deadline from the restart', () => {
    s.hello('A', hello())
    s.hello('B', hello())
    const job = s.submit('owner', f.job(2, { quorum: 2, deadlineMs: 10_000 }))
    const a = s.fetch('A', 64).units
    const b = s.fetch('B', 64).units
    // the bootstrap is down for longer than the deadline while A and B compute
    f.tick(30_000)
    f.restart()
    s = f.scheduler
    assert.equal(s.sweep(), 0, 'no replica timed out for the time the bootstrap was away')
    // a second restart gives it another whole deadline
    f.tick(5_000)
    f.restart()
    s = f.scheduler
    assert.equal(s.sweep(), 0)
    // with two providers and quorum 2 a timed-out replica could never be reissued: the reports must be taken
    assert.equal(s.report('A', a.map(honest)).accepted, 2)
    assert.equal(s.report('B', b.map(honest)).accepted, 2)
    assert.equal(s.status(job.id, OWNER).state, 'done')
  })

  it('times out a replica whose provider stays away a whole deadline after the restart', () => {
    s.hello('A', hello())
    const job = s.submit('owner', f.job(1, { deadlineMs: 10_000 }))
    assert.equal(s.fetch('A', 64).units.length, 1)
    f.tick(30_000)
    f.restart()
    s = f.scheduler
    f.tick(9_999)
    assert.equal(s.sweep(), 0)
    f.tick(1)
    assert.equal(s.sweep(), 1)
    assert.equal(s.status(job.id, OWNER).replicaStates.timed_out, 1)
  })

  it('restarts with units half-replicated: no provider gets a second replica of a unit it had', () => {
    s.hello('A', hello())
    s.hello('B', hello())
    const job = s.submit('owner', f.job(2, { quorum: 2 }))
    const a = s.fetch('A', 64).units
    s.report('A', a.map(honest))
    f.restart()
    s = f.scheduler
    s.hello('A', hello())
    s.hello('B', hello())
    assert.deepEqual(s.fetch('A', 64).units, [])
    const b = s.fetch('B', 64).units
    assert.deepEqual(indexes(b), [0, 1])
    s.report('B', b.map(honest))
    assert.equal(s.status(job.id, OWNER).state, 'done')
  })

  it('never hands a provider more than the answer\'s byte budget (at least one unit)', () => {
    s.hello('A', hello())
    const big = 'x'.repeat(20_000)
    s.submit('owner', { app: f.app, appName: 'a', units: Array.from({ length: 10 }, (_, i) => ({ args: [big, String(i)] })) })
    const first = s.fetch('A', 64, 50_000).units
    assert.equal(first.length, 2)
    assert.equal(s.fetch('A', 64, 1).units.length, 1)
  })
})
