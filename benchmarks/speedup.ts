/**
 * Benchmark "speedup": one CPU-bound job (the Mandelbrot example app) run
 * on 1, 2 and 4 providers; the speedup is the time on one provider over the
 * time on N (WORK-10: the owner sees one big machine).
 *
 * Everything is the real CLI: a bootstrap, a client daemon that submits the
 * job (`peerhive job submit`) and follows it (`peerhive job status`), and N
 * provider daemons (`peerhive daemon --provider --cpus 1`) in their own
 * subnets. Each round starts fresh providers, so every round pays for
 * fetching the app once per provider, as a real job does. The yardstick is
 * the same units run one after the other in this process's own sandbox.
 *
 * This machine has 2 cores: with 4 providers, they share them.
 * Knobs: BENCH_SPEEDUP_MAXITER (default 300000), BENCH_KEEP_TMP=1.
 * Writes benchmarks/results/speedup.json and prints it.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { appPath, mandelbrotUnits } from '../src/compute/apps/index.js'
import { runUnit } from '../src/compute/sandbox/index.js'
import { now, pollUntil, sleep } from './lib/clock.js'
import { BIN, CliBootstrap, ROOT, readJson, type NodeJson } from './lib/cli-bootstrap.js'
import { Spawned, killAll } from './lib/proc.js'
import { round } from './lib/stats.js'
import type { JobStatus } from '../src/compute/model/types.js'

const COUNTS = [1, 2, 4]
const IMAGE = { width: 640, height: 480, rowsPerUnit: 8, maxIter: Math.max(1000, Number(process.env.BENCH_SPEEDUP_MAXITER ?? 300_000)) }
const WATCHDOG_MS = 480_000
const RESULT_FILE = join(ROOT, 'benchmarks', 'results', 'speedup.json')

const started = now()
const tmp = mkdtempSync(join(tmpdir(), 'peerhive-bench-speedup-'))
const loadStart = loadavg()
const watchdog = setTimeout(() => {
  process.stderr.write(`speedup benchmark still running after ${WATCHDOG_MS} ms; stopping\n`)
  cleanup()
  process.exit(1)
}, WATCHDOG_MS)

function cleanup (): void {
  killAll('SIGKILL')
  if (process.env.BENCH_KEEP_TMP !== '1') rmSync(tmp, { recursive: true, force: true })
}

function log (msg: string): void {
  process.stderr.write(`[speedup ${((now() - started) / 1000).toFixed(1)}s] ${msg}\n`)
}

/** Runs a short CLI command; its stdout parsed as JSON. */
async function cli (args: string[]): Promise<any> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, ...args, '--json'], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err != null) reject(new Error(`peerhive ${args.join(' ')}: ${stderr || err.message}`))
      else resolve(JSON.parse(stdout))
    })
  })
}

/** Starts `peerhive daemon` and waits for its node.json. */
async function daemon (name: string, ip: string, bootstrap: string, extra: string[]): Promise<{ proc: Spawned, dataDir: string, info: NodeJson }> {
  const dataDir = join(tmp, name)
  mkdirSync(dataDir, { recursive: true })
  const proc = Spawned.start(name, process.execPath, [BIN, 'daemon', '--data', dataDir, '--bootstrap', bootstrap, '--listen', `/ip4/${ip}/tcp/0`, ...extra])
  const info = await pollUntil(() => {
    if (!proc.alive) throw new Error(`${name} exited at start:\n${proc.output.text(30)}`)
    const i = readJson<NodeJson>(join(dataDir, 'node.json'))
    return i?.pid === proc.pid ? i : undefined
  }, 30_000, 100)
  if (info == null) throw new Error(`${name} did not start:\n${proc.output.text(30)}`)
  return { proc, dataDir, info }
}

interface Round { providers: number, ms: number, speedup?: number, efficiency?: number, units: number }

async function main (): Promise<void> {
  const units = mandelbrotUnits(IMAGE)
  // the yardstick: the same units one after the other, in this process's sandbox
  const wasm = readFileSync(appPath('mandelbrot'))
  const tLocal = now()
  for (const args of units) {
    const r = await runUnit({ wasm, args: ['app', ...args], timeoutMs: 120_000, maxMemoryBytes: 64 * 1024 * 1024, maxOutputBytes: 16 * 1024 * 1024 })
    if (r.exitCode !== 0) throw new Error(`local run failed with exit ${r.exitCode}`)
  }
  const localMs = now() - tLocal
  log(`${units.length} units run locally, one after the other: ${Math.round(localMs)} ms`)

  const bootstrap = await CliBootstrap.start(join(tmp, 'bootstrap'), ['--listen', '/ip4/127.0.0.1/tcp/0'])
  const client = await daemon('client', '127.0.80.1', bootstrap.multiaddr, [])
  const jobFile = join(tmp, 'job.json')
  writeFileSync(jobFile, JSON.stringify({
    name: 'speedup',
    app: appPath('mandelbrot'),
    range: { from: 0, to: IMAGE.height, step: IMAGE.rowsPerUnit, args: [String(IMAGE.width), String(IMAGE.height), '{from}', '{to}', String(IMAGE.maxIter)] },
    requirements: { memoryMb: 64, diskMb: 1 },
    replication: 1,
    quorum: 1,
    deadlineMs: 120_000,
    maxAttempts: 3,
    result: { stdout: true, files: [] },
    adaptive: false
  }))

  const rounds: Round[] = []
  for (const [r, count] of COUNTS.entries()) {
    const providers = await Promise.all(Array.from({ length: count }, async (_, i) =>
      daemon(`round${r}-provider${i}`, `127.0.${81 + i}.${r + 1}`, bootstrap.multiaddr, ['--provider', '--cpus', '1', '--max-memory', '128'])))
    const ids = new Set(providers.map(p => p.info.peerId))
    await pollUntil(async () => {
      const list: Array<{ peerId: string, state: string }> = await cli(['providers', '--data', client.dataDir]).catch(() => [])
      return list.filter(p => ids.has(p.peerId) && p.state === 'active').length === count
    }, 60_000, 250)
    const t0 = now()
    const { id } = await cli(['job', 'submit', jobFile, '--data', client.dataDir])
    let last: JobStatus | undefined
    while (now() - t0 < 300_000) {
      last = await cli(['job', 'status', id, '--data', client.dataDir])
      if (last?.state !== 'running') break
      await sleep(200)
    }
    const ms = now() - t0
    if (last?.state !== 'done') throw new Error(`job on ${count} providers ended ${last?.state}: ${JSON.stringify(last)}`)
    rounds.push({ providers: count, ms: round(ms, 0), units: units.length })
    log(`${count} provider(s): ${Math.round(ms)} ms`)
    await Promise.all(providers.map(async p => p.proc.stop(8_000)))
  }
  for (const r of rounds) {
    r.speedup = round(rounds[0].ms / r.ms, 2)
    r.efficiency = round(r.speedup / r.providers, 2)
  }

  const result = {
    benchmark: 'speedup',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, totalMemMb: Math.round(totalmem() / 1024 / 1024), node: process.version, loadavgAtStart: loadStart.map(l => round(l)), loadavgAtEnd: loadavg().map(l => round(l)) },
    setup: {
      job: `Mandelbrot ${IMAGE.width}x${IMAGE.height}, max ${IMAGE.maxIter} iterations, ${units.length} units of ${IMAGE.rowsPerUnit} rows, quorum 1`,
      processes: 'the real CLI: a bootstrap, a client daemon (job submit, job status every 200 ms), N provider daemons with --cpus 1, fresh each round',
      time: 'from `job submit` to the status `done`: sharing the app, fetching it, running, delivering outputs, validating',
      yardstick: 'the same units one after the other in this process, in the same sandbox, no network'
    },
    localSequentialMs: round(localMs, 0),
    rounds,
    oneProviderToLocal: round(localMs / rounds[0].ms, 2),
    note: `${cpus().length} cores: more providers than cores share them, so the speedup cannot pass ${cpus().length} here`,
    durationS: round((now() - started) / 1000, 1)
  }
  mkdirSync(join(ROOT, 'benchmarks', 'results'), { recursive: true })
  writeFileSync(RESULT_FILE, JSON.stringify(result, null, 2) + '\n')
  process.stdout.write(JSON.stringify(result, null, 2) + '\n')
  await client.proc.stop(8_000)
  await bootstrap.stop()
}

try {
  await main()
} catch (err: any) {
  process.stderr.write(`speedup benchmark failed: ${err.stack ?? err}\n`)
  process.exitCode = 1
} finally {
  clearTimeout(watchdog)
  cleanup()
}
