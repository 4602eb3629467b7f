/**
 * Benchmark "netlab": peerhive between homes behind NAT routers (issue 11),
 * on the namespaced test network (test/netlab), with real CLI processes.
 *
 * The network: the bootstrap (relaying bulk data, --relay-bulk) and a public
 * peer on public hosts; four provider homes whose uplinks are capped
 * (BENCH_NETLAB_CAP_MBIT, default 40 Mbit/s), a downloader's home, a home of
 * two peers behind a symmetric NAT, one more home, uncapped, and a home whose
 * router forwards ports over UPnP (a real miniupnpd).
 *
 * Figures, each beside its yardstick from the same run:
 * - reachability: how each node is reached (its own status: direct, mapped
 *   by UPnP, or relayed and then hole-punched);
 * - holePunch: peerhive's punches (protocols/punch.md) over the whole run,
 *   beside js-libp2p's DCUtR between two homes through a relay and a bare
 *   TCP simultaneous open with ports agreed beforehand;
 * - relayedVsDirectMBps: the same size of file from a peer behind a
 *   symmetric NAT (through the relay), from one behind NAT (hole-punched),
 *   from one behind a UPnP router (its forwarded port) and from the public
 *   peer (direct);
 * - multiSource: one capped provider, then four, against one raw TCP
 *   connection through one capped uplink;
 * - crossNatSearch: every peer searches for every other peer's file;
 * - crossNatJob: a job owned in one home, run by the four providers.
 *
 * Needs root (network namespaces). Writes benchmarks/results/netlab.json.
 * Knobs: BENCH_NETLAB_CAP_MBIT, BENCH_NETLAB_FILE_MB (default 64).
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { appPath } from '../src/compute/apps/index.js'
import { LabPeers } from '../test/netlab/lab-peers.js'
import { Netlab, unavailable } from '../test/netlab/netlab.js'
import { ROOT } from './lib/cli-bootstrap.js'
import { positiveEnv } from './lib/env.js'
import { dcutrProbe, rawTcpMBps, simultaneousOpens } from './lib/netlab-probes.js'
import { round, summarize } from './lib/stats.js'

const CAP_MBIT = positiveEnv('BENCH_NETLAB_CAP_MBIT', 40)
const MiB = 1024 * 1024
const FILE_BYTES = Math.floor(positiveEnv('BENCH_NETLAB_FILE_MB', 64)) * MiB
const PROVIDERS = ['p1', 'p2', 'p3', 'p4']
/** homex's router maps ports at random (symmetric NAT): no hole punch gets through it, so its traffic crosses the relay */
const HOMES = [
  ...PROVIDERS.map(p => ({ name: `home${p}`, hosts: [p], uplinkMbit: CAP_MBIT })),
  { name: 'homedl', hosts: ['dl'] },
  { name: 'homex', hosts: ['x1', 'x2'], symmetric: true },
  { name: 'homey', hosts: ['y1'] },
  { name: 'homez', hosts: ['z1'], upnp: true }
]
/** behind homez's UPnP router: needs no relay */
const MAPPED_PEER = 'z1'
const PEERS = ['pub', ...HOMES.flatMap(h => h.hosts)]
const RESULT_FILE = join(ROOT, 'benchmarks', 'results', 'netlab.json')
const WAIT_MS = 60_000

const why = await unavailable({ upnp: true })
if (why != null) {
  process.stderr.write(`netlab: cannot run here: ${why}\n`)
  process.exit(2)
}
const started = Date.now()
const loadAtStart = loadavg()
const tmp = mkdtempSync(join(tmpdir(), 'peerhive-bench-netlab-'))
const lab = new Netlab()
const peers = new LabPeers(lab, tmp)
/** ms until `check` holds, polled every 250 ms; throws after `timeoutMs`. */
async function msUntil (check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = Date.now()
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`not within ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 250))
  }
  return Date.now() - start
}
try {
  await lab.build({ publicHosts: ['boot', 'pub'], homes: HOMES })
  await peers.startBootstrap('boot', ['--relay-bulk'])
  // the files: one shared by all four providers, one by p1 alone, one by x1 (behind the symmetric NAT), one by y1 (behind NAT, uncapped), one by pub
  const shareOf = (name: string): string => {
    const dir = join(tmp, `bench-share-${name}`)
    mkdirSync(dir)
    writeFileSync(join(dir, `${name}.bin`), randomBytes(FILE_BYTES))
    return dir
  }
  const multi = shareOf('quartet')
  const single = shareOf('solo')
  const relayed = shareOf('behind-nat')
  const punched = shareOf('punched')
  const direct = shareOf('public')
  const forwarded = shareOf('mapped')
  for (const host of PEERS) {
    const extra = PROVIDERS.includes(host) ? ['--share', multi, '--provider', '--cpus', '1', '--max-memory', '128'] : []
    if (host === 'p1') extra.push('--share', single)
    if (host === 'x1') extra.push('--share', relayed)
    if (host === 'y1') extra.push('--share', punched)
    if (host === 'pub') extra.push('--share', direct)
    if (host === MAPPED_PEER) extra.push('--share', forwarded)
    await peers.startPeer(host, extra)
  }
  // z1 started last: how long from its start until it is reachable through its router's forward
  const mappedAfterMs = await msUntil(async () => (await peers.status(MAPPED_PEER))?.reachability === 'mapped', WAIT_MS)
  await peers.relaysReserved(PEERS.filter(h => h !== 'pub' && h !== MAPPED_PEER), WAIT_MS)

  /** How each peer is reached: directly, or through the relay, and the direct connections it punched or answered. */
  const reachabilityNow = async (): Promise<Record<string, unknown>> => {
    const out: Record<string, unknown> = {}
    for (const host of PEERS) {
      const s = await peers.status(host)
      out[host] = {
        reachedAs: s?.reachability === 'direct'
          ? 'direct'
          : s?.reachability === 'mapped'
            ? `mapped: its router forwards ${s.portMapping?.mappings.map(m => m.external).join(', ') ?? ''} to it (UPnP)`
            : s?.relay?.state === 'reserved' ? 'relayed, then hole-punched where both routers keep ports' : String(s?.reachability),
        holePunch: s?.holePunch == null ? null : { attempts: s.holePunch.attempts, succeeded: s.holePunch.succeeded, answered: s.holePunch.answered },
        connections: s?.connections
      }
    }
    return out
  }
  const punchStats = async (): Promise<{ attempts: number, succeeded: number, ms: number[] }> => {
    const all = { attempts: 0, succeeded: 0, ms: [] as number[] }
    for (const host of PEERS) {
      const p = (await peers.status(host))?.holePunch
      if (p == null) continue
      all.attempts += p.attempts
      all.succeeded += p.succeeded
      all.ms.push(...p.recentMs)
    }
    return all
  }

  /** The CID of `word`'s file once `host` sees `providers` providers of it (the human form counts every tier's). */
  const cidOf = async (host: string, word: string, providers: number): Promise<string> => {
    const deadline = Date.now() + WAIT_MS
    while (Date.now() < deadline) {
      const r = await peers.cli(host, ['search', word, '--all', '--timeout', '8000'])
      const cid = /bafk\w+/.exec(r.stdout)?.[0]
      if (cid != null && new RegExp(`\\(${providers} providers?`).test(r.stdout)) return cid
      await new Promise(resolve => setTimeout(resolve, 500))
    }
    throw new Error(`${host} did not see ${providers} providers of ${word}`)
  }
  /** MB/s of the download of `host`'s get of `cid`, once its providers are found (a fresh output file each time). */
  let gets = 0
  const getMBps = async (host: string, cid: string): Promise<{ mbPerSec: number, sources: number, wholeGetMs: number }> => {
    const out = join(tmp, `got-${gets++}.bin`)
    const r = await peers.cli(host, ['get', cid, '-o', out, '--json'], 300_000)
    if (r.code !== 0) throw new Error(`get failed: ${r.stderr}`)
    rmSync(out, { force: true })
    const got = JSON.parse(r.stdout)
    return { mbPerSec: round(FILE_BYTES / 1e6 / (got.downloadMs / 1000)), sources: got.sources.length, wholeGetMs: got.ms }
  }

  // --- downloads: direct against relayed, then one capped provider against four, next to a raw TCP connection through a capped uplink
  const directGet = await getMBps('dl', await cidOf('dl', 'public', 1))
  const relayedGet = await getMBps('dl', await cidOf('dl', 'behind-nat', 1))
  const punchedGet = await getMBps('dl', await cidOf('dl', 'punched', 1))
  const mappedGet = await getMBps('dl', await cidOf('dl', 'mapped', 1))
  const rawUplink = round(await rawTcpMBps(lab, 'p1', 'pub', Math.min(FILE_BYTES, 32 * MiB)))
  const oneProvider = await getMBps('dl', await cidOf('dl', 'solo', 1))
  const fourProviders = await getMBps('dl', await cidOf('dl', 'quartet', 4))

  // --- every peer searches for every other peer's own file (LabPeers shares sonata-of-<host>.txt on each)
  const searchMs: number[] = []
  let searches = 0
  let found = 0
  for (const from of PEERS) {
    for (const owner of PEERS) {
      if (owner === from) continue
      searches++
      const hit = (await peers.search(from, `sonata-of-${owner}`)).find(h => h.filename === `sonata-of-${owner}.txt`)
      if (hit != null) {
        found++
        searchMs.push((hit as any).ms)
      }
    }
  }

  // --- a job owned in home x, run by the four providers
  const jobFile = join(tmp, 'job.json')
  const units = 8
  writeFileSync(jobFile, JSON.stringify({
    name: 'netlab', app: appPath('mandelbrot'), requirements: { memoryMb: 64, diskMb: 1 },
    range: { from: 0, to: units * 8, step: 8, args: ['96', String(units * 8), '{from}', '{to}', '2000'] },
    replication: 2, quorum: 2, deadlineMs: 60_000, maxAttempts: 8, result: { stdout: true, files: [] }, adaptive: false
  }))
  const jobStart = Date.now()
  const job = await peers.cli('x1', ['job', 'submit', jobFile, '--wait', '--json'], 300_000)
  const jobMs = Date.now() - jobStart
  const jobFinal = JSON.parse(job.stdout.trim().split('\n').at(-1) ?? '{}')

  const reachability = await reachabilityNow()
  const punches = await punchStats()
  // --- hole punching: js-libp2p's DCUtR, and TCP simultaneous open with agreed ports (p1 and dl: two homes)
  const dcutr = await dcutrProbe(lab, 'pub', 'p1', 'dl', 3)
  const opens = await simultaneousOpens(lab, 'p1', 'dl', 5)
  const openTimes = opens.filter((t): t is number => t != null)

  const result = {
    benchmark: 'netlab',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, loadAverageAtStart: loadAtStart.map(l => round(l)), loadAverageAtEnd: loadavg().map(l => round(l)) },
    network: { publicHosts: ['boot', 'pub'], homes: HOMES, bootstrapFlags: ['--relay-bulk'], fileBytes: FILE_BYTES },
    reachability,
    portMapping: { peer: MAPPED_PEER, mappedAfterMs, definition: 'from the moment z1 was up (its daemon answered) until it said reachability: mapped (its router forwarded a port, and the bootstrap saw it join from there)' },
    holePunch: {
      attempts: punches.attempts,
      succeeded: punches.succeeded,
      p50Ms: summarize(punches.ms)?.p50 ?? null,
      definition: 'peerhive\'s punches (protocols/punch.md) during the whole run, every peer together (status holePunch): from the relayed connection to the direct one',
      libp2pDcutr: {
        attempts: dcutr.attempts,
        succeeded: dcutr.succeeded,
        p50Ms: dcutr.p50Ms,
        definition: 'js-libp2p DCUtR (@libp2p/dcutr) between two homes over a relayed connection, 3 rounds: CONNECT messages sent, direct connections that followed',
        whyItFails: dcutr.why
      },
      simultaneousOpenProbe: { attempts: opens.length, succeeded: openTimes.length, p50Ms: summarize(openTimes)?.p50 ?? null, definition: 'plain TCP between the same two homes: each side dials the other router from a port agreed beforehand, at the same moment' }
    },
    relayedVsDirectMBps: {
      relayed: relayedGet.mbPerSec,
      holePunched: punchedGet.mbPerSec,
      mapped: mappedGet.mbPerSec,
      direct: directGet.mbPerSec,
      ratio: round(relayedGet.mbPerSec / directGet.mbPerSec),
      holePunchedOverDirect: round(punchedGet.mbPerSec / directGet.mbPerSec),
      mappedOverDirect: round(mappedGet.mbPerSec / directGet.mbPerSec),
      definition: 'one file each, no cap: from x1 behind the symmetric NAT (through the relay), from y1 behind NAT (a punched direct connection), from z1 behind a UPnP router (its forwarded port), from the public peer (direct); the downloader is behind NAT'
    },
    multiSource: {
      capMbit: CAP_MBIT,
      rawTcpThroughCapMBps: rawUplink,
      oneProviderMBps: oneProvider.mbPerSec,
      fourProvidersMBps: fourProviders.mbPerSec,
      definition: 'the download once the providers were found (get --json downloadMs); the whole gets took ' + `${oneProvider.wholeGetMs} and ${fourProviders.wholeGetMs} ms`,
      fourProviderSources: fourProviders.sources,
      fourOverOne: round(fourProviders.mbPerSec / oneProvider.mbPerSec),
      oneOverRawTcp: round(oneProvider.mbPerSec / rawUplink)
    },
    crossNatSearch: { searches, hitRate: round(found / searches, 3), p50Ms: summarize(searchMs)?.p50 ?? null, p99Ms: summarize(searchMs)?.p99 ?? null },
    crossNatJob: { units, ms: jobMs, state: jobFinal.state ?? null, validUnits: jobFinal.unitStates?.valid ?? null },
    durationS: round((Date.now() - started) / 1000, 1)
  }
  writeFileSync(RESULT_FILE, JSON.stringify(result, null, 2) + '\n')
  process.stdout.write(JSON.stringify(result, null, 2) + '\n')
} catch (err) {
  process.stderr.write(peers.logs() + '\n')
  throw err
} finally {
  await peers.stopAll()
  await lab.teardown()
  rmSync(tmp, { recursive: true, force: true })
}
