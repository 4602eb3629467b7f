/**
 * Keyword records in the DHT: the wire contract (from
 * src/protocols/dht-records.ts, protocols/dht-records.md) and this node's
 * own defaults.
 */

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE

export {
  KEYWORD_NAMESPACE, WORD_HASH_PREFIX, KEYWORD_SIGNATURE_PREFIX, KEYWORD_RECORD_VERSION, MAX_KEYWORD_RECORD_BYTES, MAX_ENTRIES_PER_RECORD, MAX_KEYWORDS_PER_ENTRY, MAX_TEXT_CHARS, MAX_DIRECTORY_CHARS, MAX_SIGNATURE_BYTES, MIN_WORD_CHARS, MAX_WORD_CHARS, MAX_RECORD_TTL_MS, MAX_CLOCK_SKEW_MS
} from '../../protocols/dht-records.js'

// ---- local defaults, not part of the wire contract ----

/** Words indexed per file, keywords first, then title, then filename. */
export const MAX_WORDS_PER_FILE = 32
/** Keyword records one node keeps published. */
export const DEFAULT_MAX_WORDS = 10_000
/** Words of a query looked at; the rest are ignored. */
export const MAX_QUERY_WORDS = 8

/** Lifetime of our keyword records: four re-announce rounds, so two missed rounds lose nothing. */
export const DEFAULT_RECORD_TTL_MS = 24 * HOUR
/**
 * Full re-announce period: keyword records, provider records of files and of
 * words. kad-dht's own reprovider only refreshes provider records (about
 * every 24 h) and never re-puts values, and values only reach the peers that
 * were closest at put time, so we re-put them well inside their 24 h TTL.
 */
export const DEFAULT_REANNOUNCE_INTERVAL_MS = 6 * HOUR
/** After a round with failures (for example at start, before the DHT has peers), retry after this, doubling. */
export const DEFAULT_RETRY_MIN_MS = 5 * SECOND
export const DEFAULT_RETRY_MAX_MS = 5 * MINUTE
/** DHT operations (provide, put) one announcer runs at once. */
export const DEFAULT_ANNOUNCE_CONCURRENCY = 4
/** Longest one provide or put may take. */
export const DEFAULT_OPERATION_TIMEOUT_MS = 30 * SECOND

/** Deadline of a DHT search when the caller gives none. */
export const DEFAULT_SEARCH_TIMEOUT_MS = 15 * SECOND
export const DEFAULT_SEARCH_LIMIT = 100
/** Keyword records fetched at once by one search. */
export const DEFAULT_SEARCH_CONCURRENCY = 8
/** A record lookup stops once this many peers have answered with a valid record; the newest of them wins. */
export const DEFAULT_RECORD_QUORUM = 3
/** Providers looked up per word or file; kad-dht itself stops at k = 20. */
export const DEFAULT_PROVIDER_LIMIT = 20
