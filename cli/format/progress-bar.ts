import { formatBytes } from './output.js'
import type { WriteStream } from 'node:tty'

/** How the bar writes "done / total": as sizes, or as plain counts (work units). */
export type ProgressUnit = 'bytes' | 'count'

/** A one-line progress bar on a terminal; silent when the stream is piped (or when told to be). */
export class ProgressBar {
  private readonly enabled: boolean
  private drawn = false

  constructor (private readonly out: NodeJS.WriteStream, wanted = true, private readonly unit: ProgressUnit = 'bytes') {
    this.enabled = wanted && (out as WriteStream).isTTY === true
  }

  update (done: number, total: number, note = ''): void {
    if (!this.enabled) return
    const width = 30
    const ratio = total > 0 ? Math.min(1, done / total) : 0
    const filled = Math.round(ratio * width)
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}%  ${this.amount(done)} / ${this.amount(total)}  ${note}`
    this.out.write(`\r${line}\x1b[K`)
    this.drawn = true
  }

  private amount (n: number): string {
    return this.unit === 'bytes' ? formatBytes(n) : String(n)
  }

  done (): void {
    if (this.enabled && this.drawn) this.out.write('\n')
  }
}
