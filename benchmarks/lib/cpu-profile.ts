/**
 * A V8 CPU profile of a benchmark child, for finding where its time goes
 * (BENCH_SCALE_PROFILE_S=40 profiles 40 s; BENCH_SCALE_PROFILE_START_S
 * waits first, for example until arrivals are under way). Each process
 * writes `<prefix>-<pid>.cpuprofile` into BENCH_SCALE_PROFILE_DIR (default:
 * the system's temporary folder), which Chrome DevTools and speedscope open.
 * The sampling costs a few percent of CPU, enough to tip a saturated run:
 * judge figures from runs without it.
 */
import { writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const SAMPLING_INTERVAL_US = 2_000

/** Starts the profile the environment asks for, if any; never throws (a failed profile only loses the diagnosis). */
export function profileFromEnv (prefix: string): void {
  const seconds = Number(process.env.BENCH_SCALE_PROFILE_S ?? 0)
  if (!(seconds > 0)) return
  const startAfterMs = Math.max(0, Number(process.env.BENCH_SCALE_PROFILE_START_S ?? 0)) * 1000
  const dir = process.env.BENCH_SCALE_PROFILE_DIR ?? tmpdir()
  const timer = setTimeout(() => {
    void profile(seconds * 1000, join(dir, `${prefix}-${process.pid}.cpuprofile`)).catch((err: Error) => {
      process.stderr.write(`cpu profile failed: ${err.message}\n`)
    })
  }, startAfterMs)
  timer.unref()
}

async function profile (ms: number, path: string): Promise<void> {
  const session = new Session()
  session.connect()
  try {
    await session.post('Profiler.enable')
    await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US })
    await session.post('Profiler.start')
    await new Promise(resolve => setTimeout(resolve, ms).unref())
    const { profile } = await session.post('Profiler.stop')
    await writeFile(path, JSON.stringify(profile))
  } finally {
    session.disconnect()
  }
}
