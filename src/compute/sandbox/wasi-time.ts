/**
 * Clocks, sleeping and randomness for the unit. Sleeping blocks the
 * worker thread (Atomics.wait); terminating the worker still interrupts it.
 * Clocks and random bytes make output nondeterministic: applications that
 * rely on a quorum of identical results must not use them.
 */
import { Errno, type GuestMemory } from './guest-memory.js'
import { CLOCK, ERRNO, SUBCLOCK_ABSTIME, SUBSCRIPTION_CLOCK } from './wasi-abi.js'

const MAX_SUBSCRIPTIONS = 64
const SUBSCRIPTION_BYTES = 48
const EVENT_BYTES = 32
const RANDOM_CHUNK = 65536

const started = process.hrtime.bigint()
const sleeper = new Int32Array(new SharedArrayBuffer(4))

/** nanoseconds on clock `id` */
export function now (id: number): bigint {
  switch (id) {
    case CLOCK.REALTIME: return BigInt(Math.floor((performance.timeOrigin + performance.now()) * 1000)) * 1000n
    case CLOCK.MONOTONIC: return process.hrtime.bigint()
    // the worker runs nothing but the unit, so its elapsed time stands for CPU time
    case CLOCK.PROCESS_CPUTIME: case CLOCK.THREAD_CPUTIME: return process.hrtime.bigint() - started
    default: throw new Errno(ERRNO.INVAL)
  }
}

export function resolution (id: number): bigint {
  now(id) // checks the id
  return 1000n
}

export function randomFill (mem: GuestMemory, ptr: number, len: number): void {
  const target = mem.slice(ptr, len)
  for (let at = 0; at < target.length; at += RANDOM_CHUNK) {
    crypto.getRandomValues(target.subarray(at, at + RANDOM_CHUNK))
  }
}

/**
 * poll_oneoff for clock subscriptions only (there is nothing else to wait
 * for): sleeps until the earliest one is due and reports every due one.
 */
export function pollClocks (mem: GuestMemory, inPtr: number, outPtr: number, count: number): number {
  if (count === 0 || count > MAX_SUBSCRIPTIONS) throw new Errno(ERRNO.INVAL)
  const waits: Array<{ userdata: bigint, ns: bigint }> = []
  for (let i = 0; i < count; i++) {
    const base = (inPtr >>> 0) + i * SUBSCRIPTION_BYTES
    if (mem.u8(base + 8) !== SUBSCRIPTION_CLOCK) throw new Errno(ERRNO.NOTSUP)
    const id = mem.u32(base + 16)
    const timeout = mem.u64(base + 24)
    const absolute = (mem.u16(base + 40) & SUBCLOCK_ABSTIME) !== 0
    const ns = absolute ? timeout - now(id) : timeout
    waits.push({ userdata: mem.u64(base), ns: ns < 0n ? 0n : ns })
  }
  const earliest = waits.reduce((a, b) => (b.ns < a ? b.ns : a), waits[0].ns)
  const ms = Number(earliest / 1_000_000n)
  if (ms > 0) Atomics.wait(sleeper, 0, 0, Math.min(ms, 2 ** 31 - 1))
  let events = 0
  for (const w of waits.filter(w => w.ns === earliest)) {
    const base = (outPtr >>> 0) + events * EVENT_BYTES
    mem.setU64(base, w.userdata)
    mem.setU16(base + 8, ERRNO.SUCCESS)
    mem.setU8(base + 10, SUBSCRIPTION_CLOCK)
    mem.setU64(base + 16, 0n)
    mem.setU16(base + 24, 0)
    events++
  }
  return events
}
