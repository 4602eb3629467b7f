/**
 * What every multi-process benchmark does around its run: a watchdog, the
 * signals, and one way out whatever happens (the results file written, every
 * child killed, the temporary folder removed), so a failed or stuck run never
 * leaves processes behind.
 */
import { rmSync } from 'node:fs'
import { killAll } from './proc.js'

export interface HarnessInit {
  /** the benchmark's name, in its messages */
  name: string
  watchdogMs: number
  /** removed on the way out, unless keepTmp */
  tmp: string
  keepTmp: boolean
  /** writes the results file (and prints it) */
  write: () => void
  /** on failure, before the results are written: record the error and what was measured so far */
  onFailure: (err: Error) => void
  /** the bootstrap's last lines, when there is one, for a failure's message */
  bootstrapOutput?: () => string | undefined
}

export class Harness {
  private aborting = false
  private readonly watchdog: ReturnType<typeof setTimeout>

  constructor (private readonly init: HarnessInit) {
    this.watchdog = setTimeout(() => {
      process.stderr.write(`${init.name} benchmark: still running after ${init.watchdogMs} ms; killing everything\n`)
      this.abort(new Error(`watchdog: over ${init.watchdogMs} ms`))
    }, init.watchdogMs)
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => { this.abort(new Error(`interrupted by ${signal}`), 130) })
    }
  }

  /** Runs the benchmark, then leaves through finish or abort. */
  async run (body: () => Promise<void>): Promise<void> {
    try {
      await body()
      this.finish(0)
    } catch (err: any) {
      this.abort(err)
    }
  }

  finish (code: number): void {
    clearTimeout(this.watchdog)
    this.init.write()
    killAll('SIGKILL')
    this.cleanupTmp()
    process.exit(code)
  }

  /** Stops everything; the results so far are written unless the user interrupted the run. */
  abort (err: Error, code = 1): void {
    if (this.aborting) return
    this.aborting = true
    clearTimeout(this.watchdog)
    process.stderr.write(`${this.init.name} benchmark failed: ${err.stack ?? err.message}\n`)
    const output = this.init.bootstrapOutput?.()
    if (output != null) process.stderr.write(`bootstrap output (last lines):\n${output}\n`)
    killAll('SIGKILL')
    if (code !== 130) {
      try {
        this.init.onFailure(err)
        this.init.write()
      } catch {}
    }
    this.cleanupTmp()
    process.exit(code)
  }

  private cleanupTmp (): void {
    if (this.init.keepTmp) {
      process.stderr.write(`${this.init.name} benchmark: kept ${this.init.tmp}\n`)
      return
    }
    try { rmSync(this.init.tmp, { recursive: true, force: true }) } catch {}
  }
}
