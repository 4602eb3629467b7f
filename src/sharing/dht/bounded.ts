/** Runs `fn` over `items` with at most `concurrency` calls in flight, yielding results as they finish. `fn` must not reject. */
export async function * mapUnordered<T, R> (items: Iterable<T>, concurrency: number, fn: (item: T) => Promise<R>): AsyncGenerator<R> {
  const source = items[Symbol.iterator]()
  const running = new Map<number, Promise<[number, R]>>()
  let next = 0
  const launch = (): boolean => {
    const item = source.next()
    if (item.done === true) return false
    const id = next++
    running.set(id, fn(item.value).then(result => [id, result]))
    return true
  }
  while (running.size < Math.max(1, concurrency) && launch());
  while (running.size > 0) {
    const [id, result] = await Promise.race(running.values())
    running.delete(id)
    launch()
    yield result
  }
}

/** A signal that aborts when any of `signals` does, or after `ms`. */
export function deadline (ms: number, ...signals: Array<AbortSignal | undefined>): AbortSignal {
  return AbortSignal.any([AbortSignal.timeout(ms), ...signals.filter((s): s is AbortSignal => s != null)])
}
