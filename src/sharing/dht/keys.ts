/** Where keyword records and word provider records live in the DHT. */
import { createHash } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest } from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'
import { KEYWORD_NAMESPACE, WORD_HASH_PREFIX } from './constants.js'
import { InvalidKeywordRecordError } from './errors.js'
import type { PeerId } from '@libp2p/interface'

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** sha2-256 of the domain prefix and the word. */
export function wordDigest (word: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(WORD_HASH_PREFIX + word, 'utf8').digest())
}

export function wordHashHex (word: string): string {
  return Buffer.from(wordDigest(word)).toString('hex')
}

/**
 * The CID whose provider records say "this peer has a keyword record for
 * this word". kad-dht keeps one value per key, so the word's publishers are
 * found through provider records, and each one's entries at its own key.
 */
export function wordCid (word: string): CID {
  return CID.createV1(raw.code, createDigest(sha256.code, wordDigest(word)))
}

/** `/phkw/<hex sha2-256 of the word>/<provider PeerId>`: one key per (word, provider), so publishers never overwrite each other. */
export function keywordKey (word: string, provider: PeerId | string): Uint8Array {
  return encoder.encode(`/${KEYWORD_NAMESPACE}/${wordHashHex(word)}/${provider.toString()}`)
}

export interface ParsedKeywordKey {
  wordHash: string
  provider: PeerId
}

/** Parses a keyword key; only the canonical form is accepted, so each (word, provider) has exactly one key. */
export function parseKeywordKey (key: Uint8Array): ParsedKeywordKey {
  let text: string
  try {
    text = decoder.decode(key)
  } catch {
    throw new InvalidKeywordRecordError('MALFORMED_KEY', 'the key is not UTF-8')
  }
  const parts = text.split('/')
  if (parts.length !== 4 || parts[0] !== '' || parts[1] !== KEYWORD_NAMESPACE || !/^[0-9a-f]{64}$/.test(parts[2])) {
    throw new InvalidKeywordRecordError('MALFORMED_KEY', `not /${KEYWORD_NAMESPACE}/<64 hex>/<peer id>`)
  }
  let provider: PeerId
  try {
    provider = peerIdFromString(parts[3])
  } catch (err: any) {
    throw new InvalidKeywordRecordError('MALFORMED_KEY', `the key's provider is not a PeerId (${err.message})`)
  }
  if (provider.toString() !== parts[3]) throw new InvalidKeywordRecordError('MALFORMED_KEY', 'the key\'s PeerId is not in its canonical form')
  return { wordHash: parts[2], provider }
}
