/**
 * The stack's speed-ups over libp2p's own parts (src/core): each must give
 * the answers the part gave, only cheaper.
 */
import assert from 'node:assert/strict'
import { generateKeyPair, privateKeyFromRaw, publicKeyFromRaw } from '@libp2p/crypto/keys'
import { LengthPrefixedDecoder } from '@libp2p/utils'
import { Uint8ArrayList } from 'uint8arraylist'
import { keepEd25519KeyObjects } from '../../src/core/ed25519-key-objects.js'
import { NOTHING_BUFFERED, skipEmptyLengthReads } from '../../src/core/length-prefix-decoder.js'
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto'

/** What @libp2p/crypto does for each signature: import the key from a JWK, then sign or check. */
function jwkSign (raw: Uint8Array, message: Uint8Array): Uint8Array {
  const key = createPrivateKey({ format: 'jwk', key: { kty: 'OKP', crv: 'Ed25519', d: Buffer.from(raw.subarray(0, 32)).toString('base64url'), x: Buffer.from(raw.subarray(32)).toString('base64url') } })
  return new Uint8Array(sign(null, message, key))
}
function jwkVerify (raw: Uint8Array, sig: Uint8Array, message: Uint8Array): boolean {
  return verify(null, message, createPublicKey({ format: 'jwk', key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') } }), sig)
}

describe('the stack\'s speed-ups', () => {
  it('signs Ed25519 as @libp2p/crypto does, and checks signatures alike, with the imported keys kept', async () => {
    const key = await generateKeyPair('Ed25519')
    keepEd25519KeyObjects(key)
    const patched = Symbol.for('peerhive.ed25519-key-objects')
    assert.equal(Object.getPrototypeOf(key)[patched], true)
    assert.equal(Object.getPrototypeOf(key.publicKey)[patched], true)
    const other = privateKeyFromRaw(key.raw)
    for (const size of [0, 1, 32, 1000]) {
      const message = crypto.getRandomValues(new Uint8Array(size))
      const sig = await key.sign(message)
      // Ed25519 signatures are deterministic: the same bytes as the unpatched code
      assert.deepEqual(new Uint8Array(sig), jwkSign(key.raw, message))
      assert.deepEqual(new Uint8Array(await other.sign(new Uint8ArrayList(message))), new Uint8Array(sig))
      const pub = publicKeyFromRaw(key.publicKey.raw)
      assert.equal(await pub.verify(message, sig), true)
      assert.equal(await key.publicKey.verify(new Uint8ArrayList(message), sig), true)
      const bad = new Uint8Array(sig)
      bad[size % 64] ^= 1
      assert.equal(await pub.verify(message, bad), false)
      assert.equal(jwkVerify(key.publicKey.raw, bad, message), false)
      assert.equal(jwkVerify(key.publicKey.raw, sig, message), true)
      const stranger = await generateKeyPair('Ed25519')
      assert.equal(await stranger.publicKey.verify(message, sig), false)
    }
    // a signature of the wrong length still fails as before (@libp2p/crypto throws)
    assert.throws(() => key.publicKey.verify(new Uint8Array(1), new Uint8Array(10)) as unknown as boolean, /64 bytes/)
  })

  it('reads length-prefixed frames as before, without asking for a length when nothing is buffered', () => {
    skipEmptyLengthReads()
    let emptyAsks = 0
    const decoder = new LengthPrefixedDecoder({
      lengthDecoder: (data: Uint8ArrayList) => {
        if (data.byteLength === 0) emptyAsks++
        if (data.byteLength < 2) throw new RangeError('short')
        return data.getUint16(0)
      },
      encodingLength: () => 2
    })
    const frame = (n: number): Uint8Array => Uint8Array.from([n >> 8, n & 255, ...new Uint8Array(n).fill(n & 255)])
    const stream = new Uint8ArrayList(frame(3), frame(0), frame(300), frame(1))
    const chunks = [stream.subarray(0, 1), stream.subarray(1, 5), stream.subarray(5, 7), stream.subarray(7, 200), stream.subarray(200)]
    const out: number[] = []
    for (const chunk of chunks) for (const buf of decoder.decode(chunk)) out.push(buf.byteLength)
    // frame(0) carries nothing, and the decoder yields only frames with bytes
    assert.deepEqual(out, [3, 300, 1])
    assert.equal(emptyAsks, 0)
    assert.ok(NOTHING_BUFFERED instanceof RangeError)
  })
})
