/**
 * The virtual server's group index (SubnetIndex): every member's entries,
 * replaced by a snapshot (reset), updated by deltas, bounded per provider,
 * trimmed to the current group, searched with a cap on results.
 */
import assert from 'node:assert/strict'
import { IndexLimitError, SubnetIndex, queryWords, type IndexEntry } from '../../src/sharing/index.js'

const P1 = 'peer-one'
const P2 = 'peer-two'
const P3 = 'peer-three'

function entry (cid: string, provider: string, over: Partial<IndexEntry> = {}): IndexEntry {
  return { cid, filename: `${cid}.txt`, directory: '', size: 10, title: '', keywords: [], provider, userSerialId: 1, userid: provider, ...over }
}

function update (over: { reset?: boolean, added?: IndexEntry[], removed?: string[] } = {}): { reset: boolean, added: IndexEntry[], removed: string[] } {
  return { reset: false, added: [], removed: [], ...over }
}

/** The CIDs a query finds, sorted. */
function found (index: SubnetIndex, query: string[], limit = 100): string[] {
  return index.search(queryWords(query), limit).map(e => e.cid).sort()
}

describe('subnet index (a virtual server\'s group index)', () => {
  it('a snapshot (reset) replaces everything held for its provider, and only for it', () => {
    const index = new SubnetIndex()
    assert.equal(index.apply(P1, update({ reset: true, added: [entry('a', P1), entry('b', P1)] })), 2)
    assert.equal(index.apply(P2, update({ reset: true, added: [entry('x', P2)] })), 1)
    assert.equal(index.size(), 3)

    assert.equal(index.apply(P1, update({ reset: true, added: [entry('c', P1)] })), 1)
    assert.deepEqual(found(index, ['txt']), ['c', 'x'])
    // an empty snapshot empties the provider's entries
    assert.equal(index.apply(P1, update({ reset: true })), 0)
    assert.deepEqual(found(index, ['txt']), ['x'])
    assert.equal(index.size(), 1)
  })

  it('a delta adds, updates and removes without touching the rest', () => {
    const index = new SubnetIndex()
    index.apply(P1, update({ reset: true, added: [entry('a', P1), entry('b', P1)] }))
    assert.equal(index.apply(P1, update({ added: [entry('c', P1)] })), 3)
    assert.equal(index.apply(P1, update({ removed: ['a'] })), 2)
    assert.deepEqual(found(index, ['txt']), ['b', 'c'])
    // the same CID again updates the entry (no duplicate)
    assert.equal(index.apply(P1, update({ added: [entry('b', P1, { title: 'Renamed Été' })] })), 2)
    assert.deepEqual(found(index, ['ete']), ['b'])
    assert.equal(index.size(), 2)
    // removing an unknown CID is harmless
    assert.equal(index.apply(P1, update({ removed: ['nope'] })), 2)
  })

  it('a delta before any snapshot starts the provider\'s entries', () => {
    const index = new SubnetIndex()
    assert.equal(index.apply(P1, update({ added: [entry('a', P1)] })), 1)
    assert.deepEqual(index.providers(), [P1])
  })

  it('in one update, removals apply before additions (removed and shared again ends up present)', () => {
    const index = new SubnetIndex()
    index.apply(P1, update({ reset: true, added: [entry('a', P1)] }))
    assert.equal(index.apply(P1, update({ added: [entry('a', P1, { title: 'new' })], removed: ['a'] })), 1)
    assert.equal(index.search(queryWords(['new']), 10).length, 1)
  })

  it('the same CID from two providers is held once per provider', () => {
    const index = new SubnetIndex()
    index.apply(P1, update({ added: [entry('same', P1)] }))
    index.apply(P2, update({ added: [entry('same', P2)] }))
    const hits = index.search(queryWords(['same']), 10)
    assert.deepEqual(hits.map(h => h.provider).sort(), [P1, P2].sort())
    index.apply(P1, update({ removed: ['same'] }))
    assert.deepEqual(index.search(queryWords(['same']), 10).map(h => h.provider), [P2])
  })

  it('bounds the entries per provider with IndexLimitError', () => {
    const index = new SubnetIndex(3)
    index.apply(P1, update({ added: [entry('a', P1), entry('b', P1), entry('c', P1)] }))
    assert.throws(() => index.apply(P1, update({ added: [entry('d', P1)] })), (err: Error) => {
      assert.ok(err instanceof IndexLimitError)
      assert.equal(err.name, 'IndexLimitError')
      assert.match(err.message, /3/)
      return true
    })
    assert.equal(found(index, ['d']).length, 0, 'the entry over the limit is not held')
    // at the limit, an entry already held can still be updated, and a removal makes room
    assert.equal(index.apply(P1, update({ added: [entry('a', P1, { title: 'updated' })] })), 3)
    assert.equal(index.apply(P1, update({ removed: ['b'], added: [entry('d', P1)] })), 3)
    // the bound is per provider: another provider has its own allowance
    assert.equal(index.apply(P2, update({ added: [entry('x', P2), entry('y', P2), entry('z', P2)] })), 3)
    assert.throws(() => index.apply(P2, update({ reset: true, added: [entry('1', P2), entry('2', P2), entry('3', P2), entry('4', P2)] })), { name: 'IndexLimitError' })
  })

  it('retain keeps only the current group\'s providers; drop and clear forget', () => {
    const index = new SubnetIndex()
    for (const p of [P1, P2, P3]) index.apply(p, update({ added: [entry(`f-${p}`, p, { keywords: ['common'] })] }))
    index.retain(new Set([P1, P3, 'someone-without-entries']))
    assert.deepEqual(index.providers().sort(), [P1, P3].sort())
    assert.deepEqual(index.search(queryWords(['common']), 10).map(e => e.provider).sort(), [P1, P3].sort())

    index.drop(P1)
    assert.deepEqual(index.providers(), [P3])
    assert.equal(index.size(), 1)

    index.clear()
    assert.deepEqual(index.providers(), [])
    assert.equal(index.size(), 0)
    assert.deepEqual(index.search(queryWords(['common']), 10), [])
  })

  it('search is AND over words, case and accent blind, and returns at most `limit` entries', () => {
    const index = new SubnetIndex()
    index.apply(P1, update({ added: [entry('r1', P1, { filename: 'ete-Rapport.pdf' }), entry('r2', P1, { filename: 'hiver-rapport.pdf' })] }))
    index.apply(P2, update({ added: [entry('r3', P2, { title: 'Rapport d\'été', keywords: ['Résumé'] })] }))
    for (let i = 0; i < 10; i++) index.apply(P3, update({ added: [entry(`bulk${i}`, P3, { keywords: ['bulk'] })] }))

    assert.deepEqual(found(index, ['ÉTÉ', 'rapport']), ['r1', 'r3'])
    assert.deepEqual(found(index, ['rapport']), ['r1', 'r2', 'r3'])
    assert.deepEqual(found(index, ['resume']), ['r3'])
    assert.deepEqual(found(index, ['rapport', 'nothing']), [])

    assert.equal(index.search(queryWords(['bulk']), 10).length, 10)
    assert.equal(index.search(queryWords(['bulk']), 4).length, 4)
    assert.equal(index.search(queryWords(['bulk']), 1).length, 1)
    // the limit spans providers
    assert.equal(index.search(queryWords(['txt']), 5).length, 5)
    assert.equal(index.search(queryWords(['txt']), 100).length, 11)
    // the entries come back whole, with their provider
    const [hit] = index.search(queryWords(['resume']), 1)
    assert.deepEqual(hit, entry('r3', P2, { title: 'Rapport d\'été', keywords: ['Résumé'] }))
  })
})
