/**
 * The keyword records' contract (protocols/dht-records.md): their key
 * namespace, signature domain, version and every limit a node checks a
 * record against, the same at the publisher, the holder and the searcher.
 * Local defaults are in src/sharing/dht/constants.ts.
 */

const MINUTE = 60 * 1000
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
