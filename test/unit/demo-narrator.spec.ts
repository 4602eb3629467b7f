/**
 * The demo's narration (cli/demo/narrator.ts): colours only on a
 * terminal that wants them, sections that report their time, tables in
 * columns.
 */
import assert from 'node:assert/strict'
import { Narrator, seconds, wantsColor } from '../../cli/demo/narrator.js'

/** A stand-in for process.stdout that records what is written. */
function fakeOut (isTTY: boolean): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = []
  return {
    isTTY,
    write: (chunk: string) => { chunks.push(chunk); return true },
    text: () => chunks.join('')
  } as any
}

describe('demo narrator', () => {
  it('colours only a terminal, and not when NO_COLOR is set (and not empty) or TERM is dumb', () => {
    assert.equal(wantsColor(fakeOut(true), {}), true)
    assert.equal(wantsColor(fakeOut(false), {}), false)
    assert.equal(wantsColor(fakeOut(true), { NO_COLOR: '1' }), false)
    assert.equal(wantsColor(fakeOut(true), { NO_COLOR: '' }), true)
    assert.equal(wantsColor(fakeOut(true), { TERM: 'dumb' }), false)
  })

  it('writes plain text when piped and escape codes on a terminal', () => {
    const piped = new Narrator(fakeOut(false), {})
    assert.equal(piped.paint('bold', 'x'), 'x')
    const tty = new Narrator(fakeOut(true), {})
    assert.equal(tty.paint('bold', 'x'), '\x1b[1mx\x1b[22m')
    assert.equal(new Narrator(fakeOut(true), { NO_COLOR: 'yes' }).paint('green', 'x'), 'x')
  })

  it('numbers sections and ends each with its time', () => {
    const out = fakeOut(false)
    const say = new Narrator(out, {})
    say.section(3, 'Download')
    say.line('hello')
    const ms = say.endSection('done')
    assert.ok(ms >= 0)
    assert.match(out.text(), /^\n3\. Download\n {2}hello\n {2}✔ done \(\d+\.\d s\)\n$/)
  })

  it('prints a table in columns', () => {
    const out = fakeOut(false)
    new Narrator(out, {}).table([['a', 'bb', 'c'], ['long', 'x', 'last']])
    assert.equal(out.text(), '  a     bb  c\n  long  x   last\n')
  })

  it('gives times in seconds with one decimal', () => {
    assert.equal(seconds(0), '0.0 s')
    assert.equal(seconds(1234), '1.2 s')
    assert.equal(seconds(61_000), '61.0 s')
  })
})
