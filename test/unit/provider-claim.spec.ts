import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { ProviderClaim } from '../../src/pb/dht-delegate.js'
import { MAX_CLAIM_ADDRS, MAX_CLAIM_AGE_MS, MAX_CLOCK_SKEW_MS, signProviderClaim, verifyProviderClaim, wordCid } from '../../src/sharing/dht/index.js'
import type { PrivateKey, PeerId } from '@libp2p/interface'

describe('provider claims (protocols/dht-delegate.md)', () => {
  let key: PrivateKey
  let id: PeerId
  const cid = wordCid('heron')
  const addr = multiaddr('/ip4/127.0.84.2/tcp/4001')

  before(async () => {
    key = await generateKeyPair('Ed25519')
    id = peerIdFromPrivateKey(key)
  })

  async function refused (claim: { claim: Uint8Array<ArrayBuffer>, signature: Uint8Array<ArrayBuffer> }, why: RegExp, now?: number): Promise<void> {
    await assert.rejects(verifyProviderClaim(claim, now), (err: any) => err.name === 'InvalidProviderClaimError' && why.test(err.message))
  }

  /** A claim with `over` fields, signed by the provider's own key. */
  async function resigned (over: Partial<ProviderClaim>): Promise<{ claim: Uint8Array<ArrayBuffer>, signature: Uint8Array<ArrayBuffer> }> {
    const good = await signProviderClaim(key, id, cid, [addr])
    const bytes = ProviderClaim.encode({ ...ProviderClaim.decode(good.claim), ...over })
    const prefix = new TextEncoder().encode('peerhive/dht-provider-claim/1:')
    return { claim: bytes, signature: new Uint8Array(await key.sign(Uint8Array.from([...prefix, ...bytes]))) }
  }

  it('verifies what its provider signed: CID, provider, addresses, time', async () => {
    const at = Date.now()
    const claim = await verifyProviderClaim(await signProviderClaim(key, id, cid, [addr], at))
    assert.ok(claim.cid.equals(cid))
    assert.ok(claim.provider.equals(id))
    assert.deepEqual(claim.addrs.map(a => a.toString()), [addr.toString()])
    assert.equal(claim.issuedAt, at)
  })

  it('refuses a claim signed by anyone but the provider it names', async () => {
    const other = await generateKeyPair('Ed25519')
    const forged = await signProviderClaim(other, id, cid, [addr])
    await refused(forged, /not signed by/)
    const good = await signProviderClaim(key, id, cid, [addr])
    const altered = ProviderClaim.encode({ ...ProviderClaim.decode(good.claim), cid: wordCid('lark').bytes })
    await refused({ claim: altered, signature: good.signature }, /not signed by/)
    await refused({ claim: good.claim, signature: new Uint8Array() }, /signature of 0 bytes/)
  })

  it('refuses claims from the future or older than an hour (replays)', async () => {
    const now = Date.now()
    await refused(await signProviderClaim(key, id, cid, [addr], now + MAX_CLOCK_SKEW_MS + 60_000), /future/, now)
    await refused(await signProviderClaim(key, id, cid, [addr], now - MAX_CLAIM_AGE_MS - 60_000), /ago/, now)
    await verifyProviderClaim(await signProviderClaim(key, id, cid, [addr], now - MAX_CLAIM_AGE_MS + 60_000), now)
  })

  it('refuses other versions, bytes that do not decode, and too many addresses', async () => {
    await refused(await resigned({ version: 2 }), /version 2/)
    await refused(await resigned({ cid: Uint8Array.from([1, 2, 3]) }), /CID does not decode/)
    await refused(await resigned({ provider: Uint8Array.from([1, 2, 3]) }), /provider does not decode/)
    await refused({ claim: Uint8Array.from([0xff, 0xff, 0xff]), signature: Uint8Array.from([1]) }, /not a provider claim/)
    const many = Array.from({ length: MAX_CLAIM_ADDRS + 1 }, (_, i) => multiaddr(`/ip4/127.0.0.${i + 1}/tcp/1`).bytes)
    await refused(await resigned({ addrs: many }), /not a provider claim/)
  })

  it('signs at most 16 addresses, so its own claims always verify', async () => {
    const many = Array.from({ length: 40 }, (_, i) => multiaddr(`/ip4/127.0.0.${i + 1}/tcp/1`))
    const claim = await verifyProviderClaim(await signProviderClaim(key, id, cid, many))
    assert.equal(claim.addrs.length, MAX_CLAIM_ADDRS)
  })
})
