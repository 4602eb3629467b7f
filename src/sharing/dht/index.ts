/**
 * The DHT part of sharing (SHARE-2, SHARE-3 tier 4): keyword records under
 * the `phkw` namespace with their validator and selector, the announcer
 * that keeps a node's files published, and DHT search. The wire contract is
 * protocols/dht-records.md.
 */
export { DhtAnnouncer } from './announcer.js'
export type { AnnounceReport, DhtAnnouncerEvents, DhtAnnouncerInit } from './announcer-options.js'
export { searchDht, findFileProviders } from './search.js'
export type { DhtSearchOptions, FindProvidersOptions } from './search.js'
export { peerhiveValidators, peerhiveSelectors, validateKeywordRecord, selectKeywordRecord } from './validators.js'
export { verifyKeywordRecord } from './verify.js'
export type { VerifiedKeywordRecord } from './verify.js'
export { buildKeywordRecord, signKeywordRecord } from './record.js'
export type { KeywordRecordInit, BuiltKeywordRecord } from './record.js'
export { getKeywordRecord } from './dht-ops.js'
export type { DhtHost } from './dht-ops.js'
export { keywordKey, parseKeywordKey, wordCid, wordHashHex } from './keys.js'
export { normalizeText, tokenize, queryWords, indexWords, matchesAll } from './words.js'
export { InvalidKeywordRecordError, KeywordRecordBuildError, NotAnnouncedError } from './errors.js'
export type { KeywordRecordProblem } from './errors.js'
export * from './constants.js'
