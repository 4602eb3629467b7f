/**
 * Wall-clock milliseconds with sub-millisecond resolution. Every benchmark
 * process uses it, so times taken in different processes on this machine
 * can be subtracted from each other.
 */
export function now (): number {
  return performance.timeOrigin + performance.now()
}

export async function sleep (ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, Math.max(0, ms)))
}

/** Polls `check` every `everyMs` until it returns something other than undefined/false; undefined after `timeoutMs`. */
export async function pollUntil<T> (check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, everyMs = 50): Promise<T | undefined> {
  const deadline = now() + timeoutMs
  while (true) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (now() >= deadline) return undefined
    await sleep(everyMs)
  }
}
