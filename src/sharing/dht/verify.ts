/**
 * The checks every node runs on a keyword record: when a peer asks it to
 * store one (kad-dht PUT_VALUE), and on every record a lookup returns. A
 * record passes only if the provider named in its key signed it, so no peer
 * can publish, alter or replay entries under another peer's name.
 */
import { CID } from 'multiformats/cid'
import { KeywordEntry, KeywordRecord, SignedKeywordRecord } from '../../pb/dht-records.js'
import {
  KEYWORD_RECORD_VERSION, KEYWORD_SIGNATURE_PREFIX, MAX_CLOCK_SKEW_MS, MAX_DIRECTORY_CHARS,
  MAX_KEYWORD_RECORD_BYTES, MAX_KEYWORDS_PER_ENTRY, MAX_RECORD_TTL_MS, MAX_SIGNATURE_BYTES, MAX_TEXT_CHARS
} from './constants.js'
import { InvalidKeywordRecordError } from './errors.js'
import { parseKeywordKey, wordHashHex } from './keys.js'
import { entryWords, isCanonicalWord } from './words.js'
import type { IndexEntry } from '../model/types.js'

const encoder = new TextEncoder()
const SIGNATURE_PREFIX = encoder.encode(KEYWORD_SIGNATURE_PREFIX)

/** A keyword record that passed every check, with its entries as index entries. */
export interface VerifiedKeywordRecord {
  /** PeerId of the provider: the key's, and the signer's */
  provider: string
  word: string
  issuedAt: number
  expiresAt: number
  userSerialId: number
  userid: string
  entries: IndexEntry[]
  /** the DHT value, as received */
  value: Uint8Array
}

/** The bytes a provider signs: the domain prefix, then the encoded KeywordRecord. */
export function signedBytes (record: Uint8Array): Uint8Array {
  const out = new Uint8Array(SIGNATURE_PREFIX.byteLength + record.byteLength)
  out.set(SIGNATURE_PREFIX, 0)
  out.set(record, SIGNATURE_PREFIX.byteLength)
  return out
}

/** Checks one DHT value against its key; throws InvalidKeywordRecordError saying why it is refused. */
export async function verifyKeywordRecord (key: Uint8Array, value: Uint8Array, now = Date.now()): Promise<VerifiedKeywordRecord> {
  if (value.byteLength > MAX_KEYWORD_RECORD_BYTES) {
    throw new InvalidKeywordRecordError('TOO_LARGE', `${value.byteLength} bytes; at most ${MAX_KEYWORD_RECORD_BYTES} are allowed`)
  }
  const { wordHash, provider } = parseKeywordKey(key)
  const signed = decodeOrThrow(() => SignedKeywordRecord.decode(value))
  if (signed.signature.byteLength === 0 || signed.signature.byteLength > MAX_SIGNATURE_BYTES) {
    throw new InvalidKeywordRecordError('BAD_SIGNATURE', `a signature of ${signed.signature.byteLength} bytes`)
  }
  const record = decodeOrThrow(() => KeywordRecord.decode(signed.record))
  if (record.version !== KEYWORD_RECORD_VERSION) {
    throw new InvalidKeywordRecordError('UNSUPPORTED_VERSION', `version ${record.version}; only ${KEYWORD_RECORD_VERSION} is known`)
  }
  if (provider.publicKey == null) {
    throw new InvalidKeywordRecordError('UNSUPPORTED_KEY_TYPE', `${provider.type} PeerIds do not carry their public key`)
  }
  if (!await provider.publicKey.verify(signedBytes(signed.record), signed.signature)) {
    throw new InvalidKeywordRecordError('BAD_SIGNATURE', `not signed by ${provider.toString()}, the provider its key names`)
  }
  if (!isCanonicalWord(record.word) || wordHashHex(record.word) !== wordHash) {
    throw new InvalidKeywordRecordError('WRONG_WORD', 'the record\'s word is not the word its key was derived from')
  }
  checkTimes(record, now)
  if (record.userid.length > MAX_TEXT_CHARS || !Number.isSafeInteger(record.userSerialId)) {
    throw new InvalidKeywordRecordError('FIELD_TOO_LONG', 'userid or user serial out of bounds')
  }
  const cids = new Set<string>()
  const entries = record.entries.map(e => {
    const entry = checkedEntry(e, record.word)
    if (cids.has(entry.cid)) throw new InvalidKeywordRecordError('MALFORMED_RECORD', `${entry.cid} is listed twice`)
    cids.add(entry.cid)
    return { ...entry, provider: provider.toString(), userSerialId: record.userSerialId, userid: record.userid }
  })
  return {
    provider: provider.toString(),
    word: record.word,
    issuedAt: record.issuedAt,
    expiresAt: record.expiresAt,
    userSerialId: record.userSerialId,
    userid: record.userid,
    entries,
    value
  }
}

/** Why an entry may not be listed under `word`, or undefined if it may. The publisher leaves such entries out. */
export function entryProblem (e: KeywordEntry, word: string): InvalidKeywordRecordError | undefined {
  if (e.filename.length > MAX_TEXT_CHARS || e.title.length > MAX_TEXT_CHARS || e.directory.length > MAX_DIRECTORY_CHARS ||
      e.keywords.length > MAX_KEYWORDS_PER_ENTRY || e.keywords.some(k => k.length > MAX_TEXT_CHARS)) {
    return new InvalidKeywordRecordError('FIELD_TOO_LONG', 'an entry\'s filename, title, directory or keywords are too long')
  }
  if (!Number.isSafeInteger(e.size) || e.size < 0) {
    return new InvalidKeywordRecordError('MALFORMED_RECORD', `an entry has size ${e.size}`)
  }
  try {
    CID.decode(e.cid)
  } catch (err: any) {
    return new InvalidKeywordRecordError('MALFORMED_RECORD', `an entry's CID does not decode (${err.message})`)
  }
  if (!entryWords(e).has(word)) {
    return new InvalidKeywordRecordError('WRONG_WORD', `an entry whose filename, title and keywords do not contain "${word}"`)
  }
  return undefined
}

function checkedEntry (e: KeywordEntry, word: string): Omit<IndexEntry, 'provider' | 'userSerialId' | 'userid'> {
  const problem = entryProblem(e, word)
  if (problem != null) throw problem
  return { cid: CID.decode(e.cid).toString(), filename: e.filename, directory: e.directory, size: e.size, title: e.title, keywords: e.keywords }
}

function checkTimes (record: KeywordRecord, now: number): void {
  const { issuedAt, expiresAt } = record
  if (!Number.isSafeInteger(issuedAt) || !Number.isSafeInteger(expiresAt) || expiresAt <= issuedAt) {
    throw new InvalidKeywordRecordError('BAD_TIME', 'issued_at and expires_at are not an interval')
  }
  if (expiresAt - issuedAt > MAX_RECORD_TTL_MS) {
    throw new InvalidKeywordRecordError('BAD_TIME', `a lifetime of ${expiresAt - issuedAt} ms; at most ${MAX_RECORD_TTL_MS} are allowed`)
  }
  if (issuedAt > now + MAX_CLOCK_SKEW_MS) {
    throw new InvalidKeywordRecordError('BAD_TIME', `issued ${issuedAt - now} ms in the future`)
  }
  if (expiresAt <= now) {
    throw new InvalidKeywordRecordError('EXPIRED', `expired ${now - expiresAt} ms ago`)
  }
}

function decodeOrThrow<T> (decode: () => T): T {
  try {
    return decode()
  } catch (err: any) {
    if (err.name === 'MaxLengthError') throw new InvalidKeywordRecordError('TOO_MANY_ENTRIES', err.message)
    throw new InvalidKeywordRecordError('MALFORMED_RECORD', `not a keyword record (${err.message})`)
  }
}
