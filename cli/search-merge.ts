/** One result as `search` prints it: a CID with the providers and names every tier reported. */
export interface MergedResult {
  cid: string
  filename: string
  directory: string
  size: number
  title: string
  /** every provider any tier reported */
  providers: string[]
  /** every distinct file name, the first one first */
  names: string[]
  /** the nearest tier that reported it */
  tier: string
  /** when it was first reported, in ms since the search started */
  ms: number
}

interface ResultLine { cid: string, filename: string, directory: string, size: number, title: string, providers: string[], names?: string[], tier: string, ms: number }

/**
 * Folds the result lines of a search asked for every provider (a farther
 * tier reports a CID again with the providers it adds) into one result per
 * CID, in the order they were first reported.
 */
export class SearchMerge {
  private readonly byCid = new Map<string, MergedResult>()

  add (line: ResultLine): void {
    let r = this.byCid.get(line.cid)
    if (r == null) {
      r = { cid: line.cid, filename: line.filename, directory: line.directory, size: line.size, title: line.title, providers: [], names: [], tier: line.tier, ms: line.ms }
      this.byCid.set(line.cid, r)
    }
    for (const p of line.providers) if (!r.providers.includes(p)) r.providers.push(p)
    for (const n of line.names ?? [line.filename]) if (!r.names.includes(n)) r.names.push(n)
  }

  results (): MergedResult[] {
    return [...this.byCid.values()]
  }
}
