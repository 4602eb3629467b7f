/** What the DHT announcer (announcer.ts) is given, and what each of its rounds reports. */
import type { IndexEntry } from '../model/types.js'
import type { PrivateKey } from '@libp2p/interface'

export interface DhtAnnouncerInit {
  /**
   * The node's libp2p private key; libp2p does not expose it after construction, and keyword records are signed with it
   * @default none (required)
   */
  privateKey: PrivateKey
  /**
   * What this node shares now, read at every round; entries of other providers are ignored
   * @default none (required)
   */
  entries: () => IndexEntry[] | Promise<IndexEntry[]>
  /**
   * Period of full rounds that re-announce everything.
   *
   * @default 21_600_000 (6 h)
   */
  reannounceIntervalMs?: number
  /**
   * Lifetime written into keyword records; more than 48 h is refused by every node.
   *
   * @default 86_400_000 (24 h)
   */
  recordTtlMs?: number
  /**
   * DHT operations in flight at once.
   *
   * @default 4
   */
  concurrency?: number
  /**
   * Longest one provide or put may take.
   *
   * @default 30_000
   */
  operationTimeoutMs?: number
  /**
   * First retry delay after a round with failures; it doubles up to `retryMaxMs`.
   *
   * @default 5_000
   */
  retryMinMs?: number
  /**
   * Longest retry delay after rounds with failures.
   * @default 300_000
   */
  retryMaxMs?: number
  /**
   * Keyword records kept published; words past this are not announced.
   *
   * @default 10_000
   */
  maxWords?: number
  /**
   * Words announced per file: keywords first, then title, then filename.
   *
   * @default 32
   */
  maxWordsPerFile?: number
}

/** What one round did. */
export interface AnnounceReport {
  /** a periodic round that refreshed everything, or one that only published changes */
  full: boolean
  /** provider records announced (files and words) */
  provided: number
  /** keyword records stored (tombstones included) */
  published: number
  /** files and words no longer announced */
  withdrawn: number
  /** operations that failed; a retry round is scheduled */
  failed: number
  /** the round did nothing: the DHT knows no peers yet */
  noPeers: boolean
  ms: number
}

export interface DhtAnnouncerEvents {
  announced: CustomEvent<AnnounceReport>
}
