/** Settings of a DirectorySchedule; every one has a default. */
export interface DirectoryScheduleInit {
  /** changes and subscriptions within this long are answered by one send (ms) */
  debounceMs?: number
  /** the directory's share of the bootstrap's upload, averaged over sends (bytes per second) */
  bytesPerSec?: number
  /** the longest wait the byte budget may impose between two sends (ms) */
  maxGapMs?: number
  /** repeats of a new directory, in ms after it was sent, for followers whose gossip stream was not open yet */
  repeatsMs?: number[]
  /** with nothing else to send, the last directory goes again after this long (ms) */
  steadyMs?: number
  now?: () => number
}

/**
 * When the bootstrap sends the directory, and whether it is a new one or a
 * repeat. Every send goes to every follower (gossipsub has no unicast), so
 * one send costs (directory bytes) x (followers), and both grow with the
 * network. Sends are therefore paced by a byte budget: after a send of B
 * bytes to F followers, the next waits B x F / bytesPerSec (at least
 * debounceMs, at most maxGapMs). Whatever asked for a send meanwhile (a
 * change, new followers, a repeat) is served by that next send. The
 * directory's bytes per second stay under the budget at any network size,
 * so its cost per join does not grow; in a small network the pace is the
 * debounce, as before.
 */
export class DirectorySchedule {
  private readonly debounceMs: number
  private readonly bytesPerSec: number
  private readonly maxGapMs: number
  private readonly repeatsMs: number[]
  private readonly steadyMs: number
  private readonly now: () => number
  /** earliest time a send was asked for, if one was */
  private wantedAt?: number
  /** the directory may have changed since the last send */
  private dirty = true
  /** new followers since the last send: the last directory must go again even if unchanged */
  private followersWaiting = false
  private lastSentAt = -Infinity
  private lastCost = 0
  /** when the current directory was first sent, for its repeats (none before the first) */
  private publishedAt?: number
  private repeatsDone = 0

  constructor (init: DirectoryScheduleInit = {}) {
    this.debounceMs = init.debounceMs ?? 1_000
    this.bytesPerSec = init.bytesPerSec ?? 64 * 1024
    this.maxGapMs = init.maxGapMs ?? 60_000
    this.repeatsMs = init.repeatsMs ?? [3_000, 10_000]
    this.steadyMs = init.steadyMs ?? 120_000
    this.now = init.now ?? Date.now
  }

  /** The set of virtual servers may have changed. */
  changed (): void {
    this.dirty = true
    this.want(this.now() + this.debounceMs)
  }

  /** A peer started following the directory: it has none yet. */
  subscribed (): void {
    this.followersWaiting = true
    this.want(this.now() + this.debounceMs)
  }

  /** When to look again: a send asked for, or the next repeat or steady resend, paced by the budget. */
  nextAt (): number {
    return Math.max(Math.min(this.wantedAt ?? Infinity, this.passiveAt()), this.lastSentAt + this.gapMs())
  }

  /**
   * What to do now, if anything: `rebuild` the directory (send it if it
   * differs from the last), and `resend` the last one when it does not.
   * Takes the requests: a change or a subscription after this call asks for
   * another send. Call done() with the outcome.
   */
  take (): { rebuild: boolean, resend: boolean } | undefined {
    const now = this.now()
    if (now < this.nextAt()) return undefined
    const work = { rebuild: this.dirty, resend: this.followersWaiting || this.passiveAt() <= now }
    this.dirty = false
    this.followersWaiting = false
    this.wantedAt = undefined
    return work
  }

  /** The outcome of a take(): `fresh` when a new directory went out, `cost` its bytes times its followers; undefined when nothing was sent. */
  done (sent?: { fresh: boolean, cost: number }): void {
    if (sent == null) return
    const now = this.now()
    this.lastSentAt = now
    this.lastCost = sent.cost
    if (sent.fresh || this.publishedAt == null) {
      this.publishedAt = now
      this.repeatsDone = 0
    }
    while (this.repeatsDone < this.repeatsMs.length && this.publishedAt + this.repeatsMs[this.repeatsDone] <= now) this.repeatsDone++
  }

  /** The wait the last send's cost imposes before the next. */
  gapMs (): number {
    return Math.min(this.maxGapMs, Math.max(this.debounceMs, 1000 * this.lastCost / this.bytesPerSec))
  }

  /** With nothing asked for: the next repeat of a new directory, or the steady resend (never before a first send). */
  private passiveAt (): number {
    if (this.publishedAt == null) return Infinity
    const repeat = this.repeatsMs[this.repeatsDone]
    return repeat != null ? this.publishedAt + repeat : this.lastSentAt + this.steadyMs
  }

  private want (at: number): void {
    this.wantedAt = Math.min(this.wantedAt ?? Infinity, at)
  }
}
