import assert from 'node:assert/strict'
import { PieceQueue } from '../../src/sharing/transfer/piece-queue.js'

describe('transfer: the piece queue shared by a download\'s providers', () => {
  it('hands out wanted pieces in order, skipping those already had', () => {
    const q = new PieceQueue(6, i => i === 1 || i === 4)
    assert.equal(q.done, 2)
    assert.deepEqual(q.take('a', 2), [0, 2])
    assert.deepEqual(q.take('b', 5), [3, 5])
  })

  it('gives a failed provider\'s pieces to the next taker first', () => {
    const q = new PieceQueue(6)
    assert.deepEqual(q.take('a', 3), [0, 1, 2])
    assert.deepEqual(q.take('b', 1), [3])
    q.release('a', [1, 2])
    assert.deepEqual(q.take('b', 3), [1, 2, 4])
  })

  it('lets an idle provider duplicate pieces in flight elsewhere, at most two copies, never its own', () => {
    const q = new PieceQueue(3)
    assert.deepEqual(q.take('a', 3), [0, 1, 2])
    assert.deepEqual(q.take('a', 3), [], 'no copy of its own pieces')
    assert.deepEqual(q.take('b', 2), [0, 1])
    assert.deepEqual(q.take('c', 3), [2], 'pieces 0 and 1 have two fetches already')
    assert.equal(q.finish(0), true)
    assert.equal(q.finish(0), false, 'the second copy is dropped')
    // b gives up piece 1: a still has it, so it is not wanted again
    q.release('b', [1])
    assert.deepEqual(q.take('d', 3), [1])
  })

  it('is complete when every piece is finished, and wakes waiters on changes', async () => {
    const q = new PieceQueue(2)
    const [a, b] = q.take('a', 2)
    let woken = false
    const waiting = q.changed(10_000).then(() => { woken = true })
    q.finish(a)
    await waiting
    assert.equal(woken, true)
    assert.equal(q.complete, false)
    q.finish(b)
    assert.equal(q.complete, true)
    assert.equal(new PieceQueue(0).complete, true)
  })

  it('times out a wait when nothing changes', async () => {
    const q = new PieceQueue(1)
    const t0 = Date.now()
    await q.changed(30)
    assert.ok(Date.now() - t0 >= 25)
  })
})
