/**
 * Answers /peerhive/dht-delegate/1.0.0 on a virtual server: a member's own
 * keyword record or provider claim, stored at the DHT servers closest to
 * its key. The virtual server already holds connections to other servers,
 * so a member no longer dials several servers per record (issue 9: that
 * was three quarters of the handshakes the servers started at 500 peers).
 */
import { Queue, RateLimiter } from '@libp2p/utils'
import { PROTOCOL_DHT_DELEGATE, PROTOCOL_DHT_PROVIDE, WIRE_VERSION, answerRequest, isTooLargeError, requestResponse, type PeerhiveMetrics } from '../../core/index.js'
import { DelegateError, DelegateRequest, DelegateResponse, ProvideError, ProvideRequest, ProvideResponse, type SignedProviderClaim } from '../../pb/dht-delegate.js'
import { deadline } from './bounded.js'
import {
  DELEGATE_CONCURRENCY, DELEGATE_QUEUE, DELEGATE_REQUESTS_PER_MEMBER, DELEGATE_TIMEOUT_MS, MAX_DELEGATE_REQUEST_BYTES, MAX_DELEGATE_RESPONSE_BYTES, PROVIDE_TIMEOUT_MS
} from './constants.js'
import { putValue } from './dht-ops.js'
import { InvalidKeywordRecordError, InvalidProviderClaimError } from './errors.js'
import { parseKeywordKey } from './keys.js'
import { providerStoreOf, storeClaim } from './provide-server.js'
import { verifyProviderClaim, type VerifiedProviderClaim } from './provider-claim.js'
import { verifyKeywordRecord } from './verify.js'
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Libp2p } from 'libp2p'

export interface DelegateServerInit {
  /**
   * Why `peerId` may not hand its records here, or undefined when it may
   * @default none (required)
   */
  refuse: (peerId: string) => string | undefined
  /**
   * Prometheus metrics to count delegated records in.
   * @default none (no metrics)
   */
  metrics?: PeerhiveMetrics
}

export class DelegateServer {
  private readonly log: Logger
  private readonly limiter = new RateLimiter({ points: DELEGATE_REQUESTS_PER_MEMBER, duration: 10 })
  private readonly work = new Queue<number>({ concurrency: DELEGATE_CONCURRENCY, maxSize: DELEGATE_QUEUE })

  constructor (private readonly libp2p: Libp2p<{ dht: KadDHT }>, private readonly init: DelegateServerInit) {
    this.log = libp2p.logger.forComponent('peerhive:dht:delegate')
  }

  async start (): Promise<void> {
    await this.libp2p.handle(PROTOCOL_DHT_DELEGATE, (stream: Stream, connection: Connection) => { void this.onStream(stream, connection) }, {
      maxInboundStreams: 64,
      // this node's own records, when it is a member
      maxOutboundStreams: 8
    })
  }

  async stop (): Promise<void> {
    await this.libp2p.unhandle(PROTOCOL_DHT_DELEGATE)
    this.work.abort()
  }

  private async onStream (stream: Stream, connection: Connection): Promise<void> {
    const member = connection.remotePeer
    const signal = AbortSignal.timeout(DELEGATE_TIMEOUT_MS)
    let outcome = 'ok'
    try {
      await answerRequest(stream, DelegateRequest, DelegateResponse, {
        maxInboundBytes: MAX_DELEGATE_REQUEST_BYTES,
        signal,
        onBytes: (direction, n) => { this.init.metrics?.bytes.inc({ protocol: PROTOCOL_DHT_DELEGATE, direction }, n) },
        handle: async request => {
          const res = await this.answer(member, request, signal)
          if (res.error !== DelegateError.NONE) outcome = res.error
          return res
        },
        onBadRequest: err => {
          const code = isTooLargeError(err) ? DelegateError.MESSAGE_TOO_LARGE : DelegateError.MALFORMED_MESSAGE
          outcome = code
          return response(code, err.message)
        }
      })
    } catch (err: any) {
      this.log('delegated record from %p failed - %e', member, err)
      if (outcome === 'ok') outcome = 'STREAM_ERROR'
    } finally {
      this.init.metrics?.requests.inc({ protocol: PROTOCOL_DHT_DELEGATE, outcome })
    }
  }

  private async answer (member: PeerId, request: DelegateRequest, signal: AbortSignal): Promise<DelegateResponse> {
    if (request.version !== WIRE_VERSION) return response(DelegateError.UNSUPPORTED_VERSION, `version ${request.version} is not supported; this node speaks ${WIRE_VERSION}`)
    const hasValue = request.key.byteLength > 0 || request.value.byteLength > 0
    if (hasValue === (request.claim != null)) return response(DelegateError.MALFORMED_MESSAGE, 'a request carries either a key and value or a claim')
    try {
      this.limiter.consume(member.toString())
    } catch {
      return response(DelegateError.RATE_LIMITED, 'too many records from this member; retry in a few seconds')
    }
    const refusal = this.init.refuse(member.toString())
    if (refusal != null) return response(DelegateError.NOT_YOUR_SERVER, refusal)
    let job: (signal: AbortSignal) => Promise<number>
    try {
      job = await this.jobFor(member, request)
    } catch (err: any) {
      if (err.name !== 'InvalidKeywordRecordError' && err.name !== 'InvalidProviderClaimError') throw err
      return response(DelegateError.INVALID_RECORD, err.message)
    }
    let stored: number
    try {
      stored = await this.work.add(async () => job(signal), { signal })
    } catch (err: any) {
      if (err.name === 'QueueFullError') return response(DelegateError.BUSY, `${this.work.size} records are waiting here; retry later`)
      throw err
    }
    if (stored === 0) return response(DelegateError.NOT_STORED, 'no DHT server took the record')
    return { ...response(DelegateError.NONE, ''), stored }
  }

  /** The work for a record, checked here first so that a bad one costs no lookup; only the member's own records are taken. */
  private async jobFor (member: PeerId, request: DelegateRequest): Promise<(signal: AbortSignal) => Promise<number>> {
    if (request.claim != null) {
      const signed = request.claim
      const claim = await verifyProviderClaim(signed)
      if (!claim.provider.equals(member)) throw new InvalidProviderClaimError(`the claim is ${claim.provider.toString()}'s; a member hands over only its own`)
      return async signal => this.handToClosest(claim, signed, signal)
    }
    const { key, value } = request
    const owner = parseKeywordKey(key).provider
    if (!owner.equals(member)) throw new InvalidKeywordRecordError('MALFORMED_KEY', `the record is ${owner.toString()}'s; a member hands over only its own`)
    await verifyKeywordRecord(key, value)
    return async signal => putValue(this.libp2p.services.dht, key, value, signal)
  }

  /** Stores the claim here and at the servers closest to its CID, as kad-dht's provide does; returns how many of those took it. */
  private async handToClosest (claim: VerifiedProviderClaim, signed: SignedProviderClaim, signal: AbortSignal): Promise<number> {
    const store = providerStoreOf(this.libp2p.services.dht)
    if (store != null) await storeClaim(this.libp2p, store, claim)
    const closest: PeerId[] = []
    for await (const event of this.libp2p.services.dht.getClosestPeers(claim.cid.multihash.bytes, { signal })) {
      if (event.name === 'FINAL_PEER' && !event.peer.id.equals(this.libp2p.peerId)) closest.push(event.peer.id)
    }
    const took = await Promise.all(closest.map(async peer => this.sendClaim(peer, signed, signal)))
    return took.filter(Boolean).length
  }

  private async sendClaim (peer: PeerId, claim: SignedProviderClaim, outer: AbortSignal): Promise<boolean> {
    const signal = deadline(PROVIDE_TIMEOUT_MS, outer)
    try {
      const stream = await this.libp2p.dialProtocol(peer, PROTOCOL_DHT_PROVIDE, { signal })
      const res = await requestResponse(stream, { version: WIRE_VERSION, claim }, ProvideRequest, ProvideResponse, { maxInboundBytes: MAX_DELEGATE_RESPONSE_BYTES, signal })
      if (res.error === ProvideError.PROVIDE_NONE) return true
      this.log('%p refused a provider claim: %s %s', peer, res.error, res.message)
    } catch (err) {
      this.log('could not hand a provider claim to %p - %e', peer, err)
    }
    return false
  }
}

function response (error: DelegateError, message: string): DelegateResponse {
  return { version: WIRE_VERSION, error, message, stored: 0 }
}
