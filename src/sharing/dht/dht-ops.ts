/**
 * The few kad-dht operations peerhive uses, turned from event streams into
 * answers: how many peers took a value or a provider record, the newest
 * valid keyword record at a key, the providers of a CID.
 */
import { createHash } from 'node:crypto'
import { verifyKeywordRecord, type VerifiedKeywordRecord } from './verify.js'
import type { ComponentLogger, PeerId, PeerInfo } from '@libp2p/interface'
import type { KadDHT, QueryEvent } from '@libp2p/kad-dht'
import type { CID } from 'multiformats/cid'

/** What the DHT code needs of a libp2p node: a `dht` service built with peerhiveValidators and peerhiveSelectors. */
export interface DhtHost {
  peerId: PeerId
  logger: ComponentLogger
  services: { dht: KadDHT }
}

/** Stores a value at the peers closest to `key`; returns how many accepted it (0: nobody did). */
export async function putValue (dht: KadDHT, key: Uint8Array, value: Uint8Array, signal: AbortSignal): Promise<number> {
  const stored = new Set<string>()
  const failed = new Set<string>()
  for await (const event of dht.put(key, value, { signal })) {
    if (event.name === 'PEER_RESPONSE' && event.messageName === 'PUT_VALUE') stored.add(event.from.toString())
    if (event.name === 'QUERY_ERROR' && stored.has(event.from.toString())) failed.add(event.from.toString())
  }
  return stored.size - failed.size
}

/** Announces this node as a provider of `cid`; returns how many peers the record was sent to. */
export async function provideCid (dht: KadDHT, cid: CID, signal: AbortSignal): Promise<number> {
  let sent = 0
  for await (const event of dht.provide(cid, { signal })) {
    if (event.name === 'PEER_RESPONSE' && event.messageName === 'ADD_PROVIDER') sent++
  }
  return sent
}

export interface RecordLookupOptions {
  signal: AbortSignal
  /** stop once this many peers answered with a valid record */
  quorum: number
}

/**
 * The newest valid keyword record at `key`, or undefined. Every value is
 * checked here again, whoever sent it; invalid ones are skipped. kad-dht's
 * own `get` throws away what it found when it cannot correct a stale peer,
 * so the values are taken from the query's events as they arrive.
 */
export async function getKeywordRecord (dht: KadDHT, key: Uint8Array, options: RecordLookupOptions): Promise<VerifiedKeywordRecord | undefined> {
  const stop = new AbortController()
  const signal = AbortSignal.any([options.signal, stop.signal])
  const checked = new Map<string, VerifiedKeywordRecord | null>()
  const answered = new Set<string>()
  let best: VerifiedKeywordRecord | undefined
  try {
    for await (const event of dht.get(key, { signal })) {
      const found = valueOf(event)
      if (found == null) continue
      const { from, value } = found
      const id = createHash('sha256').update(value).digest('hex')
      if (!checked.has(id)) checked.set(id, await verifyKeywordRecord(key, value).catch(() => null))
      const record = checked.get(id)
      if (record == null) continue
      answered.add(from.toString())
      if (best == null || record.issuedAt > best.issuedAt) best = record
      if (answered.size >= options.quorum) break
    }
  } catch {
    // a timeout, no peers, or a failed correction: what was found so far stands
  } finally {
    stop.abort()
  }
  return best
}

function valueOf (event: QueryEvent): { from: PeerId, value: Uint8Array } | undefined {
  if (event.name === 'VALUE') return { from: event.from, value: event.value }
  if (event.name === 'PEER_RESPONSE' && event.messageName === 'GET_VALUE' && event.record != null) return { from: event.from, value: event.record.value }
  return undefined
}

/** Providers of `cid`, deduplicated, at most `limit`; ends quietly at the signal. */
export async function * findProviders (dht: KadDHT, cid: CID, options: { signal: AbortSignal, limit: number, exclude?: PeerId }): AsyncGenerator<PeerInfo> {
  const stop = new AbortController()
  const signal = AbortSignal.any([options.signal, stop.signal])
  const seen = new Set<string>()
  try {
    for await (const event of dht.findProviders(cid, { signal })) {
      if (event.name !== 'PROVIDER') continue
      for (const peer of event.providers) {
        const id = peer.id.toString()
        if (seen.has(id) || options.exclude?.equals(peer.id) === true) continue
        seen.add(id)
        yield { id: peer.id, multiaddrs: peer.multiaddrs }
        if (seen.size >= options.limit) return
      }
    }
  } catch (err) {
    if (!signal.aborted) throw err
  } finally {
    stop.abort()
  }
}
