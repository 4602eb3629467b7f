/**
 * The answering side of /peerhive/unit-output/1.0.0 (protocols/unit-output.md).
 * One handler per node serves both roles:
 *
 * - as a job's owner, it accepts PUSHes of its jobs' outputs, after checking
 *   them against the job's result spec and their hash;
 * - as a provider, it answers FETCHes from its outbox, to the job's owner only.
 */
import { RateLimiter } from '@libp2p/utils'
import { serveRequests, tryConsume } from '../../core/request-handler.js'
import { OutputRequest, OutputResponse, type UnitOutput } from '../../pb/unit-output.js'
import { hashMatches, jobIdProblem, outputProblem, type OutputSpec } from './check.js'
import {
  DEFAULT_MAX_EXCHANGES, DEFAULT_MAX_EXCHANGES_PER_PEER, DEFAULT_REQUESTS_PER_PEER, MAX_ERROR_MESSAGE, MAX_OUTPUT_MESSAGE_BYTES,
  MAX_SMALL_MESSAGE_BYTES, MAX_STREAMS_PER_CONNECTION, PROTOCOL_UNIT_OUTPUT, UNIT_OUTPUT_VERSION, exchangeTimeoutMs, outputMessageLimit
} from './constants.js'
import type { Outbox } from './outbox.js'
import type { PutOutcome } from './inbox.js'
import type { PeerhiveMetrics } from '../../core/metrics.js'
import type { Connection, Logger, Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

export interface UnitOutputServerInit {
  /** the provider's outbox: FETCHes are answered from it. Without one, every FETCH is NOT_FOUND. */
  outbox?: Outbox
  /** whether this node owns `jobId` (and still wants its outputs). Without it, every PUSH is FORBIDDEN. */
  ownsJob?: (jobId: string) => boolean
  /** the result spec and output bound of one of this node's jobs */
  resultSpec?: (jobId: string) => OutputSpec | undefined
  /** stores a checked output of one of this node's jobs (OwnerInbox.put fits) */
  accept?: (output: UnitOutput, from: string) => Promise<PutOutcome | undefined | void> | PutOutcome | undefined | void
  /**
   * the largest `maxOutputBytes` of the jobs this node owns now: inbound
   * PUSHes are read up to this plus 64 KiB; 0 (no running job) reads no more
   * than a FETCH. @default 64 MiB when `ownsJob` and `accept` are given, else 0
   */
  maxOutputBytes?: () => number
  metrics?: PeerhiveMetrics
  /** requests one peer may make per 10 s; @default 600 */
  requestsPerPeer?: number
  /** exchanges in progress from one peer; @default 4 */
  maxExchangesPerPeer?: number
  /** exchanges in progress, all peers; @default 16 */
  maxExchanges?: number
  /** told the outcome of every exchange: `ok`, an error code, `TIMEOUT` or `STREAM_ERROR` */
  onRequest?: (outcome: string, kind: 'push' | 'fetch' | 'unknown') => void
}

/** An answer carrying an error code. */
function refusal (error: OutputResponse.Error, message: string): OutputResponse {
  return { version: UNIT_OUTPUT_VERSION, error, message: message.slice(0, MAX_ERROR_MESSAGE) }
}

export class UnitOutputServer {
  private readonly log: Logger
  private readonly limiter: RateLimiter
  private readonly perPeer = new Map<string, number>()
  private inProgress = 0
  private readonly maxExchangesPerPeer: number
  private readonly maxExchanges: number

  constructor (private readonly libp2p: Libp2p<any>, private readonly init: UnitOutputServerInit = {}) {
    this.log = libp2p.logger.forComponent('peerhive:unit-output')
    this.limiter = new RateLimiter({ points: init.requestsPerPeer ?? DEFAULT_REQUESTS_PER_PEER, duration: 10 })
    this.maxExchangesPerPeer = init.maxExchangesPerPeer ?? DEFAULT_MAX_EXCHANGES_PER_PEER
    this.maxExchanges = init.maxExchanges ?? DEFAULT_MAX_EXCHANGES
  }

  async start (): Promise<void> {
    await this.libp2p.handle(PROTOCOL_UNIT_OUTPUT, (stream: Stream, connection: Connection) => { void this.onStream(stream, connection) }, {
      maxInboundStreams: MAX_STREAMS_PER_CONNECTION,
      maxOutboundStreams: MAX_STREAMS_PER_CONNECTION
    })
  }

  async stop (): Promise<void> {
    await this.libp2p.unhandle(PROTOCOL_UNIT_OUTPUT)
  }

  /**
   * Accepts an output of one of this node's own jobs that this node computed
   * itself (a node may be the owner and a provider of one job): the same
   * checks as a PUSH, without a stream. Resolves with the answer a PUSH
   * would get.
   */
  async pushLocal (output: UnitOutput): Promise<OutputResponse> {
    return await this.push(output, this.libp2p.peerId.toString(), 0)
  }

  /** The largest request this node reads now: a whole output when it owns jobs, else a FETCH. */
  private maxRequestBytes (): number {
    if (this.init.ownsJob == null || this.init.accept == null) return MAX_SMALL_MESSAGE_BYTES
    const largest = this.init.maxOutputBytes?.() ?? MAX_OUTPUT_MESSAGE_BYTES
    // no running job: nothing to accept, a FETCH is all there is to read
    if (!(largest > 0)) return MAX_SMALL_MESSAGE_BYTES
    return Math.max(MAX_SMALL_MESSAGE_BYTES, outputMessageLimit(largest))
  }

  private async onStream (stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    const busy = this.inProgress >= this.maxExchanges || (this.perPeer.get(peer) ?? 0) >= this.maxExchangesPerPeer
    this.inProgress++
    this.perPeer.set(peer, (this.perPeer.get(peer) ?? 0) + 1)
    let kind: 'push' | 'fetch' | 'unknown' = 'unknown'
    let requestBytes = 0
    // over the limits, only a small request is read, and whatever it is, it is answered RATE_LIMITED
    const maxInboundBytes = busy ? MAX_SMALL_MESSAGE_BYTES : this.maxRequestBytes()
    const largestAnswer = busy ? 0 : (this.init.outbox?.largestEntryBytes() ?? 0)
    const tooBusy = (): OutputResponse => refusal(OutputResponse.Error.RATE_LIMITED, 'too many output exchanges in progress; retry later')
    try {
      await serveRequests(stream, peer, {
        protocol: PROTOCOL_UNIT_OUTPUT,
        request: OutputRequest,
        response: OutputResponse,
        maxInboundBytes,
        timeoutMs: exchangeTimeoutMs(Math.max(maxInboundBytes, largestAnswer)),
        outcomeOf: res => res.error === OutputResponse.Error.NONE ? 'ok' : res.error,
        badRequest: (err, tooLarge) => busy
          ? tooBusy()
          : tooLarge
            ? refusal(OutputResponse.Error.MESSAGE_TOO_LARGE, `the request is larger than the ${maxInboundBytes} bytes this node accepts now`)
            : refusal(OutputResponse.Error.MALFORMED_MESSAGE, `the request is not an OutputRequest: ${err.message}`),
        metrics: this.init.metrics,
        log: this.log,
        onBytes: (direction, n) => { if (direction === 'in') requestBytes = n },
        onOutcome: outcome => { this.init.onRequest?.(outcome, kind) }
      }, async req => {
        kind = req.kind === OutputRequest.Kind.PUSH ? 'push' : req.kind === OutputRequest.Kind.FETCH ? 'fetch' : 'unknown'
        return busy ? tooBusy() : await this.answer(req, peer, requestBytes)
      })
    } finally {
      this.inProgress--
      const left = (this.perPeer.get(peer) ?? 1) - 1
      if (left <= 0) this.perPeer.delete(peer)
      else this.perPeer.set(peer, left)
    }
  }

  private async answer (req: OutputRequest, peer: string, requestBytes: number): Promise<OutputResponse> {
    if (req.version !== UNIT_OUTPUT_VERSION) {
      return refusal(OutputResponse.Error.UNSUPPORTED_VERSION, `unit-output version ${req.version} is not supported; this node speaks ${UNIT_OUTPUT_VERSION}`)
    }
    if (!tryConsume(this.limiter, peer)) return refusal(OutputResponse.Error.RATE_LIMITED, 'too many output requests from this peer; retry in a few seconds')
    try {
      if (req.kind === OutputRequest.Kind.PUSH) {
        if (req.output == null) return refusal(OutputResponse.Error.MALFORMED_MESSAGE, 'a PUSH needs an output')
        return await this.push(req.output, peer, requestBytes)
      }
      if (req.kind === OutputRequest.Kind.FETCH) return await this.fetch(req, peer)
      return refusal(OutputResponse.Error.MALFORMED_MESSAGE, `unknown request kind ${String(req.kind)}`)
    } catch (err: any) {
      this.log.error('answering a unit-output request from %s failed - %e', peer, err)
      return refusal(OutputResponse.Error.INTERNAL, 'this node failed to handle the request')
    }
  }

  private async push (output: UnitOutput, peer: string, requestBytes: number): Promise<OutputResponse> {
    const problem = jobIdProblem(output.jobId)
    if (problem != null) return refusal(OutputResponse.Error.MALFORMED_MESSAGE, problem)
    const { ownsJob, resultSpec, accept } = this.init
    const spec = ownsJob?.(output.jobId) === true ? resultSpec?.(output.jobId) : undefined
    if (spec == null || accept == null) return refusal(OutputResponse.Error.FORBIDDEN, `this node does not own job ${output.jobId}`)
    if (requestBytes > outputMessageLimit(spec.maxOutputBytes)) {
      return refusal(OutputResponse.Error.MESSAGE_TOO_LARGE, `the PUSH has ${requestBytes} bytes, over the job's output bound of ${spec.maxOutputBytes} bytes plus 64 KiB`)
    }
    const bad = outputProblem(output, spec)
    if (bad != null) return refusal(bad.tooLarge ? OutputResponse.Error.MESSAGE_TOO_LARGE : OutputResponse.Error.MALFORMED_MESSAGE, bad.message)
    if (!hashMatches(output, spec)) {
      return refusal(OutputResponse.Error.HASH_MISMATCH, `the output of unit ${output.unitIndex} does not hash to the output_hash it carries`)
    }
    const stored = await accept(output, peer)
    if (stored === 'full') {
      return refusal(OutputResponse.Error.FORBIDDEN, `this node already holds too many different outputs of unit ${output.unitIndex}`)
    }
    this.log('stored the output of unit %d of job %s (replica %d) from %s', output.unitIndex, output.jobId, output.replicaId, peer)
    return { version: UNIT_OUTPUT_VERSION, error: OutputResponse.Error.NONE, message: '' }
  }

  private async fetch (req: OutputRequest, peer: string): Promise<OutputResponse> {
    const outbox = this.init.outbox
    const byReplica = req.replicaId > 0
    if (!byReplica && (req.jobId === '' || req.outputHash.byteLength === 0)) {
      return refusal(OutputResponse.Error.MALFORMED_MESSAGE, 'a FETCH names a replica_id, or a job_id, unit_index and output_hash')
    }
    const entry = outbox?.find({ replicaId: req.replicaId, jobId: req.jobId, unitIndex: req.unitIndex, outputHash: req.outputHash })
    if (entry == null || outbox == null) return refusal(OutputResponse.Error.NOT_FOUND, 'this node holds no such output')
    if (entry.owner !== peer) return refusal(OutputResponse.Error.FORBIDDEN, 'only the job\'s owner may fetch its outputs')
    const output = await outbox.read(entry.replicaId)
    if (output == null) return refusal(OutputResponse.Error.NOT_FOUND, 'this node holds no such output')
    // the owner has it now: the outbox may evict it before undelivered ones, and stops pushing it
    await outbox.markDelivered(entry.replicaId).catch(err => { this.log.error('could not mark replica %d delivered - %e', entry.replicaId, err) })
    this.log('sent the output of unit %d of job %s (replica %d) to its owner %s', output.unitIndex, output.jobId, output.replicaId, peer)
    return { version: UNIT_OUTPUT_VERSION, error: OutputResponse.Error.NONE, message: '', output }
  }
}
