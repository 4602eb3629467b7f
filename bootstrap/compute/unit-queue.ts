/**
 * The units of one running job that want replicas, without scanning the
 * units table: `fresh` holds the units never handed out, in the order they
 * are handed out (unit order; by cost in priority mode), consumed from the
 * head (and, in priority mode, from the tail by slower providers); `partial`
 * holds units already handed out that want more replicas (a second replica,
 * a reissue, one more after a disagreement), in unit order.
 */
export class UnitQueue {
  private head = 0
  private tail: number
  private partial: number[] = []

  constructor (private readonly fresh: Uint32Array, partial: Iterable<number> = []) {
    this.tail = fresh.length
    for (const i of partial) this.addPartial(i)
  }

  /** Units never handed out. */
  get freshLeft (): number {
    return this.tail - this.head
  }

  get partialCount (): number {
    return this.partial.length
  }

  hasWork (): boolean {
    return this.partial.length > 0 || this.head < this.tail
  }

  /** The next unit never handed out: the first in order, or with `fromEnd` the last. */
  takeFresh (fromEnd = false): number | undefined {
    if (this.head >= this.tail) return undefined
    return fromEnd ? this.fresh[--this.tail] : this.fresh[this.head++]
  }

  /** Puts back a unit taken with takeFresh that could not be handed out after all. */
  untakeFresh (index: number, fromEnd = false): void {
    if (fromEnd) this.fresh[this.tail++] = index
    else this.fresh[--this.head] = index
  }

  addPartial (index: number): void {
    const list = this.partial
    if (list.length === 0 || list[list.length - 1] < index) {
      list.push(index)
      return
    }
    const at = lowerBound(list, index)
    if (list[at] !== index) list.splice(at, 0, index)
  }

  removePartial (index: number): void {
    const at = lowerBound(this.partial, index)
    if (this.partial[at] === index) this.partial.splice(at, 1)
  }

  /**
   * Visits the partial units in order until `done()` says stop; `visit`
   * answers whether the unit stays in the queue. One pass, compacting as it
   * goes.
   */
  visitPartial (visit: (index: number) => boolean, done: () => boolean): void {
    const list = this.partial
    let w = 0
    let r = 0
    for (; r < list.length; r++) {
      if (done()) break
      const index = list[r]
      if (visit(index)) list[w++] = index
    }
    if (w === r) return
    for (; r < list.length; r++) list[w++] = list[r]
    list.length = w
  }

  /** Forgets every unit (the job ended). */
  clear (): void {
    this.head = this.tail
    this.partial = []
  }
}

/** The first position in the sorted `list` whose value is not below `value`. */
function lowerBound (list: number[], value: number): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (list[mid] < value) lo = mid + 1
    else hi = mid
  }
  return lo
}
