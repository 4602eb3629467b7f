/**
 * Benchmark "join": how long a peer takes from its first join attempt to
 * its first placement, how long a virtual server's group takes to follow a
 * new virtual server after the old one dies, and what each join costs the
 * bootstrap, next to a bare libp2p request/response measured in the same run.
 *
 * Processes (all on loopback):
 * - the bootstrap, as the real CLI (`node bin/peerhive.js bootstrap ...`),
 *   with a preload that counts its TCP bytes (lib/socket-counter.ts);
 * - a few worker processes hosting most peers (lib/join-worker.ts);
 * - one process per "victim": the first peer of some subnets, which becomes
 *   a virtual server and is later killed (SIGKILL) or frozen (SIGSTOP);
 * - a bare libp2p echo server for the yardstick (lib/echo-server.ts).
 *
 * Writes benchmarks/results/join.json and prints it.
 * Knobs (environment): BENCH_JOIN_RATE (peers/s, default 5), BENCH_JOIN_WORKERS
 * (default 4), BENCH_JOIN_PEER_TIMEOUT_MS (the peers' peerTimeoutMs, default 60000;
 * 'default' for the product default), BENCH_BOOTSTRAP_DEBUG (a DEBUG value for the bootstrap; its log
 * is kept in the temporary directory, which is then not removed), BENCH_KEEP_TMP=1,
 * BENCH_JOIN_SUBNETS (subnets of 10 peers, default 20: 200 peers; fewer to see how the bootstrap's cost per join grows),
 * BENCH_BOOTSTRAP_CPU_PROF (a directory: the bootstrap runs with --cpu-prof and writes its profile there at exit).
 */
import { createWriteStream, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { now, pollUntil, sleep } from './lib/clock.js'
import { sampleEach, sampleMany } from './lib/samplers.js'
import { CliBootstrap, ROOT, cpuSecondsOf } from './lib/cli-bootstrap.js'
import { positiveEnv } from './lib/env.js'
import { Harness } from './lib/harness.js'
import { Child } from './lib/proc.js'
import { ratio, round, summarize, type Summary } from './lib/stats.js'
import { connectEchoOnce, createBareNode, echoOnce } from './lib/yardstick.js'
import type { JoinRecord, PeerPlan, PlacementEvent } from './lib/join-worker.js'
import { agreement, memberReport } from './lib/join-failover.js'
import { addNotes, arrivalFigures, placementFigures, totals, perJoin, idleFigures, failoverFigures, tableFigures, processFigures, type Snapshot } from './lib/join-figures.js'
import type { Libp2p } from 'libp2p'

const FIRST_SUBNET = 40
/** at least 7: the first peers of the first 7 subnets are the victims */
const SUBNETS = Math.max(7, Math.floor(positiveEnv('BENCH_JOIN_SUBNETS', 20)))
const HOSTS_PER_SUBNET = 10
const PEERS = SUBNETS * HOSTS_PER_SUBNET
const VS_LIMIT = 8
const RATE_PER_SEC = positiveEnv('BENCH_JOIN_RATE', 5)
const WORKERS = Math.max(1, Math.floor(positiveEnv('BENCH_JOIN_WORKERS', 4)))
/**
 * The hosted peers' failure-detection time (NodeOptions.peerTimeoutMs); 'default' = the product's (10 s).
 * 60 s by default here: every peer pings every connection each peerTimeoutMs/2, and 200 peers on one
 * machine make that ping load ~200 times what one real peer carries (see the notes in the result).
 * The bootstrap keeps its own default, so failure detection by the bootstrap is unchanged.
 */
const PEER_TIMEOUT_MS = process.env.BENCH_JOIN_PEER_TIMEOUT_MS === 'default' ? undefined : positiveEnv('BENCH_JOIN_PEER_TIMEOUT_MS', 60_000)
/** victims: the first peer (host 1) of the first subnets; they arrive first, so each becomes its subnet's first virtual server */
const KILL_VICTIMS = 5
const SILENT_VICTIMS = 2
const PLACE_TIMEOUT_MS = 30_000
const KILL_FAILOVER_TIMEOUT_MS = 10_000
const SILENT_FAILOVER_TIMEOUT_MS = 30_000
const CONSISTENCY_TIMEOUT_MS = 10_000
const IDLE_WINDOW_MS = 3_000
/** the yardstick's message: about the size of a join request */
const ECHO_PAYLOAD_BYTES = 256
/** the whole run, after which everything is killed: 175 s at the default rate, longer for slower arrivals */
const WATCHDOG_MS = Math.max(175_000, Math.ceil(PEERS / RATE_PER_SEC) * 1000 + 130_000)
const RESULT_FILE = join(ROOT, 'benchmarks', 'results', 'join.json')
const lib = (file: string): string => new URL(`./lib/${file}`, import.meta.url).pathname

interface Victim { child: Child, plan: PeerPlan, subnet: string, mode: 'kill' | 'silent' }

const started = now()
const notes: string[] = []
const result: Record<string, any> = { benchmark: 'join', date: new Date().toISOString() }
const tmp = mkdtempSync(join(tmpdir(), 'peerhive-bench-join-'))
const keepTmp = process.env.BENCH_KEEP_TMP === '1' || (process.env.BENCH_BOOTSTRAP_DEBUG ?? '') !== ''

const children: Child[] = []
const victims: Victim[] = []
let bootstrap: CliBootstrap | undefined
let client: Libp2p | undefined
const records = new Map<number, JoinRecord>()
const unplaced = new Map<number, JoinRecord>()
const placementLog: PlacementEvent[] = []
/** last CPU seconds read of each child, so a child that was killed still counts what it used */
const childCpu = new Map<number, number>()

const loadSamples: number[] = []
const loadSampler = setInterval(() => { loadSamples.push(loadavg()[0]) }, 2_000)
loadSampler.unref()
const harness = new Harness({
  name: 'join',
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
  progress(`${PEERS} peers in ${SUBNETS} subnets, ${WORKERS} workers + ${KILL_VICTIMS + SILENT_VICTIMS} victim processes, arrival ${RATE_PER_SEC}/s`)

  // --- yardstick, idle: a bare libp2p request/response between two processes
  const echo = await Child.fork('echo-server', lib('echo-server.js'))
  children.push(echo)
  const echoAddr: string = await echo.call('addr')
  client = await createBareNode([])
  await client.start()
  const payload = new Uint8Array(ECHO_PAYLOAD_BYTES).fill(7)
  await sampleMany(async () => echoOnce(client!, echoAddr, payload), 30, 10_000) // warm-up
  const idleStream = await sampleMany(async () => echoOnce(client!, echoAddr, payload), 300, 15_000)
  const idleConnect = await sampleMany(async () => connectEchoOnce(client!, echoAddr, payload), 40, 15_000)
  progress(`yardstick (idle): stream echo p50 ${summarize(idleStream.ms)?.p50} ms, new-connection echo p50 ${summarize(idleConnect.ms)?.p50} ms`)

  // --- the bootstrap, as the real CLI
  const debug = process.env.BENCH_BOOTSTRAP_DEBUG ?? ''
  const cpuProf = process.env.BENCH_BOOTSTRAP_CPU_PROF ?? ''
  bootstrap = await CliBootstrap.start(join(tmp, 'bootstrap'),
    ['--listen', '/ip4/127.0.0.1/tcp/0', '--vs-limit', String(VS_LIMIT), '--metrics', '127.0.0.1:0'],
    {
      ...(debug === '' ? {} : { DEBUG: debug }),
      ...(cpuProf === '' ? {} : { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${cpuProf}` })
    })
  if (cpuProf !== '') notes.push(`the bootstrap ran with --cpu-prof (profile in ${cpuProf}): its CPU figures include the profiler`)
  if (debug !== '') {
    const log = createWriteStream(join(tmp, 'bootstrap.log'))
    bootstrap.proc.proc.stderr?.on('data', (d: string) => log.write(d))
    notes.push(`bootstrap log (DEBUG=${debug}): ${join(tmp, 'bootstrap.log')}`)
  }
  progress(`bootstrap ${bootstrap.info.peerId} at ${bootstrap.multiaddr} (pid ${bootstrap.pid})`)

  // --- the arrival plan: one peer every 1000/RATE ms, subnets interleaved
  const intervalMs = 1000 / RATE_PER_SEC
  const plans: PeerPlan[] = []
  for (let k = 0; k < PEERS; k++) {
    const s = FIRST_SUBNET + (k % SUBNETS)
    const h = 1 + Math.floor(k / SUBNETS)
    plans.push({ idx: k, ip: `127.0.${s}.${h}`, at: 0 })
  }
  const victimPlans = plans.slice(0, KILL_VICTIMS + SILENT_VICTIMS)
  const workerPlans: PeerPlan[][] = Array.from({ length: WORKERS }, () => [])
  plans.slice(victimPlans.length).forEach((p, i) => workerPlans[i % WORKERS].push(p))

  const [workers, victimChildren] = await Promise.all([
    Promise.all(workerPlans.map(async (_, i) => Child.fork(`worker-${i}`, lib('join-worker.js')))),
    Promise.all(victimPlans.map(async p => Child.fork(`victim-${p.ip}`, lib('join-worker.js'))))
  ])
  children.push(...workers, ...victimChildren)
  victimPlans.forEach((plan, i) => {
    victims.push({ child: victimChildren[i], plan, subnet: subnetOf(plan.ip), mode: i < KILL_VICTIMS ? 'kill' : 'silent' })
  })
  for (const c of [...workers, ...victimChildren]) {
    c.on('placed', (rec: JoinRecord) => {
      records.set(rec.idx, rec)
      unplaced.delete(rec.idx)
    })
    c.on('unplaced', (rec: JoinRecord) => { if (!records.has(rec.idx)) unplaced.set(rec.idx, rec) })
    c.on('placement', (ev: PlacementEvent) => { if (placementLog.length < 50_000) placementLog.push(ev) })
  }
  progress(`${workers.length} workers and ${victimChildren.length} victim processes ready`)

  const base = await snapshot('baseline')
  const epoch = now() + 1_000
  for (const p of plans) p.at = epoch + p.idx * intervalMs
  await Promise.all([
    ...workers.map(async (w, i) => w.call('plan', { bootstrap: bootstrap!.multiaddr, peers: workerPlans[i], placeTimeoutMs: PLACE_TIMEOUT_MS, peerTimeoutMs: PEER_TIMEOUT_MS })),
    ...victims.map(async v => v.child.call('plan', { bootstrap: bootstrap!.multiaddr, peers: [v.plan], placeTimeoutMs: PLACE_TIMEOUT_MS, peerTimeoutMs: PEER_TIMEOUT_MS }))
  ])
  const lastArrival = plans[plans.length - 1].at

  // the yardstick again, sampled while the peers arrive: the same machine under the same load
  let arriving = true
  const loaded = sampleEach(() => arriving, async i => {
    return i % 5 === 4 ? { connect: await connectEchoOnce(client!, echoAddr, payload) } : { stream: await echoOnce(client!, echoAddr, payload) }
  }, 100, 60_000)
  await pollUntil(() => records.size + unplaced.size >= PEERS, lastArrival - now() + PLACE_TIMEOUT_MS + 3_000, 50)
  arriving = false
  const loadedSamples = await loaded
  const placedAt = Math.max(...[...records.values()].map(r => r.tPlaced ?? 0))
  progress(`${records.size}/${PEERS} placed, ${unplaced.size} not; last placement ${Math.round(placedAt - epoch)} ms after the first arrival`)
  const placedSnap = await snapshot('all placed')
  const quick = latency(r => r.tPlaced! - r.tJoin!)
  progress(`join latency p50 ${quick?.p50} ms, p99 ${quick?.p99} ms, max ${quick?.max} ms`)

  // --- does every peer agree with the bootstrap's table?
  const consistency = await waitConsistent(placedAt)
  progress(`consistency: ${consistency.agreeing}/${consistency.total} peers agree with the bootstrap table${consistency.allAgreeMs != null ? ` ${consistency.allAgreeMs} ms after the last placement` : ''}`)

  // --- steady state: what the bootstrap handles with nobody joining
  const idleA = await snapshot('idle start')
  await sleep(IDLE_WINDOW_MS)
  const idleB = await snapshot('idle end')

  // --- failover: SIGKILL one victim at a time, then freeze two at once (silent failure)
  const killed = []
  for (const v of victims.filter(v => v.mode === 'kill')) {
    killed.push(await measureFailover(v, 'SIGKILL', KILL_FAILOVER_TIMEOUT_MS))
    await sleep(500)
  }
  progress(`failover after SIGKILL: ${killed.map(f => f.allMembersMs ?? 'n/a').join(', ')} ms`)
  const silent = await Promise.all(victims.filter(v => v.mode === 'silent').map(async v => measureFailover(v, 'SIGSTOP', SILENT_FAILOVER_TIMEOUT_MS)))
  for (const v of victims) v.child.kill('SIGKILL')
  progress(`failover after SIGSTOP: ${silent.map(f => f.allMembersMs ?? 'n/a').join(', ')} ms`)
  const endSnap = await snapshot('end')

  // --- figures
  const statuses = await collectStatuses()
  result.peers = PEERS
  result.subnets = SUBNETS
  result.setup = {
    bootstrap: `node bin/peerhive.js bootstrap --listen /ip4/127.0.0.1/tcp/0 --vs-limit ${VS_LIMIT} --metrics 127.0.0.1:0 (own process; socket-counter preload)`,
    peerProcesses: `${WORKERS} workers hosting ${PEERS - victims.length} peers (createNode, no data directory) + ${victims.length} single-peer victim processes`,
    addresses: `127.0.S.H, S = ${FIRST_SUBNET}..${FIRST_SUBNET + SUBNETS - 1}, H = 1..${HOSTS_PER_SUBNET}; each peer listens on and dials from its address`,
    vsLimit: VS_LIMIT,
    peerTimeoutMs: PEER_TIMEOUT_MS ?? 'product default (10000)',
    bootstrapPeerTimeoutMs: 'product default (10000)'
  }
  result.arrival = arrivalFigures(plans, intervalMs, records, unplaced, { firstSubnet: FIRST_SUBNET, subnets: SUBNETS, ratePerSec: RATE_PER_SEC })
  result.placement = placementFigures(statuses, records, unplaced)
  result.joinLatencyMs = latency(r => r.tPlaced! - r.tJoin!)
  result.joinLatencyDefinition = 'first placement event minus the moment node.start() returned (the topology has just sent its first join dial); includes TCP+Noise+Yamux to the bootstrap, the join exchange, and the event'
  result.joinPhasesMs = {
    toConnected: latency(r => r.tConnected! - r.tJoin!, r => r.tConnected != null && r.joinErrors.length === 0),
    connectedToPlaced: latency(r => r.tPlaced! - r.tConnected!, r => r.tConnected != null && r.joinErrors.length === 0),
    definition: 'joins that succeeded at the first attempt, split at the connection:open event for the bootstrap (TCP + Noise + Yamux done); the rest is the join stream (protocol select, request, response, close) and applying the answer'
  }
  result.startToPlacementMs = latency(r => r.tPlaced! - r.tStart!)
  result.arrivalToPlacementMs = latency(r => r.tPlaced! - r.at)
  result.joinLatencyByRoleMs = Object.fromEntries(['virtual-server', 'member', 'central-client'].map(role => [role, latency(r => r.tPlaced! - r.tJoin!, r => r.role === role)]))
  result.joinLatencyByArrivalMs = byArrival()
  result.slowestJoins = [...records.values()].filter(r => r.tJoin != null).sort((a, b) => (b.tPlaced! - b.tJoin!) - (a.tPlaced! - a.tJoin!)).slice(0, 5)
    .map(r => ({ idx: r.idx, ip: r.ip, role: r.role, joinMs: round(r.tPlaced! - r.tJoin!), startLagMs: round(r.tCreate! - r.at), joinErrors: r.joinErrors }))
  result.consistency = consistency
  result.failoverMs = failoverFigures(killed, silent)
  result.bootstrapPerJoin = perJoin(base, placedSnap, records.size)
  result.bootstrapIdle = idleFigures(idleA, idleB, records.size)
  result.bootstrapWholeRun = totals(base, endSnap)
  result.bootstrapTable = tableFigures(await bootstrap.api('/v1/subnets'))
  const idleStreamS = summarize(idleStream.ms)
  const idleConnectS = summarize(idleConnect.ms)
  const loadedStreamS = summarize(loadedSamples.flatMap(s => s.stream ?? []))
  const loadedConnectS = summarize(loadedSamples.flatMap(s => s.connect ?? []))
  result.yardstick = {
    what: `bare libp2p (TCP + Noise + Yamux, no other service) request/response on loopback between two processes: open a stream, write one ${ECHO_PAYLOAD_BYTES}-byte length-prefixed message, read it back, close (the same steps as the asking side of a join)`,
    bareStreamRttMs: idleStreamS,
    bareConnectRttMs: idleConnectS,
    bareConnectDefinition: 'the same exchange on a brand-new connection: TCP connect, Noise handshake, Yamux, protocol select, echo (what a first join also pays)',
    underLoad: { bareStreamRttMs: loadedStreamS, bareConnectRttMs: loadedConnectS, when: 'sampled every 100 ms while the peers arrived and joined' },
    failures: idleStream.failures + idleConnect.failures + loadedSamples.filter(s => s.failed === true).length
  }
  const joinP50 = result.joinLatencyMs?.p50
  result.ratios = {
    joinP50OverBareStreamP50: ratio(joinP50, idleStreamS?.p50),
    joinP50OverBareConnectP50: ratio(joinP50, idleConnectS?.p50),
    joinP50OverLoadedBareStreamP50: ratio(joinP50, loadedStreamS?.p50),
    joinP50OverLoadedBareConnectP50: ratio(joinP50, loadedConnectS?.p50),
    joinP99OverBareStreamP99: ratio(result.joinLatencyMs?.p99, idleStreamS?.p99)
  }
  result.processes = processFigures(workers, statuses, base, endSnap)
  addNotes(result, notes, { workers: WORKERS, victims: victims.length, peerTimeoutMs: PEER_TIMEOUT_MS, consistencyTimeoutMs: CONSISTENCY_TIMEOUT_MS })

  // --- shut down (bounded), then report how it went
  await Promise.all([
    ...children.filter(c => c.alive).map(async c => c.shutdown(10_000)),
    Promise.resolve().then(async () => client?.stop()).catch(() => {})
  ])
  const exit = await bootstrap.stop()
  result.bootstrapExit = exit
  if (exit.code !== 0) notes.push(`the bootstrap did not exit cleanly on SIGTERM (code ${exit.code}, signal ${exit.signal})`)
  result.machine.loadavgAtEnd = loadavg().map(x => round(x))
  result.machine.loadavg1mDuringRun = { max: round(Math.max(...loadSamples, 0)), mean: round(loadSamples.reduce((a, b) => a + b, 0) / Math.max(1, loadSamples.length)) }
  result.durationS = round((now() - started) / 1000, 1)
}

// ---------------------------------------------------------------- measurements

async function snapshot (label: string): Promise<Snapshot> {
  const [metrics, sockets] = await Promise.all([bootstrap!.metrics(), bootstrap!.sockets()])
  for (const c of children) {
    const s = cpuSecondsOf(c.pid)
    if (s != null) childCpu.set(c.pid, s)
  }
  const childCpuS = [...childCpu.values()].reduce((a, b) => a + b, 0)
  return { label, t: now(), metrics, sockets, bootstrapCpuS: cpuSecondsOf(bootstrap!.pid), childCpuS, ports: { libp2p: bootstrap!.libp2pPort, http: bootstrap!.httpPorts } }
}

/** join latency p50/max per block of arrivals: how it moves as the network grows */
function byArrival (blocks = 5): Array<Record<string, any>> {
  const size = Math.ceil(PEERS / blocks)
  const out = []
  for (let i = 0; i < PEERS; i += size) {
    const s = latency(r => r.tPlaced! - r.tJoin!, r => r.idx >= i && r.idx < i + size)
    out.push({ arrivals: `${i}-${Math.min(PEERS, i + size) - 1}`, p50: s?.p50 ?? null, p90: s?.p90 ?? null, max: s?.max ?? null })
  }
  return out
}

function latency (f: (r: JoinRecord) => number, filter: (r: JoinRecord) => boolean = () => true): Summary | null {
  return summarize([...records.values()].filter(r => r.tPlaced != null && r.tJoin != null && filter(r)).map(f))
}

/** status() of every hosted peer still running, per process. */
async function collectStatuses (): Promise<any[]> {
  const all = children.filter(c => c.alive && (c.name.startsWith('worker') || c.name.startsWith('victim')))
  const replies = await Promise.all(all.map(async c => c.call('status', {}, 5_000).then(r => ({ ...r, name: c.name, pid: c.pid }), (err: Error) => {
    progress(`no status from ${c.name}: ${err.message.split('\n')[0]}`)
    return null
  })))
  return replies.filter(r => r != null)
}

/** Polls until every peer's own view (role, virtual server, members) matches the bootstrap's table. */
async function waitConsistent (placedAt: number): Promise<Record<string, any>> {
  let last: ReturnType<typeof agreement> = { agreeing: 0, total: 0, disagreeing: [], kinds: {} }
  const ok = await pollUntil(async () => {
    const [table, statuses] = await Promise.all([bootstrap!.api('/v1/subnets'), collectStatuses()])
    last = agreement(table, statuses.flatMap(s => s.peers))
    return last.total === PEERS && last.agreeing === last.total
  }, CONSISTENCY_TIMEOUT_MS, 250)
  return {
    agreeing: last.agreeing,
    total: last.total,
    allAgreeMs: ok === true ? round(now() - placedAt, 0) : null,
    disagreementKinds: last.kinds,
    disagreeing: last.disagreeing.slice(0, 10),
    definition: 'every peer\'s status() (role, virtual server, members) matches GET /v1/subnets of the bootstrap; time from the last first-placement, polled every 250 ms'
  }
}

/**
 * Kills (or freezes) a victim virtual server and times (a) the bootstrap's
 * table no longer naming it, polled on its local API, and (b) every former
 * member of its group reporting the same new virtual server in a
 * 'placement' event.
 */
async function measureFailover (v: Victim, signal: 'SIGKILL' | 'SIGSTOP', timeoutMs: number): Promise<Record<string, any>> {
  const peerId = records.get(v.plan.idx)?.peerId
  const table: any[] = await bootstrap!.api('/v1/subnets')
  const group = table.find(r => r.subnet === v.subnet)?.virtualServers.find((g: any) => g.peerId === peerId)
  if (peerId == null || group == null) {
    return { subnet: v.subnet, signal, skipped: `the victim (${records.get(v.plan.idx)?.role ?? 'not placed'}) is not a virtual server in the bootstrap's table` }
  }
  const members: string[] = group.members
  const tKill = now()
  v.child.kill(signal)
  let tTable: number | undefined
  let tableVs: string | undefined
  let report = memberReport(placementLog, members, peerId, tKill)
  await pollUntil(async () => {
    if (tTable == null) {
      const t: any[] | null = await bootstrap!.api('/v1/subnets', 2_000).catch(() => null)
      const seen = now()
      const row = t?.find(r => r.subnet === v.subnet)
      if (t != null && row?.virtualServers.some((g: any) => g.peerId === peerId || g.members.includes(peerId)) !== true) {
        tTable = seen
        tableVs = row?.virtualServers.find((g: any) => members.includes(g.peerId))?.peerId
      }
    }
    report = memberReport(placementLog, members, peerId, tKill)
    return tTable != null && report.done
  }, timeoutMs, 20)
  const res = {
    subnet: v.subnet,
    signal,
    groupSize: members.length + 1,
    bootstrapTableMs: tTable == null ? null : round(tTable - tKill),
    allMembersMs: report.done ? round(report.allMs!) : null,
    firstMemberMs: report.firstMs == null ? null : round(report.firstMs),
    memberMs: report.memberMs.map(x => round(x)),
    newVirtualServerAgrees: tableVs != null && tableVs === report.newVs,
    membersReported: report.reported,
    timedOut: !(tTable != null && report.done)
  }
  return res
}

// ---------------------------------------------------------------- figures

// ---------------------------------------------------------------- plumbing

function subnetOf (ip: string): string {
  return ip.split('.').slice(0, 3).join('.') + '.0/24'
}

function progress (line: string): void {
  process.stderr.write(`[join ${((now() - started) / 1000).toFixed(1)}s] ${line}\n`)
}

function write (): void {
  result.notes = notes
  mkdirSync(join(ROOT, 'benchmarks', 'results'), { recursive: true })
  const text = JSON.stringify(result, null, 2) + '\n'
  writeFileSync(RESULT_FILE, text)
  process.stdout.write(text)
}

