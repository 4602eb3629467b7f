/**
 * Benchmark "idle": what a placed peer costs while nothing happens (issue 9,
 * section 2), and whether peers still find each other's files through the DHT.
 *
 * Processes (all on loopback): the bootstrap as the real CLI, and a few
 * worker processes hosting the peers (lib/idle-worker.ts), each peer with a
 * data directory and one shared file, as users run them. Once every peer is
 * placed and the network has settled, the workers' CPU is read at the start
 * and the end of a quiet window. Then peers search the DHT (and only the DHT)
 * for files of peers in other subnets.
 *
 * Writes benchmarks/results/idle.json (or idle-<BENCH_IDLE_LABEL>.json).
 * Knobs (environment): BENCH_IDLE_PEERS (default 100), BENCH_IDLE_HOSTS (peers per
 * subnet, default 10), BENCH_IDLE_WORKERS (default 3), BENCH_IDLE_RATE (arrivals/s,
 * default 10), BENCH_IDLE_PLACE_TIMEOUT_MS (how long to wait for every peer to be
 * placed, default 60000), BENCH_IDLE_SETTLE_MS (default 45000), BENCH_IDLE_WINDOW_MS (default
 * 30000), BENCH_IDLE_SEARCHES (default 20), BENCH_IDLE_DHT_MODE (NodeOptions.dhtMode,
 * default: the product default), BENCH_IDLE_PROFILE=1 (worker 0 is profiled during
 * the quiet window; self time summarised by package and function), BENCH_IDLE_LABEL.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { now, pollUntil, sleep } from './lib/clock.js'
import { CliBootstrap, ROOT } from './lib/cli-bootstrap.js'
import { Child, killAll } from './lib/proc.js'
import { round, summarize } from './lib/stats.js'
import type { IdlePeerPlan } from './lib/idle-worker.js'

const PEERS = intEnv('BENCH_IDLE_PEERS', 100)
const HOSTS = intEnv('BENCH_IDLE_HOSTS', 10)
const WORKERS = intEnv('BENCH_IDLE_WORKERS', 3)
const RATE = intEnv('BENCH_IDLE_RATE', 10)
const SETTLE_MS = intEnv('BENCH_IDLE_SETTLE_MS', 45_000)
const WINDOW_MS = intEnv('BENCH_IDLE_WINDOW_MS', 30_000)
const SEARCHES = intEnv('BENCH_IDLE_SEARCHES', 20)
const DHT_MODE = process.env.BENCH_IDLE_DHT_MODE
const PROFILE = process.env.BENCH_IDLE_PROFILE === '1'
const LABEL = process.env.BENCH_IDLE_LABEL
const FIRST_SUBNET = 70
const PLACE_TIMEOUT_MS = intEnv('BENCH_IDLE_PLACE_TIMEOUT_MS', 60_000)
const SEARCH_TIMEOUT_MS = 10_000
const WATCHDOG_MS = Math.ceil(PEERS / RATE) * 1000 + PLACE_TIMEOUT_MS + SETTLE_MS + WINDOW_MS + SEARCHES * (SEARCH_TIMEOUT_MS + 5_000) + 120_000
const RESULT_FILE = join(ROOT, 'benchmarks', 'results', LABEL == null ? 'idle.json' : `idle-${LABEL}.json`)
const lib = (file: string): string => new URL(`./lib/${file}`, import.meta.url).pathname

/** Activities a profile's stacks are sorted into, by the file a frame runs in. */
const ACTIVITIES: Array<[string, RegExp]> = [
  ['kad-dht (walks, table upkeep, RPC)', /@libp2p\/kad-dht\//],
  ['gossipsub (heartbeat, mesh, RPC)', /@libp2p\/gossipsub\//],
  ['connection monitor (pings it sends)', /libp2p\/dist\/src\/connection-monitor/],
  ['ping protocol', /@libp2p\/ping\//],
  ['identify', /@libp2p\/identify\//],
  ['peer store', /@libp2p\/peer-store\//],
  ['Noise (handshakes and encryption)', /libp2p-noise\/|as-chacha20poly1305/],
  ['yamux', /@libp2p\/yamux\//],
  ['connection upgrade and dialing', /libp2p\/dist\/src\/(upgrader|connection-manager)/],
  ['peerhive code', /dist\/(src|bootstrap)\//]
]

const tmp = mkdtempSync(join(tmpdir(), 'peerhive-bench-idle-'))
const result: Record<string, any> = { benchmark: 'idle', date: new Date().toISOString() }
const children: Child[] = []
let bootstrap: CliBootstrap | undefined
const loadSamples: number[] = []
const loadSampler = setInterval(() => { loadSamples.push(loadavg()[0]) }, 2_000)
loadSampler.unref()
const watchdog = setTimeout(() => { void finish(new Error(`watchdog: over ${WATCHDOG_MS} ms`)) }, WATCHDOG_MS)

try {
  await run()
  await finish()
} catch (err: any) {
  await finish(err)
}

async function run (): Promise<void> {
  result.machine = { cpus: cpus().length, totalMemMb: Math.round(totalmem() / 1048576), node: process.version, loadavgAtStart: loadavg().map(x => round(x)) }
  const subnets = Math.ceil(PEERS / HOSTS)
  result.setup = { peers: PEERS, subnets, hostsPerSubnet: HOSTS, vsLimit: HOSTS, workers: WORKERS, arrivalPerSec: RATE, settleMs: SETTLE_MS, windowMs: WINDOW_MS, dhtMode: DHT_MODE ?? 'product default', dataDirs: 'one per peer, one shared file each' }
  progress(`${PEERS} peers in ${subnets} subnets, ${WORKERS} workers`)
  bootstrap = await CliBootstrap.start(join(tmp, 'bootstrap'), ['--listen', '/ip4/127.0.0.1/tcp/0', '--vs-limit', String(HOSTS)])
  const plans: IdlePeerPlan[] = Array.from({ length: PEERS }, (_, k) => ({
    idx: k,
    ip: `127.0.${FIRST_SUBNET + (k % subnets)}.${1 + Math.floor(k / subnets)}`,
    at: 0,
    fileName: `idlebench-p${k}-zq${k}x.dat`
  }))
  const perWorker: IdlePeerPlan[][] = Array.from({ length: WORKERS }, () => [])
  plans.forEach((p, i) => perWorker[i % WORKERS].push(p))
  const profFile = join(tmp, 'worker-0.cpuprofile')
  const workers = await Promise.all(perWorker.map(async (_, i) => Child.fork(`worker-${i}`, lib('idle-worker.js'))))
  children.push(...workers)
  const epoch = now() + 500
  for (const p of plans) p.at = epoch + p.idx * 1000 / RATE
  const options = DHT_MODE == null ? {} : { dhtMode: DHT_MODE }
  await Promise.all(workers.map(async (w, i) => w.call('plan', { bootstrap: bootstrap!.multiaddr, dir: join(tmp, `w${i}`), peers: perWorker[i], options })))

  const placed = await pollUntil(async () => {
    const s = await statuses(workers)
    const n = s.flatMap(x => x.peers).filter((p: any) => p.placed).length
    return n >= PEERS ? n : undefined
  }, plans[plans.length - 1].at - now() + PLACE_TIMEOUT_MS, 1_000)
  const allPlaced = (await statuses(workers)).flatMap(x => x.peers)
  result.placed = allPlaced.filter((p: any) => p.placed).length
  result.startErrors = allPlaced.filter((p: any) => p.error != null).map((p: any) => p.error).slice(0, 5)
  progress(`${result.placed}/${PEERS} placed${placed == null ? ' (timed out waiting for the rest)' : ''}; settling ${SETTLE_MS} ms`)
  await sleep(SETTLE_MS)

  if (PROFILE) await workers[0].call('profileStart', {}, 60_000)
  const a = await statuses(workers)
  const loadAt = loadSamples.length
  await sleep(WINDOW_MS)
  const b = await statuses(workers)
  if (PROFILE) {
    await workers[0].call('profileStop', { file: profFile }, 60_000)
    result.profile = summariseProfile(profFile)
    // kept outside the temporary folder, to be read again later
    result.profile.file = join(tmpdir(), `peerhive-idle-${LABEL ?? 'run'}.cpuprofile`)
    copyFileSync(profFile, result.profile.file)
  }
  // each worker's CPU over its own clock: a loaded worker answers late
  const cpuMsPerSec = b.reduce((sum, s, i) => sum + (s.cpu.user + s.cpu.system - a[i].cpu.user - a[i].cpu.system) / (s.t - a[i].t), 0)
  const peers = b.flatMap(s => s.peers)
  const count = (f: (p: any) => string | undefined): Record<string, number> => {
    const out: Record<string, number> = {}
    for (const p of peers) { const k = f(p) ?? 'none'; out[k] = (out[k] ?? 0) + 1 }
    return out
  }
  const window = loadSamples.slice(loadAt)
  result.idle = {
    cpuMsPerPeerPerSec: round(cpuMsPerSec / peers.length, 3),
    rssMbPerPeer: round(b.reduce((sum, s) => sum + s.rssMb, 0) / peers.length),
    workerRssMb: b.map(s => round(s.rssMb)),
    connectionsPerPeer: summarize(peers.map((p: any) => p.connections)),
    connectionsByRole: Object.fromEntries(['virtual-server', 'member', 'central-client'].map(r => [r, summarize(peers.filter((p: any) => p.role === r).map((p: any) => p.connections))])),
    routingTablePerPeer: summarize(peers.map((p: any) => p.routingTable ?? 0)),
    roles: count(p => p.role),
    dhtModes: count(p => p.dhtMode),
    loadavgDuringWindow: window.length === 0 ? null : round(window.reduce((x, y) => x + y, 0) / window.length)
  }
  progress(`idle: ${result.idle.cpuMsPerPeerPerSec} ms CPU/s and ${result.idle.rssMbPerPeer} MB per peer; connections p50 ${result.idle.connectionsPerPeer?.p50}, max ${result.idle.connectionsPerPeer?.max}; load ${result.idle.loadavgDuringWindow}`)

  // DHT-only searches for the file of a peer of another subnet
  const ms: number[] = []
  let hits = 0
  let asked = 0
  for (let i = 0; i < SEARCHES; i++) {
    const from = (i * 7919) % PEERS
    const target = (from + 1 + ((i * 104729) % (PEERS - 1))) % PEERS
    if (plans[target].ip.split('.')[2] === plans[from].ip.split('.')[2]) continue
    const w = workers[from % WORKERS]
    asked++
    try {
      const r = await w.call('searchDht', { idx: from, words: [`zq${target}x`], timeoutMs: SEARCH_TIMEOUT_MS }, SEARCH_TIMEOUT_MS + 5_000)
      if ((r.found as string[]).includes(plans[target].fileName)) { hits++; ms.push(r.ms) }
    } catch (err: any) {
      progress(`search ${i} failed: ${err.message}`)
    }
  }
  result.dhtSearch = { asked, hits, hitRate: round(hits / Math.max(1, asked), 3), hitMs: summarize(ms) }
  progress(`DHT search: ${hits}/${asked} found`)

  await Promise.all(workers.map(async w => w.shutdown()))
}

async function statuses (workers: Child[]): Promise<any[]> {
  return Promise.all(workers.map(async w => w.call('status', {}, 60_000)))
}

/**
 * Where the profiled worker's CPU went: self time by package and function, and
 * the same time charged to the nearest caller in a package (node core and
 * native frames count for whoever called them). The profiler's own frames
 * (node:inspector) and idle time are left out.
 */
function summariseProfile (file: string): Record<string, unknown> {
  const prof = JSON.parse(readFileSync(file, 'utf8'))
  const byId = new Map<number, any>(prof.nodes.map((n: any) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const pkgOf = (cf: any): string | undefined => {
    const url: string = cf?.url ?? ''
    const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)
    if (m != null) return m[1]
    if (/dist\/(src|bootstrap)\//.test(url)) return 'peerhive'
    return undefined
  }
  const profilerFrame = (id: number): boolean => {
    for (let at: number | undefined = id; at != null; at = parent.get(at)) if ((byId.get(at)?.callFrame?.url ?? '').includes('inspector')) return true
    return false
  }
  const selfUs = new Map<number, number>()
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i]
    if (byId.get(id)?.callFrame?.functionName === '(idle)') continue
    selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0))
  }
  for (const id of [...selfUs.keys()]) if (profilerFrame(id)) selfUs.delete(id)
  const total = [...selfUs.values()].reduce((x, y) => x + y, 0)
  const add = (m: Map<string, number>, k: string, us: number): void => { m.set(k, (m.get(k) ?? 0) + us) }
  const selfByPackage = new Map<string, number>()
  const selfByFunction = new Map<string, number>()
  const chargedByPackage = new Map<string, number>()
  const chargedByFunction = new Map<string, number>()
  for (const [id, us] of selfUs) {
    const cf = byId.get(id)?.callFrame
    const own = pkgOf(cf) ?? (cf?.url === '' ? cf?.functionName ?? '(native)' : 'node core')
    add(selfByPackage, own.startsWith('peerhive') ? 'peerhive' : own, us)
    add(selfByFunction, `${cf?.functionName === '' ? '(anonymous)' : cf?.functionName} ${own}`, us)
    let at: number | undefined = id
    while (at != null && pkgOf(byId.get(at)?.callFrame) == null) at = parent.get(at)
    const owner = at == null ? undefined : byId.get(at)?.callFrame
    const pkg = owner == null ? (cf?.functionName ?? '(unknown)') : pkgOf(owner)!
    add(chargedByPackage, pkg.startsWith('peerhive') ? 'peerhive' : pkg, us)
    add(chargedByFunction, owner == null ? pkg : `${owner.functionName === '' ? '(anonymous)' : owner.functionName} ${pkg}`, us)
  }
  // what each activity costs with everything it calls (overlapping: a gossipsub write through Noise counts for both)
  const inclusive = new Map<string, number>()
  for (const [id, us] of selfUs) {
    const seen = new Set<string>()
    for (let at: number | undefined = id; at != null; at = parent.get(at)) {
      const url: string = byId.get(at)?.callFrame?.url ?? ''
      const activity = ACTIVITIES.find(([, re]) => re.test(url))?.[0]
      if (activity != null) seen.add(activity)
    }
    for (const a of seen) add(inclusive, a, us)
  }
  const top = (m: Map<string, number>, n: number): Array<[string, number]> => [...m].sort((x, y) => y[1] - x[1]).slice(0, n).map(([k, v]) => [k, round(100 * v / total, 1)])
  return {
    what: 'worker 0, the quiet window only: percent of its busy CPU time',
    busyMs: round(total / 1000),
    inclusiveByActivity: top(inclusive, ACTIVITIES.length),
    selfByPackage: top(selfByPackage, 12),
    selfByFunction: top(selfByFunction, 15),
    chargedToNearestPackage: top(chargedByPackage, 15),
    chargedToNearestPackageFunction: top(chargedByFunction, 25)
  }
}

async function finish (err?: Error): Promise<void> {
  clearTimeout(watchdog)
  if (err != null) {
    result.error = err.message
    progress(`failed: ${err.message}`)
  }
  await Promise.allSettled(children.map(async c => c.shutdown(5_000)))
  await bootstrap?.stop().catch(() => {})
  killAll()
  result.loadavgAtEnd = loadavg().map(x => round(x))
  writeFileSync(RESULT_FILE, JSON.stringify(result, null, 2) + '\n')
  process.stdout.write(JSON.stringify(result, null, 2) + '\n')
  rmSync(tmp, { recursive: true, force: true })
  process.exit(err == null ? 0 : 1)
}

function progress (line: string): void {
  process.stderr.write(`[idle ${new Date().toISOString().slice(11, 19)}] ${line}\n`)
}

function intEnv (name: string, fallback: number): number {
  const v = Number(process.env[name] ?? fallback)
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`)
  return v
}
