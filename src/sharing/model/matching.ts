import type { IndexEntry } from './types.js'

/** Lower case, accents removed: "Été" and "ete" match. */
export function normalize (text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
}

/** The words of a query, normalized; empty words dropped. */
export function queryWords (words: string[]): string[] {
  return words.flatMap(w => normalize(w).split(/\s+/)).filter(w => w !== '')
}

/** What a query is matched against: filename, title and keywords. */
export function searchText (e: Pick<IndexEntry, 'filename' | 'title' | 'keywords'>): string {
  return normalize([e.filename, e.title, ...e.keywords].join(' '))
}

/**
 * AND over the words: every word appears in the filename, the title or a
 * keyword, or is the entry's CID (exactly: that is how a download finds the
 * providers of a file).
 */
export function matches (words: string[], e: Pick<IndexEntry, 'filename' | 'title' | 'keywords'> & { cid?: string }): boolean {
  if (words.length === 0) return false
  const text = searchText(e)
  return words.every(w => text.includes(w) || w === e.cid)
}
