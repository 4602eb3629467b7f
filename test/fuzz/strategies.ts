import { frame, varint } from '../helpers/raw-join.js'
import type { Prng } from './prng.js'

/**
 * The hostile inputs of the suite, as bytes. Each strategy builds what one
 * case writes; the runner decides how it is written (one stream, a flood of
 * streams, or a few bytes and then a stall).
 */
export const STRATEGIES = ['random', 'huge-prefix', 'truncated', 'mutation', 'flood', 'slow-writer'] as const
export type Strategy = typeof STRATEGIES[number]

/** Random bytes, mostly small, sometimes past the target's limit; framed half of the time so that the decoder, not only the length prefix, sees them. */
export function randomBytes (rng: Prng, maxBytes: number): Uint8Array {
  const size = rng.chance(0.6) ? rng.int(65) : rng.chance(0.75) ? rng.range(64, 1024) : rng.range(1024, Math.min(64 * 1024, 2 * maxBytes))
  const body = rng.bytes(size)
  return rng.chance(0.5) ? frame(body) : body
}

/** A length prefix past the target's limit (or one that never ends), then a little of a body. */
export function hugePrefix (rng: Prng, maxBytes: number): Uint8Array {
  const prefixes = [
    varint(maxBytes + 1),
    varint(maxBytes + rng.range(2, 1 << 20)),
    varint(2 ** 31 - 1),
    varint(2 ** 32),
    varint(Number.MAX_SAFE_INTEGER),
    // 10 and 12 bytes of continuation bits: a varint that never ends
    new Uint8Array(10).fill(0xff),
    new Uint8Array(12).fill(0xff),
    // uint64 max: more than 53 bits
    Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])
  ]
  return concat(rng.pick(prefixes), rng.bytes(rng.int(65)))
}

/** A valid message, framed, cut anywhere (the prefix included); the writer then closes. */
export function truncated (rng: Prng, valid: Uint8Array): Uint8Array {
  const whole = frame(valid)
  return whole.subarray(0, rng.int(whole.byteLength))
}

/** Varints at the edges: zero written long, the largest values, lengths that lie. */
const VARINT_EXTREMES: Uint8Array[] = [
  Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x00]),
  Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f]),
  Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
  Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
  Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80]),
  Uint8Array.from([0x7f]),
  Uint8Array.from([0x00])
]

type Mutation = (rng: Prng, b: Uint8Array) => Uint8Array

const MUTATIONS: Mutation[] = [
  // flip a bit
  (rng, b) => { const out = Uint8Array.from(b); if (out.length > 0) out[rng.int(out.length)] ^= 1 << rng.int(8); return out },
  // overwrite a byte
  (rng, b) => { const out = Uint8Array.from(b); if (out.length > 0) out[rng.int(out.length)] = rng.int(256); return out },
  // insert bytes
  (rng, b) => { const at = rng.int(b.length + 1); return concat(b.subarray(0, at), rng.bytes(rng.range(1, 8)), b.subarray(at)) },
  // delete a range
  (rng, b) => { const at = rng.int(b.length + 1); return concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + rng.range(1, 8)))) },
  // a varint extreme over a byte (a tag, a length or a value)
  (rng, b) => { const at = rng.int(b.length + 1); return concat(b.subarray(0, at), rng.pick(VARINT_EXTREMES), b.subarray(Math.min(b.length, at + 1))) },
  // repeat a chunk: a field given twice, a repeated field grown
  (rng, b) => { const at = rng.int(b.length + 1); const end = Math.min(b.length, at + rng.range(1, 32)); return concat(b.subarray(0, end), b.subarray(at, end), b.subarray(end)) },
  // swap two chunks: fields out of order, a length before the wrong bytes
  (rng, b) => {
    if (b.length < 4) return b
    const i = rng.int(b.length - 1)
    const j = rng.range(i + 1, b.length - 1)
    const n = Math.min(rng.range(1, 16), j - i, b.length - j)
    return concat(b.subarray(0, i), b.subarray(j, j + n), b.subarray(i + n, j), b.subarray(i, i + n), b.subarray(j + n))
  },
  // cut the tail
  (rng, b) => b.subarray(0, rng.int(b.length + 1))
]

/** 1 to 4 mutations of a valid message; framed with its new length, or now and then with the old one (a length that lies). */
export function mutation (rng: Prng, valid: Uint8Array): Uint8Array {
  let body = valid
  for (let n = rng.range(1, 4); n > 0; n--) body = rng.pick(MUTATIONS)(rng, body)
  if (rng.chance(0.85)) return frame(body)
  return concat(varint(valid.byteLength), body)
}

/** The payload of a gossipsub message: the same strategies without a length prefix (the topic frames it). */
export function unframed (framed: Uint8Array): Uint8Array {
  let i = 0
  while (i < framed.length && i < 10 && (framed[i] & 0x80) !== 0) i++
  return framed.subarray(Math.min(framed.length, i + 1))
}

export function concat (...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}
