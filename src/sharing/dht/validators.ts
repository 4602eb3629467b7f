/**
 * What kad-dht needs to hold peerhive's own records: a validator and a
 * selector for each namespace (the key's first path segment). Without them
 * kad-dht refuses to store or return `/phkw/...` values at all.
 */
import { KeywordRecord, SignedKeywordRecord } from '../../pb/dht-records.js'
import { KEYWORD_NAMESPACE } from './constants.js'
import { verifyKeywordRecord } from './verify.js'
import type { SelectFn, Selectors, ValidateFn, Validators } from '@libp2p/kad-dht'

/** Refuses (throws InvalidKeywordRecordError) any keyword record that its key's provider did not sign, or that breaks a limit. */
export const validateKeywordRecord: ValidateFn = async (key, value) => {
  await verifyKeywordRecord(key, value)
}

/**
 * Of several valid records for one key, the newest (greatest issued_at)
 * wins: a provider's later record replaces its earlier one, tombstones
 * included. Ties go to the greater bytes so every node picks the same one.
 */
export const selectKeywordRecord: SelectFn = (_key, records) => {
  let best = -1
  let bestTime = -1
  for (let i = 0; i < records.length; i++) {
    const time = issuedAt(records[i])
    if (time > bestTime || (time === bestTime && best >= 0 && Buffer.compare(records[i], records[best]) > 0)) {
      best = i
      bestTime = time
    }
  }
  return Math.max(best, 0)
}

/** Pass as kadDHT({ validators }) */
export const peerhiveValidators: Validators = { [KEYWORD_NAMESPACE]: validateKeywordRecord }
/** Pass as kadDHT({ selectors }) */
export const peerhiveSelectors: Selectors = { [KEYWORD_NAMESPACE]: selectKeywordRecord }

/** kad-dht only hands validated records to selectors; anything undecodable ranks last all the same. */
function issuedAt (value: Uint8Array): number {
  try {
    return KeywordRecord.decode(SignedKeywordRecord.decode(value).record).issuedAt
  } catch {
    return -1
  }
}
