/**
 * Words, as the DHT index sees them. The validator re-derives an entry's
 * words to check that a record only lists files that really contain its
 * word, so this is part of the wire contract: changing it needs a new
 * record version.
 */
import { MAX_QUERY_WORDS, MAX_WORDS_PER_FILE, MAX_WORD_CHARS, MIN_WORD_CHARS } from './constants.js'
import type { IndexEntry } from '../model/types.js'

export type Described = Pick<IndexEntry, 'filename' | 'title' | 'keywords'>

/**
 * Compatibility decomposition (NFKD: "ﬁ" → "fi", full-width → ASCII),
 * combining marks removed ("É" → "E"), recomposed (NFC, so Hangul stays
 * syllables), then lower case.
 */
export function normalizeText (text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').normalize('NFC').toLowerCase()
}

/** The distinct words of a text: runs of letters and digits, at least 2 characters, cut to 64. */
export function tokenize (text: string): string[] {
  const out = new Set<string>()
  for (const run of normalizeText(text).split(/[^\p{L}\p{N}]+/u)) {
    const chars = [...run]
    if (chars.length < MIN_WORD_CHARS) continue
    out.add(chars.length > MAX_WORD_CHARS ? chars.slice(0, MAX_WORD_CHARS).join('') : run)
  }
  return [...out]
}

/** Whether `word` is already in the form tokenize() produces. */
export function isCanonicalWord (word: string): boolean {
  const words = tokenize(word)
  return words.length === 1 && words[0] === word
}

/** Every word of a file: its keywords, title and filename. */
export function entryWords (e: Described): Set<string> {
  return new Set([...e.keywords, e.title, e.filename].flatMap(tokenize))
}

/** The words a file is published under: keywords first, then title, then filename, at most `max`. */
export function indexWords (e: Described, max = MAX_WORDS_PER_FILE): string[] {
  return [...entryWords(e)].slice(0, max)
}

/** The words of a query: each given string split into words, duplicates dropped, at most 8. */
export function queryWords (words: string[]): string[] {
  return [...new Set(words.flatMap(tokenize))].slice(0, MAX_QUERY_WORDS)
}

/**
 * AND over the query words. A word matches when it appears anywhere in the
 * normalized filename, title or keywords, as the other search tiers match;
 * the word a record was found under is, in addition, a whole word of it.
 */
export function matchesAll (words: string[], e: Described): boolean {
  if (words.length === 0) return false
  const text = normalizeText([...e.keywords, e.title, e.filename].join(' '))
  return words.every(w => text.includes(w))
}
