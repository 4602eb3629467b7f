/**
 * Search matching (SHARE-3): AND over the query's words, ignoring case and
 * accents, each word a substring of the filename, the title or a keyword.
 */
import assert from 'node:assert/strict'
import { matches, normalize, queryWords, searchText } from '../../src/sharing/index.js'

function entry (filename: string, title = '', keywords: string[] = []): { filename: string, title: string, keywords: string[] } {
  return { filename, title, keywords }
}

/** `matches` as search uses it: the query's words normalized first. */
function finds (query: string[], e: { filename: string, title: string, keywords: string[], cid?: string }): boolean {
  return matches(queryWords(query), e)
}

describe('search matching', () => {
  describe('normalize', () => {
    it('lowercases and strips accents', () => {
      assert.equal(normalize('ÉTÉ'), 'ete')
      assert.equal(normalize('Été Rapport'), 'ete rapport')
      assert.equal(normalize('Ça Crée Ñandú Über Ångström'), 'ca cree nandu uber angstrom')
      assert.equal(normalize('plain-ascii_123.PDF'), 'plain-ascii_123.pdf')
    })

    it('treats precomposed and decomposed accents alike', () => {
      const precomposed = '\u00e9t\u00e9' // é t é
      const decomposed = 'e\u0301te\u0301' // e + combining acute ...
      assert.notEqual(precomposed, decomposed)
      assert.equal(normalize(precomposed), 'ete')
      assert.equal(normalize(decomposed), 'ete')
    })

    it('folds the dotted capital I to a plain i', () => {
      assert.equal(normalize('İstanbul'), 'istanbul')
    })
  })

  describe('queryWords', () => {
    it('splits on any whitespace, normalizes, and drops empty words', () => {
      assert.deepEqual(queryWords(['ÉTÉ rapport']), ['ete', 'rapport'])
      assert.deepEqual(queryWords(['  Été\t\nRAPPORT  ', '', '   ', 'Noël']), ['ete', 'rapport', 'noel'])
      assert.deepEqual(queryWords([]), [])
      assert.deepEqual(queryWords(['', ' \t ']), [])
    })
  })

  describe('searchText', () => {
    it('covers the filename, the title and every keyword, normalized', () => {
      const text = searchText(entry('Été-Rapport.PDF', 'Résumé Annuel', ['Finances', 'Nöel']))
      for (const part of ['ete-rapport.pdf', 'resume annuel', 'finances', 'noel']) assert.ok(text.includes(part), `${part} in ${text}`)
      assert.equal(text, normalize(text), 'already normalized')
    })
  })

  describe('matches', () => {
    const report = entry('ete-Rapport.pdf', 'Quarterly figures', ['finance', 'Überblick'])

    it('ignores case and accents on both sides', () => {
      assert.equal(finds(['ÉTÉ rapport'], report), true)
      assert.equal(finds(['ÉTÉ', 'RAPPORT'], report), true)
      assert.equal(finds(['ueberblick'], report), false, 'ü is folded to u, not ue')
      assert.equal(finds(['uberblick'], report), true)
      assert.equal(finds(['QUARTERLY'], report), true)
    })

    it('matches a word in the filename, the title or a keyword', () => {
      assert.equal(finds(['rapport'], report), true)
      assert.equal(finds(['figures'], report), true)
      assert.equal(finds(['finance'], report), true)
      assert.equal(finds(['pdf'], report), true)
    })

    it('is a substring match', () => {
      assert.equal(finds(['rapp'], report), true)
      assert.equal(finds(['arterl'], report), true)
      assert.equal(finds(['fin'], report), true)
    })

    it('is AND over the words: every word must appear', () => {
      assert.equal(finds(['rapport', 'finance', 'quarterly'], report), true)
      assert.equal(finds(['rapport', 'winter'], report), false)
      assert.equal(finds(['winter', 'rapport'], report), false)
      assert.equal(finds(['winter'], report), false)
    })

    it('words of one field match together with words of another', () => {
      // one word from each of the three fields
      assert.equal(finds(['ete', 'figures', 'uberblick'], report), true)
    })

    it('a query with no words matches nothing', () => {
      assert.equal(matches([], report), false)
      assert.equal(finds(['   '], report), false)
    })

    it('a word that is exactly the entry\'s CID matches it (how a download finds providers)', () => {
      const cid = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'
      const e = { ...entry('notes.txt'), cid }
      assert.equal(finds([cid], e), true)
      assert.equal(finds([cid, 'notes'], e), true)
      assert.equal(finds([cid, 'winter'], e), false, 'still AND over the words')
      assert.equal(finds([cid.slice(0, 20)], e), false, 'a part of the CID is not enough')
      assert.equal(finds([cid], { ...e, cid: cid.replace(/u$/, 'a') }), false)
    })

    it('does not match text that is in none of the three fields', () => {
      // directory, size and CID are not searched
      const e = { ...entry('notes.txt'), directory: 'secret-folder', size: 1234, cid: 'bafyabc' }
      assert.equal(finds(['secret'], e), false)
      assert.equal(finds(['1234'], e), false)
      assert.equal(finds(['bafy'], e), false)
    })
  })
})
