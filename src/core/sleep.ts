/** Waits `ms`; an abort rejects with the signal's reason. */
export async function sleep (ms: number, signal?: AbortSignal): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    signal?.throwIfAborted()
    const onAbort = (): void => { clearTimeout(timer); reject(signal?.reason) }
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** Waits `ms`, or less when the signal aborts: for loops that check the signal themselves. */
export async function pause (ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return
  await new Promise<void>(resolve => {
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
    function done (): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}

/** A loop's pause that other code can cut short with wake(), e.g. when new work arrives. */
export class WakeablePause {
  private wakeUp?: () => void

  async pause (ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return
    await new Promise<void>(resolve => {
      const done = (): void => {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        if (this.wakeUp === done) this.wakeUp = undefined
        resolve()
      }
      const timer = setTimeout(done, Math.max(0, ms))
      signal.addEventListener('abort', done, { once: true })
      this.wakeUp = done
    })
  }

  wake (): void {
    this.wakeUp?.()
  }
}
