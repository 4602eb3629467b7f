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
import { countBy, round, sumRecords, summarize, type Summary } from './lib/stats.js'
import { createBareNode, echoOnce } from './lib/yardstick.js'
import { ProductLogTally, deltaOf, fraction, prng, shuffle, snapshotBootstrap, type BootstrapDelta } from './lib/central-load-measure.js'
import { diagnosisFigures, dialFigures, emptyOutcome, missCause, whyCentral, type Kind, type Outcome, type PlannedSearch } from './lib/central-load-figures.js'
import { sampleMany, sampleWhile } from './lib/samplers.js'
import type { HostedPeerPlan, HostedPeerState, MemberDiagnosis, SearchOutcome } from './lib/central-load-worker.js'
import type { Libp2p } from 'libp2p'

const FIRST_SUBNET = 90
const SUBNETS = 12
const HOSTS_PER_SUBNET = 8
const PEERS = SUBNETS * HOSTS_PER_SUBNET
const FILES_PER_PEER = 3
const FILE_BYTES = 2_048
const VS_LIMIT_ON = 8
const SEARCHES = Math.floor(positiveEnv('BENCH_CENTRAL_LOAD_SEARCHES', 600))
const CONCURRENCY = Math.floor(positiveEnv('BENCH_CENTRAL_LOAD_CONCURRENCY', 16))
/**
 * The second search phase starts searches at this rate, whether or not the
 * earlier ones have answered (as users do), so both modes are compared at
 * the same offered load; the first phase keeps CONCURRENCY in flight, so
 * the faster mode also gets more load.
 */
const PACED_PER_SEC = positiveEnv('BENCH_CENTRAL_LOAD_PACED_RATE', 300)
/** searches in flight at most in the paced phase; past it, the next waits (counted in the figures) */
const PACED_MAX_IN_FLIGHT = 64
const SEED = Math.floor(positiveEnv('BENCH_CENTRAL_LOAD_SEED', 1001))
const RATE_PER_SEC = positiveEnv('BENCH_CENTRAL_LOAD_RATE', 10)
const WORKERS = Math.floor(positiveEnv('BENCH_CENTRAL_LOAD_WORKERS', 3))
/** the hosted peers' peerTimeoutMs: 96 peers on 2 cores, as in the join benchmark (each peer pings each connection every peerTimeoutMs/2) */
const PEER_TIMEOUT_MS = 60_000
const SEARCH_LIMIT = 10
const SEARCH_TIMEOUT_MS = 5_000
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
const IDLE_WINDOW_MS = 5_000
const SEARCH_PHASE_MAX_MS = 60_000
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
  const plans = peerPlans()
  const searches = workload(plans)
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
  writeFiles(plans)
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
  addNotes()

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
  const ctx: PhaseContext = { mode, boot, workers, workerOf, peerIdOf, indexedAtStart }
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

/** Runs the searches with `concurrency` in flight; returns 0 (no search waits for a start time). */
async function closedLoop (searches: PlannedSearch[], concurrency: number, deadline: number, runOne: (s: PlannedSearch) => Promise<void>): Promise<number> {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < searches.length && now() < deadline) await runOne(searches[next++])
  }))
  return 0
}

/** Starts search i at i / perSec s, at most PACED_MAX_IN_FLIGHT at once; returns how many started late for that bound. */
async function paced (searches: PlannedSearch[], perSec: number, deadline: number, runOne: (s: PlannedSearch) => Promise<void>): Promise<number> {
  const t0 = now()
  const running = new Set<Promise<void>>()
  let late = 0
  for (let i = 0; i < searches.length && now() < deadline; i++) {
    const wait = t0 + i * 1000 / perSec - now()
    if (wait > 0) await sleep(wait)
    if (running.size >= PACED_MAX_IN_FLIGHT) {
      late++
      await Promise.race(running)
    }
    const p: Promise<void> = runOne(searches[i]).finally(() => running.delete(p))
    running.add(p)
  }
  await Promise.all(running)
  return late
}

interface PhaseContext {
  mode: Mode
  boot: CliBootstrap
  workers: Child[]
  workerOf: Map<number, Child>
  peerIdOf: Map<number, string>
  /** peers whose index was at their virtual server (or the bootstrap), or that are virtual servers, when the phase began */
  indexedAtStart: Set<number>
}

/** An idle window (the bootstrap's background traffic), then the workload; the bootstrap's figures cover the workload only. */
/** A closed loop (a fixed number of searches in flight) or an open one (a fixed rate of starts). */
type Pacing = { concurrency: number } | { perSec: number }

async function searchPhase (ctx: PhaseContext, label: string, searches: PlannedSearch[], yardstick: (go: () => boolean) => Promise<{ ms: number[], failures: number }>, pacing: Pacing, maxMs = SEARCH_PHASE_MAX_MS): Promise<{ idleWindow: Record<string, any>, figures: Record<string, any>, echo: Summary | null }> {
  const { boot, workers, workerOf, peerIdOf } = ctx
  const tag = `[${ctx.mode.name}]`
  const workersCpu = (): number => workers.map(w => cpuSecondsOf(w.pid) ?? 0).reduce((a, b) => a + b, 0)
  const idleA = await snapshotBootstrap(boot, 'idle start')
  const idleCpuA = workersCpu()
  await sleep(IDLE_WINDOW_MS)
  const idleB = await snapshotBootstrap(boot, `${label} start`)
  const idle = deltaOf(boot, idleA, idleB)
  const idlePeerCpuPercent = idle.seconds > 0 ? round(100 * (workersCpu() - idleCpuA) / idle.seconds, 1) : null
  const servedBefore = await servedBy(workers)
  const cpuBefore = workers.map(w => cpuSecondsOf(w.pid) ?? 0).reduce((a, b) => a + b, 0)
  const tableBefore = await boot.api<any[]>('/v1/subnets').catch(() => [])

  const outcomes: Outcome[] = []
  let searching = true
  const deadline = now() + maxMs
  const echo = yardstick(() => searching)
  const tPhase = now()
  const runOne = async (s: PlannedSearch): Promise<void> => {
    const provider = peerIdOf.get(s.target)
    const base = { n: s.n, kind: s.kind, filename: s.filename, target: s.target }
    if (provider == null || !peerIdOf.has(s.searcher)) {
      outcomes.push({ ...emptyOutcome(s.searcher), ...base, failed: 'the searcher or the target peer is not running' })
      return
    }
    try {
      const o = await workerOf.get(s.searcher)!.call<SearchOutcome>('search', { idx: s.searcher, words: [s.filename], target: s.filename, provider, limit: SEARCH_LIMIT, timeoutMs: SEARCH_TIMEOUT_MS }, SEARCH_TIMEOUT_MS + 10_000)
      outcomes.push({ ...o, ...base })
    } catch (err: any) {
      outcomes.push({ ...emptyOutcome(s.searcher), ...base, failed: String(err.message).split('\n')[0].slice(0, 200) })
    }
  }
  const startedLate = 'perSec' in pacing ? await paced(searches, pacing.perSec, deadline, runOne) : await closedLoop(searches, pacing.concurrency, deadline, runOne)
  const phaseMs = now() - tPhase
  searching = false
  const end = await snapshotBootstrap(boot, `${label} end`)
  const echoSamples = await echo
  const phase = deltaOf(boot, idleB, end)
  const servedAfter = await servedBy(workers)
  const cpuAfter = workers.map(w => cpuSecondsOf(w.pid) ?? 0).reduce((a, b) => a + b, 0)
  const tableAfter = await boot.api<any[]>('/v1/subnets').catch(() => [])
  const loads = await Promise.all(workers.map(async w => w.call('load', {}, 5_000).catch(() => null)))
  if (outcomes.length < searches.length) notes.push(`mode ${ctx.mode.name}, ${label}: only ${outcomes.length} of ${searches.length} searches ran within ${round(maxMs, 0)} ms`)
  outcomes.sort((a, b) => a.n - b.n)

  const idleRate = idle.seconds > 0 ? idle.socketBytes / idle.seconds : 0
  const aboveIdle = Math.max(0, phase.socketBytes - idleRate * phase.seconds)
  const found = outcomes.filter(o => o.found)
  const ran = outcomes.filter(o => o.failed == null)
  const vsServed = sumValues(servedAfter.byOutcome) - sumValues(servedBefore.byOutcome)
  const figures = {
    pacing: 'perSec' in pacing
      ? { startsPerSec: pacing.perSec, maxInFlight: PACED_MAX_IN_FLIGHT, startedLate, rule: 'search i starts i / startsPerSec s into the phase, whether or not the earlier ones have answered; startedLate: searches that waited for one of maxInFlight to end' }
      : { inFlight: pacing.concurrency, rule: 'a fixed number of searches in flight: the next starts when one ends' },
    seconds: round(phaseMs / 1000, 2),
    searches: outcomes.length,
    found: found.length,
    misses: outcomes.length - found.length,
    missesByKind: Object.fromEntries(countBy(outcomes.filter(o => !o.found), o => o.kind)),
    missesByCause: Object.fromEntries(countBy(outcomes.filter(o => !o.found), o => missCause(o, ctx.indexedAtStart))),
    missList: outcomes.filter(o => !o.found).slice(0, 12).map(o => ({ n: o.n, kind: o.kind, searcher: o.idx, role: o.role, target: o.filename, targetIndexed: ctx.indexedAtStart.has(o.target), results: o.results, tiers: o.tiers, dials: o.dials, error: o.error ?? o.failed })),
    errors: outcomes.filter(o => o.error != null || o.failed != null).length,
    bootstrap: phase,
    socketBytesAboveIdle: round(aboveIdle, 0),
    perSearch: {
      bootstrapSearchRequests: perSearch(phase.searchRequests, outcomes.length, 4),
      bootstrapSearchBytes: perSearch(phase.searchBytes, outcomes.length),
      bootstrapSearchBytesIn: perSearch(phase.searchBytesIn, outcomes.length),
      bootstrapSearchBytesOut: perSearch(phase.searchBytesOut, outcomes.length),
      bootstrapSocketBytes: perSearch(phase.socketBytes, outcomes.length),
      bootstrapSocketBytesAboveIdle: perSearch(aboveIdle, outcomes.length),
      bootstrapCpuMs: phase.cpuSeconds == null ? null : perSearch(phase.cpuSeconds * 1000, outcomes.length)
    },
    whyTheBootstrapWasAsked: whyCentral(ran, phase.searchRequests, ctx.indexedAtStart),
    virtualServersServed: {
      searchRequests: vsServed,
      byOutcome: subtract(servedAfter.byOutcome, servedBefore.byOutcome),
      searchBytes: servedAfter.bytesIn + servedAfter.bytesOut - servedBefore.bytesIn - servedBefore.bytesOut,
      perSearch: perSearch(vsServed, outcomes.length, 2),
      what: 'search requests answered by the hosted peers (their own peerhive_protocol_requests_total; only virtual servers answer): where the load went'
    },
    searchRequestsSent: dialFigures(ran),
    targetTiers: Object.fromEntries(countBy(found, o => o.targetTier ?? '?')),
    targetTiersByKind: {
      subnet: Object.fromEntries(countBy(found.filter(o => o.kind === 'subnet'), o => o.targetTier ?? '?')),
      remote: Object.fromEntries(countBy(found.filter(o => o.kind === 'remote'), o => o.targetTier ?? '?'))
    },
    resultTiers: sumRecords(outcomes.map(o => o.tiers)),
    searcherRoles: Object.fromEntries(countBy(outcomes, o => o.role)),
    // members route through their virtual server and never follow the directory
    searchesWithoutDirectory: ran.filter(o => o.role !== 'member' && !o.hadDirectory).length,
    latencyMs: {
      toTarget: summarize(found.map(o => o.targetMs!)),
      toTargetByKind: {
        subnet: summarize(found.filter(o => o.kind === 'subnet').map(o => o.targetMs!)),
        remote: summarize(found.filter(o => o.kind === 'remote').map(o => o.targetMs!))
      },
      wholeSearch: summarize(ran.map(o => o.totalMs)),
      wholeSearchByKind: {
        subnet: summarize(ran.filter(o => o.kind === 'subnet').map(o => o.totalMs)),
        remote: summarize(ran.filter(o => o.kind === 'remote').map(o => o.totalMs))
      },
      definitions: {
        toTarget: 'the product\'s `ms` of the result that is the target (time since the search started), found searches only',
        wholeSearch: 'from the call to node.search() to the end of its result stream (every tier the product chose to ask), measured in the worker'
      }
    },
    tableStable: JSON.stringify(tableShape(tableBefore)) === JSON.stringify(tableShape(tableAfter)) && sameServers(tableBefore, tableAfter),
    peerProcesses: {
      cpuPercent: round(100 * (cpuAfter - cpuBefore) / (phaseMs / 1000), 1),
      workers: loads.map((l: any, i) => l == null ? null : { name: workers[i].name, rssMb: l.rssMb, eventLoopDelayMs: { p50: round(l.eventLoopDelayMs.p50), p99: round(l.eventLoopDelayMs.p99), max: round(l.eventLoopDelayMs.max) } })
    }
  }
  progress(`${tag} ${label}: ${figures.searches} searches in ${figures.seconds} s, ${figures.found} found, ${figures.misses} missed ${JSON.stringify(figures.missesByCause)}; bootstrap: ${phase.searchRequests} search requests, ${phase.searchBytes} search bytes, ${phase.socketBytes} socket bytes; target tiers ${JSON.stringify(figures.targetTiers)}; p50/p99 to target ${figures.latencyMs.toTarget?.p50}/${figures.latencyMs.toTarget?.p99} ms`)
  return {
    idleWindow: { ...idle, socketBytesPerSec: round(idleRate, 0), peerProcessesCpuPercent: idlePeerCpuPercent, what: 'the bootstrap with every peer up and nobody searching, just before the phase (background: pings, gossipsub heartbeats and republished tables/directory, DHT)' },
    figures,
    echo: summarize(echoSamples.ms)
  }
}

// ---------------------------------------------------------------- plan and workload

function peerPlans (): HostedPeerPlan[] {
  const plans: HostedPeerPlan[] = []
  for (let k = 0; k < PEERS; k++) {
    const subnet = FIRST_SUBNET + (k % SUBNETS)
    const host = 1 + Math.floor(k / SUBNETS)
    const files = Array.from({ length: FILES_PER_PEER }, (_, i) => join(tmp, 'files', `s${subnet}`, `h${host}`, fileName(subnet, host, i + 1)))
    plans.push({ idx: k, ip: `127.0.${subnet}.${host}`, subnet, host, at: 0, files, title: '', keywords: [] })
  }
  return plans
}

/**
 * One word per file, that only this file contains: the DHT announces every
 * word of a file's name, title and keywords (src/sharing/dht/words.ts), so
 * s90-h3-1.dat would add the words s90, h3 and dat shared by many files, and
 * tens of extra DHT records per peer that load the 2 cores without changing
 * what this benchmark measures.
 */
function fileName (subnet: number, host: number, k: number): string {
  return `s${subnet}h${host}f${k}`
}

function writeFiles (plans: HostedPeerPlan[]): void {
  const rand = prng(SEED ^ 0x5eed)
  for (const p of plans) {
    for (const f of p.files) {
      mkdirSync(join(f, '..'), { recursive: true })
      const body = Buffer.alloc(FILE_BYTES)
      body.write(`peerhive central-load ${f}\n`)
      for (let i = 64; i < FILE_BYTES; i++) body[i] = Math.floor(rand() * 256)
      writeFileSync(f, body)
    }
  }
}

/** The seeded workload: searchers round-robin over a shuffled peer order, exactly 1 in 5 looking in another subnet. */
function workload (plans: HostedPeerPlan[]): PlannedSearch[] {
  const rand = prng(SEED)
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]
  const kinds = shuffle(Array.from({ length: SEARCHES }, (_, i): Kind => i % 5 === 4 ? 'remote' : 'subnet'), rand)
  const at = new Map(plans.map(p => [`${p.subnet}/${p.host}`, p]))
  const subnets = Array.from({ length: SUBNETS }, (_, i) => FIRST_SUBNET + i)
  const hosts = Array.from({ length: HOSTS_PER_SUBNET }, (_, i) => 1 + i)
  let order: number[] = []
  const out: PlannedSearch[] = []
  for (let n = 0; n < SEARCHES; n++) {
    if (n % PEERS === 0) order = shuffle(plans.map(p => p.idx), rand)
    const searcher = plans[order[n % PEERS]]
    const kind = kinds[n]
    const subnet = kind === 'subnet' ? searcher.subnet : pick(subnets.filter(s => s !== searcher.subnet))
    const host = kind === 'subnet' ? pick(hosts.filter(h => h !== searcher.host)) : pick(hosts)
    const k = 1 + Math.floor(rand() * FILES_PER_PEER)
    out.push({ n, searcher: searcher.idx, kind, target: at.get(`${subnet}/${host}`)!.idx, filename: fileName(subnet, host, k) })
  }
  return out
}

// ---------------------------------------------------------------- helpers

function tableOk (table: any[], mode: Mode): boolean {
  if (table.length !== SUBNETS) return false
  return table.every(row => mode.vsLimit > 0
    ? row.virtualServers.length === 1 && row.virtualServers[0].clientCount === HOSTS_PER_SUBNET && row.centralClients.length === 0
    : row.virtualServers.length === 0 && row.centralClients.length === HOSTS_PER_SUBNET)
}

function tableShape (table: any[]): Record<string, number> {
  return {
    subnets: table.length,
    virtualServers: table.reduce((n, r) => n + r.virtualServers.length, 0),
    members: table.reduce((n, r) => n + r.virtualServers.reduce((m: number, g: any) => m + g.members.length, 0), 0),
    centralClients: table.reduce((n, r) => n + r.centralClients.length, 0)
  }
}

function sameServers (a: any[], b: any[]): boolean {
  const ids = (t: any[]): string => t.flatMap(r => r.virtualServers.map((g: any) => g.peerId)).sort().join()
  return ids(a) === ids(b)
}

async function servedBy (workers: Child[]): Promise<{ byOutcome: Record<string, number>, bytesIn: number, bytesOut: number }> {
  const all = await Promise.all(workers.map(async w => w.call('served', {}, 10_000).catch(() => null)))
  return {
    byOutcome: sumRecords(all.filter(x => x != null).map(x => x.byOutcome)),
    bytesIn: all.reduce((n, x) => n + (x?.bytesIn ?? 0), 0),
    bytesOut: all.reduce((n, x) => n + (x?.bytesOut ?? 0), 0)
  }
}

function perSearch (x: number, n: number, digits = 1): number | null {
  return n > 0 ? round(x / n, digits) : null
}

function sumValues (r: Record<string, number>): number {
  return Object.values(r).reduce((a, b) => a + b, 0)
}

function subtract (b: Record<string, number>, a: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const v = (b[k] ?? 0) - (a[k] ?? 0)
    if (v !== 0) out[k] = v
  }
  return out
}

function addNotes (): void {
  const m = result.machine
  notes.push(`${m.cpus} CPUs shared by the bootstrap, ${WORKERS} workers hosting ${PEERS} peers, the echo server and this process: latencies include CPU contention`)
  notes.push('modes run one after the other (off, then on), each with a fresh bootstrap and fresh peers; the same seeded workload in both')
  notes.push('search bytes are the protobuf message bytes the bootstrap counts for /peerhive/search/1.0.0 (without Noise/Yamux framing); socket bytes are exact TCP payload counts of the bootstrap process (socket-counter preload) and include its background traffic (pings, gossipsub heartbeats and republished tables, DHT), hence the idle-adjusted figure')
  for (const name of Object.keys(result.modes)) {
    const sp = result.modes[name].searchPhase
    if (sp == null) continue
    if (sp.misses > 0) notes.push(`mode ${name}: ${sp.misses} of ${sp.searches} searches did not find their target (see modes.${name}.searchPhase.missList)`)
    if (sp.searchesWithoutDirectory > 0) notes.push(`mode ${name}: ${sp.searchesWithoutDirectory} searches by a virtual server or central client started before it held the directory, so each asked the bootstrap first`)
    if (sp.tableStable !== true) notes.push(`mode ${name}: the bootstrap's table changed during the search phase`)
    const log = result.modes[name].productLog
    const indexedMs = result.modes[name].setup?.msFromFirstArrival?.indexed
    if (log != null && (log.indexPushFailed > 0 || log.virtualServerFirstDialFailed > 0)) {
      notes.push(`mode ${name}: while the network started, ${log.indexPushFailed} index pushes and ${log.virtualServerFirstDialFailed} first dials of members to their virtual server failed (${Object.keys({ ...log.indexPushErrors, ...log.virtualServerFirstDialErrors }).join('; ')}); every index was at its virtual server or the bootstrap ${indexedMs != null ? `${round(indexedMs / 1000, 1)} s` : 'not within the wait'} after the first arrival, and searches made before that miss files and fall back to the central index (see whyTheBootstrapWasAsked)`)
    }
    const why = sp.whyTheBootstrapWasAsked
    if (why.bootstrapRequestsSent !== why.measuredRequests) notes.push(`mode ${name}: the bootstrap counted ${why.measuredRequests} search requests; the searchers sent it ${why.bootstrapRequestsSent}`)
  }
  const on = result.modes.on?.searchPhase
  if (on != null && on.bootstrap.searchRequests > 0) {
    const causes = Object.entries(on.whyTheBootstrapWasAsked.byCause as Record<string, number>).map(([k, v]) => `${v}: ${k}`).join('; ')
    notes.push(`with virtual servers on, the bootstrap still handled ${on.bootstrap.searchRequests} search requests (${on.whyTheBootstrapWasAsked.searchesThatAskedTheBootstrap} searches asked it). Why: ${causes}`)
  }
  const diag = result.modes.on?.memberDiagnosis
  if (diag != null && diag.summary.indexNotAtVirtualServer > 0) {
    const u = diag.indexNotAtVirtualServer
    notes.push(`with virtual servers on, ${u.members} of ${diag.summary.members} members never got their index to their virtual server: ${u.withAConnectionToTheirVirtualServer} of them had a connection to it, ${u.withItsAddressesInTheirPeerStore} had its addresses in their peer store, ${u.withItsAddressesInTheDirectory} could have read them in the directory; a dial by PeerId now gives ${JSON.stringify(u.dialByPeerIdNow)}`)
  }
}

function progress (line: string): void {
  process.stderr.write(`[central-load ${((now() - started) / 1000).toFixed(1)}s] ${line}\n`)
}

/** The figures asked for, per mode, in one place at the top of the result (the details follow). */
function summary (): Record<string, any> {
  const out: Record<string, any> = {}
  for (const [name, m] of Object.entries(result.modes ?? {}) as Array<[string, any]>) {
    const sp = m.searchPhase
    if (sp == null) continue
    out[name] = {
      vsLimit: m.vsLimit,
      searches: sp.searches,
      found: sp.found,
      misses: sp.misses,
      bootstrap: {
        searchRequests: sp.bootstrap.searchRequests,
        searchBytesIn: sp.bootstrap.searchBytesIn,
        searchBytesOut: sp.bootstrap.searchBytesOut,
        searchBytes: sp.bootstrap.searchBytes,
        socketBytes: sp.bootstrap.socketBytes,
        cpuSeconds: sp.bootstrap.cpuSeconds
      },
      perSearch: sp.perSearch,
      bootstrapAskedBecause: sp.whyTheBootstrapWasAsked.byCause,
      virtualServerSearchRequests: sp.virtualServersServed.searchRequests,
      targetTiers: sp.targetTiers,
      targetTiersByKind: sp.targetTiersByKind,
      latencyToTargetMs: { p50: sp.latencyMs.toTarget?.p50 ?? null, p99: sp.latencyMs.toTarget?.p99 ?? null },
      latencyToTargetByKindMs: Object.fromEntries(Object.entries(sp.latencyMs.toTargetByKind as Record<string, Summary | null>).map(([k, v]) => [k, { p50: v?.p50 ?? null, p99: v?.p99 ?? null }])),
      wholeSearchMs: { p50: sp.latencyMs.wholeSearch?.p50 ?? null, p99: sp.latencyMs.wholeSearch?.p99 ?? null },
      searchPhaseSeconds: sp.seconds,
      paced: pacedSummary(m.pacedSearchPhase),
      readinessAtSearchStart: m.setup?.readinessBeforeSearch ?? null,
      calmBeforeSearch: m.setup?.calmDown?.calm === true
    }
  }
  return out
}

function pacedSummary (sp: any): Record<string, any> | null {
  if (sp == null) return null
  return {
    startsPerSec: sp.pacing.startsPerSec,
    startedLate: sp.pacing.startedLate,
    found: sp.found,
    bootstrapSearchRequests: sp.bootstrap.searchRequests,
    latencyToTargetMs: { p50: sp.latencyMs.toTarget?.p50 ?? null, p99: sp.latencyMs.toTarget?.p99 ?? null },
    latencyToTargetByKindMs: Object.fromEntries(Object.entries(sp.latencyMs.toTargetByKind as Record<string, Summary | null>).map(([k, v]) => [k, { p50: v?.p50 ?? null, p99: v?.p99 ?? null }]))
  }
}

function write (): void {
  result.notes = notes
  mkdirSync(join(ROOT, 'benchmarks', 'results'), { recursive: true })
  const { benchmark, date, ...rest } = result
  const ordered = { benchmark, date, summary: summary(), ratiosOnOverOff: result.ratiosOnOverOff ?? null, ...rest }
  const text = JSON.stringify(ordered, null, 2) + '\n'
  writeFileSync(RESULT_FILE, text)
  process.stdout.write(text)
}

