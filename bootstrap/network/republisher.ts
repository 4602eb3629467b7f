/**
 * Sends each subnet's last table again after a change, at growing delays,
 * then at a steady pace. Gossipsub drops a message for a subscriber whose
 * outbound stream is not open yet, and it never resends it; without this, a
 * peer could miss its promotion for good. The bytes are sent unchanged, so
 * a peer that already has the table ignores them (same seq).
 */
export class Republisher {
  private readonly entries = new Map<string, { bytes: Uint8Array, step: number, due: number }>()
  private timer?: ReturnType<typeof setInterval>

  constructor (
    private readonly send: (subnet: string, bytes: Uint8Array) => Promise<void>,
    /** delays after a change, in ms from the change */
    private readonly afterChangeMs: number[] = [1_000, 3_000, 10_000],
    /** then every this many ms */
    private readonly steadyMs = 30_000,
    private readonly now: () => number = Date.now
  ) {}

  start (tickMs = 250): void {
    this.timer = setInterval(() => { void this.tick() }, tickMs)
  }

  stop (): void {
    clearInterval(this.timer)
    this.entries.clear()
  }

  /** A fresh table was published for `subnet`: restart its schedule. */
  published (subnet: string, bytes: Uint8Array): void {
    this.entries.set(subnet, { bytes, step: 0, due: this.now() + this.afterChangeMs[0] })
  }

  /** A peer subscribed: send the last table at once, then follow the after-change schedule. */
  async resend (subnet: string): Promise<void> {
    const entry = this.entries.get(subnet)
    if (entry == null) return
    this.published(subnet, entry.bytes)
    await this.send(subnet, entry.bytes)
  }

  forget (subnet: string): void {
    this.entries.delete(subnet)
  }

  async tick (): Promise<void> {
    const now = this.now()
    const due: Array<[string, Uint8Array]> = []
    for (const [subnet, entry] of this.entries) {
      if (entry.due > now) continue
      entry.step++
      const next = this.afterChangeMs[entry.step]
      entry.due = next == null ? now + this.steadyMs : now + next - this.afterChangeMs[entry.step - 1]
      due.push([subnet, entry.bytes])
    }
    await Promise.all(due.map(async ([subnet, bytes]) => this.send(subnet, bytes)))
  }
}
