import assert from 'node:assert/strict'
import { Republisher } from '../../bootstrap/network/republisher.js'

describe('Republisher', () => {
  let now = 0
  let sent: Array<[string, string]> = []
  const make = (): Republisher => new Republisher(async (subnet, bytes) => { sent.push([subnet, new TextDecoder().decode(bytes)]) }, [1_000, 3_000, 10_000], 30_000, () => now)
  const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
  beforeEach(() => { now = 0; sent = [] })

  it('sends the last table again at 1 s, 3 s and 10 s after a change, then every 30 s', async () => {
    const r = make()
    r.published('127.0.9.0/24', bytes('t1'))
    const times: number[] = []
    for (now = 0; now <= 75_000; now += 250) {
      const before = sent.length
      await r.tick()
      if (sent.length > before) times.push(now)
    }
    assert.deepEqual(times, [1_000, 3_000, 10_000, 40_000, 70_000])
    assert.ok(sent.every(([s, b]) => s === '127.0.9.0/24' && b === 't1'))
  })

  it('restarts the schedule with the newer table on a change', async () => {
    const r = make()
    r.published('s', bytes('old'))
    now = 1_000
    await r.tick()
    now = 1_500
    r.published('s', bytes('new'))
    now = 2_400
    await r.tick()
    assert.equal(sent.length, 1)
    now = 2_500
    await r.tick()
    assert.deepEqual(sent.at(-1), ['s', 'new'])
  })

  it('resends at once to a new subscriber, and forgets a subnet that emptied', async () => {
    const r = make()
    await r.resend('unknown')
    assert.equal(sent.length, 0)
    r.published('s', bytes('t'))
    await r.resend('s')
    assert.deepEqual(sent, [['s', 't']])
    r.forget('s')
    now = 100_000
    await r.tick()
    assert.equal(sent.length, 1)
  })
})
