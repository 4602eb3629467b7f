/**
 * Search tier 4 (SHARE-3): the DHT. The word with the fewest publishers is
 * looked up, each publisher's signed record for it fetched and checked, and
 * the entries filtered locally by every word of the query (AND).
 */
import { parseCid } from '../model/manifest.js'
import { deadline, mapUnordered } from './bounded.js'
import {
  DEFAULT_PROVIDER_LIMIT, DEFAULT_RECORD_QUORUM, DEFAULT_SEARCH_CONCURRENCY, DEFAULT_SEARCH_LIMIT, DEFAULT_SEARCH_TIMEOUT_MS
} from './constants.js'
import { findProviders, getKeywordRecord, type DhtHost } from './dht-ops.js'
import { keywordKey, wordCid } from './keys.js'
import { matchesAll, queryWords } from './words.js'
import type { IndexEntry } from '../model/types.js'
import type { PeerId, PeerInfo } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export interface DhtSearchOptions {
  /**
   * The caller's deadline or cancellation
   * @default none
   */
  signal?: AbortSignal
  /**
   * Results yielded at most.
   *
   * @default 100
   */
  limit?: number
  /**
   * Deadline of the whole search, on top of `signal`.
   *
   * @default 15_000
   */
  timeoutMs?: number
  /**
   * Keyword records fetched at once.
   *
   * @default 8
   */
  concurrency?: number
  /**
   * A record lookup stops once this many peers have answered with a valid record.
   *
   * @default 3
   */
  quorum?: number
  /**
   * Publishers looked up per word.
   *
   * @default 20
   */
  providersPerWord?: number
  /**
   * Also return this node's own entries (tier 1 already has them).
   *
   * @default false
   */
  includeSelf?: boolean
}

/**
 * Entries in the DHT matching every word (case and accents ignored), each
 * from a record its provider signed, one per (CID, provider), yielded as
 * they are found. Ends at `limit`, at the deadline, or when every publisher
 * of the rarest word has been asked; never throws for a DHT failure.
 */
export async function * searchDht (host: DhtHost, words: string[], options: DhtSearchOptions = {}): AsyncGenerator<IndexEntry> {
  const query = queryWords(words)
  if (query.length === 0) return
  const log = host.logger.forComponent('peerhive:dht:search')
  const stop = new AbortController()
  const signal = deadline(options.timeoutMs ?? DEFAULT_SEARCH_TIMEOUT_MS, options.signal, stop.signal)
  const limit = options.limit ?? DEFAULT_SEARCH_LIMIT
  const exclude = options.includeSelf === true ? undefined : host.peerId
  try {
    const lookup = await rarestWord(host, query, options.providersPerWord ?? DEFAULT_PROVIDER_LIMIT, signal, exclude)
    if (lookup == null) return
    log('"%s": %d publishers of "%s"', query.join(' '), lookup.publishers.length, lookup.word)
    const seen = new Set<string>()
    const fetch = async (publisher: PeerId): Promise<IndexEntry[]> => {
      const record = await getKeywordRecord(host.services.dht, keywordKey(lookup.word, publisher), {
        signal, quorum: options.quorum ?? DEFAULT_RECORD_QUORUM
      })
      return record?.entries ?? []
    }
    for await (const entries of mapUnordered(lookup.publishers, options.concurrency ?? DEFAULT_SEARCH_CONCURRENCY, fetch)) {
      for (const entry of entries) {
        const id = `${entry.cid}/${entry.provider}`
        if (seen.has(id) || !matchesAll(query, entry)) continue
        seen.add(id)
        yield entry
        if (seen.size >= limit) return
      }
      if (signal.aborted) return
    }
  } finally {
    stop.abort()
  }
}

/**
 * Every query word's publishers are looked up at once; the word with the
 * fewest (but some) is used. A word nobody published may still match by
 * substring, or be past a file's word cap, so it does not end the search.
 */
async function rarestWord (host: DhtHost, words: string[], perWord: number, signal: AbortSignal, exclude?: PeerId): Promise<{ word: string, publishers: PeerId[] } | undefined> {
  const found = await Promise.all(words.map(async word => {
    const publishers: PeerId[] = []
    try {
      for await (const peer of findProviders(host.services.dht, wordCid(word), { signal, limit: perWord, exclude })) publishers.push(peer.id)
    } catch {
      // no peers, or the query failed: this word's publishers are unknown
    }
    return { word, publishers }
  }))
  return found.filter(f => f.publishers.length > 0).sort((a, b) => a.publishers.length - b.publishers.length)[0]
}

export interface FindProvidersOptions {
  /**
   * The caller's deadline or cancellation.
   * @default none
   */
  signal?: AbortSignal
  /**
   * Providers yielded at most; kad-dht stops at k = 20 anyway.
   *
   * @default 20
   */
  limit?: number
  /**
   * Deadline on top of `signal`.
   *
   * @default 15_000
   */
  timeoutMs?: number
}

/** Peers that announced `cid`, with the addresses the DHT knows for them, this node excluded; for downloads. */
export async function * findFileProviders (host: DhtHost, cid: CID | string, options: FindProvidersOptions = {}): AsyncGenerator<PeerInfo> {
  const target = typeof cid === 'string' ? parseCid(cid) : cid
  const signal = deadline(options.timeoutMs ?? DEFAULT_SEARCH_TIMEOUT_MS, options.signal)
  try {
    yield * findProviders(host.services.dht, target, { signal, limit: options.limit ?? DEFAULT_PROVIDER_LIMIT, exclude: host.peerId })
  } catch (err) {
    host.logger.forComponent('peerhive:dht:search').error('finding providers of %s failed - %e', target.toString(), err)
  }
}
