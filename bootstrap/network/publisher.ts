/**
 * Coalesces table changes: a burst of joins in one subnet becomes one
 * publication per `delayMs`, which keeps the bootstrap's gossip traffic per
 * join low.
 */
export class DebouncedPublisher {
  private readonly pending = new Set<string>()
  private timer?: ReturnType<typeof setTimeout>

  constructor (private readonly delayMs: number, private readonly publish: (subnet: string) => Promise<void>) {}

  schedule (subnets: Iterable<string>): void {
    for (const s of subnets) this.pending.add(s)
    if (this.timer == null && this.pending.size > 0) {
      this.timer = setTimeout(() => { void this.flush() }, this.delayMs)
    }
  }

  async flush (): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    const subnets = [...this.pending]
    this.pending.clear()
    await Promise.all(subnets.map(async s => this.publish(s)))
  }

  stop (): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.pending.clear()
  }
}
