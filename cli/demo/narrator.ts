/**
 * How the demo talks to a person: numbered sections with their timings,
 * indented lines, and colours only on a terminal that wants them.
 */
import type { WriteStream } from 'node:tty'

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39]
} as const

export type Paint = keyof typeof CODES

/** Whether to colour: a terminal, and no NO_COLOR (https://no-color.org: set and not empty). */
export function wantsColor (out: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return (out as WriteStream).isTTY === true && (env.NO_COLOR == null || env.NO_COLOR === '') && env.TERM !== 'dumb'
}

/** Seconds with one decimal: the demo's timings are all of that scale. */
export function seconds (ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

export class Narrator {
  readonly tty: boolean
  readonly color: boolean
  private sectionStarted = 0

  constructor (readonly out: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env) {
    this.tty = (out as WriteStream).isTTY === true
    this.color = wantsColor(out, env)
  }

  paint (style: Paint, text: string): string {
    if (!this.color) return text
    const [on, off] = CODES[style]
    return `\x1b[${on}m${text}\x1b[${off}m`
  }

  /** One line of text, as is. */
  say (text = ''): void {
    this.out.write(text + '\n')
  }

  /** An indented line inside a section. */
  line (text: string): void {
    this.say(`  ${text}`)
  }

  /** A short explanation under a section title. */
  note (text: string): void {
    this.say(`  ${this.paint('dim', text)}`)
  }

  /** Indented rows in columns; the first row is the header. */
  table (rows: string[][]): void {
    const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)))
    rows.forEach((row, n) => {
      const text = row.map((cell, i) => i === row.length - 1 ? cell : cell.padEnd(widths[i])).join('  ')
      this.line(n === 0 ? this.paint('dim', text) : text)
    })
  }

  /** Starts section `n`; its time runs until `endSection`. */
  section (n: number, title: string): void {
    this.say()
    this.say(this.paint('bold', `${n}. ${title}`))
    this.sectionStarted = performance.now()
  }

  /** Ends the current section with how long it took. */
  endSection (summary: string): number {
    const ms = performance.now() - this.sectionStarted
    this.say(`  ${this.paint('green', '✔')} ${summary} ${this.paint('dim', `(${seconds(ms)})`)}`)
    return ms
  }
}
