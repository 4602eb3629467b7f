/**
 * Answers /peerhive/dht-provide/1.0.0 on a DHT server: a provider claim,
 * checked here whoever sent it, becomes a provider record of the claimed
 * provider, as if it had sent kad-dht's ADD_PROVIDER itself.
 */
import { RateLimiter } from '@libp2p/utils'
import { PROTOCOL_DHT_PROVIDE, WIRE_VERSION, answerRequest, isTooLargeError, type PeerhiveMetrics } from '../../core/index.js'
import { ProvideError, ProvideRequest, ProvideResponse } from '../../pb/dht-delegate.js'
import { MAX_DELEGATE_REQUEST_BYTES, PROVIDE_REQUESTS_PER_PEER, PROVIDE_TIMEOUT_MS } from './constants.js'
import { verifyProviderClaim, type VerifiedProviderClaim } from './provider-claim.js'
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Libp2p } from 'libp2p'
import type { CID } from 'multiformats/cid'

/** kad-dht's provider store: public on its KadDHT class, not in the KadDHT interface. */
interface ProviderStore {
  addProvider: (cid: CID, provider: PeerId) => Promise<void>
}

/** The provider store of a kad-dht, or undefined if this kad-dht does not expose it (test/integration/dht-delegate.spec.ts notices). */
export function providerStoreOf (dht: KadDHT): ProviderStore | undefined {
  const store = (dht as unknown as { providers?: Partial<ProviderStore> }).providers
  return typeof store?.addProvider === 'function' ? store as ProviderStore : undefined
}

/** Adds a checked claim to this node's provider records, with the addresses it names (kad-dht's ADD_PROVIDER does the same). */
export async function storeClaim (libp2p: Libp2p<{ dht: KadDHT }>, store: ProviderStore, claim: VerifiedProviderClaim): Promise<void> {
  await store.addProvider(claim.cid, claim.provider)
  if (claim.addrs.length > 0 && !claim.provider.equals(libp2p.peerId)) await libp2p.peerStore.merge(claim.provider, { multiaddrs: claim.addrs })
}

export class ProvideServer {
  private readonly log: Logger
  private readonly limiter = new RateLimiter({ points: PROVIDE_REQUESTS_PER_PEER, duration: 10 })
  private readonly store?: ProviderStore

  constructor (private readonly libp2p: Libp2p<{ dht: KadDHT }>, private readonly metrics?: PeerhiveMetrics) {
    this.log = libp2p.logger.forComponent('peerhive:dht:provide')
    this.store = providerStoreOf(libp2p.services.dht)
    if (this.store == null) this.log.error('this kad-dht keeps its provider store private: claims are refused')
  }

  async start (): Promise<void> {
    await this.libp2p.handle(PROTOCOL_DHT_PROVIDE, (stream: Stream, connection: Connection) => { void this.onStream(stream, connection) }, {
      maxInboundStreams: 32,
      maxOutboundStreams: 32
    })
  }

  async stop (): Promise<void> {
    await this.libp2p.unhandle(PROTOCOL_DHT_PROVIDE)
  }

  private async onStream (stream: Stream, connection: Connection): Promise<void> {
    const sender = connection.remotePeer.toString()
    let outcome = 'ok'
    try {
      await answerRequest(stream, ProvideRequest, ProvideResponse, {
        maxInboundBytes: MAX_DELEGATE_REQUEST_BYTES,
        signal: AbortSignal.timeout(PROVIDE_TIMEOUT_MS),
        onBytes: (direction, n) => { this.metrics?.bytes.inc({ protocol: PROTOCOL_DHT_PROVIDE, direction }, n) },
        handle: async request => {
          const res = await this.answer(sender, request)
          if (res.error !== ProvideError.PROVIDE_NONE) outcome = res.error
          return res
        },
        onBadRequest: err => {
          const code = isTooLargeError(err) ? ProvideError.PROVIDE_MESSAGE_TOO_LARGE : ProvideError.PROVIDE_MALFORMED_MESSAGE
          outcome = code
          return response(code, err.message)
        }
      })
    } catch (err: any) {
      this.log('provider claim from %s failed - %e', sender, err)
      if (outcome === 'ok') outcome = 'STREAM_ERROR'
    } finally {
      this.metrics?.requests.inc({ protocol: PROTOCOL_DHT_PROVIDE, outcome })
    }
  }

  private async answer (sender: string, request: ProvideRequest): Promise<ProvideResponse> {
    if (request.version !== WIRE_VERSION) return response(ProvideError.PROVIDE_UNSUPPORTED_VERSION, `version ${request.version} is not supported; this node speaks ${WIRE_VERSION}`)
    try {
      this.limiter.consume(sender)
    } catch {
      return response(ProvideError.PROVIDE_RATE_LIMITED, 'too many provider claims from this peer; retry in a few seconds')
    }
    if (this.store == null || this.libp2p.services.dht.getMode() !== 'server') return response(ProvideError.PROVIDE_NOT_A_SERVER, 'this node does not serve the DHT')
    if (request.claim == null) return response(ProvideError.PROVIDE_MALFORMED_MESSAGE, 'no claim')
    let claim: VerifiedProviderClaim
    try {
      claim = await verifyProviderClaim(request.claim)
    } catch (err: any) {
      if (err.name !== 'InvalidProviderClaimError') throw err
      return response(ProvideError.PROVIDE_INVALID_CLAIM, err.message)
    }
    await storeClaim(this.libp2p, this.store, claim)
    this.log.trace('%s handed over %p as a provider of %s', sender, claim.provider, claim.cid)
    return response(ProvideError.PROVIDE_NONE, '')
  }
}

function response (error: ProvideError, message: string): ProvideResponse {
  return { version: WIRE_VERSION, error, message }
}
