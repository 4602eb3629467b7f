/**
 * Benchmark "scale" (issue 9): a thousand peers on one machine, and what
 * each cost is as the network grows.
 *
 * 1,000 peers in 100 subnets (127.0.S.H, S = 100..199, H = 1..10) hosted in
 * worker processes (lib/scale-worker.ts, createNode), with the bootstrap as
 * the real CLI (lib/cli-bootstrap.ts, socket-counter preload). Peers arrive
 * at 10 per second, subnets interleaved (host 1 of every subnet first, so it
 * becomes the virtual server), each sharing 1 small file whose name is one
 * word no other file has. Two modes, each with a fresh bootstrap and fresh
 * workers, and the same seeded searches:
 * - off (--vs-limit 0, every peer a central client): the yardstick;
 * - on (--vs-limit 16: one virtual server per subnet holding its 10 peers).
 * In each: the arrival (join latency, what each join costs the bootstrap),
 * the wait for every index to reach its virtual server (or the bootstrap),
 * an idle window (on only: the peers' CPU, memory and connections, the
 * bootstrap's bytes), then the searches: subnet and remote ones through
 * node.search(), and (on only) DHT ones through the product's DHT tier alone.
 *
 * Writes benchmarks/results/scale.json (the figures of this run, plus a
 * `growth` table keyed by size that keeps the other sizes' rows) and prints it.
 * Knobs (environment): BENCH_SCALE_PEERS (default 1000; 250 and 500 fill the
 * growth table), BENCH_SCALE_OFF_PEERS (the off mode's size, default the
 * same), BENCH_SCALE_MODES (default off,on), BENCH_SCALE_WORKERS (8),
 * BENCH_SCALE_RATE (arrivals per second, 10), BENCH_SCALE_FILES (files per
 * peer, 1), BENCH_SCALE_SEARCHES (subnet,remote,dht counts, default 300,200,60),
 * BENCH_SCALE_CONCURRENCY (8), BENCH_SCALE_SEED (9001),
 * BENCH_SCALE_PEER_TIMEOUT_MS (the peers' peerTimeoutMs; default: the
 * product's), BENCH_SCALE_DATA_DIRS=1 (a data directory per peer),
 * BENCH_SCALE_SEARCH_PRIORITY (equal: the bootstrap drops to the workers'
 * priority for the searches; bootstrap: it keeps its head start),
 * BENCH_SCALE_DHT_MODE (auto, server or client: every peer's dhtMode, for
 * diagnosis), BENCH_SCALE_DIAG=1 (diagnosis counters of what the peers did on
 * the network, in modes.<mode>.diagnosis, and those of the idle window alone
 * in modes.<mode>.idle.diagnosis: benchmarks/lib/scale-diag.ts),
 * BENCH_SCALE_PROFILE_S, BENCH_SCALE_PROFILE_START_S and
 * BENCH_SCALE_PROFILE_DIR (a V8 CPU profile of each worker:
 * benchmarks/lib/cpu-profile.ts), BENCH_SCALE_WATCHDOG_MS (570000), BENCH_SCALE_NOTE (a line for the
 * result's notes, e.g. why a run is not the reference one), BENCH_KEEP_TMP=1.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { now } from './lib/clock.js'
import { positiveEnv } from './lib/env.js'
import { Harness } from './lib/harness.js'
import { ROOT, type CliBootstrap } from './lib/cli-bootstrap.js'
import { round } from './lib/stats.js'
import { HOSTS_PER_SUBNET, peerPlans, subnetsFor, workload, writeFiles, type WorkloadSize } from './lib/scale-plan.js'
import { WORKER_NICE, runMode, type ModeSpec } from './lib/scale-mode.js'
import { plannedCounts } from './lib/scale-measure.js'
import { growthRow, headline, otherGoals, previousGrowth, sectionZero } from './lib/scale-report.js'

const PEERS = Math.floor(positiveEnv('BENCH_SCALE_PEERS', 1000))
const OFF_PEERS = Math.min(PEERS, Math.floor(positiveEnv('BENCH_SCALE_OFF_PEERS', PEERS)))
const WORKERS = Math.floor(positiveEnv('BENCH_SCALE_WORKERS', 8))
const RATE_PER_SEC = positiveEnv('BENCH_SCALE_RATE', 10)
const FILES_PER_PEER = Math.floor(positiveEnv('BENCH_SCALE_FILES', 1))
const FILE_BYTES = 1_024
const SEARCHES = searchCounts(process.env.BENCH_SCALE_SEARCHES ?? '300,200,60')
const CONCURRENCY = Math.floor(positiveEnv('BENCH_SCALE_CONCURRENCY', 8))
const SEED = Math.floor(positiveEnv('BENCH_SCALE_SEED', 9001))
const PEER_TIMEOUT_MS = process.env.BENCH_SCALE_PEER_TIMEOUT_MS == null || process.env.BENCH_SCALE_PEER_TIMEOUT_MS === '' ? undefined : positiveEnv('BENCH_SCALE_PEER_TIMEOUT_MS', 30_000)
const DATA_DIRS = process.env.BENCH_SCALE_DATA_DIRS === '1'
const SEARCH_PRIORITY = searchPriority(process.env.BENCH_SCALE_SEARCH_PRIORITY ?? 'equal')
/** scripts/bench.js stops a benchmark after 10 minutes; this one stops itself first and still writes what it measured */
const WATCHDOG_MS = positiveEnv('BENCH_SCALE_WATCHDOG_MS', 570_000)
/** one virtual server per subnet holding all its peers */
const VS_LIMIT_ON = 16
const SEARCH_TIMEOUT_MS = 5_000
const DHT_SEARCH_TIMEOUT_MS = 10_000
const SETTLE_MS = 10_000
const IDLE_MS = 15_000
/** what the off mode may take after its last arrival: the index wait, its searches and its shutdown */
const OFF_TAIL_MS = 100_000
/** the run stops when the machine's available memory falls below this */
const MIN_FREE_MB = 1_500
const RESULT_FILE = join(ROOT, 'benchmarks', 'results', 'scale.json')

const MODES: ModeSpec[] = ([
  { name: 'off', vsLimit: 0, idle: false, dht: false },
  { name: 'on', vsLimit: VS_LIMIT_ON, idle: true, dht: true }
] satisfies ModeSpec[]).filter(m => (process.env.BENCH_SCALE_MODES ?? 'off,on').split(',').includes(m.name))
// with one mode alone, it measures everything
if (MODES.length === 1) MODES[0] = { ...MODES[0], idle: true, dht: true }

const started = now()
const notes: string[] = []
const result: Record<string, any> = { benchmark: 'scale', date: new Date().toISOString() }
const tmp = mkdtempSync(join(tmpdir(), 'peerhive-bench-scale-'))
const keepTmp = process.env.BENCH_KEEP_TMP === '1'
let bootstrap: CliBootstrap | undefined
let reported = false

const loadSamples: number[] = []
const loadSampler = setInterval(() => { loadSamples.push(loadavg()[0]) }, 5_000)
loadSampler.unref()
// the machine is shared: stop before its memory runs out rather than have the kernel kill someone's process
let lowestFreeMb = Infinity
const memoryGuard = setInterval(() => {
  const freeMb = freemem() / 1048576
  lowestFreeMb = Math.min(lowestFreeMb, freeMb)
  if (freeMb < MIN_FREE_MB) harness.abort(new Error(`memory guard: only ${Math.round(freeMb)} MB of memory left (minimum ${MIN_FREE_MB} MB); stopped before the machine runs out`))
}, 1_000)
memoryGuard.unref()
const harness = new Harness({
  name: 'scale',
  watchdogMs: WATCHDOG_MS,
  tmp,
  keepTmp,
  write,
  bootstrapOutput: () => bootstrap?.proc.output.text(40),
  onFailure: err => {
    result.error = err.message
    report()
  }
})
await harness.run(run)

async function run (): Promise<void> {
  result.machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, totalMemMb: Math.round(totalmem() / 1048576), node: process.version, platform: `${process.platform}-${process.arch}`, loadavgAtStart: loadavg().map(x => round(x)) }
  const subnets = subnetsFor(PEERS)
  const plans = peerPlans(PEERS, FILES_PER_PEER, join(tmp, 'files'))
  writeFiles(plans, FILE_BYTES, SEED)
  const searches = workload(plans, FILES_PER_PEER, SEARCHES, SEED)
  const offPlans = plans.slice(0, OFF_PEERS)
  const offSearches = OFF_PEERS === PEERS ? searches : workload(offPlans, FILES_PER_PEER, SEARCHES, SEED)
  result.peers = PEERS
  result.subnets = subnets
  result.setup = {
    bootstrap: 'node bin/peerhive.js bootstrap --listen /ip4/127.0.0.1/tcp/0 --vs-limit N --metrics 127.0.0.1:0 (own process, socket-counter preload); a fresh one (new data directory) per mode',
    modes: Object.fromEntries(MODES.map(m => [m.name, { vsLimit: m.vsLimit, peers: m.name === 'off' ? OFF_PEERS : PEERS, idleWindow: m.idle, dhtSearches: m.dht }])),
    addresses: `127.0.S.H, S = 100..${100 + subnets - 1}, H = 1..${HOSTS_PER_SUBNET}; each peer listens on and dials from its address`,
    peerProcesses: `${WORKERS} worker processes per mode, peer i in worker i mod ${WORKERS} (createNode, ${DATA_DIRS ? 'a data directory per peer' : 'no data directory: in-memory share store'}), at nice ${WORKER_NICE} (modes.<mode>.workerNice says whether that was allowed): the bootstrap, which in a deployment has a host of its own, keeps its share of the CPU while the peers arrive`,
    searchPriority: SEARCH_PRIORITY === 'equal' ? 'from the searches on, the bootstrap runs at the workers\' nice (modes.<mode>.bootstrapNiceDuringSearches): the central index and the virtual servers each have a host of their own in a deployment, so neither gets more of the CPU than the other here' : 'the bootstrap keeps its higher priority during the searches too (BENCH_SCALE_SEARCH_PRIORITY=bootstrap): the central index is favoured',
    arrival: `${RATE_PER_SEC} peers/s, subnets interleaved (peer k is host 1 + k div ${subnets} of subnet 100 + k mod ${subnets}: host 1 of every subnet first)`,
    files: `${FILES_PER_PEER} file(s) of ${FILE_BYTES} bytes per peer named sc<S>h<H>f<k>: one word no other file has, so every search has exactly one target`,
    peerTimeoutMs: PEER_TIMEOUT_MS ?? 'product default',
    searchTimeoutMs: { tiered: SEARCH_TIMEOUT_MS, dht: DHT_SEARCH_TIMEOUT_MS },
    settleMs: SETTLE_MS,
    idleWindowMs: IDLE_MS,
    watchdogMs: WATCHDOG_MS
  }
  result.workload = {
    seed: SEED,
    planned: plannedCounts(searches),
    concurrency: CONCURRENCY,
    subnet: 'a file of another peer of the searcher\'s subnet, through node.search()',
    remote: 'a file of a peer of another subnet, through node.search()',
    dht: 'a file of a peer of another subnet, through the product\'s DHT tier alone (searchDht, src/sharing/dht: what node.search() asks last); with virtual servers on only',
    found: 'a result whose file name is the target\'s and whose providers include the target peer',
    requestsPerSearch: 'subnet/remote: search requests the searcher sent (on a new stream or a session\'s, benchmarks/lib/search-requests.ts; failed ones included), plus the routed servers its virtual server asked for it (forwarding; the product\'s onForwarded); dht: Kademlia requests (DIAL_PEER query events of the searcher\'s DHT service during get/findProviders: one stream attempt each)'
  }
  progress(`${PEERS} peers in ${subnets} subnets, ${WORKERS} workers, ${RATE_PER_SEC}/s; modes ${MODES.map(m => m.name).join(', ')}; searches ${JSON.stringify(result.workload.planned)}`)

  const modes: Record<string, any> = result.modes = {}
  for (const [i, mode] of MODES.entries()) {
    const last = i === MODES.length - 1
    const modePlans = mode.name === 'off' ? offPlans : plans
    const arrivalMs = modePlans.length / RATE_PER_SEC * 1000
    // the last mode leaves 25 s of the watchdog for the final reads, the report and slow answers
    const deadline = last ? started + WATCHDOG_MS - 25_000 : Math.min(now() + 15_000 + arrivalMs + OFF_TAIL_MS, started + WATCHDOG_MS - 25_000)
    modes[mode.name] = {}
    await runMode(mode, {
      plans: modePlans,
      subnets: subnetsFor(modePlans.length),
      searches: mode.name === 'off' ? offSearches : searches,
      tmp,
      workers: WORKERS,
      ratePerSec: RATE_PER_SEC,
      peerTimeoutMs: PEER_TIMEOUT_MS,
      dataDirs: DATA_DIRS,
      searchPriority: SEARCH_PRIORITY,
      concurrency: CONCURRENCY,
      searchTimeoutMs: SEARCH_TIMEOUT_MS,
      dhtSearchTimeoutMs: DHT_SEARCH_TIMEOUT_MS,
      settleMs: SETTLE_MS,
      idleMs: IDLE_MS,
      deadline,
      last,
      progress,
      notes,
      onBootstrap: b => { bootstrap = b }
    }, modes[mode.name])
  }
  report()
}

function report (): void {
  const main = result.modes?.on ?? result.modes?.off
  if (main?.arrival == null || reported) return
  reported = true
  Object.assign(result, headline(main))
  result.figuresFrom = result.modes.on != null ? 'the mode with virtual servers on' : 'the only mode that ran (virtual servers off)'
  result.sectionZero = sectionZero(result.modes.off, result.modes.on, OFF_PEERS === PEERS)
  result.goals = otherGoals(headline(main), PEERS)
  if (result.sectionZero != null) {
    const z = result.sectionZero
    progress(`section 0: on found ${z.on.found}/${z.on.searches}, p99 on/off ${z.p99OnOverOff}, bootstrap requests on/off ${z.bootstrapSearchRequestsOnOverOff}: ${JSON.stringify(z.goals)}`)
  }
  const m = result.machine
  notes.push(`${m.cpus} CPUs shared by the bootstrap, ${WORKERS} workers and this process (and, on a shared machine, other work: see the load averages); latencies include CPU contention`)
  notes.push('the peers\' idle figures subtract the empty workers\' own CPU and RSS (see modes.on.idle.raw)')
  if (PEER_TIMEOUT_MS == null) notes.push('the peers run with the product\'s default peerTimeoutMs, as users run them (join and central-load use 60 s to spare the machine)')
  if ((process.env.BENCH_SCALE_NOTE ?? '') !== '') notes.push(`run note: ${process.env.BENCH_SCALE_NOTE}`)
  if (OFF_PEERS !== PEERS) notes.push(`the off mode ran with ${OFF_PEERS} peers, not ${PEERS} (BENCH_SCALE_OFF_PEERS)`)
}

function searchPriority (raw: string): 'equal' | 'bootstrap' {
  if (raw !== 'equal' && raw !== 'bootstrap') throw new Error(`BENCH_SCALE_SEARCH_PRIORITY must be equal or bootstrap, got "${raw}"`)
  return raw
}

function searchCounts (raw: string): WorkloadSize {
  const [subnet, remote, dht] = raw.split(',').map(x => Number(x))
  if (![subnet, remote, dht].every(n => Number.isInteger(n) && n >= 0)) throw new Error(`BENCH_SCALE_SEARCHES must be three counts (subnet,remote,dht), got "${raw}"`)
  return { subnet, remote, dht }
}

function progress (line: string): void {
  process.stderr.write(`[scale ${((now() - started) / 1000).toFixed(1)}s] ${line}\n`)
}

function write (): void {
  result.machine.loadavgAtEnd = loadavg().map(x => round(x))
  const during = { max: round(Math.max(...loadSamples, 0)), mean: round(loadSamples.reduce((a, b) => a + b, 0) / Math.max(1, loadSamples.length)), samples: loadSamples.length, note: '1-minute load average sampled every 5 s; the machine has 2 cores and may be shared' }
  result.machine.loadavg1mDuringRun = during
  result.machine.lowestAvailableMemMb = Number.isFinite(lowestFreeMb) ? Math.round(lowestFreeMb) : null
  result.durationS = round((now() - started) / 1000, 1)
  result.notes = notes
  const growth = previousGrowth(RESULT_FILE)
  const main = result.modes?.on ?? result.modes?.off
  if (main?.arrival != null && result.error == null) {
    growth[String(PEERS)] = growthRow(result.date, PEERS, result.subnets, headline(main), result.sectionZero ?? null, { atStart: result.machine.loadavgAtStart, atEnd: result.machine.loadavgAtEnd, during })
  }
  result.growth = Object.fromEntries(Object.entries(growth).sort((a, b) => Number(a[0]) - Number(b[0])))
  const { benchmark, date, peers, subnets, modes, ...rest } = result
  const text = JSON.stringify({ benchmark, date, peers, subnets, ...rest, modes }, null, 2) + '\n'
  mkdirSync(join(ROOT, 'benchmarks', 'results'), { recursive: true })
  writeFileSync(RESULT_FILE, text)
  process.stdout.write(text)
}

