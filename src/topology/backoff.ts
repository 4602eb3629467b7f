/** Exponential back-off with jitter, for reconnecting to the bootstrap. */
export class Backoff {
  private next: number

  constructor (private readonly initialMs: number, private readonly maxMs: number) {
    this.next = initialMs
  }

  /** The delay to wait now; each call doubles the following one, up to the maximum. */
  delay (): number {
    const base = this.next
    this.next = Math.min(this.maxMs, this.next * 2)
    return Math.round(base * (0.75 + Math.random() * 0.5))
  }

  reset (): void {
    this.next = this.initialMs
  }
}
