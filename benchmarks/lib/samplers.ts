/** Repeated latency samples for benchmark yardsticks (a bare stream echo, while idle or while a phase runs). */
import { now, sleep } from './clock.js'

export interface Samples { ms: number[], failures: number }

/** `fn` up to `count` times, one after another, within `maxMs`. */
export async function sampleMany (fn: () => Promise<number>, count: number, maxMs: number): Promise<Samples> {
  const ms: number[] = []
  let failures = 0
  const deadline = now() + maxMs
  for (let i = 0; i < count && now() < deadline; i++) {
    try {
      ms.push(await fn())
    } catch {
      failures++
    }
  }
  return { ms, failures }
}

/** `fn` every `everyMs` while `go()` holds, within `maxMs` and at most `maxSamples` times. */
export async function sampleWhile (go: () => boolean, fn: () => Promise<number>, everyMs: number, maxMs: number, maxSamples: number): Promise<Samples> {
  const ms: number[] = []
  let failures = 0
  const deadline = now() + maxMs
  for (let i = 0; go() && now() < deadline && i < maxSamples; i++) {
    try {
      ms.push(await fn())
    } catch {
      failures++
    }
    await sleep(everyMs)
  }
  return { ms, failures }
}

/** One sample of the yardsticks under load: a stream exchange, a new connection, or a failure. */
export interface LoadedSample { stream?: number, connect?: number, failed?: boolean }

/** Samples `fn` every `everyMs` while `go()` holds, at most `maxMs` and 2,000 times; a throw counts as a failed sample. */
export async function sampleEach (go: () => boolean, fn: (i: number) => Promise<LoadedSample>, everyMs: number, maxMs: number): Promise<LoadedSample[]> {
  const out: LoadedSample[] = []
  const deadline = now() + maxMs
  for (let i = 0; go() && now() < deadline && i < 2_000; i++) {
    try {
      out.push(await fn(i))
    } catch {
      out.push({ failed: true })
    }
    await sleep(everyMs)
  }
  return out
}
