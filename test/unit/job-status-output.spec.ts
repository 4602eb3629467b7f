/**
 * `peerhive job status` prints the bootstrap's STATUS with formatJobStatus.
 * A job with adaptive replication must say how many of its units rest on
 * one trusted provider's result alone, below the quorum.
 */
import assert from 'node:assert/strict'
import { formatJobStatus } from '../../cli/format/output.js'
import { ComputeFixture, hello, honest } from '../helpers/compute-scheduler.js'

const OWNER = { peerId: 'owner', operator: false }

describe('job status output: units validated by a trusted provider alone', () => {
  let f: ComputeFixture

  beforeEach(async () => {
    // trusted after one valid result, so that one unit earns the trust
    f = await new ComputeFixture({ trustStreak: 1 }).init()
    for (const p of ['T', 'P']) f.scheduler.hello(p, hello())
    f.scheduler.submit('owner', f.job(1))
    f.scheduler.report('T', f.scheduler.fetch('T', 64).units.map(honest))
  })
  afterEach(() => { f.close() })

  it('shows the count of an adaptive job with units validated alone', () => {
    const s = f.scheduler
    const job = s.submit('owner', f.job(2, { quorum: 2, adaptive: true }))
    // unit 0 gets a quorum of two (P, then T); unit 1 goes to T alone
    const p = s.fetch('P', 1).units
    const t = s.fetch('T', 64).units
    s.report('P', p.map(honest))
    s.report('T', t.map(honest))
    const text = formatJobStatus(s.status(job.id, OWNER))
    assert.match(text, /^state {6}done$/m)
    assert.match(text, /^solo {7}1 of 2 units validated by a trusted provider alone \(adaptive\)$/m)
  })

  it('says nothing of it when every unit had its quorum', () => {
    const s = f.scheduler
    // the default: not adaptive, so the trusted provider's result waits for a second one
    const job = s.submit('owner', f.job(2, { quorum: 2 }))
    for (const peer of ['T', 'P']) s.report(peer, s.fetch(peer, 64).units.map(honest))
    const status = s.status(job.id, OWNER)
    assert.equal(status.state, 'done')
    assert.equal(status.soloValidUnits, 0)
    assert.doesNotMatch(formatJobStatus(status), /^solo/m)
  })
})
