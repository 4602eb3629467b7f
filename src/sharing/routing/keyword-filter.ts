import { KeywordFilter as KeywordFilterMessage } from '../../pb/filters.js'
import { searchText } from '../model/matching.js'
import type { IndexEntry } from '../model/types.js'

import { MAX_FILTER_BYTES, MAX_FILTER_MESSAGE_BYTES, MIN_FILTER_BYTES } from '../../protocols/filters.js'

export { MIN_FILTER_BYTES, MAX_FILTER_BYTES, MAX_FILTER_MESSAGE_BYTES }
export const BITS_PER_ELEMENT = 10
export const MAX_HASHES = 16
/**
 * Grams up to this long index substrings: a query word of 4+ characters may match when all its 4-grams are in.
 * 4, not 3: at 3 a word that matches nothing finds all its grams in other words too often (2-9 % per server in
 * benchmarks/filters.ts, 5 extra requests per search at 100 servers); at 4 it is 0.3-1.2 %, for about twice the bytes.
 */
export const GRAM = 4
export const FILTER_VERSION = 1

const SEED_1 = 0x811c9dc5
const SEED_2 = 0x9747b28c
/** Element kinds, hashed in first so a gram and a CID with the same text are distinct elements. */
const KIND_GRAM = 0x67
const KIND_CID = 0x63

export class InvalidFilterError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'InvalidFilterError'
  }
}

/** 32-bit FNV-1a over UTF-16 code units, then murmur3's finalizer (protocols/filters.md). */
function hash32 (seed: number, kind: number, text: string): number {
  let h = Math.imul(seed ^ kind, 0x01000193)
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/**
 * The elements a normalized text adds: every 1-, 2-, 3- and 4-gram (UTF-16 code
 * units) with no white space in it. A query word never holds white space,
 * so grams across a word gap are never asked.
 */
export function gramsOf (text: string, into = new Set<string>()): Set<string> {
  for (let i = 0; i < text.length; i++) {
    for (let n = 1; n <= GRAM && i + n <= text.length; n++) {
      const g = text.slice(i, i + n)
      if (/\s/.test(g[n - 1])) break
      into.add(g)
    }
  }
  return into
}

/** The grams a query word needs: itself when at most a gram long, else each of its 4-grams. */
function gramsNeeded (word: string): string[] {
  if (word.length <= GRAM) return [word]
  const out: string[] = []
  for (let i = 0; i + GRAM <= word.length; i++) out.push(word.slice(i, i + GRAM))
  return out
}

/** Filter size for `elements` distinct elements: ~10 bits each, bounded, a whole number of bytes. */
export function filterBytesFor (elements: number): number {
  return Math.min(MAX_FILTER_BYTES, Math.max(MIN_FILTER_BYTES, Math.ceil(elements * BITS_PER_ELEMENT / 8)))
}

/** k that minimises the false-positive rate for m bits and n elements, within 1..16. */
export function hashesFor (bytes: number, elements: number): number {
  if (elements <= 0) return 1
  return Math.min(MAX_HASHES, Math.max(1, Math.round(bytes * 8 / elements * Math.LN2)))
}

/**
 * A Bloom filter of an index's searchable text (QRP-like, filters.md): it
 * answers "may an entry here match every word?" with false positives but
 * never a false negative, under the matching rules of matching.ts
 * (substring of the normalized text, or exactly the CID; AND over words).
 */
export class KeywordFilter {
  readonly bits: Uint8Array<ArrayBuffer>
  readonly hashes: number
  readonly elements: number

  constructor (bits: Uint8Array<ArrayBuffer>, hashes: number, elements: number) {
    this.bits = bits
    this.hashes = hashes
    this.elements = elements
  }

  /** A filter of these entries' texts and CIDs, sized from their distinct element count. */
  static of (entries: Iterable<Pick<IndexEntry, 'filename' | 'title' | 'keywords' | 'cid'>>): KeywordFilter {
    const grams = new Set<string>()
    const cids = new Set<string>()
    for (const e of entries) {
      gramsOf(searchText(e), grams)
      cids.add(e.cid)
    }
    return KeywordFilter.fromElements(grams, cids)
  }

  /** A filter from raw searchable texts (already normalized) and CIDs: the central index keeps those. */
  static fromTexts (rows: Iterable<{ text: string, cid: string }>): KeywordFilter {
    const grams = new Set<string>()
    const cids = new Set<string>()
    for (const r of rows) {
      gramsOf(r.text, grams)
      cids.add(r.cid)
    }
    return KeywordFilter.fromElements(grams, cids)
  }

  private static fromElements (grams: Set<string>, cids: Set<string>): KeywordFilter {
    const n = grams.size + cids.size
    const bytes = filterBytesFor(n)
    const filter = new KeywordFilter(new Uint8Array(bytes), hashesFor(bytes, n), n)
    for (const g of grams) filter.add(KIND_GRAM, g)
    for (const c of cids) filter.add(KIND_CID, c)
    return filter
  }

  /** Whether an entry may match this (normalized) query word. */
  mayMatchWord (word: string): boolean {
    if (this.has(KIND_CID, word)) return true
    return gramsNeeded(word).every(g => this.has(KIND_GRAM, g))
  }

  /** Whether the index may hold an entry matching every (normalized) word; false is certain. */
  mayMatch (words: string[]): boolean {
    return words.every(w => this.mayMatchWord(w))
  }

  /** Share of bits set: a receiver can tell a saturated filter (near 1: it matches almost anything). */
  fill (): number {
    let set = 0
    for (const b of this.bits) for (let v = b; v !== 0; v &= v - 1) set++
    return set / (this.bits.length * 8)
  }

  encode (seq: number, issuedAt: number): Uint8Array {
    return KeywordFilterMessage.encode({ version: FILTER_VERSION, seq, issuedAt, hashes: this.hashes, bits: this.bits, elements: this.elements })
  }

  private add (kind: number, text: string): void {
    for (const i of this.positions(kind, text)) this.bits[i >>> 3] |= 1 << (i & 7)
  }

  private has (kind: number, text: string): boolean {
    for (const i of this.positions(kind, text)) if ((this.bits[i >>> 3] & (1 << (i & 7))) === 0) return false
    return true
  }

  /** k positions by double hashing: h1 + i * h2 mod m (h2 odd, so the positions differ for any m = 2^a * b). */
  private positions (kind: number, text: string): number[] {
    const m = this.bits.length * 8
    const h1 = hash32(SEED_1, kind, text)
    const h2 = (hash32(SEED_2, kind, text) | 1) >>> 0
    const out: number[] = []
    for (let i = 0; i < this.hashes; i++) out.push(((h1 + Math.imul(i, h2)) >>> 0) % m)
    return out
  }
}

/** A filter message from the network, checked strictly (InvalidFilterError otherwise). */
export function decodeFilter (bytes: Uint8Array): { seq: number, issuedAt: number, filter: KeywordFilter } {
  if (bytes.byteLength > MAX_FILTER_MESSAGE_BYTES) throw new InvalidFilterError(`a filter message of ${bytes.byteLength} bytes exceeds ${MAX_FILTER_MESSAGE_BYTES}`)
  let msg: KeywordFilterMessage
  try {
    msg = KeywordFilterMessage.decode(bytes)
  } catch (err: any) {
    throw new InvalidFilterError(`malformed filter: ${err.message}`)
  }
  if (msg.version !== FILTER_VERSION) throw new InvalidFilterError(`filter version ${msg.version} is not supported (expected ${FILTER_VERSION})`)
  if (msg.bits.byteLength < MIN_FILTER_BYTES || msg.bits.byteLength > MAX_FILTER_BYTES) {
    throw new InvalidFilterError(`a filter of ${msg.bits.byteLength} bytes is outside ${MIN_FILTER_BYTES}..${MAX_FILTER_BYTES}`)
  }
  if (!Number.isInteger(msg.hashes) || msg.hashes < 1 || msg.hashes > MAX_HASHES) throw new InvalidFilterError(`a filter needs 1..${MAX_HASHES} hashes, not ${msg.hashes}`)
  if (!Number.isSafeInteger(msg.seq) || msg.seq < 1) throw new InvalidFilterError(`a filter's seq must be a positive integer, not ${msg.seq}`)
  // a copy, so the filter does not pin the whole gossipsub message buffer
  return { seq: msg.seq, issuedAt: msg.issuedAt, filter: new KeywordFilter(msg.bits.slice(), msg.hashes, msg.elements) }
}
