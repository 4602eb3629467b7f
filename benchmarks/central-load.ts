/**
 * Benchmark "central-load": how much search traffic the bootstrap (the
 * central server) handles when every subnet has a virtual server, next to
 * the same workload with virtual servers off, when every peer is a central
 * client and every search goes to the central index. The "off" run is the
 * yardstick, measured in the same run; a bare libp2p request/response is
 * the yardstick for the search latencies.
 *
 * Each mode gets a fresh bootstrap (the real CLI, with the socket-counter
 * preload) and fresh worker processes hosting 12 subnets x 8 peers
 * (127.0.S.H, S = 90..101, H = 1..8). Each peer shares 3 small files named
 * s<S>h<H>f<k>. Once every peer is placed, its index is at its virtual
 * server (or the bootstrap) and it holds the virtual-server directory (or
 * the time allowed for that is up), the benchmark runs a fixed, seeded
 * workload: 4 of 5 searches look for a file of another peer of the
 * searcher's subnet, 1 of 5 for a file of another subnet. The bootstrap's
 * counters and socket bytes are read before and after the search phase
 * only, and every search records the search requests it sent, so each
 * request the bootstrap got is traced to its cause. The workload runs twice
 * per mode: first with 16 searches in flight (a closed loop: the faster
 * mode also gets more load), then paced, the same searches started at a
 * fixed rate in both modes, which compares their latencies at the same
 * offered load (pacedSearchPhase).
 *
 * Writes benchmarks/results/central-load.json and prints it.
 * Knobs (environment): BENCH_CENTRAL_LOAD_SEARCHES (default 600),
 * BENCH_CENTRAL_LOAD_CONCURRENCY (searches in flight, default 16),
 * BENCH_CENTRAL_LOAD_PACED_RATE (starts per second of the paced phase, default 300),
 * BENCH_CENTRAL_LOAD_SEED (default 1001), BENCH_CENTRAL_LOAD_RATE (peer
 * arrivals per second, default 10), BENCH_CENTRAL_LOAD_WORKERS (default 3),
 * BENCH_KEEP_TMP=1.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { now, pollUntil, sleep } from './lib/clock.js'
import { CliBootstrap, ROOT, cpuSecondsOf } from './lib/cli-bootstrap.js'
import { positiveEnv } from './lib/env.js'
import { Harness } from './lib/harness.js'
import { Child } from './lib/proc.js'
import { countBy, round, summarize, type Summary } from './lib/stats.js'
import { createBareNode, echoOnce } from './lib/yardstick.js'
import { ProductLogTally, deltaOf, fraction, snapshotBootstrap, type BootstrapDelta } from './lib/central-load-measure.js'
import { diagnosisFigures, type PlannedSearch } from './lib/central-load-figures.js'
import { sampleMany, sampleWhile } from './lib/samplers.js'
import { FILES_PER_PEER, FILE_BYTES, FIRST_SUBNET, HOSTS_PER_SUBNET, PEERS, SUBNETS, VS_LIMIT_ON, peerPlans, tableOk, tableShape, workload, writeFiles } from './lib/central-load-plan.js'
import { SEARCH_LIMIT, SEARCH_PHASE_MAX_MS, SEARCH_TIMEOUT_MS, searchPhase, type PhaseContext } from './lib/central-load-phase.js'
import { addNotes, summary } from './lib/central-load-summary.js'
import type { HostedPeerPlan, HostedPeerState, MemberDiagnosis } from './lib/central-load-worker.js'
import type { Libp2p } from 'libp2p'

const SEARCHES = Math.floor(positiveEnv('BENCH_CENTRAL_LOAD_SEARCHES', 600))
const CONCURRENCY = Math.floor(positiveEnv('BENCH_CENTRAL_LOAD_CONCURRENCY', 16))
const PACED_PER_SEC = positiveEnv('BENCH_CENTRAL_LOAD_PACED_RATE', 300)
const SEED = Math.floor(positiveEnv('BENCH_CENTRAL_LOAD_SEED', 1001))
const RATE_PER_SEC = positiveEnv('BENCH_CENTRAL_LOAD_RATE', 10)
const WORKERS = Math.floor(positiveEnv('BENCH_CENTRAL_LOAD_WORKERS', 3))
/** the hosted peers' peerTimeoutMs: 96 peers on 2 cores, as in the join benchmark (each peer pings each connection every peerTimeoutMs/2) */
const PEER_TIMEOUT_MS = 60_000
/** after the last arrival: every peer placed, synced and holding the directory */
const READY_TIMEOUT_MS = 45_000
/**
 * The last mode may wait longer, up to what the watchdog leaves after
 * MODE_TAIL_MS (calm-down, idle window, search phase, diagnosis, shutdown):
 * with virtual servers, members' index pushes fail while the network starts
 * (every peer announcing its files in the DHT at once) and retry with backoff.
 */
const MODE_TAIL_MS = 75_000
/** ... or until nothing has changed for this long */
const READY_STALL_MS = 45_000
/** the bootstrap's background traffic (pings, gossipsub, DHT), measured just before the search phase */
/**
 * Then, before the idle window, until the peer processes calm down (the
 * DHT announcements of the shared files keep both cores busy for a minute
 * or more after the peers start): their CPU over QUIET_SAMPLE_MS below
 * QUIET_CPU_PERCENT of one core, at most QUIET_MAX_MS, and never into the
 * time the rest of the run needs (NEXT_MODE_MS for a mode still to come, SEARCH_TAIL_MS for this one).
 * Both modes then search a calm network, so their latencies compare.
 */
const QUIET_CPU_PERCENT = 80
const QUIET_SAMPLE_MS = 2_000
const QUIET_MAX_MS = 75_000
const NEXT_MODE_MS = 120_000
const SEARCH_TAIL_MS = 60_000
const GOAL_RATIO = 0.02
/** below this share of found targets a mode's figures are not a fair comparison */
const MIN_FOUND_FRACTION = 0.99
const WATCHDOG_MS = 290_000
const RESULT_FILE = join(ROOT, 'benchmarks', 'results', 'central-load.json')
const ECHO_PAYLOAD_BYTES = 64
const lib = (file: string): string => new URL(`./lib/${file}`, import.meta.url).pathname

interface Mode { name: 'on' | 'off', vsLimit: number }

/** off first (the yardstick), then on; BENCH_CENTRAL_LOAD_MODES=on (or off) runs one mode alone, for diagnosis (no ratio then) */
const MODES: Mode[] = ([{ name: 'off', vsLimit: 0 }, { name: 'on', vsLimit: VS_LIMIT_ON }] satisfies Mode[])
  .filter(m => (process.env.BENCH_CENTRAL_LOAD_MODES ?? 'off,on').split(',').includes(m.name))

const started = now()
const notes: string[] = []
const result: Record<string, any> = { benchmark: 'central-load', date: new Date().toISOString() }
const tmp = mkdtempSync(join(tmpdir(), 'peerhive-bench-central-load-'))
const keepTmp = process.env.BENCH_KEEP_TMP === '1'
let bootstrap: CliBootstrap | undefined
let client: Libp2p | undefined

const loadSamples: number[] = []
const loadSampler = setInterval(() => { loadSamples.push(loadavg()[0]) }, 2_000)
loadSampler.unref()
const harness = new Harness({
  name: 'central-load',
  watchdogMs: WATCHDOG_MS,
  tmp,
  keepTmp,
  write,
  bootstrapOutput: () => bootstrap?.proc.output.text(40),
  onFailure: err => {
    result.error = err.message
  }
})
await harness.run(run)

async function run (): Promise<void> {
  result.machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, totalMemMb: Math.round(totalmem() / 1048576), node: process.version, platform: `${process.platform}-${process.arch}`, loadavgAtStart: loadavg().map(x => round(x)) }
  const plans = peerPlans(tmp)
  const searches = workload(plans, SEARCHES, SEED)
  result.setup = {
    bootstrap: 'node bin/peerhive.js bootstrap --listen /ip4/127.0.0.1/tcp/0 --vs-limit N --metrics 127.0.0.1:0 (own process, socket-counter preload); a fresh one (new data directory) per mode',
    modes: { on: `--vs-limit ${VS_LIMIT_ON}: one virtual server per subnet, its 7 other peers members`, off: '--vs-limit 0: no virtual servers, every peer a central client whose index is in the bootstrap\'s central index' },
    peers: PEERS,
    subnets: SUBNETS,
    peersPerSubnet: HOSTS_PER_SUBNET,
    addresses: `127.0.S.H, S = ${FIRST_SUBNET}..${FIRST_SUBNET + SUBNETS - 1}, H = 1..${HOSTS_PER_SUBNET}; each peer listens on and dials from its address`,
    peerProcesses: `${WORKERS} worker processes per mode (createNode, no data directory: in-memory share store)`,
    arrival: `${RATE_PER_SEC} peers/s, subnets interleaved (host 1 of every subnet first, so it becomes the virtual server)`,
    files: `${FILES_PER_PEER} files per peer named s<S>h<H>f<k> (${FILE_BYTES} bytes, distinct content), no title, no keywords: one word per file, so each peer announces ${FILES_PER_PEER} words and ${FILES_PER_PEER} CIDs in the DHT (about ${FILES_PER_PEER * 3} DHT operations), the least background load the product allows`,
    peerTimeoutMs: PEER_TIMEOUT_MS
  }
  const kinds = { subnet: searches.filter(s => s.kind === 'subnet').length, remote: searches.filter(s => s.kind === 'remote').length }
  result.workload = {
    searches: searches.length,
    seed: SEED,
    kinds,
    concurrency: CONCURRENCY,
    searchesPerPeer: { min: Math.min(...countBy(searches, s => s.searcher).values()), max: Math.max(...countBy(searches, s => s.searcher).values()) },
    query: 'one word: the target\'s file name (s<S>h<H>f<k>), which only that file matches',
    subnet: 'a file of another peer of the searcher\'s own subnet (never the searcher\'s own file)',
    remote: 'a file of a peer of another subnet',
    searchOptions: { limit: SEARCH_LIMIT, timeoutMs: SEARCH_TIMEOUT_MS },
    found: 'a result whose filename is the target\'s and whose providers include the target peer',
    sameInBothModes: true
  }
  writeFiles(plans, SEED)
  progress(`${PEERS} peers in ${SUBNETS} subnets; ${searches.length} searches (${kinds.subnet} own-subnet, ${kinds.remote} other-subnet), ${CONCURRENCY} in flight; modes: ${MODES.map(m => `${m.name} (--vs-limit ${m.vsLimit})`).join(', ')}`)

  // --- yardstick for latencies: a bare libp2p request/response between two processes
  const echo = await Child.fork('echo-server', lib('echo-server.js'))
  const echoAddr: string = await echo.call('addr')
  client = await createBareNode([])
  await client.start()
  const payload = new Uint8Array(ECHO_PAYLOAD_BYTES).fill(7)
  await sampleMany(async () => echoOnce(client!, echoAddr, payload), 20, 5_000)
  const idleEcho = await sampleMany(async () => echoOnce(client!, echoAddr, payload), 200, 10_000)
  progress(`yardstick (idle): bare stream echo p50 ${summarize(idleEcho.ms)?.p50} ms`)

  // filled as each mode ends, so that a run cut short still writes what it measured
  const modes: Record<string, any> = result.modes = {}
  const echoUnderLoad: Record<string, Summary | null> = {}
  for (const mode of MODES) {
    const m = await runMode(mode, plans, searches, async go => sampleWhile(go, async () => echoOnce(client!, echoAddr, payload), 100, SEARCH_PHASE_MAX_MS, 2_000), part => { modes[mode.name] = part })
    echoUnderLoad[mode.name] = m.echoUnderLoad
    delete m.echoUnderLoad
    modes[mode.name] = m
  }

  const bareIdle = summarize(idleEcho.ms)
  result.yardstick = {
    what: `bare libp2p (TCP + Noise + Yamux, no other service) request/response on loopback between two processes, on an open connection: open a stream, write one ${ECHO_PAYLOAD_BYTES}-byte length-prefixed message, read it back, close (what one search tier costs at the least)`,
    bareStreamRttMs: bareIdle,
    underLoadMs: { ...echoUnderLoad, when: 'sampled every 100 ms during each mode\'s search phase' },
    failures: idleEcho.failures,
    vsOffIsTheLoadYardstick: 'the "off" mode (every search answered by the central index), measured in the same run, is the yardstick for the bootstrap\'s load'
  }
  if (modes.on != null && modes.off != null) {
    const on = modes.on.searchPhase
    const off = modes.off.searchPhase
    const onB: BootstrapDelta = on.bootstrap
    const offB: BootstrapDelta = off.bootstrap
    const ratios = {
      searchRequests: fraction(onB.searchRequests, offB.searchRequests),
      searchBytes: fraction(onB.searchBytes, offB.searchBytes),
      searchRequestsPerSearch: fraction(on.perSearch.bootstrapSearchRequests, off.perSearch.bootstrapSearchRequests),
      searchBytesPerSearch: fraction(on.perSearch.bootstrapSearchBytes, off.perSearch.bootstrapSearchBytes),
      socketBytes: fraction(onB.socketBytes, offB.socketBytes),
      socketBytesAboveIdle: fraction(on.socketBytesAboveIdle, off.socketBytesAboveIdle),
      bootstrapCpu: fraction(onB.cpuSeconds, offB.cpuSeconds, 3)
    }
    // a ratio is only worth something if both modes ran the whole workload and found (nearly) every target
    const problems = (['off', 'on'] as const).flatMap(name => {
      const sp = modes[name].searchPhase
      const out: string[] = []
      if (sp.searches < SEARCHES) out.push(`${name}: only ${sp.searches} of ${SEARCHES} searches ran`)
      if (sp.found < MIN_FOUND_FRACTION * sp.searches) out.push(`${name}: ${sp.misses} of ${sp.searches} searches missed their target`)
      return out
    })
    const valid = { ok: problems.length === 0, problems, rule: `both modes ran all ${SEARCHES} searches and each found at least ${MIN_FOUND_FRACTION * 100}% of its targets; otherwise goalMet is null` }
    result.ratiosOnOverOff = {
      ...ratios,
      goal: `search requests and search bytes the bootstrap handles with virtual servers on <= ${GOAL_RATIO * 100}% of those with them off`,
      goalMet: valid.ok ? ratios.searchRequests != null && ratios.searchBytes != null && ratios.searchRequests <= GOAL_RATIO && ratios.searchBytes <= GOAL_RATIO : null,
      validity: valid,
      definitions: {
        searchRequests: 'peerhive_protocol_requests_total{protocol="/peerhive/search/1.0.0"} of the bootstrap, every outcome, during the search phase only: on / off',
        searchBytes: 'peerhive_protocol_bytes_total{protocol="/peerhive/search/1.0.0"} in + out (protobuf message bytes) during the search phase: on / off',
        socketBytes: 'every TCP payload byte of the bootstrap\'s libp2p sockets during the search phase (all protocols: search, pings, gossipsub, DHT, identify): on / off',
        socketBytesAboveIdle: 'the same, less the bootstrap\'s background rate measured in an idle window just before the phase times the phase duration (clamped at 0): on / off',
        bootstrapCpu: 'CPU seconds of the bootstrap process during the search phase: on / off'
      }
    }
    result.latencyComparison = {
      onSubnetHitP50OverBareStreamP50: fraction(modes.on.searchPhase.latencyMs.toTargetByKind.subnet?.p50, bareIdle?.p50, 1),
      onSubnetHitP50OverBareStreamUnderLoadP50: fraction(modes.on.searchPhase.latencyMs.toTargetByKind.subnet?.p50, echoUnderLoad.on?.p50, 1),
      onRemoteHitP50OverBareStreamUnderLoadP50: fraction(modes.on.searchPhase.latencyMs.toTargetByKind.remote?.p50, echoUnderLoad.on?.p50, 1),
      offHitP50OverBareStreamUnderLoadP50: fraction(modes.off.searchPhase.latencyMs.toTarget?.p50, echoUnderLoad.off?.p50, 1),
      onOverOffToTargetP50: fraction(modes.on.searchPhase.latencyMs.toTarget?.p50, modes.off.searchPhase.latencyMs.toTarget?.p50, 2),
      onOverOffToTargetP99: fraction(modes.on.searchPhase.latencyMs.toTarget?.p99, modes.off.searchPhase.latencyMs.toTarget?.p99, 2),
      pacedOnOverOffToTargetP50: fraction(modes.on.pacedSearchPhase?.latencyMs.toTarget?.p50, modes.off.pacedSearchPhase?.latencyMs.toTarget?.p50, 2),
      pacedOnOverOffToTargetP99: fraction(modes.on.pacedSearchPhase?.latencyMs.toTarget?.p99, modes.off.pacedSearchPhase?.latencyMs.toTarget?.p99, 2),
      paced: `the same searches started at ${PACED_PER_SEC} a second in both modes (pacedSearchPhase): the modes compared at the same offered load`
    }
    progress(`ratio on/off: search requests ${ratios.searchRequests}, search bytes ${ratios.searchBytes}, socket bytes ${ratios.socketBytes} (above idle ${ratios.socketBytesAboveIdle}); goal <= ${GOAL_RATIO}: ${result.ratiosOnOverOff.goalMet === true ? 'met' : result.ratiosOnOverOff.goalMet === false ? 'NOT met' : `not judged (${problems.join('; ')})`}`)
  } else {
    notes.push(`only the ${Object.keys(modes).join(', ')} mode ran (BENCH_CENTRAL_LOAD_MODES): no ratio`)
  }
  addNotes(result, notes, { workers: WORKERS, peers: PEERS })

  await Promise.all([echo.shutdown(5_000), Promise.resolve().then(async () => client?.stop()).catch(() => {})])
  result.machine.loadavgAtEnd = loadavg().map(x => round(x))
  result.machine.loadavg1mDuringRun = { max: round(Math.max(...loadSamples, 0)), mean: round(loadSamples.reduce((a, b) => a + b, 0) / Math.max(1, loadSamples.length)), note: 'the machine is shared: a load well above 2 means other work competed with the benchmark' }
  result.durationS = round((now() - started) / 1000, 1)
}

// ---------------------------------------------------------------- one mode

async function runMode (mode: Mode, plans: HostedPeerPlan[], searches: PlannedSearch[], yardstick: (go: () => boolean) => Promise<{ ms: number[], failures: number }>, partial: (out: Record<string, any>) => void): Promise<Record<string, any>> {
  const t0 = now()
  const tag = `[${mode.name}]`
  const out: Record<string, any> = { vsLimit: mode.vsLimit }
  partial(out)
  const boot = bootstrap = await CliBootstrap.start(join(tmp, mode.name, 'bootstrap'),
    ['--listen', '/ip4/127.0.0.1/tcp/0', '--vs-limit', String(mode.vsLimit), '--metrics', '127.0.0.1:0'])
  progress(`${tag} bootstrap ${boot.info.peerId} at ${boot.multiaddr} (pid ${boot.pid})`)
  const workers = await Promise.all(Array.from({ length: WORKERS }, async (_, i) => Child.fork(`${mode.name}-worker-${i}`, lib('central-load-worker.js'), [], { DEBUG: ProductLogTally.DEBUG })))
  const productLog = new ProductLogTally()
  for (const w of workers) productLog.attach(w.proc.stderr)
  const workerOf = new Map<number, Child>()
  const perWorker: HostedPeerPlan[][] = workers.map(() => [])
  const intervalMs = 1000 / RATE_PER_SEC
  const epoch = now() + 500
  const timed = plans.map(p => ({ ...p, at: epoch + p.idx * intervalMs }))
  timed.forEach((p, i) => {
    perWorker[i % WORKERS].push(p)
    workerOf.set(p.idx, workers[i % WORKERS])
  })
  const startSnap = await snapshotBootstrap(boot, 'bootstrap started')
  await Promise.all(workers.map(async (w, i) => w.call('plan', { bootstrap: boot.multiaddr, peers: perWorker[i], peerTimeoutMs: PEER_TIMEOUT_MS })))
  const lastArrival = timed[timed.length - 1].at
  const last = mode === MODES[MODES.length - 1]
  const readyTimeoutMs = last ? Math.max(READY_TIMEOUT_MS, WATCHDOG_MS - (lastArrival - started) - MODE_TAIL_MS) : READY_TIMEOUT_MS

  // --- wait until every peer is placed, has its index at its virtual server (or the bootstrap), and holds the directory
  const wantRole = (role: string | undefined): boolean => mode.vsLimit > 0 ? role === 'virtual-server' || role === 'member' : role === 'central-client'
  const firsts: Record<string, number | undefined> = {}
  let states: HostedPeerState[] = []
  let table: any[] = []
  const readiness = (): Record<string, number> => ({
    running: states.filter(s => s.peerId != null).length,
    placed: states.filter(s => wantRole(s.role)).length,
    shared: states.filter(s => s.shared === FILES_PER_PEER).length,
    // a virtual server keeps its own index: it never reports synced
    indexed: states.filter(s => s.role === 'virtual-server' || s.synced).length,
    // members follow no directory: their virtual server routes their searches (protocols/filters.md)
    directory: states.filter(s => s.role === 'member' || (mode.vsLimit > 0 ? s.directorySize === SUBNETS : s.directorySize != null)).length,
    tableOk: tableOk(table, mode) ? PEERS : 0
  })
  let r = readiness()
  let lastProgress = now()
  const ready = await pollUntil(async (): Promise<true | 'stalled' | false> => {
    states = (await Promise.all(workers.map(async w => w.call<HostedPeerState[]>('state', {}, 10_000)))).flat()
    table = await boot.api<any[]>('/v1/subnets').catch(() => [])
    const before = JSON.stringify(r)
    r = readiness()
    if (JSON.stringify(r) !== before) lastProgress = now()
    for (const [k, v] of Object.entries(r)) if (v === PEERS && firsts[k] == null) firsts[k] = now()
    if (Object.values(r).every(v => v === PEERS)) return true
    // nothing moved for a while after the last arrival: waiting longer will not help
    return now() > lastArrival && now() - lastProgress > READY_STALL_MS ? 'stalled' : false
  }, Math.max(0, lastArrival - now()) + readyTimeoutMs, 500)
  const readyAt = now()
  out.setup = {
    ready: ready === true,
    readyTimeoutMsAfterLastArrival: round(readyTimeoutMs, 0),
    stalled: ready === 'stalled',
    readiness: r,
    readinessDefinition: 'peers (of ' + PEERS + ') running; placed in the expected role; sharing their ' + FILES_PER_PEER + ' files; with their index acknowledged by their virtual server or the bootstrap (a virtual server holds its own); holding the directory (on: all ' + SUBNETS + ' virtual servers; off: any, even empty); tableOk: the bootstrap\'s table has the expected shape',
    msFromFirstArrival: Object.fromEntries(Object.entries(firsts).map(([k, v]) => [k, v == null ? null : round(v - epoch, 0)])),
    roles: Object.fromEntries(countBy(states, s => s.role ?? 'none')),
    bootstrapTable: tableShape(table),
    peerErrors: states.filter(s => s.error != null).slice(0, 10).map(s => ({ idx: s.idx, error: s.error }))
  }
  progress(`${tag} ${ready === true ? 'ready' : 'NOT ready'} ${round((readyAt - epoch) / 1000, 1)} s after the first arrival: ${JSON.stringify(r)}`)
  if (ready !== true) notes.push(`mode ${mode.name}: not every peer was ready ${ready === 'stalled' ? `(no progress for ${READY_STALL_MS} ms)` : `within ${round(readyTimeoutMs, 0)} ms of the last arrival`} (${JSON.stringify(r)}); the searches ran anyway`)
  const peerIdOf = new Map(states.filter(s => s.peerId != null).map(s => [s.idx, s.peerId!]))
  const setupSnap = await snapshotBootstrap(boot, 'all ready')
  out.setup.bootstrapDuringSetup = deltaOf(boot, startSnap, setupSnap)

  // --- let the peers calm down (DHT announcements of the shared files) before measuring anything
  const workerCpu = (): number[] => workers.map(w => cpuSecondsOf(w.pid) ?? 0)
  const tCalm = now()
  const calmMaxMs = Math.max(QUIET_SAMPLE_MS, Math.min(QUIET_MAX_MS, WATCHDOG_MS - (tCalm - started) - SEARCH_TAIL_MS - (last ? 0 : NEXT_MODE_MS * (MODES.length - 1 - MODES.indexOf(mode)))))
  let cpuPercent = NaN
  let cpuByWorker: number[] = []
  const calm = await pollUntil(async () => {
    const a = workerCpu()
    await sleep(QUIET_SAMPLE_MS)
    cpuByWorker = workerCpu().map((b, i) => round(100 * (b - a[i]) / (QUIET_SAMPLE_MS / 1000), 1))
    cpuPercent = round(cpuByWorker.reduce((x, y) => x + y, 0), 1)
    return cpuPercent < QUIET_CPU_PERCENT
  }, calmMaxMs, 0)
  out.setup.calmDown = {
    calm: calm === true,
    waitedMs: round(now() - tCalm, 0),
    peerProcessesCpuPercent: cpuPercent,
    perWorkerCpuPercent: cpuByWorker,
    rule: `after the readiness wait, until the peer processes used less than ${QUIET_CPU_PERCENT}% of one core over ${QUIET_SAMPLE_MS} ms, at most ${round(calmMaxMs, 0)} ms (what the time budget left)`
  }
  progress(`${tag} peers ${calm === true ? 'calm' : 'still busy'} after ${round((now() - tCalm) / 1000, 1)} s (${cpuPercent}% CPU)`)
  if (calm !== true) notes.push(`mode ${mode.name}: the peer processes still used ${cpuPercent}% of a core ${round(calmMaxMs, 0)} ms after the readiness wait; the search phase shared the machine with that work (its latencies are inflated)`)
  const statesNow = (await Promise.all(workers.map(async w => w.call<HostedPeerState[]>('state', {}, 10_000).catch(() => [])))).flat()
  if (statesNow.length > 0) states = statesNow
  table = await boot.api<any[]>('/v1/subnets').catch(() => table)
  out.setup.readinessBeforeSearch = readiness()
  out.setup.connectionsPerPeer = summarize(states.map(s => s.connections ?? NaN))

  const indexedAtStart = new Set(states.filter(s => s.role === 'virtual-server' || s.synced).map(s => s.idx))
  const ctx: PhaseContext = { mode, boot, workers, workerOf, peerIdOf, indexedAtStart, notes, progress }
  const main = await searchPhase(ctx, 'search', searches, yardstick, { concurrency: CONCURRENCY })
  out.idleWindow = main.idleWindow
  out.searchPhase = main.figures
  out.echoUnderLoad = main.echo
  out.pacedSearchPhase = (await searchPhase(ctx, 'paced', searches, yardstick, { perSec: PACED_PER_SEC })).figures
  out.productLog = { ...productLog.figures(), when: 'from the workers\' start to the end of the search phase' }

  // --- with virtual servers: can each member reach its virtual server? (after the measurement: the dials change state)
  if (mode.vsLimit > 0) {
    const diag = (await Promise.all(workers.map(async w => w.call<MemberDiagnosis[]>('diagnose', { dial: true, dialTimeoutMs: 3_000 }, 15_000).catch((err: Error) => {
      notes.push(`mode ${mode.name}: no member diagnosis from ${w.name}: ${err.message.split('\n')[0]}`)
      return []
    })))).flat()
    out.memberDiagnosis = diagnosisFigures(diag)
    progress(`${tag} members: ${JSON.stringify(out.memberDiagnosis.summary)}`)
  }

  // --- shut down (bounded); after the last mode, the benchmark's exit kills everything (SIGKILL) without waiting
  out.durationS = round((now() - t0) / 1000, 1)
  if (!last) {
    await Promise.all(workers.map(async w => w.shutdown(8_000)))
    out.bootstrapExit = await boot.stop()
    bootstrap = undefined
  }
  out.durationS = round((now() - t0) / 1000, 1)
  return out
}

function progress (line: string): void {
  process.stderr.write(`[central-load ${((now() - started) / 1000).toFixed(1)}s] ${line}\n`)
}

function write (): void {
  result.notes = notes
  mkdirSync(join(ROOT, 'benchmarks', 'results'), { recursive: true })
  const { benchmark, date, ...rest } = result
  const ordered = { benchmark, date, summary: summary(result.modes ?? {}), ratiosOnOverOff: result.ratiosOnOverOff ?? null, ...rest }
  const text = JSON.stringify(ordered, null, 2) + '\n'
  writeFileSync(RESULT_FILE, text)
  process.stdout.write(text)
}

