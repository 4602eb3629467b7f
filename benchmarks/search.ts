/**
 * Benchmark "search": latency of a search, at p50 and p99, for a subnet hit
 * (a file of another member of the searcher's group), a remote hit (a file
 * of a peer in another subnet) and a DHT-only hit (a file that no virtual
 * server and no central index holds), in a network of more than 100 nodes.
 * The yardstick, measured in the same run, is a bare libp2p request/response
 * round trip (TCP + Noise + Yamux, open connection) between two processes,
 * idle and during the search phase.
 *
 * The network: a bootstrap (the real CLI, own process, --vs-limit 10);
 * 10 subnets x 10 peers (127.0.S.H, S = 120..129, H = 1..10) hosted by
 * worker processes (benchmarks/lib/central-load-worker.ts, createNode), one
 * virtual server and 9 members per subnet, each peer sharing one small file
 * sb<S>h<H>f1.dat; and DHT-only providers on 127.0.130.H
 * (benchmarks/lib/search-bench-dht-provider.ts): plain peerhive stacks that
 * never join the bootstrap, connected to it and to a few virtual servers,
 * sharing dhtonly<P>f<K>.dat and announcing them with the product's
 * DhtAnnouncer. Every search asks for one word (the target's file name
 * without ".dat"), which only the target matches, and a search counts as a
 * hit when a result is that file with the target peer among its providers.
 *
 * The searches run once every peer is placed, its index is at its virtual
 * server, it holds the virtual-server directory, and every DHT-only provider
 * has had an announce round without failures; the three kinds are
 * interleaved, so each sees the same load.
 *
 * Writes benchmarks/results/search.json and prints it.
 * Knobs (environment): BENCH_SEARCH_N (searches per kind, default 60),
 * BENCH_SEARCH_CONCURRENCY (searches in flight, default 2),
 * BENCH_SEARCH_SEED (default 2024), BENCH_SEARCH_RATE (peer arrivals per
 * second, default 10), BENCH_SEARCH_WORKERS (default 3), BENCH_KEEP_TMP=1.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { now, pollUntil, sleep } from './lib/clock.js'
import { dialFigures, emptyOutcome } from './lib/central-load-figures.js'
import { sampleMany, sampleWhile } from './lib/samplers.js'
import { CliBootstrap, ROOT } from './lib/cli-bootstrap.js'
import { positiveEnv } from './lib/env.js'
import { Harness } from './lib/harness.js'
import { Child } from './lib/proc.js'
import { countBy, round, sumRecords, summarize, type Summary } from './lib/stats.js'
import { createBareNode, echoOnce } from './lib/yardstick.js'
import { ProductLogTally, fraction } from './lib/central-load-measure.js'
import type { HostedPeerPlan, HostedPeerState, SearchOutcome } from './lib/central-load-worker.js'
import type { DhtProviderState } from './lib/search-bench-dht-provider.js'
import type { Libp2p } from 'libp2p'
import { DHT_FILES_PER_PROVIDER, DHT_PROVIDERS, DHT_SUBNET, FIRST_SUBNET, HOSTS_PER_SUBNET, KINDS, PEERS, SUBNETS, dhtProviderPlans, peerPlans, workload, writeFiles, type Kind } from './lib/search-plan.js'

const VS_LIMIT = 10
const N_PER_KIND = Math.floor(positiveEnv('BENCH_SEARCH_N', 60))
const CONCURRENCY = Math.floor(positiveEnv('BENCH_SEARCH_CONCURRENCY', 2))
const SEED = Math.floor(positiveEnv('BENCH_SEARCH_SEED', 2024))
const RATE_PER_SEC = positiveEnv('BENCH_SEARCH_RATE', 10)
const WORKERS = Math.floor(positiveEnv('BENCH_SEARCH_WORKERS', 3))
/** 100 peers on 2 cores: each peer pings each connection every peerTimeoutMs/2 */
const PEER_TIMEOUT_MS = 60_000
const SEARCH_LIMIT = 10
/** subnet and remote hits: the product's default deadline */
const SEARCH_TIMEOUT_MS = 5_000
/** a DHT-only hit first goes through every other tier; the DHT tier gets what is left of this */
const DHT_SEARCH_TIMEOUT_MS = 15_000
const READY_TIMEOUT_MS = 45_000
const READY_STALL_MS = 15_000
/** DHT-only providers: announce rounds until one has no failure */
const ANNOUNCE_MAX_ROUNDS = 4
const ANNOUNCE_ROUND_GAP_MS = 2_000
const ANNOUNCE_TIMEOUT_MS = 90_000
/** the network's own DHT announcements (every peer's file) settle before the measurement */
const SETTLE_MS = 3_000
const SEARCH_PHASE_MAX_MS = 100_000
const WATCHDOG_MS = 235_000
/** the search phase starts by then, and ends by PHASE_END_BY, whatever happened before: the run stays inside the watchdog */
const PHASE_START_BY_MS = 115_000
const PHASE_END_BY_MS = 185_000
const ECHO_PAYLOAD_BYTES = 64
const RESULT_FILE = join(ROOT, 'benchmarks', 'results', 'search.json')
const lib = (file: string): string => new URL(`./lib/${file}`, import.meta.url).pathname

type Outcome = SearchOutcome & { n: number, kind: Kind, target: string, failed?: string }

const started = now()
const notes: string[] = []
const result: Record<string, any> = { benchmark: 'search', date: new Date().toISOString() }
const tmp = mkdtempSync(join(tmpdir(), 'peerhive-bench-search-'))
const keepTmp = process.env.BENCH_KEEP_TMP === '1'
let bootstrap: CliBootstrap | undefined
let client: Libp2p | undefined
/** the search phase's outcomes, kept here so that a run cut short still reports them */
const phaseOutcomes: Outcome[] = []

const loadSamples: number[] = []
const loadSampler = setInterval(() => { loadSamples.push(loadavg()[0]) }, 2_000)
loadSampler.unref()
const harness = new Harness({
  name: 'search',
  watchdogMs: WATCHDOG_MS,
  tmp,
  keepTmp,
  write,
  bootstrapOutput: () => bootstrap?.proc.output.text(40),
  onFailure: err => {
    result.error = err.message
    recordPartialLatency()
  }
})
await harness.run(run)

async function run (): Promise<void> {
  result.machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, totalMemMb: Math.round(totalmem() / 1048576), node: process.version, loadavgAtStart: loadavg().map(x => round(x)) }
  const plans = peerPlans(tmp)
  const dhtPlans = dhtProviderPlans(tmp)
  writeFiles(tmp, [...plans.flatMap(p => p.files), ...dhtPlans.flatMap(p => p.files)], SEED)
  const searches = workload(plans, dhtPlans, SEED, N_PER_KIND)
  result.setup = {
    nodes: 1 + PEERS + DHT_PROVIDERS,
    bootstrap: `node bin/peerhive.js bootstrap --listen /ip4/127.0.0.1/tcp/0 --vs-limit ${VS_LIMIT} --metrics 127.0.0.1:0 (own process)`,
    peers: `${PEERS}: ${SUBNETS} subnets x ${HOSTS_PER_SUBNET} peers at 127.0.S.H (S = ${FIRST_SUBNET}..${FIRST_SUBNET + SUBNETS - 1}), createNode in ${WORKERS} worker processes, peerTimeoutMs ${PEER_TIMEOUT_MS}, arriving at ${RATE_PER_SEC}/s; one file each, sb<S>h<H>f1.dat`,
    dhtOnlyProviders: `${DHT_PROVIDERS} at 127.0.${DHT_SUBNET}.H, plain stacks (createStack + peerhive DHT validators/selectors) that never join the bootstrap; connected to the bootstrap and ${SUBNETS} virtual servers; ${DHT_FILES_PER_PROVIDER} files each, dhtonly<P>f<K>.dat, announced with DhtAnnouncer`,
    query: 'one word: the target file name without ".dat", which only the target matches',
    hit: 'a result whose filename is the target\'s and whose providers include the target peer; latency = the product\'s `ms` of that result (time since the search started)'
  }
  result.workload = {
    perKind: N_PER_KIND,
    concurrency: CONCURRENCY,
    seed: SEED,
    order: 'the three kinds interleaved at random',
    searchers: 'any of the 100 peers, at random (virtual servers answer subnet hits from their own group index)',
    subnet: 'a file of another peer of the searcher\'s subnet',
    remote: 'a file of a peer of another subnet',
    dht: 'a file of a DHT-only provider: every network tier is asked first and finds nothing, then the DHT',
    searchOptions: { limit: SEARCH_LIMIT, timeoutMs: { subnet: SEARCH_TIMEOUT_MS, remote: SEARCH_TIMEOUT_MS, dht: DHT_SEARCH_TIMEOUT_MS }, exhaustive: false }
  }
  progress(`${result.setup.nodes} nodes; ${searches.length} searches (${N_PER_KIND} per kind), ${CONCURRENCY} in flight`)

  // --- yardstick: a bare libp2p request/response between two processes
  const echo = await Child.fork('echo-server', lib('echo-server.js'))
  const echoAddr: string = await echo.call('addr')
  client = await createBareNode([])
  await client.start()
  const payload = new Uint8Array(ECHO_PAYLOAD_BYTES).fill(7)
  await sampleMany(async () => echoOnce(client!, echoAddr, payload), 20, 5_000)
  const idleBefore = await sampleMany(async () => echoOnce(client!, echoAddr, payload), 200, 10_000)
  progress(`yardstick (idle, before the network): p50 ${summarize(idleBefore.ms)?.p50} ms`)

  // --- the network
  const boot = bootstrap = await CliBootstrap.start(join(tmp, 'bootstrap'), ['--listen', '/ip4/127.0.0.1/tcp/0', '--vs-limit', String(VS_LIMIT), '--metrics', '127.0.0.1:0'])
  progress(`bootstrap ${boot.info.peerId} at ${boot.multiaddr}`)
  const workers = await Promise.all(Array.from({ length: WORKERS }, async (_, i) => Child.fork(`peers-${i}`, lib('central-load-worker.js'), [], { DEBUG: ProductLogTally.DEBUG })))
  const productLog = new ProductLogTally()
  for (const w of workers) productLog.attach(w.proc.stderr)
  const dhtWorker = await Child.fork('dht-providers', lib('search-bench-dht-provider.js'))
  const workerOf = new Map<number, Child>()
  const perWorker: HostedPeerPlan[][] = workers.map(() => [])
  const epoch = now() + 500
  plans.forEach((p, i) => {
    p.at = epoch + i * (1000 / RATE_PER_SEC)
    perWorker[i % WORKERS].push(p)
    workerOf.set(p.idx, workers[i % WORKERS])
  })
  await Promise.all(workers.map(async (w, i) => w.call('plan', { bootstrap: boot.multiaddr, peers: perWorker[i], peerTimeoutMs: PEER_TIMEOUT_MS })))
  const lastArrival = plans[plans.length - 1].at

  // --- wait: peers placed, indexed, holding the directory; DHT-only providers started once the virtual servers are known, then announced
  let states: HostedPeerState[] = []
  let dhtStates: DhtProviderState[] = []
  let dhtStartedAt: number | undefined
  let lastProgress = now()
  const firsts: Record<string, number> = {}
  const readiness = (): Record<string, number> => ({
    running: states.filter(s => s.peerId != null).length,
    placed: states.filter(s => s.role === 'virtual-server' || s.role === 'member').length,
    virtualServers: states.filter(s => s.role === 'virtual-server').length,
    shared: states.filter(s => s.shared === 1).length,
    indexed: states.filter(s => s.role === 'virtual-server' || s.synced).length,
    // members follow no directory: their virtual server routes their searches (protocols/filters.md)
    directory: states.filter(s => s.role === 'member' || s.directorySize === SUBNETS).length,
    dhtProvidersAnnounced: dhtStates.filter(s => s.announced).length
  })
  const full: Record<string, number> = { running: PEERS, placed: PEERS, virtualServers: SUBNETS, shared: PEERS, indexed: PEERS, directory: PEERS, dhtProvidersAnnounced: DHT_PROVIDERS }
  let r = readiness()
  const ready = await pollUntil(async (): Promise<true | 'stalled' | false> => {
    states = (await Promise.all(workers.map(async w => w.call<HostedPeerState[]>('state', {}, 10_000)))).flat()
    if (dhtStartedAt == null) {
      const table = await boot.api<any[]>('/v1/subnets').catch(() => [])
      const servers = table.flatMap(row => row.virtualServers).filter((v: any) => v.addresses.length > 0)
      if (servers.length >= SUBNETS || (now() > lastArrival + 10_000 && servers.length > 0)) {
        const dialTo = [boot.multiaddr, ...servers.slice(0, SUBNETS).map((v: any) => withPeer(v.addresses[0], v.peerId))]
        await dhtWorker.call('start', { providers: dhtPlans, dialTo, peerTimeoutMs: PEER_TIMEOUT_MS, maxRounds: ANNOUNCE_MAX_ROUNDS, roundGapMs: ANNOUNCE_ROUND_GAP_MS })
        dhtStartedAt = now()
        progress(`DHT-only providers started, dialing the bootstrap and ${dialTo.length - 1} virtual servers`)
      }
    } else {
      dhtStates = await dhtWorker.call<DhtProviderState[]>('state', {}, 10_000)
    }
    const before = JSON.stringify(r)
    r = readiness()
    if (JSON.stringify(r) !== before) lastProgress = now()
    for (const [k, v] of Object.entries(r)) if (v === full[k] && firsts[k] == null) firsts[k] = now()
    if (Object.entries(full).every(([k, v]) => r[k] === v)) return true
    if (dhtStartedAt != null && now() - dhtStartedAt > ANNOUNCE_TIMEOUT_MS) return 'stalled'
    return now() > lastArrival && now() - lastProgress > READY_STALL_MS ? 'stalled' : false
  }, Math.min(Math.max(0, lastArrival - now()) + READY_TIMEOUT_MS + ANNOUNCE_TIMEOUT_MS, started + PHASE_START_BY_MS - now()), 500)
  result.setup.ready = ready === true
  result.setup.readiness = r
  result.setup.readinessMsFromFirstArrival = Object.fromEntries(Object.entries(firsts).map(([k, v]) => [k, round(v - epoch, 0)]))
  result.setup.peerErrors = states.filter(s => s.error != null).slice(0, 10).map(s => ({ idx: s.idx, error: s.error }))
  result.setup.dhtProviders = dhtStates.map(s => ({ peerId: s.peerId, connections: s.connections, routingTable: s.routingTable, shared: s.shared, rounds: s.rounds, announced: s.announced, msToAnnounce: s.msToAnnounce ?? null, lastRound: s.last ?? null, error: s.error }))
  progress(`${ready === true ? 'ready' : 'NOT ready'} ${round((now() - epoch) / 1000, 1)} s after the first arrival: ${JSON.stringify(r)}`)
  if (ready !== true) notes.push(`not everything was ready (${JSON.stringify(r)} of ${JSON.stringify(full)}); the searches ran anyway`)
  const peerIdOf = new Map(states.filter(s => s.peerId != null).map(s => [s.idx, s.peerId!]))
  const dhtPeerIdOf = new Map(dhtStates.filter(s => s.peerId != null).map(s => [s.idx, s.peerId!]))
  const roleOf = new Map(states.map(s => [s.idx, s.role ?? 'none']))
  const indexedAtStart = new Set(states.filter(s => s.role === 'virtual-server' || s.synced).map(s => s.idx))
  await sleep(SETTLE_MS)

  const idleWithNetwork = await sampleMany(async () => echoOnce(client!, echoAddr, payload), 200, 10_000)
  progress(`yardstick (idle network up): p50 ${summarize(idleWithNetwork.ms)?.p50} ms`)

  // --- the search phase, with the yardstick sampled alongside
  const outcomes = phaseOutcomes
  const placedAtStart = new Set(states.filter(s => s.role === 'virtual-server' || s.role === 'member').map(s => s.idx))
  const skipped: Array<{ n: number, kind: Kind, searcher: number, role?: string }> = []
  let next = 0
  let searching = true
  const deadline = Math.min(now() + SEARCH_PHASE_MAX_MS, started + PHASE_END_BY_MS)
  const echoLoad = sampleWhile(() => searching, async () => echoOnce(client!, echoAddr, payload), 100, SEARCH_PHASE_MAX_MS + 5_000, 5_000)
  const tPhase = now()
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < searches.length && now() < deadline) {
      const s = searches[next++]
      const provider = s.target.worker === 'peers' ? peerIdOf.get(s.target.idx) : dhtPeerIdOf.get(s.target.idx)
      const base = { n: s.n, kind: s.kind, target: s.target.file }
      if (provider == null || !peerIdOf.has(s.searcher)) {
        outcomes.push({ ...emptyOutcome(s.searcher), ...base, failed: 'the searcher or the target is not running' })
        continue
      }
      if (!placedAtStart.has(s.searcher)) {
        // a peer still joining has no virtual server and no directory: not the case measured; counted, not timed
        skipped.push({ n: s.n, kind: s.kind, searcher: s.searcher, role: roleOf.get(s.searcher) })
        continue
      }
      const timeoutMs = s.kind === 'dht' ? DHT_SEARCH_TIMEOUT_MS : SEARCH_TIMEOUT_MS
      try {
        const o = await workerOf.get(s.searcher)!.call<SearchOutcome>('search', { idx: s.searcher, words: [s.target.word], target: s.target.file, provider, limit: SEARCH_LIMIT, timeoutMs }, timeoutMs + 3_000)
        outcomes.push({ ...o, ...base })
      } catch (err: any) {
        outcomes.push({ ...emptyOutcome(s.searcher), ...base, failed: String(err.message).split('\n')[0].slice(0, 200) })
      }
    }
  }))
  const phaseMs = now() - tPhase
  searching = false
  const echoUnderLoad = await echoLoad
  if (outcomes.length < searches.length) notes.push(`only ${outcomes.length} of ${searches.length} searches ran within the phase\'s ${round(phaseMs / 1000, 0)} s (bounded so that the run stays under ${WATCHDOG_MS / 1000} s)`)
  outcomes.sort((a, b) => a.n - b.n)
  const loads = await Promise.all(workers.map(async w => w.call('load', {}, 5_000).catch(() => null)))
  // diagnosis of missed DHT-only targets: the same DHT search from a DHT-only provider (not a network peer)
  const missedDht = now() - started > 200_000 ? [] : [...new Set(outcomes.filter(o => o.kind === 'dht' && !o.found).map(o => o.target))].slice(0, 3)
  result.missedDhtTargetsSearchedFromAProvider = await Promise.all(missedDht.map(async file => {
    const s = searches.find(x => x.target.file === file)!
    return { target: file, ...(await dhtWorker.call('dhtSearch', { word: s.target.word, owner: s.target.idx, timeoutMs: 6_000 }, 8_000).catch((err: Error) => ({ error: err.message.slice(0, 200) }))) }
  }))
  const statesAfter = (await Promise.all(workers.map(async w => w.call<HostedPeerState[]>('state', {}, 5_000).catch(() => [])))).flat()
  result.setup.indexedAfterThePhase = statesAfter.filter(s => s.role === 'virtual-server' || s.synced).length

  // --- figures
  const planOf = new Map(searches.map(s => [s.n, s]))
  const byKind: Record<string, any> = {}
  for (const kind of KINDS) {
    const all = outcomes.filter(o => o.kind === kind)
    const found = all.filter(o => o.found)
    const misses = all.filter(o => !o.found)
    byKind[kind] = {
      searches: all.length,
      found: found.length,
      misses: misses.length,
      toFirstMatchMs: summarize(found.map(o => o.targetMs!)),
      toFirstMatchViaItsOwnTierMs: summarize(found.filter(o => o.targetTier === kind).map(o => o.targetMs!)),
      toFirstMatchByTierMs: Object.fromEntries([...countBy(found, o => o.targetTier ?? '?').keys()].map(t => [t, summarize(found.filter(o => o.targetTier === t).map(o => o.targetMs!))])),
      wholeSearchMs: summarize(all.filter(o => o.failed == null).map(o => o.totalMs)),
      tierOfTheMatch: Object.fromEntries(countBy(found, o => o.targetTier ?? '?')),
      resultTiers: sumRecords(all.map(o => o.tiers)),
      bySearcherRole: Object.fromEntries([...countBy(found, o => o.role).keys()].map(role => [role, summarize(found.filter(o => o.role === role).map(o => o.targetMs!))])),
      searchRequests: dialFigures(all),
      missesByTarget: Object.fromEntries(countBy(misses, o => o.target)),
      searchesOfTheMissedTargets: Object.fromEntries([...new Set(misses.map(o => o.target))].map(t => [t, { searches: all.filter(o => o.target === t).length, found: found.filter(o => o.target === t).length }])),
      missList: misses.slice(0, 10).map(o => ({ n: o.n, searcher: o.idx, role: o.role ?? roleOf.get(o.idx), target: o.target, targetIndexedAtStart: kind === 'dht' ? null : indexedAtStart.has(planOf.get(o.n)?.target.idx ?? -1), results: o.results, tiers: o.tiers, totalMs: round(o.totalMs, 0), dials: o.dials, error: o.error ?? o.failed }))
    }
    if (kind !== 'dht') {
      const notIndexed = misses.filter(o => !indexedAtStart.has(planOf.get(o.n)?.target.idx ?? -1)).length
      byKind[kind].missesWhoseTargetWasNotIndexed = notIndexed
    }
  }
  const idle = summarize([...idleWithNetwork.ms])
  const load = summarize(echoUnderLoad.ms)
  result.latency = {
    subnetHit: { ...pick(byKind.subnet.toFirstMatchMs), misses: byKind.subnet.misses, viaSubnetTier: pick(byKind.subnet.toFirstMatchViaItsOwnTierMs) },
    remoteHit: { ...pick(byKind.remote.toFirstMatchMs), misses: byKind.remote.misses, viaRemoteTier: pick(byKind.remote.toFirstMatchViaItsOwnTierMs) },
    dhtOnlyHit: { ...pick(byKind.dht.toFirstMatchMs), misses: byKind.dht.misses },
    unit: 'ms to the first result that is the target, as the product reports it (SearchResult.ms), whichever tier returned it; via<Tier>: only the searches whose target came from the tier that should hold it (a target whose index never reached its virtual server comes from the DHT instead)'
  }
  result.byKind = byKind
  result.phase = { seconds: round(phaseMs / 1000, 1), searches: outcomes.length, concurrency: CONCURRENCY, skippedSearcherNotPlaced: Object.fromEntries(countBy(skipped, x => x.kind)) }
  if (skipped.length > 0) notes.push(`${skipped.length} planned searches were skipped: their searcher was not placed (no virtual server, no directory) when the phase began (phase.skippedSearcherNotPlaced)`)
  result.yardstick = {
    what: `bare libp2p (TCP + Noise + Yamux, no other service) request/response between two processes on loopback, on an open connection: open a stream, write a ${ECHO_PAYLOAD_BYTES}-byte length-prefixed message, read it back, close`,
    idleBeforeNetworkMs: summarize(idleBefore.ms),
    idleMs: idle,
    underLoadMs: load,
    failures: { idleBefore: idleBefore.failures, idle: idleWithNetwork.failures, underLoad: echoUnderLoad.failures },
    when: 'idleBeforeNetwork: before the bootstrap and peers started; idle: with the 105 nodes up, just before the search phase; underLoad: every 100 ms during the search phase'
  }
  const ratios: Record<string, any> = {}
  for (const [name, kind] of [['subnetHit', 'subnet'], ['remoteHit', 'remote'], ['dhtOnlyHit', 'dht']] as const) {
    const s: Summary | null = byKind[kind].toFirstMatchMs
    ratios[name] = {
      p50OverIdleP50: fraction(s?.p50, idle?.p50, 1),
      p99OverIdleP99: fraction(s?.p99, idle?.p99, 1),
      p50OverUnderLoadP50: fraction(s?.p50, load?.p50, 1),
      p99OverUnderLoadP99: fraction(s?.p99, load?.p99, 1)
    }
  }
  result.ratiosToYardstick = ratios
  result.peerProcesses = loads.map((l: any, i) => l == null ? null : { name: workers[i].name, rssMb: l.rssMb, eventLoopDelayMs: { p50: round(l.eventLoopDelayMs.p50), p99: round(l.eventLoopDelayMs.p99), max: round(l.eventLoopDelayMs.max) } })
  result.productLog = productLog.figures()
  for (const kind of KINDS) {
    const k = byKind[kind]
    const wrongTier = Object.entries(k.tierOfTheMatch as Record<string, number>).filter(([t]) => t !== kind).map(([t, v]) => `${v} via ${t}`)
    if (k.misses > 0) notes.push(`${kind}: ${k.misses} of ${k.searches} searches did not find their target (byKind.${kind}.missList)`)
    if (wrongTier.length > 0) notes.push(`${kind}: the target came from another tier than expected in ${wrongTier.join(', ')}`)
  }
  const ownVsNoAddrs = outcomes.flatMap(o => o.dials).filter(d => d.to === 'own-virtual-server' && d.error?.startsWith('NoValidAddressesError') === true).length
  if (ownVsNoAddrs > 0) notes.push(`${ownVsNoAddrs} search streams to the searcher's own virtual server failed with NoValidAddressesError: the member had no address of its virtual server in its peer store (search.ts asks its own virtual server without the directory's addresses for it), so the subnet tier was skipped`)
  if (result.setup.readiness.indexed < PEERS) notes.push(`when the phase began only ${result.setup.readiness.indexed} of ${PEERS} peers had their index at their virtual server (indexSynced(), virtual servers counted); ${result.setup.indexedAfterThePhase} after the phase; targets not indexed are found through the DHT or missed (byKind.*.toFirstMatchByTierMs)`)
  if (result.machine.loadavgAtStart[0] > result.machine.cpus) notes.push(`the machine was already loaded when the run began (1-min load ${result.machine.loadavgAtStart[0]} on ${result.machine.cpus} CPUs): other work competed with the benchmark`)
  progress(`subnet ${JSON.stringify(result.latency.subnetHit)}; remote ${JSON.stringify(result.latency.remoteHit)}; dht ${JSON.stringify(result.latency.dhtOnlyHit)}; yardstick idle p50 ${idle?.p50}, under load p50 ${load?.p50}`)

  // --- shut down (bounded)
  await Promise.all([...workers, dhtWorker, echo].map(async w => w.shutdown(5_000)))
  await boot.stop()
  bootstrap = undefined
  await Promise.resolve().then(async () => client?.stop()).catch(() => {})
  result.machine.loadavgAtEnd = loadavg().map(x => round(x))
  result.machine.loadavg1mDuringRun = { max: round(Math.max(...loadSamples, 0)), mean: round(loadSamples.reduce((a, b) => a + b, 0) / Math.max(1, loadSamples.length)) }
  notes.push(`${result.machine.cpus} CPUs shared by the bootstrap, ${WORKERS + 1} worker processes hosting ${PEERS + DHT_PROVIDERS} nodes, the echo server and this process: every latency includes CPU contention`)
  result.durationS = round((now() - started) / 1000, 1)
}

// ---------------------------------------------------------------- helpers

function withPeer (addr: string, peerId: string): string {
  return addr.includes('/p2p/') ? addr : `${addr}/p2p/${peerId}`
}

function pick (s: Summary | null): Record<string, number> | null {
  return s == null ? null : { n: s.n, p50: s.p50, p99: s.p99, mean: s.mean, max: s.max }
}

function progress (line: string): void {
  process.stderr.write(`[search ${((now() - started) / 1000).toFixed(1)}s] ${line}\n`)
}

function write (): void {
  result.notes = notes
  mkdirSync(join(ROOT, 'benchmarks', 'results'), { recursive: true })
  const text = JSON.stringify(result, null, 2) + '\n'
  writeFileSync(RESULT_FILE, text)
  process.stdout.write(text)
}

/** On a failure: the latencies of the searches that did run. */
function recordPartialLatency (): void {
  if (result.latency == null && phaseOutcomes.length > 0) {
    result.partialLatency = Object.fromEntries(KINDS.map(k => {
      const all = phaseOutcomes.filter(o => o.kind === k)
      return [k, { searches: all.length, misses: all.filter(o => !o.found).length, toFirstMatchMs: summarize(all.filter(o => o.found).map(o => o.targetMs!)) }]
    }))
  }
}
