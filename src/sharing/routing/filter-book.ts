import { byNearness } from './nearness.js'
import type { KeywordFilter } from './keyword-filter.js'

/** As many filters as the directory has servers at most (4,096), plus the bootstrap's. */
export const MAX_BOOK_FILTERS = 4_097
/** All filters held together: 4,096 full-size ones would be 128 MiB, so a book holds at most this (the rest count as unknown: asked, never missed). */
export const MAX_BOOK_BYTES = 16 * 1024 * 1024

export interface ServerLike { peerId: string, subnet: string }

export interface Route<T extends ServerLike> {
  /** servers whose filter may match every word, nearest first; then those whose filter is unknown, nearest first */
  servers: T[]
  /** whether the central index's filter may match (or is not known) */
  centralMayMatch: boolean
  /** servers left out because their filter cannot match */
  pruned: number
}

/**
 * The newest keyword filter of each publisher (a virtual server, or the
 * bootstrap for its central index), bounded in count and bytes. Which
 * publishers count is decided at routing time, from the current directory.
 */
export class FilterBook {
  private readonly filters = new Map<string, { seq: number, filter: KeywordFilter }>()
  private bytes = 0

  constructor (private readonly maxFilters = MAX_BOOK_FILTERS, private readonly maxBytes = MAX_BOOK_BYTES) {}

  /**
   * Keeps `filter` if it is newer than the one held for `publisher`. When
   * the book is full, a filter of a publisher that is no server now makes
   * room; otherwise the new one is dropped (its server counts as unknown).
   */
  put (publisher: string, seq: number, filter: KeywordFilter, isServer: (peerId: string) => boolean): boolean {
    const held = this.filters.get(publisher)
    if (held != null && held.seq >= seq) return false
    const size = filter.bits.byteLength
    const freed = held?.filter.bits.byteLength ?? 0
    while ((held == null && this.filters.size >= this.maxFilters) || this.bytes - freed + size > this.maxBytes) {
      const stale = [...this.filters.keys()].find(id => id !== publisher && !isServer(id))
      if (stale == null) return false
      this.delete(stale)
    }
    this.delete(publisher)
    this.filters.set(publisher, { seq, filter })
    this.bytes += size
    return true
  }

  get (publisher: string): KeywordFilter | undefined {
    return this.filters.get(publisher)?.filter
  }

  seqOf (publisher: string): number | undefined {
    return this.filters.get(publisher)?.seq
  }

  delete (publisher: string): void {
    const held = this.filters.get(publisher)
    if (held == null) return
    this.bytes -= held.filter.bits.byteLength
    this.filters.delete(publisher)
  }

  /** Drops the filters of publishers that are no servers now. */
  retain (isServer: (peerId: string) => boolean): void {
    for (const id of [...this.filters.keys()]) if (!isServer(id)) this.delete(id)
  }

  get size (): number {
    return this.filters.size
  }

  get byteSize (): number {
    return this.bytes
  }

  /**
   * The servers (of the directory, as given) to ask for `words`, nearest to
   * `subnet` first: every server whose filter may match every word, then
   * every server whose filter is not known yet. No server that holds a
   * match is ever left out (filters have no false negatives).
   */
  route<T extends ServerLike> (words: string[], servers: T[], subnet: string, centralId?: string): Route<T> {
    const known: T[] = []
    const unknown: T[] = []
    for (const s of servers) {
      const f = this.get(s.peerId)
      if (f == null) unknown.push(s)
      else if (f.mayMatch(words)) known.push(s)
    }
    const central = centralId == null ? undefined : this.get(centralId)
    return {
      servers: [...byNearness(subnet, known), ...byNearness(subnet, unknown)],
      centralMayMatch: central == null || central.mayMatch(words),
      pruned: servers.length - known.length - unknown.length
    }
  }
}
