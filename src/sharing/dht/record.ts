/** Building and signing one provider's keyword record for one word. */
import { KeywordEntry, KeywordRecord, SignedKeywordRecord } from '../../pb/dht-records.js'
import { parseCid } from '../model/manifest.js'
import { KEYWORD_RECORD_VERSION, MAX_ENTRIES_PER_RECORD, MAX_KEYWORD_RECORD_BYTES } from './constants.js'
import { KeywordRecordBuildError } from './errors.js'
import { entryProblem, signedBytes } from './verify.js'
import type { IndexEntry } from '../model/types.js'
import type { PrivateKey } from '@libp2p/interface'

/** Room left in a value for the signature and the framing around the record. */
const SIGNATURE_ROOM = 600

export interface KeywordRecordInit {
  word: string
  /** this provider's files that contain the word; an empty list makes a tombstone */
  entries: IndexEntry[]
  userSerialId: number
  userid: string
  issuedAt: number
  expiresAt: number
}

export interface BuiltKeywordRecord {
  record: KeywordRecord
  /** entries left out: over the field limits, or past 64 entries or 64 KiB */
  omitted: number
}

/**
 * The record a provider publishes under `word`. Entries are ordered by
 * filename then CID, so the same files always give the same record, and cut
 * to what the validators accept rather than refused as a whole.
 */
export function buildKeywordRecord (init: KeywordRecordInit): BuiltKeywordRecord {
  const entries: KeywordEntry[] = []
  const seen = new Set<string>()
  const sorted = [...init.entries].sort((a, b) => a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : a.cid < b.cid ? -1 : a.cid > b.cid ? 1 : 0)
  for (const e of sorted) {
    const entry: KeywordEntry = {
      cid: parseCid(e.cid).bytes,
      filename: e.filename,
      directory: e.directory,
      size: e.size,
      title: e.title,
      keywords: e.keywords
    }
    if (seen.has(e.cid) || entryProblem(entry, init.word) != null) continue
    seen.add(e.cid)
    entries.push(entry)
  }
  const record: KeywordRecord = {
    version: KEYWORD_RECORD_VERSION,
    word: init.word,
    issuedAt: init.issuedAt,
    expiresAt: init.expiresAt,
    userSerialId: init.userSerialId,
    userid: init.userid,
    entries: entries.slice(0, MAX_ENTRIES_PER_RECORD)
  }
  while (record.entries.length > 0 && KeywordRecord.encode(record).byteLength > MAX_KEYWORD_RECORD_BYTES - SIGNATURE_ROOM) {
    record.entries.pop()
  }
  return { record, omitted: init.entries.length - record.entries.length }
}

/** The DHT value: the record's bytes signed with the provider's libp2p key. */
export async function signKeywordRecord (privateKey: PrivateKey, record: KeywordRecord): Promise<Uint8Array> {
  const bytes = KeywordRecord.encode(record)
  if (bytes.byteLength > MAX_KEYWORD_RECORD_BYTES - SIGNATURE_ROOM) {
    throw new KeywordRecordBuildError(`a keyword record of ${bytes.byteLength} bytes does not fit in ${MAX_KEYWORD_RECORD_BYTES}`)
  }
  const signature = await privateKey.sign(signedBytes(bytes))
  return SignedKeywordRecord.encode({ record: bytes, signature: new Uint8Array(signature) })
}
