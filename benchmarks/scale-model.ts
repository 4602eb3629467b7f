/**
 * Benchmark "scale-model": the bootstrap's election, tables, directory and
 * SQLite code driven with 1,000, 10,000 and 100,000 synthetic peers, in one
 * process, with no network. It times each operation, reports sizes against
 * the wire limits (256 KiB per table or directory, 4,096 servers), memory,
 * and how each cost grows with the network; then a paper model of the
 * bootstrap's bytes per idle peer built from the code's constants and the
 * measured sizes. docs/scaling.md reads from it.
 *
 * Shapes: "uniform" (10 peers per /24, as in benchmarks/scale) and "skewed"
 * (as many subnets, Zipf-sized: a few large NATs of up to 2,000 peers, most
 * subnets of 1–5 peers).
 *
 * Writes benchmarks/results/scale-model.json and prints a summary.
 * Knobs (environment): BENCH_SCALE_MODEL_SIZES (comma-separated, default
 * 1000,10000,100000), BENCH_SCALE_MODEL_SESSION_S (mean peer session for
 * the churn model, default 3600).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_VS_LIMIT, MAX_TABLE_BYTES } from '../src/core/index.js'
import { ROOT } from './lib/cli-bootstrap.js'
import { runModel, subnetCeiling, type ModelRun } from './lib/scale-model-measure.js'
import { networkModel, replayArrivals, type NetworkModel } from './lib/scale-model-network.js'
import { SimulatedBootstrap } from './lib/scale-model-bootstrap.js'
import { SKEWED_MAX_SUBNET, peerSet, type Distribution } from './lib/scale-model-peers.js'
import { ratio, round } from './lib/stats.js'

const RESULT_FILE = join(ROOT, 'benchmarks', 'results', 'scale-model.json')
const SIZES = (process.env.BENCH_SCALE_MODEL_SIZES ?? '1000,10000,100000').split(',').map(Number)
const SESSION_S = Number(process.env.BENCH_SCALE_MODEL_SESSION_S ?? 3600)
const DISTRIBUTIONS: Distribution[] = ['uniform', 'skewed']
const PER_SUBNET = 10
const LEAVE_SAMPLE = 1_000
const SQLITE_JOIN_SAMPLE = 1_000
/** no new run starts after this long (a run cannot be interrupted: the product code is synchronous) */
const BUDGET_MS = 180_000
/** the arrival rate of benchmarks/scale */
const ARRIVAL_PER_SEC = 10
/** benchmarks/join ran 200 peers in 20 subnets; its idle bootstrap bytes check the model */
const CALIBRATION = { peers: 200, perSubnet: 10, file: join(ROOT, 'benchmarks', 'results', 'join.json') }

if (SIZES.some(n => !Number.isInteger(n) || n < PER_SUBNET || n > 200_000)) {
  process.stderr.write(`BENCH_SCALE_MODEL_SIZES must be integers from ${PER_SUBNET} to 200000, got ${process.env.BENCH_SCALE_MODEL_SIZES}\n`)
  process.exit(2)
}
if (!Number.isFinite(SESSION_S) || SESSION_S <= 0) {
  process.stderr.write('BENCH_SCALE_MODEL_SESSION_S must be a positive number of seconds\n')
  process.exit(2)
}

/** One metric across sizes: its value, its value per peer, and the ratio between consecutive sizes. */
interface GrowthRow {
  metric: string
  unit: string
  values: Array<number | null>
  perPeer: Array<number | null>
  /** value at size i / value at size i-1 (peers grow by SIZES[i] / SIZES[i-1]) */
  ratios: Array<number | null>
}

function growth (runs: ModelRun[], metric: string, unit: string, pick: (r: ModelRun) => number | null | undefined): GrowthRow {
  const values = runs.map(r => pick(r) ?? null)
  return {
    metric,
    unit,
    values,
    perPeer: values.map((v, i) => v == null ? null : round(v / runs[i].peers, 6)),
    ratios: values.map((v, i) => i === 0 ? null : ratio(v ?? undefined, values[i - 1] ?? undefined))
  }
}

function growthTable (runs: ModelRun[]): GrowthRow[] {
  return [
    growth(runs, 'join (in-memory part), mean', 'µs', r => r.joinUs?.mean),
    growth(runs, 'join (in-memory part), p99', 'µs', r => r.joinUs?.p99),
    growth(runs, 'updateGauges after each join or leave (whole-table copy)', 'ms', r => r.updateGaugesMs),
    growth(runs, 'of which: sorting subnet names with localeCompare', 'ms', r => r.tableSortMs.localeCompare),
    growth(runs, 'the same sort with a cached Intl.Collator', 'ms', r => r.tableSortMs.cachedCollator),
    growth(runs, 'sweep CPU (every peer id parsed twice a second)', 'ms/s', r => r.sweepCpuMsPerSec),
    growth(runs, 'publish one subnet', 'µs', r => r.publishUs),
    growth(runs, 'republish round (every subnet due)', 'ms', r => r.republishRoundMs),
    growth(runs, 'directory build + encode', 'ms', r => r.directory.buildMs),
    growth(runs, 'directory bytes (one message)', 'B', r => r.directory.bytes),
    growth(runs, 'subnet table bytes a peer receives (mean)', 'B', r => r.tables.bytesPerPeer),
    growth(runs, 'member leave, p50', 'µs', r => r.leaveUs.member?.p50),
    growth(runs, 'virtual-server leave (failover), p50', 'µs', r => r.leaveUs.failover?.p50),
    growth(runs, 'SQLite writes of one join, p50', 'µs', r => r.sqlite.joinWriteUs?.p50),
    growth(runs, 'SQLite file', 'B', r => r.sqlite.fileBytes),
    growth(runs, 'restart (SQLite load + Election.restore)', 'ms', r => r.sqlite.restartMs),
    growth(runs, 'heap of the election and its maps', 'B', r => r.heapBytesPerPeer * r.peers),
    growth(runs, 'yardstick: Map insert', 'µs', r => r.yardstick.mapInsertUs)
  ]
}

/** The bootstrap's in-memory CPU per join at this size (medians: the machine is shared): the join, the gauges, its subnet's publication, the SQLite writes. */
function perJoinMs (r: ModelRun): number {
  return round(((r.joinUs?.p50 ?? 0) + r.publishUs + (r.sqlite.joinWriteUs?.p50 ?? 0)) / 1000 + 2 * r.updateGaugesMs, 3)
}

/** host number of a synthetic address /ip4/a.b.c.H/tcp/... */
function hostOf (address: string): number {
  return Number(address.split('/')[2].split('.')[3])
}

/** The idle model at the size of benchmarks/join, next to what that benchmark measured (if its result file is here). */
function calibrate (): unknown {
  const sim = new SimulatedBootstrap(DEFAULT_VS_LIMIT)
  const set = peerSet(CALIBRATION.peers, 'uniform', CALIBRATION.perSubnet)
  for (const p of set.peers) sim.join(p)
  const roles = sim.countRoles()
  const tables = sim.subnets().map(s => sim.tableSize(s.subnet).bytes)
  const model = networkModel({
    peers: CALIBRATION.peers,
    subnets: tables.length,
    virtualServers: roles['virtual-server'],
    tableBytesPerPeer: Math.round(tables.reduce((a, b) => a + b, 0) / tables.length),
    directoryBytes: sim.buildDirectory().bytes,
    sessionS: null
  })
  let measured: unknown = null
  try {
    const join = JSON.parse(readFileSync(CALIBRATION.file, 'utf8'))
    measured = { date: join.date, peers: join.peers, socketBytesPerPeerPerSec: join.bootstrapIdle?.socketBytesPerPeerPerSec, source: 'benchmarks/results/join.json bootstrapIdle (every TCP byte of the bootstrap, DHT and identify included)' }
  } catch {}
  return { peers: CALIBRATION.peers, modelBytesPerPeerPerSec: model.bootstrapBytesPerPeerPerSec, measured }
}

async function main (): Promise<void> {
  const started = Date.now()
  const load = loadavg().map(x => round(x, 2))
  const runs: Record<string, ModelRun[]> = {}
  const models: Record<string, { idle: NetworkModel, churn: NetworkModel }> = {}
  const skipped: string[] = []
  for (const distribution of DISTRIBUTIONS) {
    runs[distribution] = []
    for (const peers of SIZES) {
      if (Date.now() - started > BUDGET_MS) {
        skipped.push(`${distribution} ${peers}`)
        continue
      }
      const set = peerSet(peers, distribution, PER_SUBNET)
      const t = Date.now()
      const run = await runModel(set, { vsLimit: DEFAULT_VS_LIMIT, leaveSample: LEAVE_SAMPLE, sqliteJoinSample: SQLITE_JOIN_SAMPLE })
      runs[distribution].push(run)
      process.stderr.write(`${distribution} ${peers}: join ${run.joinUs?.mean} µs, gauges ${run.updateGaugesMs} ms, directory ${run.directory.servers} servers ${run.directory.bytes} B (fits: ${run.directory.fits}), ${Date.now() - t} ms\n`)
      if (distribution === 'uniform') {
        const input = { peers, subnets: run.subnets, virtualServers: run.roles['virtual-server'], tableBytesPerPeer: run.tables.bytesPerPeer, directoryBytes: run.directory.bytes }
        models[String(peers)] = { idle: networkModel({ ...input, sessionS: null }), churn: networkModel({ ...input, sessionS: SESSION_S }) }
      }
    }
  }

  const ceiling = subnetCeiling(DEFAULT_VS_LIMIT)
  const calibration = calibrate()
  const arrival = runs.uniform.flatMap(r => {
    const bytesPerServer = round(r.directory.bytes / Math.max(1, r.directory.servers), 1)
    const shuffled = peerSet(r.peers, 'uniform', PER_SUBNET).peers
    const roundRobin = [...shuffled].sort((a, b) => hostOf(a.addresses[0]) - hostOf(b.addresses[0]) || (a.subnet < b.subnet ? -1 : a.subnet > b.subnet ? 1 : 0))
    return [
      { ...replayArrivals(shuffled, 'shuffled', ARRIVAL_PER_SEC, DEFAULT_VS_LIMIT, bytesPerServer), bytesPerServer },
      { ...replayArrivals(roundRobin, 'round-robin', ARRIVAL_PER_SEC, DEFAULT_VS_LIMIT, bytesPerServer), bytesPerServer }
    ]
  })
  const result = {
    benchmark: 'scale-model',
    date: new Date(started).toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: round(totalmem() / 2 ** 30, 1), node: process.version, loadAverageAtStart: load, loadAverageAtEnd: loadavg().map(x => round(x, 2)) },
    setup: {
      sizes: SIZES,
      distributions: { uniform: `${PER_SUBNET} peers per /24`, skewed: `Zipf (s = 1) over peers/${PER_SUBNET} subnets, at least 1 and at most ${SKEWED_MAX_SUBNET} peers each` },
      vsLimit: DEFAULT_VS_LIMIT,
      limits: { tableOrDirectoryBytes: MAX_TABLE_BYTES, directoryServers: 4096 },
      peers: 'synthetic: Ed25519-shaped ids (52 chars), one /ip4/…/tcp/…/p2p/… address each, 60% reachable, 1–16 cores',
      network: 'none: the product code runs in this process; sends are replaced by counters (lib/scale-model-bootstrap.ts)',
      churnModelSessionS: SESSION_S
    },
    skipped,
    subnetCeiling: { ...ceiling, what: 'peers in one subnet (vsLimit 8) before its table exceeds 256 KiB: past it, encodeSubnetTable throws and CentralServer answers the join INTERNAL; measured by joining one subnet in steps of 100' },
    runs,
    growth: Object.fromEntries(DISTRIBUTIONS.map(d => [d, { sizes: SIZES, rows: growthTable(runs[d]) }])),
    perJoinInMemoryMs: Object.fromEntries(DISTRIBUTIONS.map(d => [d, runs[d].map(r => ({ peers: r.peers, ms: perJoinMs(r), joinsPerSecOneCore: round(1000 / perJoinMs(r), 0) }))])),
    networkModel: models,
    networkModelCalibration: calibration,
    arrivalModel: { what: `directory bytes the bootstrap sends per join while the network fills at ${ARRIVAL_PER_SEC} joins/s, replayed with the product's Election (uniform shape; lib/scale-model-network.ts replayArrivals)`, runs: arrival },
    durationS: round((Date.now() - started) / 1000, 1),
    notes: [
      'times are wall-clock in one process on a shared machine; compare them with the yardstick (Map inserts) of the same run',
      'perJoinInMemoryMs = join (p50) + publish of its subnet + SQLite writes (p50) + updateGauges twice (median) (CentralServer calls it after the join and the departure of a peer; counted once per join and once per leave, as in steady churn); it excludes Noise, identify, DHT and gossipsub, which benchmarks/join measures',
      'heap per peer excludes the peer id and address strings, which the synthetic peers already hold; the real bootstrap holds one copy of each (about 200 B per peer more)',
      'networkModel.idle: nobody joins or leaves (steady republishing every 30 s only); networkModel.churn: joins = leaves = peers / churnModelSessionS per second, a directory change for each that touches a virtual server (at most one per second, the debounce of DirectoryPublisher)',
      'networkModel is a paper model (lib/scale-model-network.ts): the byte constants of pings and gossipsub envelopes are estimates, the table and directory sizes are measured here',
      'a directory that does not fit is what the bootstrap could not publish: encodeDirectory throws MessageTooLargeError and DirectoryPublisher logs it; the size is the protobuf encoding without the check'
    ]
  }
  mkdirSync(join(ROOT, 'benchmarks', 'results'), { recursive: true })
  writeFileSync(RESULT_FILE, JSON.stringify(result, null, 2) + '\n')
  const brief = (m: NetworkModel): unknown => ({ directory: m.directory, bootstrapBytesPerPeerPerSec: m.bootstrapBytesPerPeerPerSec, bootstrapBytesPerSec: m.bootstrapBytesPerSec })
  process.stdout.write(JSON.stringify({
    perJoinInMemoryMs: result.perJoinInMemoryMs,
    networkModel: Object.fromEntries(Object.entries(models).map(([k, m]) => [k, { connections: m.idle.bootstrapConnections, idle: brief(m.idle), churn: brief(m.churn) }]))
  }, null, 2) + '\n')
  process.stderr.write(`wrote ${RESULT_FILE} in ${result.durationS} s\n`)
}

main().catch(err => {
  process.stderr.write(`scale-model failed: ${err.stack ?? err}\n`)
  process.exit(1)
})
