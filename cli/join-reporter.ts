/**
 * The daemon's console lines about joining the bootstrap: the first failure,
 * then one line each time the reason changes (not one per retry: the node
 * retries every few seconds), each with the next retry time; and one line
 * when it joins after failures.
 */
export class JoinReporter {
  private shown?: string

  /** The line to print for a failed attempt, or undefined when its reason was already printed. */
  failed (failure: { reason: string, nextRetryAt: number }, now = Date.now()): string | undefined {
    if (failure.reason === this.shown) return undefined
    this.shown = failure.reason
    return `cannot join the bootstrap: ${failure.reason}; retrying at ${clock(failure.nextRetryAt)} (in ${inSeconds(failure.nextRetryAt - now)})`
  }

  /** The line to print once the node joined, or undefined when it joined at the first try. */
  joined (failedAttempts: number): string | undefined {
    this.shown = undefined
    if (failedAttempts === 0) return undefined
    return `joined the bootstrap after ${failedAttempts} failed attempt${failedAttempts === 1 ? '' : 's'}`
  }
}

/** Local wall-clock time, HH:MM:SS. */
function clock (at: number): string {
  const d = new Date(at)
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map(n => String(n).padStart(2, '0')).join(':')
}

function inSeconds (ms: number): string {
  const s = Math.max(0, ms) / 1000
  return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`
}
