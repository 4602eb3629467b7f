import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { KeywordEntry, KeywordRecord, SignedKeywordRecord } from '../../src/pb/dht-records.js'
import { CID } from 'multiformats/cid'
import {
  buildKeywordRecord, keywordKey, parseKeywordKey, selectKeywordRecord, signKeywordRecord, validateKeywordRecord, verifyKeywordRecord,
  wordCid, MAX_KEYWORD_RECORD_BYTES
} from '../../src/sharing/dht/index.js'
import { DAY_MS, entry, signed } from '../integration/dht-fixtures.js'
import type { PrivateKey } from '@libp2p/interface'

async function rejects (key: Uint8Array, value: Uint8Array, problem: string, now?: number): Promise<void> {
  await assert.rejects(verifyKeywordRecord(key, value, now), (err: any) => {
    assert.equal(err.name, 'InvalidKeywordRecordError')
    assert.equal(err.problem, problem, err.message)
    return true
  })
  if (now == null) await assert.rejects(Promise.resolve().then(async () => validateKeywordRecord(key, value)), { name: 'InvalidKeywordRecordError' })
}

describe('DHT keyword records', () => {
  let a: PrivateKey
  let b: PrivateKey
  let aId: string

  before(async () => {
    a = await generateKeyPair('Ed25519')
    b = await generateKeyPair('Ed25519')
    aId = peerIdFromPrivateKey(a).toString()
  })

  it('round-trips a signed record into index entries', async () => {
    const files = [entry(aId, 'Été report.pdf', { keywords: ['Finance'], userSerialId: 7, userid: 'alice' }), entry(aId, 'report 2.txt')]
    const value = await signed(a, 'report', files)
    const record = await verifyKeywordRecord(keywordKey('report', aId), value)
    assert.equal(record.provider, aId)
    assert.equal(record.word, 'report')
    assert.equal(record.userSerialId, 7)
    assert.deepEqual(record.entries.map(e => e.filename).sort(), ['report 2.txt', 'Été report.pdf'].sort())
    const first = record.entries.find(e => e.filename === 'Été report.pdf')
    assert.deepEqual(first, { ...files[0], provider: aId, userSerialId: 7, userid: 'alice' })
    await validateKeywordRecord(keywordKey('report', aId), value)
  })

  it('uses one key per word and provider, and a CID per word', () => {
    const key = new TextDecoder().decode(keywordKey('report', aId))
    assert.match(key, /^\/phkw\/[0-9a-f]{64}\/12D3KooW/)
    assert.equal(parseKeywordKey(keywordKey('report', aId)).provider.toString(), aId)
    assert.notEqual(wordCid('report').toString(), wordCid('reports').toString())
    assert.throws(() => parseKeywordKey(new TextEncoder().encode('/phkw/abc/' + aId)), { name: 'InvalidKeywordRecordError' })
    assert.throws(() => parseKeywordKey(new TextEncoder().encode(`/phkw/${'0'.repeat(64)}/notapeer`)), { name: 'InvalidKeywordRecordError' })
  })

  it('refuses a record signed by another peer under A\'s key', async () => {
    const forged = await signed(b, 'report', [entry(aId, 'report.exe')])
    await rejects(keywordKey('report', aId), forged, 'BAD_SIGNATURE')
  })

  it('refuses A\'s record once its bytes are changed', async () => {
    const value = await signed(a, 'report', [entry(aId, 'report.pdf')])
    const outer = SignedKeywordRecord.decode(value)
    const inner = KeywordRecord.decode(outer.record)
    inner.entries[0].filename = 'report.exe'
    const tampered = SignedKeywordRecord.encode({ record: KeywordRecord.encode(inner), signature: outer.signature })
    await rejects(keywordKey('report', aId), tampered, 'BAD_SIGNATURE')
    const flipped = new Uint8Array(value)
    flipped[flipped.length - 1] ^= 1
    await rejects(keywordKey('report', aId), flipped, 'BAD_SIGNATURE')
  })

  it('refuses a record stored under another word\'s key', async () => {
    const value = await signed(a, 'report', [entry(aId, 'report summary.pdf')])
    await rejects(keywordKey('summary', aId), value, 'WRONG_WORD')
  })

  it('refuses entries that do not contain the word', async () => {
    const { record } = buildKeywordRecord({ word: 'report', entries: [], userSerialId: 0, userid: '', issuedAt: Date.now(), expiresAt: Date.now() + DAY_MS })
    const e = entry(aId, 'holiday.jpg')
    record.entries.push({ ...e, cid: CID.parse(e.cid).bytes })
    await rejects(keywordKey('report', aId), await signKeywordRecord(a, record), 'WRONG_WORD')
  })

  it('refuses expired, future and over-long records', async () => {
    const now = Date.now()
    const expired = await signed(a, 'report', [entry(aId, 'report.pdf')], { issuedAt: now - 2 * DAY_MS, expiresAt: now - 1000 })
    await rejects(keywordKey('report', aId), expired, 'EXPIRED')
    const future = await signed(a, 'report', [entry(aId, 'report.pdf')], { issuedAt: now + DAY_MS, expiresAt: now + 2 * DAY_MS })
    await rejects(keywordKey('report', aId), future, 'BAD_TIME')
    const long = await signed(a, 'report', [entry(aId, 'report.pdf')], { issuedAt: now, expiresAt: now + 3 * DAY_MS })
    await rejects(keywordKey('report', aId), long, 'BAD_TIME')
    const fine = await signed(a, 'report', [entry(aId, 'report.pdf')], { issuedAt: now, expiresAt: now + DAY_MS })
    await rejects(keywordKey('report', aId), fine, 'EXPIRED', now + DAY_MS + 1)
  })

  it('refuses malformed, oversized and overfull values', async () => {
    const key = keywordKey('report', aId)
    await rejects(key, new Uint8Array([0xff, 0xff, 0xff]), 'MALFORMED_RECORD')
    await rejects(key, new Uint8Array(MAX_KEYWORD_RECORD_BYTES + 1), 'TOO_LARGE')
    const now = Date.now()
    const many: KeywordEntry[] = Array.from({ length: 65 }, (_, i) => {
      const e = entry(aId, `report ${i}`)
      return { ...e, cid: CID.parse(e.cid).bytes }
    })
    // the encoder enforces no limit; every decoder does
    const overfull = KeywordRecord.encode({ version: 1, word: 'report', issuedAt: now, expiresAt: now + DAY_MS, userSerialId: 0, userid: '', entries: many })
    const signature = await a.sign(new Uint8Array([...new TextEncoder().encode('peerhive/dht-keyword-record/1:'), ...overfull]))
    await rejects(key, SignedKeywordRecord.encode({ record: overfull, signature: new Uint8Array(signature) }), 'TOO_MANY_ENTRIES')
    const v2 = KeywordRecord.encode({ version: 2, word: 'report', issuedAt: now, expiresAt: now + DAY_MS, userSerialId: 0, userid: '', entries: [] })
    const v2sig = await a.sign(new Uint8Array([...new TextEncoder().encode('peerhive/dht-keyword-record/1:'), ...v2]))
    await rejects(key, SignedKeywordRecord.encode({ record: v2, signature: new Uint8Array(v2sig) }), 'UNSUPPORTED_VERSION')
  })

  it('keeps a published record within the limits by leaving files out', async () => {
    const files = Array.from({ length: 100 }, (_, i) => entry(aId, `report ${String(i).padStart(3, '0')}`, { directory: 'd'.repeat(1000), title: 't'.repeat(256) }))
    const built = buildKeywordRecord({ word: 'report', entries: files, userSerialId: 0, userid: '', issuedAt: Date.now(), expiresAt: Date.now() + DAY_MS })
    assert.ok(built.record.entries.length > 0 && built.record.entries.length <= 64)
    assert.equal(built.omitted, 100 - built.record.entries.length)
    const value = await signKeywordRecord(a, built.record)
    assert.ok(value.byteLength <= MAX_KEYWORD_RECORD_BYTES)
    await verifyKeywordRecord(keywordKey('report', aId), value)
    const tooLong = buildKeywordRecord({ word: 'report', entries: [entry(aId, 'report', { title: 'x'.repeat(300) })], userSerialId: 0, userid: '', issuedAt: 1, expiresAt: 2 })
    assert.equal(tooLong.record.entries.length, 0)
  })

  it('selects the newest record, the same one on every node', async () => {
    const now = Date.now()
    const old = await signed(a, 'report', [entry(aId, 'report.pdf')], { issuedAt: now - 1000, expiresAt: now + DAY_MS })
    const tombstone = await signed(a, 'report', [], { issuedAt: now, expiresAt: now + DAY_MS })
    const key = keywordKey('report', aId)
    assert.equal(await selectKeywordRecord(key, [old, tombstone]), 1)
    assert.equal(await selectKeywordRecord(key, [tombstone, old]), 0)
    assert.equal(await selectKeywordRecord(key, [new Uint8Array([1, 2]), old]), 1)
    const twin = await signed(a, 'report', [entry(aId, 'report.txt')], { issuedAt: now, expiresAt: now + DAY_MS })
    assert.equal(await selectKeywordRecord(key, [tombstone, twin]), 1 - await selectKeywordRecord(key, [twin, tombstone]))
  })
})
