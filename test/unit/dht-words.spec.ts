import assert from 'node:assert/strict'
import { indexWords, isCanonicalWord, matchesAll, normalizeText, queryWords, tokenize } from '../../src/sharing/dht/words.js'

describe('DHT words', () => {
  it('ignores case and accents', () => {
    assert.equal(normalizeText('Été CAFÉ Ñandú'), 'ete cafe nandu')
    assert.deepEqual(tokenize('Crème-Brûlée_recipe.PDF'), ['creme', 'brulee', 'recipe', 'pdf'])
  })

  it('folds compatibility forms', () => {
    assert.deepEqual(tokenize('ﬁle ＡＢＣ'), ['file', 'abc'])
  })

  it('drops words shorter than two characters and duplicates, and cuts long words', () => {
    assert.deepEqual(tokenize('a b cd A CD x'), ['cd'])
    const long = 'x'.repeat(100)
    assert.deepEqual(tokenize(long), ['x'.repeat(64)])
  })

  it('keeps letters of every script', () => {
    assert.deepEqual(tokenize('가상 서버 2024'), ['가상', '서버', '2024'])
  })

  it('indexes keywords first, then title, then filename, bounded', () => {
    const words = indexWords({ filename: 'zeta.txt', title: 'Beta Gamma', keywords: ['Alpha'] })
    assert.deepEqual(words, ['alpha', 'beta', 'gamma', 'zeta', 'txt'])
    assert.equal(indexWords({ filename: Array.from({ length: 50 }, (_, i) => `w${i}`).join(' '), title: '', keywords: [] }).length, 32)
  })

  it('splits query strings into words and caps them', () => {
    assert.deepEqual(queryWords(['Été report', 'REPORT', 'a']), ['ete', 'report'])
    assert.equal(queryWords([Array.from({ length: 20 }, (_, i) => `q${i}`).join(' ')]).length, 8)
  })

  it('matches with AND over filename, title and keywords', () => {
    const e = { filename: 'Summer-Report.pdf', title: 'Été 2024', keywords: ['finance'] }
    assert.ok(matchesAll(['ete', 'report'], e))
    assert.ok(matchesAll(['finance', 'summer', '2024'], e))
    assert.ok(!matchesAll(['ete', 'winter'], e))
    assert.ok(!matchesAll([], e))
  })

  it('knows canonical words', () => {
    assert.ok(isCanonicalWord('ete'))
    assert.ok(!isCanonicalWord('Été'))
    assert.ok(!isCanonicalWord('two words'))
    assert.ok(!isCanonicalWord('a'))
  })
})
