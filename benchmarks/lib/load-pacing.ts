/**
 * How a benchmark starts its searches: a closed loop (a fixed number in
 * flight, the next when one ends) or an open one (a fixed rate of starts,
 * whether or not the earlier ones have answered, as users search), which
 * compares two systems at the same offered load.
 */
import { now, sleep } from './clock.js'

/** An open loop's searches in flight at most; past it, the next waits (counted as started late). */
export const PACED_MAX_IN_FLIGHT = 64

/** Runs `searches` with `concurrency` in flight; returns 0 (no search waits for a start time). */
export async function closedLoop<T> (searches: T[], concurrency: number, deadline: number, runOne: (s: T) => Promise<void>): Promise<number> {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < searches.length && now() < deadline) await runOne(searches[next++])
  }))
  return 0
}

/** Starts search i at i / perSec s, at most PACED_MAX_IN_FLIGHT at once; returns how many started late for that bound. */
export async function paced<T> (searches: T[], perSec: number, deadline: number, runOne: (s: T) => Promise<void>): Promise<number> {
  const t0 = now()
  const running = new Set<Promise<void>>()
  let late = 0
  for (let i = 0; i < searches.length && now() < deadline; i++) {
    const wait = t0 + i * 1000 / perSec - now()
    if (wait > 0) await sleep(wait)
    if (running.size >= PACED_MAX_IN_FLIGHT) {
      late++
      await Promise.race(running)
    }
    const p: Promise<void> = runOne(searches[i]).finally(() => running.delete(p))
    running.add(p)
  }
  await Promise.all(running)
  return late
}
