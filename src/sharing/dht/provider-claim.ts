/**
 * Provider claims (protocols/dht-delegate.md): "this peer provides this
 * CID", signed by the peer. kad-dht takes a provider record only from the
 * provider itself, so a member whose virtual server stores its records for
 * it hands over a claim that every DHT server checks on its own.
 */
import { peerIdFromMultihash } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { ProviderClaim, SignedProviderClaim } from '../../pb/dht-delegate.js'
import {
  CLAIM_SIGNATURE_PREFIX, MAX_CLAIM_ADDR_BYTES, MAX_CLAIM_ADDRS, MAX_CLAIM_AGE_MS, MAX_CLOCK_SKEW_MS, MAX_SIGNATURE_BYTES, PROVIDER_CLAIM_VERSION
} from './constants.js'
import { InvalidProviderClaimError } from './errors.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'

const PREFIX = new TextEncoder().encode(CLAIM_SIGNATURE_PREFIX)

export interface VerifiedProviderClaim {
  cid: CID
  provider: PeerId
  addrs: Multiaddr[]
  issuedAt: number
}

function signedBytes (claim: Uint8Array): Uint8Array {
  const out = new Uint8Array(PREFIX.byteLength + claim.byteLength)
  out.set(PREFIX, 0)
  out.set(claim, PREFIX.byteLength)
  return out
}

/** The signed claim that the holder of `key` provides `cid` at `addrs` (the first MAX_CLAIM_ADDRS that fit). */
export async function signProviderClaim (key: PrivateKey, provider: PeerId, cid: CID, addrs: Multiaddr[], issuedAt = Date.now()): Promise<SignedProviderClaim> {
  const claim = ProviderClaim.encode({
    version: PROVIDER_CLAIM_VERSION,
    cid: cid.bytes,
    provider: provider.toMultihash().bytes,
    addrs: addrs.map(a => a.bytes).filter(b => b.byteLength <= MAX_CLAIM_ADDR_BYTES).slice(0, MAX_CLAIM_ADDRS),
    issuedAt
  })
  return { claim, signature: new Uint8Array(await key.sign(signedBytes(claim))) }
}

/** Checks a signed claim; throws InvalidProviderClaimError saying why it is refused. */
export async function verifyProviderClaim (signed: SignedProviderClaim, now = Date.now()): Promise<VerifiedProviderClaim> {
  if (signed.signature.byteLength === 0 || signed.signature.byteLength > MAX_SIGNATURE_BYTES) {
    throw new InvalidProviderClaimError(`a signature of ${signed.signature.byteLength} bytes`)
  }
  let claim: ProviderClaim
  try {
    claim = ProviderClaim.decode(signed.claim)
  } catch (err: any) {
    throw new InvalidProviderClaimError(`not a provider claim (${err.message})`)
  }
  if (claim.version !== PROVIDER_CLAIM_VERSION) throw new InvalidProviderClaimError(`version ${claim.version}; only ${PROVIDER_CLAIM_VERSION} is known`)
  const cid = decoded('CID', () => CID.decode(claim.cid))
  const provider = decoded('provider', () => peerIdFromMultihash(Digest.decode(claim.provider)))
  if (provider.publicKey == null) throw new InvalidProviderClaimError(`${provider.type} PeerIds do not carry their public key`)
  if (!await provider.publicKey.verify(signedBytes(signed.claim), signed.signature)) {
    throw new InvalidProviderClaimError(`not signed by ${provider.toString()}, the provider it names`)
  }
  if (!Number.isSafeInteger(claim.issuedAt) || claim.issuedAt > now + MAX_CLOCK_SKEW_MS) {
    throw new InvalidProviderClaimError(`issued ${claim.issuedAt - now} ms in the future`)
  }
  if (claim.issuedAt < now - MAX_CLAIM_AGE_MS) throw new InvalidProviderClaimError(`issued ${now - claim.issuedAt} ms ago; at most ${MAX_CLAIM_AGE_MS} are allowed`)
  const addrs = claim.addrs.map(bytes => {
    if (bytes.byteLength > MAX_CLAIM_ADDR_BYTES) throw new InvalidProviderClaimError(`an address of ${bytes.byteLength} bytes`)
    return decoded('address', () => multiaddr(bytes))
  })
  return { cid, provider, addrs, issuedAt: claim.issuedAt }
}

function decoded<T> (what: string, decode: () => T): T {
  try {
    return decode()
  } catch (err: any) {
    throw new InvalidProviderClaimError(`the claim's ${what} does not decode (${err.message})`)
  }
}
