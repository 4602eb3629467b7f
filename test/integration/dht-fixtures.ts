import { manifestCid } from '../../src/sharing/model/manifest.js'
import { buildKeywordRecord, signKeywordRecord } from '../../src/sharing/dht/index.js'
import type { IndexEntry } from '../../src/sharing/model/types.js'
import type { PrivateKey } from '@libp2p/interface'

export const DAY_MS = 24 * 3600 * 1000

/** An index entry for a made-up file; its CID depends on the name only. */
export function entry (provider: string, filename: string, over: Partial<IndexEntry> = {}): IndexEntry {
  return {
    cid: manifestCid(new TextEncoder().encode(filename)).toString(),
    filename,
    directory: '',
    size: filename.length,
    title: '',
    keywords: [],
    provider,
    userSerialId: 1,
    userid: 'user',
    ...over
  }
}

/** A signed keyword record value, valid for a day unless times are given. */
export async function signed (key: PrivateKey, word: string, entries: IndexEntry[], times: { issuedAt?: number, expiresAt?: number } = {}): Promise<Uint8Array> {
  const issuedAt = times.issuedAt ?? Date.now()
  const { record } = buildKeywordRecord({
    word, entries, userSerialId: entries[0]?.userSerialId ?? 0, userid: entries[0]?.userid ?? '', issuedAt, expiresAt: times.expiresAt ?? issuedAt + DAY_MS
  })
  return signKeywordRecord(key, record)
}
