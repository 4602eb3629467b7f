/**
 * Keyword records in the DHT: names, limits and timing. Every value here is
 * part of the wire contract in protocols/dht-records.md, except the ones
 * marked as local defaults.
 */

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE

/** Key namespace of keyword records: `/phkw/<word hash>/<provider>`. kad-dht picks validators and selectors by it. */
export const KEYWORD_NAMESPACE = 'phkw'
/** Domain prefix hashed before a word, so word hashes never collide with file CIDs or other uses of sha2-256. */
export const WORD_HASH_PREFIX = 'peerhive/kw/1:'
/** Domain prefix of the signed bytes, so a keyword-record signature can never be replayed as any other signature. */
export const KEYWORD_SIGNATURE_PREFIX = 'peerhive/dht-keyword-record/1:'
export const KEYWORD_RECORD_VERSION = 1

/** Largest DHT value (a SignedKeywordRecord) any node accepts. */
export const MAX_KEYWORD_RECORD_BYTES = 64 * 1024
/** Entries one provider lists under one word (also enforced by the protobuf decoder). */
export const MAX_ENTRIES_PER_RECORD = 64
export const MAX_KEYWORDS_PER_ENTRY = 32
/** Characters of a filename, title, keyword or userid. */
export const MAX_TEXT_CHARS = 256
export const MAX_DIRECTORY_CHARS = 1024
export const MAX_SIGNATURE_BYTES = 512
/** Shorter words are not indexed: too common to narrow anything down. */
export const MIN_WORD_CHARS = 2
/** Longer words are cut to this many characters, on both the publishing and the searching side. */
export const MAX_WORD_CHARS = 64

/**
 * The longest a record may claim to live. kad-dht holders drop a stored
 * value 48 h after they received it (PROVIDERS_VALIDITY in
 * @libp2p/kad-dht/dist/src/constants.js, applied in rpc/handlers/get-value.js),
 * so a longer claim would be a lie.
 */
export const MAX_RECORD_TTL_MS = 48 * HOUR
/** How far in the future a record's issued_at may lie: clocks of peers differ. */
export const MAX_CLOCK_SKEW_MS = 10 * MINUTE

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
