import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from './cli.js'

/** A long-running `peerhive` command (job submit --wait, ...) whose output a test reads as it comes. */
export class RunningCommand {
  stdout = ''
  stderr = ''
  readonly exited: Promise<number | null>

  private constructor (readonly proc: ChildProcess) {
    proc.stdout?.setEncoding('utf8').on('data', (d: string) => { this.stdout += d })
    proc.stderr?.setEncoding('utf8').on('data', (d: string) => { this.stderr += d })
    this.exited = new Promise(resolve => proc.once('exit', code => { resolve(code) }))
  }

  static start (args: string[]): RunningCommand {
    return new RunningCommand(spawn(process.execPath, [join(ROOT, 'bin', 'peerhive.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] }))
  }

  /** the complete (newline-ended), non-empty lines printed on stdout so far */
  lines (): string[] {
    return this.stdout.slice(0, this.stdout.lastIndexOf('\n') + 1).split('\n').filter(l => l.trim() !== '')
  }

  /** SIGKILL, when it still runs (cleanup after a failed test) */
  kill (): void {
    if (this.proc.exitCode == null && this.proc.signalCode == null) this.proc.kill('SIGKILL')
  }
}
