import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto'
import type { PrivateKey } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

/**
 * @libp2p/crypto (5.x) imports the key from a JWK for every Ed25519
 * signature it makes or checks: base64url, JSON, then Node's key parser. A
 * new connection signs and checks twice on each side (Noise's identity
 * payload, identify's signed peer record), and every gossip message is
 * checked once: in profiles the key imports were about a tenth of a
 * connection's CPU and half of gossipsub's signature checks (issue 9). This
 * keeps the imported keys: the node's own key for as long as it lives, and
 * the last MAX_PUBLIC_KEYS public keys it checked. Keys and signatures of
 * other lengths go to @libp2p/crypto as before.
 */
export function keepEd25519KeyObjects (sample: PrivateKey): void {
  if (sample.type !== 'Ed25519') return
  const privateProto = Object.getPrototypeOf(sample)
  const publicProto = Object.getPrototypeOf(sample.publicKey)
  if (privateProto[PATCHED] !== true && typeof privateProto.sign === 'function') {
    const sign = privateProto.sign
    privateProto.sign = function (this: { raw: Uint8Array }, message: Uint8Array | Uint8ArrayList, options?: { signal?: AbortSignal }) {
      if (!(this.raw instanceof Uint8Array) || this.raw.byteLength !== 64) return sign.call(this, message, options)
      options?.signal?.throwIfAborted()
      let key = privateKeys.get(this)
      if (key == null) {
        key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, this.raw.subarray(0, 32)]), format: 'der', type: 'pkcs8' })
        privateKeys.set(this, key)
      }
      return nodeSign(null, bytesOf(message), key)
    }
    privateProto[PATCHED] = true
  }
  if (publicProto[PATCHED] !== true && typeof publicProto.verify === 'function') {
    const verify = publicProto.verify
    publicProto.verify = function (this: { raw: Uint8Array }, data: Uint8Array | Uint8ArrayList, sig: Uint8Array, options?: { signal?: AbortSignal }) {
      if (!(this.raw instanceof Uint8Array) || this.raw.byteLength !== 32 || !(sig instanceof Uint8Array) || sig.byteLength !== 64) return verify.call(this, data, sig, options)
      options?.signal?.throwIfAborted()
      return nodeVerify(null, bytesOf(data), publicKeyObject(this.raw), sig)
    }
    publicProto[PATCHED] = true
  }
}

/** Public keys kept imported; past it, the oldest is dropped. */
export const MAX_PUBLIC_KEYS = 4_096

const privateKeys = new WeakMap<object, KeyObject>()
const publicKeys = new Map<string, KeyObject>()

function publicKeyObject (raw: Uint8Array): KeyObject {
  const id = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64')
  let key = publicKeys.get(id)
  if (key == null) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' })
    if (publicKeys.size >= MAX_PUBLIC_KEYS) publicKeys.delete(publicKeys.keys().next().value as string)
    publicKeys.set(id, key)
  }
  return key
}

function bytesOf (data: Uint8Array | Uint8ArrayList): Uint8Array {
  return data instanceof Uint8Array ? data : data.subarray()
}

/** DER headers of an Ed25519 key (RFC 8410): SubjectPublicKeyInfo, and PKCS #8 with the 32-byte seed. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

const PATCHED = Symbol.for('peerhive.ed25519-key-objects')
