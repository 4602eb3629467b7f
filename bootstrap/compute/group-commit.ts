/**
 * Group commit: requests that arrive together (in one turn of the event
 * loop) are applied in one SQLite transaction, so that a burst of small
 * FETCHes and REPORTs from many providers costs one fsync, not one each.
 * Each request still sees its own answer; nobody is answered before the
 * transaction holding its changes is on disk.
 */
export class GroupCommit {
  private queue: Array<{ fn: () => unknown, resolve: (v: any) => void, reject: (err: unknown) => void }> = []
  private scheduled = false

  /**
   * @param atomically runs a function in one transaction, rolling it all back if it throws
   * @param isRefusal tells a refused request (nothing changed; the others go on) from a fault (the whole batch is rolled back)
   */
  constructor (private readonly atomically: (fn: () => void) => void, private readonly isRefusal: (err: unknown) => boolean) {}

  /** Queues `fn` for the next batch; resolves with its result once the batch is committed. */
  async run<T> (fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve, reject })
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(() => { this.flush() })
      }
    })
  }

  /** Applies what is queued now. */
  flush (): void {
    this.scheduled = false
    const batch = this.queue
    this.queue = []
    if (batch.length === 0) return
    const outcomes: Array<{ ok: true, value: unknown } | { ok: false, err: unknown }> = []
    try {
      this.atomically(() => {
        for (const item of batch) {
          try {
            outcomes.push({ ok: true, value: item.fn() })
          } catch (err) {
            if (!this.isRefusal(err)) throw err
            outcomes.push({ ok: false, err })
          }
        }
      })
    } catch (err) {
      for (const item of batch) item.reject(err)
      return
    }
    batch.forEach((item, i) => {
      const o = outcomes[i]
      if (o.ok) item.resolve(o.value)
      else item.reject(o.err)
    })
  }
}
