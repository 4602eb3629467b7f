import { matches } from './model/matching.js'
import type { IndexEntry } from './model/types.js'

export class IndexLimitError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'IndexLimitError'
  }
}

/**
 * A virtual server's index of its group (NET-6): every member's entries,
 * kept in memory, replaced or updated by the members' pushes and dropped
 * when a member leaves the group.
 */
export class SubnetIndex {
  private readonly byProvider = new Map<string, Map<string, IndexEntry>>()

  constructor (private readonly maxPerProvider = 50_000) {}

  /** Applies an update whole, or not at all (IndexLimitError). */
  apply (provider: string, update: { reset: boolean, added: IndexEntry[], removed: string[] }): number {
    const current = update.reset ? new Map<string, IndexEntry>() : this.byProvider.get(provider) ?? new Map<string, IndexEntry>()
    // the size the update would leave, worked out first so a refused update changes nothing (no copy of the map per delta)
    const removed = new Set(update.removed.filter(cid => current.has(cid)))
    const added = new Set(update.added.map(e => e.cid).filter(cid => !current.has(cid) || removed.has(cid)))
    if (current.size - removed.size + added.size > this.maxPerProvider) throw new IndexLimitError(`at most ${this.maxPerProvider} entries per provider`)
    for (const cid of removed) current.delete(cid)
    for (const e of update.added) current.set(e.cid, e)
    this.byProvider.set(provider, current)
    return current.size
  }

  /** Whether a snapshot (even an empty one) of `provider` is held. */
  holds (provider: string): boolean {
    return this.byProvider.has(provider)
  }

  drop (provider: string): void {
    this.byProvider.delete(provider)
  }

  /** Keeps only these providers (the current group). */
  retain (providers: Set<string>): void {
    for (const p of this.byProvider.keys()) if (!providers.has(p)) this.byProvider.delete(p)
  }

  clear (): void {
    this.byProvider.clear()
  }

  providers (): string[] {
    return [...this.byProvider.keys()]
  }

  size (): number {
    let n = 0
    for (const entries of this.byProvider.values()) n += entries.size
    return n
  }

  /** Every entry held, of every provider. */
  * entries (): Generator<IndexEntry> {
    for (const entries of this.byProvider.values()) yield * entries.values()
  }

  search (words: string[], limit: number): IndexEntry[] {
    const out: IndexEntry[] = []
    for (const entries of this.byProvider.values()) {
      for (const e of entries.values()) {
        if (matches(words, e)) {
          out.push(e)
          if (out.length >= limit) return out
        }
      }
    }
    return out
  }
}
