/**
 * Steps 2, 3 and 6, the files: one peer searches the network nearest-first
 * (its own files, its subnet, the other subnets and the central index, the
 * DHT), downloads a data set that only other subnets have, from several of
 * them at once, and at last asks the DHT alone.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { join } from 'node:path'
import { formatBytes } from '../format/output.js'
import { ProgressBar } from '../format/progress-bar.js'
import { DATASET, DATASET_WORD, SEARCH_WORD, type PreparedFile } from './sample-files.js'
import { USER_PEER, pollUntil, type DemoContext } from './context.js'
import { seconds, type Paint } from './narrator.js'
import { searchDht } from '../../src/sharing/index.js'
import { sleep } from '../../src/core/index.js'
import type { IndexEntry, SearchResult, SearchTier } from '../../src/index.js'

const TIER_COLORS: Record<SearchTier, Paint> = { local: 'green', subnet: 'cyan', remote: 'yellow', dht: 'magenta' }
const TIERS: SearchTier[] = ['local', 'subnet', 'remote', 'dht']
/** How long the demo waits for the DHT's records to spread before it moves on. */
const DHT_WAIT_MS = 15_000
/** How long the demo searches again for the data set while its sharers' indexes spread (hashing 32 MiB takes a while on a busy machine). */
const DATASET_WAIT_MS = 30_000
const DATASET_RETRY_MS = 2_000

export async function searchStep (ctx: DemoContext): Promise<void> {
  const { net, say, signal } = ctx
  say.section(2, `Search: nearest first, from peer ${USER_PEER}`)
  const files = ctx.files
  describeShares(ctx, files)
  // every sharer's index has reached its virtual server, or the bootstrap for a central client
  const sharers = [...new Set(files.flatMap(f => f.sharers))].map(label => net.peer(label).node)
  await pollUntil(() => sharers.every(n => n.sharing.indexSynced()), 10_000, signal)

  say.say()
  say.line(`${USER_PEER} searches for "${SEARCH_WORD}" and asks every tier (peerhive search ${SEARCH_WORD} --all):`)
  const all = await runSearch(ctx, [SEARCH_WORD], true)
  const order = TIERS.filter(t => all.some(r => r.tier === t))
  say.note(`Results arrived nearest first: ${order.join(' → ')}${order.includes('dht') ? '' : ' (the DHT had nothing new; see step 6)'}.`)

  say.say()
  say.line(`The same search without --all, as a search runs by default (peerhive search ${SEARCH_WORD}):`)
  const nearest = await runSearch(ctx, [SEARCH_WORD], false)
  const asked = TIERS.filter(t => nearest.some(r => r.tier === t))
  say.note(`It stopped at the nearest tier that found something (${asked.join(', ')}): the other subnets, the`)
  say.note('central server and the DHT were not asked. That is how the central server stays light.')
  say.endSection(`${all.length} results over ${order.length} tiers; ${nearest.length} from the nearest tiers alone`)
}

export async function downloadStep (ctx: DemoContext): Promise<void> {
  const { net, say, signal } = ctx
  say.section(3, `Download: a file from other subnets, from several peers at once, to ${USER_PEER}`)
  say.line(`${USER_PEER} searches for "${DATASET_WORD}":`)
  let found = await runSearch(ctx, [DATASET_WORD], false)
  const until = performance.now() + DATASET_WAIT_MS
  while (!found.some(r => r.filename === DATASET.file) && performance.now() < until) {
    say.note('Not found yet: its sharers\' indexes are still on their way to their virtual servers. Searching again.')
    await sleep(DATASET_RETRY_MS, signal)
    found = await runSearch(ctx, [DATASET_WORD], false)
  }
  const hit = found.find(r => r.filename === DATASET.file)
  if (hit == null) throw new Error(`the search for "${DATASET_WORD}" did not find ${DATASET.file}`)

  say.note('One line per file, from the nearest tier that knows it. To download, get asks every index tier')
  say.note('for every peer that shares the file, and fetches pieces from several of them at once.')
  say.say()
  say.line(`${USER_PEER} gets ${hit.cid.slice(0, 16)}… (peerhive get):`)
  const outPath = join(ctx.dir, 'downloads', DATASET.file)
  const bar = new ProgressBar(say.out, true, 'bytes')
  const result = await net.peer(USER_PEER).node.get(hit.cid, {
    outPath,
    signal,
    onProgress: p => { bar.update(p.bytes, p.total, `${p.sources.length} source(s)`) }
  })
  bar.done()
  const mbps = result.bytes / 1e6 / Math.max(result.ms / 1000, 0.001)
  say.line(`${formatBytes(result.bytes)} in ${seconds(result.ms)}, ${say.paint('bold', `${mbps.toFixed(1)} MB/s`)}, from ${result.sources.length} sources: ${result.sources.map(s => `${net.label(s)} (${subnetOf(s, ctx)})`).join(', ')}`)
  const original = await sha256(ctx.files.find(f => f.file === DATASET.file)?.path ?? '')
  const copy = await sha256(result.path)
  if (original !== copy) throw new Error(`the downloaded copy differs from the original (sha-256 ${copy} instead of ${original})`)
  say.line(`${say.paint('green', 'verified')}: every 1 MiB piece was checked against the file's manifest as it arrived, and the`)
  say.line(`copy's sha-256 equals the original's (${original.slice(0, 16)}…)`)
  say.endSection(`downloaded and verified ${formatBytes(result.bytes)} from ${result.sources.length} sources`)
}

/** Runs one search from the user's peer, printing each result as it arrives; resolves with them all. */
async function runSearch (ctx: DemoContext, words: string[], exhaustive: boolean): Promise<SearchResult[]> {
  const { net, say, signal } = ctx
  const self = net.peer(USER_PEER).node.peerId
  const results: SearchResult[] = []
  for await (const r of net.peer(USER_PEER).node.search(words, { exhaustive, timeoutMs: 5_000, signal })) {
    results.push(r)
    const who = r.providers.map(p => p === self ? `${net.label(p)} (this peer)` : `${net.label(p)}${say.paint('dim', ` ${via(ctx, p)}`)}`).join(', ')
    say.line(resultLine(ctx, r.tier, r.ms, r.filename, r.size, who))
  }
  if (results.length === 0) say.line('(no results)')
  return results
}

/**
 * Step 6: the DHT tier on its own. A search asks the DHT last and reports
 * only what the nearer tiers did not find, and here every file is in an
 * index too; so the user's peer asks the DHT alone, until it knows every
 * other peer's file with the search word. (The peers announce their files a
 * few seconds after they start; thirteen nodes in one process take a few
 * more seconds to store the records.)
 */
export async function dhtStep (ctx: DemoContext): Promise<void> {
  const { net, say, signal, files } = ctx
  say.section(6, 'The DHT: the search tier that needs no server')
  say.line('Every peer also announced its files in the DHT: provider records, and keyword records it signed.')
  say.line('A search asks the DHT last, for what no index knew. Here every file is in an index, so')
  say.line(`${USER_PEER} asks the DHT alone for "${SEARCH_WORD}" (no virtual server, no bootstrap):`)
  const user = net.peer(USER_PEER).node
  const expected = files.filter(f => f.keywords.includes(SEARCH_WORD) && f.sharers.some(s => s !== USER_PEER)).length
  const started = performance.now()
  let found: Array<{ entry: IndexEntry, ms: number }> = []
  let polls = 0
  const complete = await pollUntil(async () => {
    polls++
    const asked = performance.now()
    const entries: Array<{ entry: IndexEntry, ms: number }> = []
    for await (const entry of searchDht(user.libp2p, [SEARCH_WORD], { timeoutMs: 5_000, limit: 50, signal })) {
      if (!entries.some(e => e.entry.cid === entry.cid)) entries.push({ entry, ms: Math.round(performance.now() - asked) })
    }
    if (entries.length >= found.length) found = entries
    return found.length >= expected
  }, DHT_WAIT_MS, signal, 1_000)
  for (const { entry, ms } of found) {
    say.line(resultLine(ctx, 'dht', ms, entry.filename, entry.size, `${net.label(entry.provider)}${say.paint('dim', ' (its signed keyword record)')}`))
  }
  const waited = seconds(performance.now() - started)
  if (complete) say.endSection(`the DHT knows all ${expected} files${polls > 1 ? `; found on try ${polls}, once the announcements had spread` : ''}`)
  else say.endSection(`${found.length} of ${expected} found after ${waited}; the other records have not spread yet`)
}

/** One search result: tier, ms since the search started, file, size, who shares it. */
function resultLine (ctx: DemoContext, tier: SearchTier, ms: number, filename: string, size: number, who: string): string {
  return `${ctx.say.paint(TIER_COLORS[tier], `[${tier}]`.padEnd(8))} ${`${ms} ms`.padStart(7)}  ${filename.padEnd(26)} ${formatBytes(size).padStart(8)}  ${who}`
}

function describeShares (ctx: DemoContext, files: PreparedFile[]): void {
  const { say } = ctx
  say.line('What the peers shared as they started (peerhive share FILE --title T --keywords K):')
  const rows = [['peer', 'file', 'size', 'title and keywords']]
  for (const f of files) rows.push([f.sharers.join(', '), f.file, formatBytes(f.bytes), `"${f.title}"  [${f.keywords.join(', ')}]`])
  say.table(rows)
  say.note('Each peer sends its index to its virtual server (a central client to the bootstrap), and')
  say.note('announces its files in the DHT.')
}

/** Which index answered for a peer's files: its virtual server's, or the bootstrap's central index. */
function via (ctx: DemoContext, peerId: string): string {
  for (const row of ctx.net.bootstrap?.subnets() ?? []) {
    for (const vs of row.virtualServers) {
      if (vs.peerId === peerId) return '(virtual server)'
      if (vs.members.includes(peerId)) return `(via virtual server ${ctx.net.label(vs.peerId)})`
    }
    if (row.centralClients.includes(peerId)) return '(central client, via the central index)'
  }
  return ''
}

function subnetOf (peerId: string, ctx: DemoContext): string {
  return ctx.net.peers.find(p => p.node.peerId === peerId)?.subnet ?? 'unknown subnet'
}

async function sha256 (path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk)
  return hash.digest('hex')
}
