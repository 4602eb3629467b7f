import assert from 'node:assert/strict'
import { DirectorySchedule } from '../../bootstrap/network/directory-schedule.js'

/**
 * The directory's pacing (issue 9, section 3): every send goes to every
 * follower, so sends are paced by a byte budget and the directory's cost
 * per join stays flat as the network grows. Driven by a fake clock.
 */
describe('DirectorySchedule', () => {
  let now = 0
  const make = (init: ConstructorParameters<typeof DirectorySchedule>[0] = {}): DirectorySchedule => new DirectorySchedule({ now: () => now, ...init })
  beforeEach(() => { now = 0 })

  /** Runs the clock from `from` to `to` in 100 ms steps; `events(t)` may ask for sends; returns every send. */
  function run (s: DirectorySchedule, from: number, to: number, cost: number, events: (t: number) => void = () => {}, changes?: () => boolean): Array<{ t: number, fresh: boolean }> {
    const sends: Array<{ t: number, fresh: boolean }> = []
    for (now = from; now <= to; now += 100) {
      events(now)
      const work = s.take()
      if (work == null) continue
      const fresh = work.rebuild && (changes?.() ?? true)
      if (fresh || work.resend) {
        sends.push({ t: now, fresh })
        s.done({ fresh, cost })
      } else {
        s.done()
      }
    }
    return sends
  }

  it('in a small network: a change goes out after the debounce, then twice more for late followers, then every 120 s', () => {
    const s = make()
    s.changed()
    const sends = run(s, 0, 250_000, 2_000)
    assert.deepEqual(sends.map(x => x.t), [1_000, 4_000, 11_000, 131_000, 251_000].filter(t => t <= 250_000))
    assert.deepEqual(sends.map(x => x.fresh), [true, false, false, false])
  })

  it('in a small network: a new follower gets the directory again about a second later', () => {
    const s = make()
    s.changed()
    run(s, 0, 20_000, 2_000)
    const sends = run(s, 20_000, 30_000, 2_000, t => { if (t === 25_000) s.subscribed() })
    assert.deepEqual(sends, [{ t: 26_000, fresh: false }])
  })

  it('an unchanged directory is not sent again for a mere change signal', () => {
    const s = make()
    s.changed()
    run(s, 0, 20_000, 2_000)
    const sends = run(s, 20_000, 30_000, 2_000, t => { if (t === 25_000) s.changed() }, () => false)
    assert.deepEqual(sends, [])
  })

  it('in a large network the sends stay within the byte budget, with joins and new followers every 100 ms, and still reach new followers within the longest gap', () => {
    const bytesPerSec = 64 * 1024
    const maxGapMs = 60_000
    const s = make({ bytesPerSec, maxGapMs })
    // 1,000 peers: a 15 KB directory to 100 followers is 1.5 MB a send
    const cost = 15_000 * 100
    const sends = run(s, 0, 600_000, cost, () => { s.changed(); s.subscribed() })
    const bytes = sends.length * cost
    assert.ok(bytes <= bytesPerSec * 600 + cost, `${sends.length} sends of ${cost} bytes in 600 s is over the budget of ${bytesPerSec} bytes/s`)
    for (let i = 1; i < sends.length; i++) assert.ok(sends[i].t - sends[i - 1].t <= maxGapMs, 'no follower waits longer than the longest gap')
    // and the same load in a network ten times smaller sends more often, under the same budget
    const small = make({ bytesPerSec, maxGapMs })
    now = 0
    const smallSends = run(small, 0, 600_000, cost / 10, () => { small.changed(); small.subscribed() })
    assert.ok(smallSends.length > sends.length)
    assert.ok(smallSends.length * cost / 10 <= bytesPerSec * 600 + cost / 10)
  })

  it('a change that arrives while a send is under way is not lost', () => {
    const s = make()
    s.changed()
    now = 1_000
    const work = s.take()
    assert.deepEqual(work, { rebuild: true, resend: false })
    // while the send is awaited
    s.changed()
    s.done({ fresh: true, cost: 100 })
    now = 2_000
    assert.deepEqual(s.take(), { rebuild: true, resend: false })
  })
})
