/**
 * Which pieces are still wanted, and who is fetching which: the shared
 * work list of a multi-source download. Each provider pulls the next batch
 * when it has room (work stealing), so fast providers simply take more.
 * Once nothing is left to hand out, an idle provider may also take a piece
 * another one is still fetching (end game), so one slow provider does not
 * hold up the end; the first verified copy wins.
 */
export class PieceQueue {
  /** 0 wanted, 1 being fetched, 2 done */
  private readonly state: Uint8Array
  private readonly holders = new Map<number, Set<string>>()
  /** pieces handed back (their provider failed), served before the cursor moves on */
  private readonly returned: number[] = []
  private cursor = 0
  private doneCount = 0
  private waiters: Array<() => void> = []

  constructor (readonly total: number, have: (index: number) => boolean = () => false, private readonly maxCopies = 2) {
    this.state = new Uint8Array(total)
    for (let i = 0; i < total; i++) {
      if (have(i)) {
        this.state[i] = 2
        this.doneCount++
      }
    }
  }

  get done (): number {
    return this.doneCount
  }

  get complete (): boolean {
    return this.doneCount === this.total
  }

  isDone (index: number): boolean {
    return this.state[index] === 2
  }

  /**
   * Up to `max` pieces for `provider`: wanted ones first, in order; when none
   * are left, pieces being fetched by others (at most `maxCopies` fetches each).
   */
  take (provider: string, max: number): number[] {
    const out: number[] = []
    while (out.length < max && this.returned.length > 0) {
      const index = this.returned.shift() as number
      if (this.state[index] === 0) this.claim(index, provider, out)
    }
    while (out.length < max && this.cursor < this.total) {
      const index = this.cursor++
      if (this.state[index] === 0) this.claim(index, provider, out)
    }
    if (out.length === 0) {
      for (const [index, who] of this.holders) {
        if (out.length >= max) break
        if (!who.has(provider) && who.size < this.maxCopies) this.claim(index, provider, out)
      }
    }
    return out
  }

  /** Marks a verified piece done. False if another copy got there first (drop this one). */
  finish (index: number): boolean {
    if (this.state[index] === 2) return false
    this.state[index] = 2
    this.holders.delete(index)
    this.doneCount++
    this.wake()
    return true
  }

  /** Gives back pieces `provider` will not deliver; those nobody else is fetching are wanted again. */
  release (provider: string, indices: Iterable<number>): void {
    for (const index of indices) {
      const who = this.holders.get(index)
      if (who == null || !who.delete(provider)) continue
      if (who.size === 0) {
        this.holders.delete(index)
        this.state[index] = 0
        this.returned.push(index)
      }
    }
    this.wake()
  }

  /** Resolves at the next change (a piece done or given back), or after `ms`. */
  async changed (ms: number): Promise<void> {
    await new Promise<void>(resolve => {
      const timer = setTimeout(done, ms)
      function done (): void {
        clearTimeout(timer)
        resolve()
      }
      this.waiters.push(done)
    })
  }

  /** Wakes every waiter, for example when a provider is dropped. */
  wake (): void {
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }

  private claim (index: number, provider: string, out: number[]): void {
    this.state[index] = 1
    let who = this.holders.get(index)
    if (who == null) {
      who = new Set()
      this.holders.set(index, who)
    }
    who.add(provider)
    out.push(index)
  }
}
