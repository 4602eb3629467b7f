/**
 * The keyword filter (protocols/filters.md): a Bloom filter of an index's
 * grams and CIDs that says "may match" for every query that matches an
 * entry (never a false negative), under the substring-and-CID rules of
 * matching.ts, with a size bounded by its element count.
 */
import assert from 'node:assert/strict'
import { KeywordFilter as KeywordFilterMessage } from '../../src/pb/filters.js'
import { matches, normalize, queryWords, searchText } from '../../src/sharing/index.js'
import {
  KeywordFilter, InvalidFilterError, decodeFilter, filterBytesFor, MIN_FILTER_BYTES, MAX_FILTER_BYTES, MAX_FILTER_MESSAGE_BYTES
} from '../../src/sharing/routing/index.js'
import { Prng } from '../fuzz/prng.js'

interface Entry { cid: string, filename: string, title: string, keywords: string[] }

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.()[]éèàçñöÅØßÆœ€日本語🎵 \t'

function randomText (rng: Prng, lo: number, hi: number): string {
  const n = rng.range(lo, hi)
  // whole code points, emoji (surrogate pairs) included
  const chars = [...LETTERS]
  return Array.from({ length: n }, () => rng.pick(chars)).join('')
}

function randomCid (rng: Prng): string {
  return 'bafk' + Array.from({ length: 55 }, () => rng.pick([...'abcdefghijklmnopqrstuvwxyz234567'])).join('')
}

function randomEntry (rng: Prng): Entry {
  return {
    cid: randomCid(rng),
    filename: randomText(rng, 1, 40),
    title: rng.chance(0.5) ? randomText(rng, 0, 30) : '',
    keywords: Array.from({ length: rng.int(4) }, () => randomText(rng, 1, 12))
  }
}

/** A query word that matches `e`: a random substring of its text without white space, or its CID. */
function matchingWord (rng: Prng, e: Entry): string | undefined {
  if (rng.chance(0.1)) return e.cid
  const pieces = searchText(e).split(/\s+/).filter(p => p !== '')
  if (pieces.length === 0) return undefined
  const piece = rng.pick(pieces)
  const start = rng.int(piece.length)
  return piece.slice(start, start + rng.range(1, piece.length - start))
}

describe('keyword filter', () => {
  it('never misses: every word that matches an entry may match, over 2,000 random entries and 20,000 words', () => {
    const rng = new Prng(9001)
    for (let round = 0; round < 20; round++) {
      const entries = Array.from({ length: rng.range(1, 200) }, () => randomEntry(rng))
      const filter = KeywordFilter.of(entries)
      for (let q = 0; q < 1_000; q++) {
        const e = rng.pick(entries)
        const words = [matchingWord(rng, e), matchingWord(rng, e)].filter((w): w is string => w != null && w !== '')
        if (words.length === 0) continue
        assert.ok(matches(words, e), `the test's own word ${JSON.stringify(words)} must match ${JSON.stringify(e)}`)
        assert.ok(filter.mayMatch(words), `false negative: ${JSON.stringify(words)} in ${JSON.stringify(searchText(e))} (round ${round})`)
      }
    }
  })

  it('never misses on adversarial texts: one character, two, repeats, lone surrogates, white space runs, a saturated filter', () => {
    const texts = ['a', 'ab', 'aaaaaaaaaaaaaaaa', 'x\ty\nz', '\ud83c', '\udfb5\ud83c', 'a b  c   d', '...', '🎵🎵🎵', 'Ω≈ç√∫', '\u00a0nbsp\u00a0word', 'ÉTÉ été ETE']
    const big: Entry[] = []
    const rng = new Prng(7)
    // far more grams than the largest filter holds at 10 bits each: it saturates, and still never misses
    for (let i = 0; i < 4_000; i++) big.push({ cid: randomCid(rng), filename: randomText(rng, 30, 60), title: '', keywords: [] })
    for (const t of texts) big.push({ cid: randomCid(rng), filename: t, title: t, keywords: [t] })
    const filter = KeywordFilter.of(big)
    assert.equal(filter.bits.byteLength, MAX_FILTER_BYTES)
    for (const e of big.slice(-texts.length)) {
      const text = searchText(e)
      for (let i = 0; i < text.length; i++) {
        for (let j = i + 1; j <= Math.min(text.length, i + 8); j++) {
          const [w] = queryWords([text.slice(i, j)])
          if (w == null || w !== text.slice(i, j)) continue
          assert.ok(filter.mayMatch([w]), `false negative: ${JSON.stringify(w)} in ${JSON.stringify(text)}`)
        }
      }
    }
    // and each small text alone, in a filter of its own (the smallest size)
    for (const t of texts) {
      const e = { cid: 'bafkonly', filename: t, title: '', keywords: [] }
      const alone = KeywordFilter.of([e])
      for (const w of queryWords([t])) assert.ok(alone.mayMatch([w]), `${JSON.stringify(w)} of ${JSON.stringify(t)}`)
    }
  })

  it('follows the matching rules: substrings of filename, title and keywords, case and accents ignored, AND over words', () => {
    const filter = KeywordFilter.of([
      { cid: 'bafkone', filename: 'Moonlight-Sonata.mp3', title: 'Été indien', keywords: ['beethoven'] },
      { cid: 'bafktwo', filename: 'holiday.jpg', title: '', keywords: [] }
    ])
    for (const q of [['sonata'], ['LIGHT-son'], ['ete', 'indien'], ['ÉTÉ'], ['eeth'], ['mp3'], ['o'], ['li'], ['holiday', 'beethoven']]) {
      assert.ok(filter.mayMatch(queryWords(q)), JSON.stringify(q))
    }
    // words absent from every entry: with 2 entries in a 64-byte filter these come out "no" (fixed hashes, so this is deterministic)
    for (const q of [['zebra'], ['quux'], ['sonata', 'xylophone'], ['kw']]) assert.equal(filter.mayMatch(queryWords(q)), false, JSON.stringify(q))
    // a word across a gap between filename and title matches no entry, and the filter knows it
    assert.equal(matches(['mp3ete'], { filename: 'Moonlight-Sonata.mp3', title: 'Été indien', keywords: [] }), false)
  })

  it('matches a CID exactly, as downloads search for one', () => {
    const cid = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
    const filter = KeywordFilter.of([{ cid, filename: 'a.txt', title: '', keywords: [] }])
    assert.ok(filter.mayMatch([cid]))
    assert.equal(filter.mayMatch(['bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zz']), false)
  })

  it('is sized from its element count: 10 bits each, at least 64 bytes, at most 32 KiB', () => {
    assert.equal(filterBytesFor(0), MIN_FILTER_BYTES)
    assert.equal(filterBytesFor(1_000), 1_250)
    assert.equal(filterBytesFor(10_000_000), MAX_FILTER_BYTES)
    assert.equal(KeywordFilter.of([]).bits.byteLength, MIN_FILTER_BYTES)
    const rng = new Prng(3)
    const entries = Array.from({ length: 300 }, () => randomEntry(rng))
    const f = KeywordFilter.of(entries)
    assert.equal(f.bits.byteLength, filterBytesFor(f.elements))
    assert.ok(f.hashes >= 1 && f.hashes <= 16)
  })

  it('has a false-positive rate near the Bloom bound at 10 bits per element', () => {
    const rng = new Prng(11)
    const entries = Array.from({ length: 300 }, () => ({ cid: randomCid(rng), filename: `${rng.word(4, 10)}-${rng.word(3, 8)}-${rng.range(1, 99)}.mp3`, title: '', keywords: [] }))
    const filter = KeywordFilter.of(entries)
    let fp = 0
    let asked = 0
    for (let i = 0; i < 5_000; i++) {
      const w = normalize(`${rng.word(3, 3)}q${rng.word(2, 2)}`)
      if (entries.some(e => matches([w], e))) continue
      asked++
      if (filter.mayMatch([w])) fp++
    }
    // one word of 6 characters needs 4 grams: far below a single element's ~1 %
    assert.ok(fp / asked < 0.01, `false-positive rate ${fp}/${asked}`)
  })

  describe('decoding', () => {
    const good = (over: Partial<KeywordFilterMessage> = {}): Uint8Array => KeywordFilterMessage.encode({
      version: 1, seq: 5, issuedAt: 1, hashes: 7, bits: new Uint8Array(MIN_FILTER_BYTES), elements: 3, ...over
    })

    it('round-trips a filter', () => {
      const f = KeywordFilter.of([{ cid: 'bafkx', filename: 'round-trip.txt', title: '', keywords: [] }])
      const back = decodeFilter(f.encode(42, 1000))
      assert.equal(back.seq, 42)
      assert.deepEqual(back.filter.bits, f.bits)
      assert.equal(back.filter.hashes, f.hashes)
      assert.ok(back.filter.mayMatch(['trip']))
    })

    it('refuses hostile messages with InvalidFilterError', () => {
      const cases: Array<[string, Uint8Array]> = [
        ['version 2', good({ version: 2 })],
        ['no hashes', good({ hashes: 0 })],
        ['17 hashes', good({ hashes: 17 })],
        ['too few bits', good({ bits: new Uint8Array(MIN_FILTER_BYTES - 1) })],
        ['too many bits', good({ bits: new Uint8Array(MAX_FILTER_BYTES + 1) })],
        ['seq 0', good({ seq: 0 })],
        ['over the message limit', new Uint8Array(MAX_FILTER_MESSAGE_BYTES + 1)],
        ['a truncated field', good().slice(0, 5)],
        ['garbage', new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])]
      ]
      for (const [what, bytes] of cases) assert.throws(() => decodeFilter(bytes), { name: 'InvalidFilterError' }, what)
    })

    it('random bytes either decode to a valid filter or throw InvalidFilterError, nothing else', () => {
      const rng = new Prng(5)
      for (let i = 0; i < 2_000; i++) {
        const bytes = rng.chance(0.5) ? rng.bytes(rng.int(200)) : mutate(rng, good())
        try {
          const { filter } = decodeFilter(bytes)
          assert.ok(filter.bits.byteLength >= MIN_FILTER_BYTES && filter.hashes >= 1 && filter.hashes <= 16)
          filter.mayMatch(['anything'])
        } catch (err) {
          assert.ok(err instanceof InvalidFilterError, String(err))
        }
      }
    })
  })
})

function mutate (rng: Prng, bytes: Uint8Array): Uint8Array {
  const out = bytes.slice()
  for (let i = 0; i < 1 + rng.int(4); i++) out[rng.int(out.length)] = rng.int(256)
  return out
}
