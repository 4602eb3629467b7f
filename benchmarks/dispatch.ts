/**
 * Benchmark "dispatch": work units dispatched, reported and validated per
 * second through the bootstrap (WORK-5, WORK-8, WORK-9), with empty units,
 * 50 providers and the bootstrap's durable SQLite (central.db on disk, WAL,
 * synchronous FULL).
 *
 * Processes: the bootstrap is the real CLI; 50 providers live in 4 worker
 * processes (lib/dispatch-worker.ts), each a plain libp2p node speaking
 * /peerhive/work/1.0.0: FETCH up to 64 units, REPORT them at once with the
 * same hash; this process submits the jobs and polls their status over
 * /peerhive/jobs/1.0.0 as a client does.
 *
 * Two jobs run one after the other: quorum 1 (each report validates a unit)
 * and quorum 2 (two agreeing reports per unit). A unit counts when the
 * bootstrap says it is valid; the rate is units over the time from the
 * providers' first FETCH to the job's `done`.
 *
 * Yardstick: BOINC's published 8.8 million jobs a day on one server, about
 * 102 per second (Anderson, Korpela and Walton, e-Science 2005). Goal: at
 * least 20 times that, 2,000 units per second.
 * Knobs: BENCH_DISPATCH_UNITS (quorum-1 job size, default 100000, the most a job may have), BENCH_KEEP_TMP=1.
 * Writes benchmarks/results/dispatch.json and prints it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { WIRE_VERSION, requestResponse } from '../src/core/index.js'
import { PROTOCOL_JOBS } from '../src/protocols/index.js'
import { JobsRequest, JobsResponse } from '../src/pb/jobs.js'
import { now, sleep } from './lib/clock.js'
import { CliBootstrap, ROOT, cpuSecondsOf } from './lib/cli-bootstrap.js'
import { Child, killAll } from './lib/proc.js'
import { round } from './lib/stats.js'
import { createBareNode } from './lib/yardstick.js'
import type { JobStatus, ResolvedJob } from '../src/compute/model/types.js'
import type { Libp2p } from 'libp2p'

const UNITS = Math.max(100, Math.floor(Number(process.env.BENCH_DISPATCH_UNITS ?? 100_000)))
const PROVIDERS = 50
const WORKERS = 4
const BATCH = 64
const BOINC_UNITS_PER_SEC = 8_800_000 / 86_400
const GOAL_UNITS_PER_SEC = 2_000
const WATCHDOG_MS = 400_000
const RESULT_FILE = join(ROOT, 'benchmarks', 'results', 'dispatch.json')
const lib = (file: string): string => new URL(`./lib/${file}`, import.meta.url).pathname

const started = now()
const tmp = mkdtempSync(join(tmpdir(), 'peerhive-bench-dispatch-'))
const loadStart = loadavg()
const watchdog = setTimeout(() => {
  process.stderr.write(`dispatch benchmark still running after ${WATCHDOG_MS} ms; stopping\n`)
  cleanup()
  process.exit(1)
}, WATCHDOG_MS)

function cleanup (): void {
  killAll('SIGKILL')
  if (process.env.BENCH_KEEP_TMP !== '1') rmSync(tmp, { recursive: true, force: true })
}

function log (msg: string): void {
  process.stderr.write(`[dispatch ${((now() - started) / 1000).toFixed(1)}s] ${msg}\n`)
}

async function jobs (client: Libp2p, bootstrap: string, request: Partial<JobsRequest>): Promise<JobsResponse> {
  const signal = AbortSignal.timeout(10_000)
  const stream = await client.dialProtocol(multiaddr(bootstrap), PROTOCOL_JOBS, { signal })
  const res = await requestResponse(stream, { version: WIRE_VERSION, kind: JobsRequest.Kind.STATUS, body: new Uint8Array(0), jobId: '', user: '', email: '', peer: '', ban: false, ...request },
    JobsRequest, JobsResponse, { maxInboundBytes: 4 * 1024 * 1024, signal })
  if (res.error !== JobsResponse.Error.NONE) throw new Error(`${request.kind}: ${res.error}: ${res.message}`)
  return res
}

async function submit (client: Libp2p, bootstrap: string, units: number, quorum: number, appCid: string): Promise<string> {
  const job: ResolvedJob = {
    name: `dispatch benchmark, quorum ${quorum}`,
    app: appCid,
    appName: 'empty.wasm',
    range: { from: 0, to: units, step: 1, args: ['{index}'] },
    requirements: { memoryMb: 1, diskMb: 0 },
    replication: quorum,
    quorum,
    deadlineMs: 300_000,
    maxAttempts: quorum + 2,
    priority: 0,
    result: { stdout: true, files: [] },
    maxOutputBytes: 1024,
    adaptive: false
  }
  const res = await jobs(client, bootstrap, { kind: JobsRequest.Kind.SUBMIT, body: new TextEncoder().encode(JSON.stringify(job)) })
  return res.jobId
}

async function status (client: Libp2p, bootstrap: string, id: string): Promise<JobStatus> {
  const res = await jobs(client, bootstrap, { kind: JobsRequest.Kind.STATUS, jobId: id })
  return JSON.parse(new TextDecoder().decode(res.body))
}

interface Figure {
  units: number
  quorum: number
  replicas: number
  ms: number
  unitsPerSec: number
  replicasPerSec: number
  bootstrapCpuS: number
  bootstrapCpuMsPerUnit: number
  requests: number
  state: string
  /** valid units over time, every ~250 ms: [ms since start, valid] */
  timeline: Array<[number, number]>
}

async function measure (client: Libp2p, bootstrap: CliBootstrap, workers: Child[], units: number, quorum: number, appCid: string): Promise<Figure> {
  const addr = bootstrap.multiaddr
  const id = await submit(client, addr, units, quorum, appCid)
  log(`job ${id}: ${units} units, quorum ${quorum}`)
  const before = await Promise.all(workers.map(async w => w.call('stats')))
  const cpu0 = cpuSecondsOf(bootstrap.pid) ?? 0
  const t0 = now()
  await Promise.all(workers.map(async w => w.call('run', { bootstrap: addr, batch: BATCH })))
  const timeline: Array<[number, number]> = []
  let last: JobStatus | undefined
  while (now() - t0 < 300_000) {
    last = await status(client, addr, id)
    timeline.push([Math.round(now() - t0), last.unitStates.valid])
    if (last.state !== 'running') break
    await sleep(250)
  }
  const ms = now() - t0
  const cpu = (cpuSecondsOf(bootstrap.pid) ?? 0) - cpu0
  const after = await Promise.all(workers.map(async w => w.call('stats')))
  const errors = after.flatMap(s => s.errors)
  if (errors.length > 0) log(`provider errors: ${errors.slice(0, 3).join(' | ')}`)
  if (last?.state !== 'done') throw new Error(`job ${id} ended ${last?.state ?? 'unknown'} (${JSON.stringify(last?.unitStates)})`)
  const requests = after.reduce((n, s) => n + s.requests, 0) - before.reduce((n, s) => n + s.requests, 0)
  return {
    units,
    quorum,
    replicas: units * quorum,
    ms: round(ms, 0),
    unitsPerSec: round(units / (ms / 1000), 0),
    replicasPerSec: round(units * quorum / (ms / 1000), 0),
    bootstrapCpuS: round(cpu, 2),
    bootstrapCpuMsPerUnit: round(cpu * 1000 / units, 3),
    requests,
    state: last.state,
    timeline
  }
}

async function main (): Promise<void> {
  const bootstrap = await CliBootstrap.start(join(tmp, 'bootstrap'), ['--listen', '/ip4/127.0.0.1/tcp/0'])
  log(`bootstrap ${bootstrap.multiaddr}`)
  const client = await createBareNode(['/ip4/127.0.72.1/tcp/0'])
  await client.start()
  // the app is never fetched (the units are empty); the bootstrap only needs a CID
  const appCid = CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode('empty app'))).toString()

  const workers = await Promise.all(Array.from({ length: WORKERS }, async (_, w) => Child.fork(`worker-${w}`, lib('dispatch-worker.js'))))
  await Promise.all(workers.map(async (w, i) => {
    const ips = Array.from({ length: PROVIDERS }, (_, p) => p).filter(p => p % WORKERS === i).map(p => `127.0.71.${p + 1}`)
    return w.call('start', { ips, bootstrap: bootstrap.multiaddr }, 60_000)
  }))
  log(`${PROVIDERS} providers connected`)

  const quorum1 = await measure(client, bootstrap, workers, UNITS, 1, appCid)
  log(`quorum 1: ${quorum1.unitsPerSec} units/s`)
  const quorum2 = await measure(client, bootstrap, workers, Math.floor(UNITS / 2), 2, appCid)
  log(`quorum 2: ${quorum2.unitsPerSec} units/s (${quorum2.replicasPerSec} replicas/s)`)

  const result = {
    benchmark: 'dispatch',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, totalMemMb: Math.round(totalmem() / 1024 / 1024), node: process.version, loadavgAtStart: loadStart.map(l => round(l)), loadavgAtEnd: loadavg().map(l => round(l)) },
    setup: {
      bootstrap: 'the real CLI (`peerhive bootstrap`), central.db in a temporary folder on disk (WAL, synchronous FULL)',
      providers: `${PROVIDERS} plain libp2p nodes (TCP + Noise + Yamux) in ${WORKERS} worker processes on 127.0.71.1-${PROVIDERS}, speaking /peerhive/work/1.0.0: FETCH up to ${BATCH} units, then one REPORT of them all with the same hash`,
      units: 'empty: nothing runs; the figure is the bootstrap dispatching, recording reports and validating',
      measure: 'units validated / time from the start of fetching to the job status `done` (polled every 250 ms over /peerhive/jobs/1.0.0)'
    },
    yardstick: { name: 'BOINC, one server: 8.8 million jobs a day (Anderson, Korpela and Walton, e-Science 2005)', unitsPerSec: round(BOINC_UNITS_PER_SEC, 1) },
    quorum1,
    quorum2,
    ratios: {
      quorum1ToBoinc: round(quorum1.unitsPerSec / BOINC_UNITS_PER_SEC, 1),
      quorum2ToBoinc: round(quorum2.unitsPerSec / BOINC_UNITS_PER_SEC, 1)
    },
    goal: { unitsPerSec: GOAL_UNITS_PER_SEC, met: quorum1.unitsPerSec >= GOAL_UNITS_PER_SEC },
    durationS: round((now() - started) / 1000, 1)
  }
  mkdirSync(join(ROOT, 'benchmarks', 'results'), { recursive: true })
  writeFileSync(RESULT_FILE, JSON.stringify(result, null, 2) + '\n')
  process.stdout.write(JSON.stringify(result, null, 2) + '\n')

  await Promise.all(workers.map(async w => w.call('stop').catch(() => {})))
  await client.stop()
  await bootstrap.stop()
  await Promise.all(workers.map(async w => w.shutdown(5_000)))
}

try {
  await main()
} catch (err: any) {
  process.stderr.write(`dispatch benchmark failed: ${err.stack ?? err}\n`)
  process.exitCode = 1
} finally {
  clearTimeout(watchdog)
  cleanup()
}
