/**
 * Benchmark "filters" (issue 9, section 5; protocols/filters.md): what the
 * keyword filters cost and what they save.
 *
 * Part 1, the filter alone (no network): groups of 10 members x 3..100
 * files with realistic names (benchmarks/lib/filenames.ts), 20 groups per
 * size. For each: the filter's bytes, elements, k and fill; its
 * false-positive rate for one-word queries that miss (words never used in
 * names, and vocabulary words this group does not use) and for two-word
 * queries whose words are both in the group but never in one entry (a
 * whole-index filter cannot tell); the Bloom bound. Yardsticks: the bytes
 * of the exact set of the group's words (what a whole-word QRP table would
 * hold, which cannot answer substrings) and of the exact gram set (what
 * the filter approximates).
 *
 * Part 2, a network on loopback (one process): a bootstrap, N subnets with
 * one virtual server each (127.1.S.1, 10 files each) and one member in the
 * first subnet (the searcher). Searches for two words of a random file;
 * requestsPerSearch counts the search requests the member sent (its
 * virtual server, then the central index) plus the routed servers its
 * virtual server asked for it (forwarding: the product's onForwarded), and
 * holders the servers that really hold a match. Goal: requests < 3 +
 * holders. Yardstick: the flood (before filters), one request to every
 * virtual server of the network, N.
 *
 * Writes benchmarks/results/filters.json and prints it.
 * Knobs: BENCH_FILTERS_SUBNETS (default "10,100"), BENCH_FILTERS_SEARCHES
 * (per network, default 40), BENCH_FILTERS_FILES (files per server in
 * part 2, default 10), BENCH_FILTERS_SEED (default 7).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { FILTER_TOPIC } from '../src/core/index.js'
import { createNode, type ForwardReport, type PeerhiveNode } from '../src/index.js'
import { createBootstrap } from '../bootstrap/index.js'
import { FilterBook, KeywordFilter, gramsOf } from '../src/sharing/routing/index.js'
import { matches, normalize, queryWords, searchText } from '../src/sharing/index.js'
import { HELD_OUT, Rng, WORDS, fileName } from './lib/filenames.js'
import { now, pollUntil } from './lib/clock.js'
import { ROOT } from './lib/cli-bootstrap.js'
import { round, summarize } from './lib/stats.js'
import { watchSearchRequests } from './lib/search-requests.js'

const SEED = Number(process.env.BENCH_FILTERS_SEED ?? 7)
const SUBNET_COUNTS = (process.env.BENCH_FILTERS_SUBNETS ?? '10,100').split(',').map(Number).filter(n => n > 0)
const SEARCHES = Number(process.env.BENCH_FILTERS_SEARCHES ?? 40)
const MEMBERS = 10
const FILES_PER_MEMBER = [3, 10, 30, 100]
const GROUPS_PER_SIZE = 20
const FILES_PER_SERVER = Number(process.env.BENCH_FILTERS_FILES ?? 10)
const READY_MS = 120_000

interface Entry { cid: string, filename: string, title: string, keywords: string[] }

const entryOf = (rng: Rng, i: number): Entry => ({ cid: `bafk${i.toString(36)}${Math.floor(rng.next() * 1e12).toString(36)}`, filename: fileName(rng), title: '', keywords: [] })
const wordsOf = (e: Entry): string[] => searchText(e).split(/[^\p{L}\p{N}]+/u).filter(w => w.length >= 3)
const unique = <T>(xs: T[]): T[] => [...new Set(xs)]
const utf8 = (xs: Iterable<string>): number => Buffer.byteLength([...xs].join('\n'))

function filterAlone (): any[] {
  const rng = new Rng(SEED)
  const rows = []
  for (const perMember of FILES_PER_MEMBER) {
    const bytes: number[] = []; const elements: number[] = []; const hashes: number[] = []; const fill: number[] = []
    const exactWords: number[] = []; const exactGrams: number[] = []; const bound: number[] = []
    let heldOutAsked = 0; let heldOutFp = 0; let absentAsked = 0; let absentFp = 0; let pairAsked = 0; let pairFp = 0
    for (let g = 0; g < GROUPS_PER_SIZE; g++) {
      const entries = Array.from({ length: MEMBERS * perMember }, (_, i) => entryOf(rng, i))
      const f = KeywordFilter.of(entries)
      bytes.push(f.bits.byteLength); elements.push(f.elements); hashes.push(f.hashes); fill.push(f.fill())
      bound.push((1 - Math.exp(-f.hashes * f.elements / (f.bits.byteLength * 8))) ** f.hashes)
      const used = new Set(entries.flatMap(wordsOf))
      exactWords.push(utf8(used))
      const grams = new Set<string>()
      for (const e of entries) gramsOf(searchText(e), grams)
      exactGrams.push(utf8(grams) + utf8(entries.map(e => e.cid)))
      const misses = (words: string[]): boolean => !entries.some(e => matches(words, e))
      for (const w of HELD_OUT) {
        if (!misses([w])) continue
        heldOutAsked++
        if (f.mayMatch([w])) heldOutFp++
      }
      for (const w of WORDS.map(normalize)) {
        if (!misses([w])) continue
        absentAsked++
        if (f.mayMatch([w])) absentFp++
      }
      const present = [...used]
      for (let q = 0; q < 200 && present.length > 1; q++) {
        const pair = [rng.pick(present), rng.pick(present)]
        if (pair[0] === pair[1] || !misses(pair)) continue
        pairAsked++
        if (f.mayMatch(pair)) pairFp++
      }
    }
    const p50 = (xs: number[]): number => summarize(xs)?.p50 ?? NaN
    rows.push({
      members: MEMBERS,
      filesPerMember: perMember,
      entries: MEMBERS * perMember,
      groups: GROUPS_PER_SIZE,
      filterBytes: { p50: p50(bytes), max: Math.max(...bytes) },
      elements: p50(elements),
      hashes: p50(hashes),
      fill: round(p50(fill), 3),
      falsePositiveRate: {
        heldOutWord: round(heldOutFp / Math.max(1, heldOutAsked), 4),
        absentVocabularyWord: round(absentFp / Math.max(1, absentAsked), 4),
        wordPairNeverTogether: round(pairFp / Math.max(1, pairAsked), 4),
        bloomBoundPerElement: round(p50(bound), 4),
        asked: { heldOutWord: heldOutAsked, absentVocabularyWord: absentAsked, wordPairNeverTogether: pairAsked }
      },
      yardsticks: { exactWordSetBytes: p50(exactWords), exactGramSetBytes: p50(exactGrams) }
    })
  }
  return rows
}

/**
 * The routing alone, at `servers` virtual servers of 10 members x 10 files:
 * the real FilterBook.route and search.ts's rule (4 at a time, nearest
 * first, stop after a round with a holder), without a network. A request
 * is the member's one to its virtual server plus each server asked.
 */
function routingAlone (servers: number, searches: number): any {
  const rng = new Rng(SEED * 31 + servers)
  const book = new FilterBook()
  const held: Entry[][] = []
  const refs = Array.from({ length: servers }, (_, s) => ({ peerId: `vs${s}`, subnet: `10.${s >> 8}.${s & 255}.0/24` }))
  for (let s = 0; s < servers; s++) {
    const entries = Array.from({ length: MEMBERS * 10 }, (_, i) => entryOf(rng, i))
    held.push(entries)
    book.put(`vs${s}`, 1, KeywordFilter.of(entries), () => true)
  }
  const rows = []
  for (let q = 0; q < searches; q++) {
    const s = 1 + rng.int(servers - 1)
    const e = held[s][rng.int(held[s].length)]
    const words = unique(wordsOf(e))
    const query = words.length === 0 ? queryWords([e.filename]) : unique(Array.from({ length: 1 + rng.int(2) }, () => words[rng.int(words.length)]))
    if (held[0].some(x => matches(query, x))) continue // a subnet hit: no remote tier
    const holders = new Set(refs.filter((_, i) => i > 0 && held[i].some(x => matches(query, x))).map(r => r.peerId))
    const routed = book.route(query, refs.slice(1), refs[0].subnet).servers
    let asked = 0
    for (let i = 0; i < routed.length; i += 4) {
      const round = routed.slice(i, i + 4)
      asked += round.length
      if (round.some(r => holders.has(r.peerId))) break
    }
    rows.push({ requests: 1 + asked, holders: holders.size, routed: routed.length })
  }
  return {
    servers,
    entriesPerServer: MEMBERS * 10,
    remoteSearches: rows.length,
    meanRequestsPerSearch: round(rows.reduce((a, r) => a + r.requests, 0) / Math.max(1, rows.length), 2),
    meanHoldersPerSearch: round(rows.reduce((a, r) => a + r.holders, 0) / Math.max(1, rows.length), 2),
    requestsPerSearch: summarize(rows.map(r => r.requests)),
    routedPerSearch: summarize(rows.map(r => r.routed)),
    holdersPerSearch: summarize(rows.map(r => r.holders)),
    searchesAtOrOverGoal: rows.filter(r => r.requests >= 3 + r.holders).length,
    goal: 'requests < 3 + holders',
    yardstick: { floodRequestsPerSearch: servers }
  }
}

/** Records the peers a node sends search requests to, in order. */
function recordSearchRequests (node: PeerhiveNode): string[] {
  const asked: string[] = []
  watchSearchRequests(node, peerId => { asked.push(peerId) })
  return asked
}

async function network (subnets: number, dir: string): Promise<any> {
  const rng = new Rng(SEED + subnets)
  const started = now()
  const bootstrap = await createBootstrap({ dataDir: join(dir, `boot-${subnets}`), listen: ['/ip4/127.0.0.1/tcp/0'] })
  const nodes: PeerhiveNode[] = []
  try {
    const addr = bootstrap.multiaddrs()[0]
    const servers: PeerhiveNode[] = []
    for (let s = 0; s < subnets; s++) {
      const node = await createNode({ bootstrap: addr, listen: [`/ip4/127.1.${s}.1/tcp/0`] })
      nodes.push(node)
      servers.push(node)
    }
    // joins can be slow on a loaded machine: wait for them, bounded, and say how many made it
    progress(`${subnets} subnets: ${servers.length} servers started; waiting for placements`)
    await pollUntil(() => servers.every(n => n.status().role === 'virtual-server'), READY_MS, 500)
    const unplaced = servers.filter(n => n.status().role !== 'virtual-server').length
    if (servers[0].status().role !== 'virtual-server') throw new Error(`${subnets} subnets: the searcher's virtual server was not placed within ${READY_MS} ms`)
    const member = await createNode({ bootstrap: addr, listen: ['/ip4/127.1.0.2/tcp/0'] })
    nodes.push(member)
    await member.waitForPlacement(['member'], AbortSignal.timeout(READY_MS))
    progress(`${subnets} subnets: placed (${unplaced} servers not placed)`)
    const placedMs = now() - started
    const home = servers[0]
    const ids = servers.map(n => n.peerId)
    const placedIds = servers.filter(n => n.status().role === 'virtual-server').map(n => n.peerId)
    await pollUntil(() => placedIds.every(id => home.topology.directory()?.some(d => d.peerId === id)), READY_MS, 200)

    // every server shares its files once all are placed, so each new filter finds the topic's mesh in place
    const sharingStarted = now()
    const held = new Map<string, Entry[]>()
    // names drawn in order (deterministic), shares run at once (each one's DHT announcements overlap)
    const plans = servers.map((node, s) => ({
      node,
      paths: Array.from({ length: FILES_PER_SERVER }, (_, f) => {
        const name = fileName(rng).replace(/[/\\]/g, '-')
        const path = join(dir, `n${subnets}`, `s${s}`, name)
        mkdirSync(join(path, '..'), { recursive: true })
        writeFileSync(path, `${s} ${f} ${name}`)
        return path
      })
    }))
    await Promise.all(plans.map(async ({ node, paths }) => {
      const shared = await node.share(paths)
      held.set(node.peerId, shared.map(e => ({ cid: e.cid, filename: e.filename, title: e.title, keywords: e.keywords })))
    }))
    const sharedMs = now() - sharingStarted
    progress(`${subnets} subnets: shared in ${round(sharedMs, 0)} ms; waiting for the filters`)
    const sharedAt = now()
    const knowsAll = (): boolean => servers.slice(1).every(n => {
      const f = home.sharing.filters.book.get(n.peerId)
      return f != null && (held.get(n.peerId) ?? []).every(e => f.mayMatch([e.cid]))
    })
    const filtersKnownIn = await pollUntil(() => knowsAll() ? now() : undefined, READY_MS, 250)
    const knownAtStart = servers.slice(1).filter(n => home.sharing.filters.book.get(n.peerId) != null).length

    progress(`${subnets} subnets: filters ${filtersKnownIn == null ? 'NOT all known' : 'known'}; searching`)
    const dials = recordSearchRequests(member)
    const rows = []
    for (let q = 0; q < SEARCHES; q++) {
      const s = rng.int(subnets)
      const entries = held.get(ids[s]) ?? []
      const e = entries[rng.int(entries.length)]
      // one or two words of the file's name, as people type them
      const words = unique(wordsOf(e))
      const query = words.length === 0 ? queryWords([e.filename]) : unique(Array.from({ length: 1 + rng.int(2) }, () => words[rng.int(words.length)]))
      const holders = ids.filter(id => (held.get(id) ?? []).some(x => matches(query, x)))
      dials.length = 0
      const t0 = now()
      // a hit: a result from a server that really holds a match (the nearest holder answers; farther ones need not)
      const holderCids = new Set(holders.flatMap(id => (held.get(id) ?? []).filter(x => matches(query, x)).map(x => x.cid)))
      let found = false
      let forwarded = 0
      const onForwarded = (f: ForwardReport): void => { forwarded += f.asked }
      for await (const r of member.search(query, { timeoutMs: 10_000, dhtWhenFound: false, onForwarded })) if (r.tier !== 'dht' && holderCids.has(r.cid)) found = true
      rows.push({ query, holders: holders.length, holderIsHome: holders.includes(home.peerId), requests: dials.length + forwarded, forwarded, askedBootstrap: dials.includes(bootstrap.peerId), found, ms: now() - t0 })
    }
    const remote = rows.filter(r => !r.holderIsHome)
    const over = remote.filter(r => r.requests >= 3 + r.holders)
    const filterBytes = servers.slice(1).map(n => home.sharing.filters.book.get(n.peerId)?.bits.byteLength).filter((b): b is number => b != null)
    return {
      subnets,
      virtualServers: subnets,
      filesPerServer: FILES_PER_SERVER,
      setupMs: round(now() - started, 0),
      serversNotPlaced: unplaced,
      placedMs: round(placedMs, 0),
      sharingMs: round(sharedMs, 0),
      filtersKnownAfterSharingMs: filtersKnownIn == null ? null : round(filtersKnownIn - sharedAt, 0),
      filtersKnownAtSearch: `${knownAtStart} of ${subnets - 1}`,
      filterBytesPerServer: summarize(filterBytes),
      bookBytesAtSearcherVs: home.sharing.filters.book.byteSize,
      search: {
        n: rows.length,
        remoteSearches: remote.length,
        hitRate: round(rows.filter(r => r.found).length / Math.max(1, rows.length), 3),
        requestsPerSearch: summarize(remote.map(r => r.requests)),
        meanRequestsPerSearch: round(remote.reduce((a, r) => a + r.requests, 0) / Math.max(1, remote.length), 2),
        meanHoldersPerSearch: round(remote.reduce((a, r) => a + r.holders, 0) / Math.max(1, remote.length), 2),
        holdersPerSearch: summarize(remote.map(r => r.holders)),
        requestsMinusHolders: summarize(remote.map(r => r.requests - r.holders)),
        searchesAtOrOverGoal: over.length,
        goal: 'requests < 3 + holders for every remote search',
        bootstrapAsked: rows.filter(r => r.askedBootstrap).length,
        latencyMs: summarize(rows.map(r => r.ms))
      },
      yardstick: { floodRequestsPerSearch: subnets, what: 'before filters: the member\'s virtual server, then every other virtual server of the directory' },
      gossip: {
        filterTopicPeersAtBootstrap: bootstrap.libp2p.services.pubsub.getSubscribers(FILTER_TOPIC).length,
        bootstrapMeshPeers: bootstrap.libp2p.services.pubsub.getMeshPeers(FILTER_TOPIC).length
      },
      samples: rows.slice(0, 5)
    }
  } finally {
    await Promise.allSettled(nodes.map(async n => n.stop()))
    await bootstrap.stop().catch(() => {})
  }
}

function progress (line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`)
}

async function main (): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'peerhive-bench-filters-'))
  const load = loadavg()
  const t0 = now()
  try {
    const alone = filterAlone()
    const networks: any[] = []
    const result = {
      benchmark: 'filters',
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, loadAverageAtStart: load.map(x => round(x, 2)), loadAverageAtEnd: loadavg().map(x => round(x, 2)) },
      durationMs: round(now() - t0, 0),
      filter: {
        what: 'Bloom filter of 1- to 4-grams of each entry\'s normalized text (no white space) and of each CID; 10 bits per element, 64 B..32 KiB',
        groups: alone
      },
      routing: [10, 100].map(n => routingAlone(n, 400)),
      networks
    }
    const write = (): void => {
      result.machine.loadAverageAtEnd = loadavg().map(x => round(x, 2))
      result.durationMs = round(now() - t0, 0)
      mkdirSync(join(ROOT, 'benchmarks', 'results'), { recursive: true })
      writeFileSync(join(ROOT, 'benchmarks', 'results', 'filters.json'), JSON.stringify(result, null, 2) + '\n')
    }
    write()
    for (const n of SUBNET_COUNTS) {
      // one network's results are kept even if a larger one fails
      networks.push(await network(n, dir).catch((err: Error) => ({ subnets: n, error: err.message })))
      write()
    }
    console.log(JSON.stringify(result, null, 2))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
process.exit(0)
