/**
 * Steps 2 and 3: peers share sample files; one peer searches the network
 * nearest-first (its own files, its subnet, the other subnets and the
 * central index, the DHT) and downloads a data set that only other subnets
 * have, from several of them at once.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { join } from 'node:path'
import { formatBytes } from '../output.js'
import { ProgressBar } from '../progress-bar.js'
import { DATASET, DATASET_WORD, SEARCH_WORD, type PreparedFile } from './sample-files.js'
import { USER_PEER, pollUntil, type DemoContext } from './context.js'
import { seconds, type Paint } from './narrator.js'
import type { SearchResult, SearchTier } from '../../index.js'

const TIER_COLORS: Record<SearchTier, Paint> = { local: 'green', subnet: 'cyan', remote: 'yellow', dht: 'magenta' }
const TIERS: SearchTier[] = ['local', 'subnet', 'remote', 'dht']

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
  say.note(`Results arrived nearest first: ${order.join(' → ')}${order.includes('dht') ? '' : ' (the DHT had nothing the nearer tiers had not found)'}.`)

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
  const found = await runSearch(ctx, [DATASET_WORD], false)
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
  const original = await sha256(join(ctx.dir, 'files', 'dataset', DATASET.file))
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
    const tier = say.paint(TIER_COLORS[r.tier], `[${r.tier}]`.padEnd(8))
    const who = r.providers.map(p => p === self ? `${net.label(p)} (this peer)` : `${net.label(p)}${say.paint('dim', ` ${via(ctx, p)}`)}`).join(', ')
    say.line(`${tier} ${`${r.ms} ms`.padStart(6)}  ${r.filename.padEnd(26)} ${formatBytes(r.size).padStart(8)}  ${who}`)
  }
  if (results.length === 0) say.line('(no results)')
  return results
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
