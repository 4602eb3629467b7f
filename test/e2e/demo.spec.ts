/**
 * `peerhive demo`, run as a person runs it: the real CLI in a child process.
 * The scripted part must show every section and finish in under a minute;
 * Ctrl-C during the waiting phase must stop it cleanly.
 */
import { strict as assert } from 'node:assert'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp-dir.js'

const BIN = join(ROOT, 'bin', 'peerhive.js')
const RUN_LIMIT_MS = 90_000
const PNG_NAME = 'peerhive-demo-mandelbrot.png'

interface Run {
  proc: ChildProcess
  output: () => string
  exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

function runDemo (args: string[]): Run {
  // piped, so plain text; NO_COLOR in case a parent forces colours
  const proc = spawn(process.execPath, [BIN, 'demo', ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let text = ''
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => { text += d })
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => { text += d })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>(resolve => {
    proc.once('exit', (code, signal) => { resolve({ code, signal }) })
  })
  const timer = setTimeout(() => { proc.kill('SIGKILL') }, RUN_LIMIT_MS)
  timer.unref()
  void exited.then(() => { clearTimeout(timer) })
  return { proc, output: () => text, exited }
}

/** Width and height from the IHDR chunk, after checking the PNG signature. */
function pngSize (png: Buffer): { width: number, height: number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature')
  assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR', 'the first chunk is IHDR')
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) }
}

function dataFolderOf (output: string): string {
  const m = /^data: (\S+) \(removed at exit\)/m.exec(output)
  assert.ok(m != null, `the demo names its data folder:\n${output}`)
  return m[1]
}

/** The result lines ("[tier]  N ms  file ...") of the section that starts at `heading`. */
function tiersAfter (output: string, heading: string): string[] {
  const start = output.indexOf(heading)
  assert.ok(start >= 0, `"${heading}" in the output`)
  const block = output.slice(start).split('\n\n')[0]
  return [...block.matchAll(/^\s+\[(local|subnet|remote|dht)\]/gm)].map(m => m[1])
}

describe('e2e: peerhive demo', function () {
  this.timeout(RUN_LIMIT_MS + 30_000)
  const live: Run[] = []
  afterEach(() => {
    for (const run of live.splice(0)) {
      if (run.proc.exitCode == null && run.proc.signalCode == null) run.proc.kill('SIGKILL')
    }
  })

  it('runs its script: election, nearest-first search, verified download, a Mandelbrot job and its PNG, in under a minute', async () => {
    const out = tempDir('peerhive-demo-out-')
    try {
      const run = runDemo(['--exit-after-script', '--out', out.path])
      live.push(run)
      const { code } = await run.exited
      const text = run.output()
      assert.equal(code, 0, `exit code 0; output:\n${text}`)

      // 1. the election, as the bootstrap's table shows it: each subnet has one virtual server of its own
      assert.match(text, /^1\. Election/m)
      for (const s of [201, 202, 203]) {
        assert.match(text, new RegExp(`^\\s+127\\.0\\.${s}\\.0/24\\s+127\\.0\\.${s}\\.\\d+\\s+3/3\\s+127\\.0\\.${s}\\.\\d+, 127\\.0\\.${s}\\.\\d+\\s+127\\.0\\.${s}\\.\\d+$`, 'm'), `subnet 127.0.${s}.0/24 in the table`)
      }
      assert.match(text, /3 virtual servers, 6 members, 3 central clients/)

      // 2. the search over every tier: nearest first, the subnet before other subnets and the DHT
      assert.match(text, /^2\. Search/m)
      const tiers = tiersAfter(text, 'asks every tier')
      const rank = { local: 0, subnet: 1, remote: 2, dht: 3 }
      assert.ok(tiers.includes('subnet'), `a subnet result: ${tiers.join(', ')}`)
      assert.ok(tiers.includes('remote') || tiers.includes('dht'), `a result from farther away: ${tiers.join(', ')}`)
      assert.deepEqual(tiers, [...tiers].sort((a, b) => rank[a as keyof typeof rank] - rank[b as keyof typeof rank]), 'results arrive nearest first')
      // the default search stops at the nearest tier that found something
      const nearest = tiersAfter(text, 'The same search without --all')
      assert.ok(nearest.length > 0 && nearest.every(t => t === 'local' || t === 'subnet'), `the default search stays near: ${nearest.join(', ')}`)

      // 3. the download: several sources, verified
      assert.match(text, /^3\. Download/m)
      assert.match(text, /32\.0 MiB in [\d.]+ s, [\d.]+ MB\/s, from [2-9] sources: /)
      assert.match(text, /^\s+verified: /m)

      // 4. the job: progress up to 100 % and done, every unit by two providers
      assert.match(text, /^4\. Volunteer computing/m)
      assert.match(text, /progress 100%\s+24\/24 units valid.*done/)
      assert.match(text, /24 units valid, from 48 agreeing replicas/)

      // 5. the PNG, where --out put it, 800x600
      const m = /PNG written: (.+)$/m.exec(text)
      assert.ok(m != null, 'the PNG path is printed')
      const png = join(out.path, PNG_NAME)
      assert.equal(m[1].trim(), png)
      assert.deepEqual(pngSize(readFileSync(png)), { width: 800, height: 600 })

      // 6. the DHT on its own (how much it knows by then depends on the machine's load)
      assert.match(text, /^6\. The DHT/m)
      // 7. where to watch it
      assert.match(text, /^7\. Watch it/m)
      assert.match(text, /dashboard\s+(http:\/\/127\.0\.0\.1:\d+\/|none)/)

      const took = /The scripted part took (\d+(?:\.\d+)?) s\./.exec(text)
      assert.ok(took != null, 'the scripted part reports its time')
      assert.ok(Number(took[1]) < 60, `the scripted part took ${took[1]} s`)

      assert.match(text, /stopped 13 nodes/)
      assert.equal(existsSync(dataFolderOf(text)), false, 'the data folder is removed')
    } finally {
      out.cleanup()
    }
  })

  it('keeps running after its script until Ctrl-C, then stops every node, removes its data and exits 0', async () => {
    const out = tempDir('peerhive-demo-out-')
    try {
      const run = runDemo(['--out', out.path])
      live.push(run)
      const deadline = Date.now() + RUN_LIMIT_MS
      while (!run.output().includes('Press Ctrl-C') && run.proc.exitCode == null && Date.now() < deadline) {
        await new Promise(resolve => setTimeout(resolve, 100))
      }
      assert.ok(run.output().includes('Press Ctrl-C'), `the demo waits for Ctrl-C:\n${run.output()}`)
      const dir = dataFolderOf(run.output())
      assert.equal(existsSync(dir), true, 'the data folder exists while the demo runs')
      // still running a moment later: it waits rather than exits
      await new Promise(resolve => setTimeout(resolve, 500))
      assert.equal(run.proc.exitCode, null, 'still running')

      run.proc.kill('SIGINT')
      const { code } = await run.exited
      const text = run.output()
      assert.equal(code, 0, `exit code 0 after SIGINT; output:\n${text}`)
      assert.match(text, /SIGINT: stopping 13 nodes/)
      assert.match(text, /stopped 13 nodes in [\d.]+ s; removed /)
      assert.equal(existsSync(dir), false, 'the data folder is removed')
    } finally {
      out.cleanup()
    }
  })
})
