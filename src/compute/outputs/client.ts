/**
 * The asking side of /peerhive/unit-output/1.0.0: a provider PUSHes an
 * output to the job's owner; an owner FETCHes an output a provider kept.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { requestResponse } from '../../core/rpc.js'
import { OutputRequest, OutputResponse, type UnitOutput } from '../../pb/unit-output.js'
import { hashHex, sameHash } from '../model/output-hash.js'
import { hashMatches, outputProblem, type OutputSpec } from './check.js'
import {
  MAX_SMALL_MESSAGE_BYTES, MAX_UNIT_OUTPUT_BYTES, OUTPUT_MESSAGE_OVERHEAD, PROTOCOL_UNIT_OUTPUT, UNIT_OUTPUT_VERSION,
  exchangeTimeoutMs, outputMessageLimit
} from './constants.js'
import { BadOutputError, OutputRefusedError } from './errors.js'
import type { PeerId, Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

/** A peer to reach: its PeerId, and addresses to try when libp2p does not know it yet. */
export interface OutputPeer {
  peerId: string | PeerId
  /** multiaddrs, with or without /p2p/; at most 8 are used, bad ones are skipped */
  addrs?: string[]
}

export interface PushOptions {
  signal?: AbortSignal
  /** @default 5 s plus 1 s per 2 MiB of output, at most 30 s */
  timeoutMs?: number
}

/**
 * Delivers `output` to the job's owner. Resolves once the owner stored it;
 * rejects with OutputRefusedError when the owner answered with an error
 * (FORBIDDEN, HASH_MISMATCH...), or with the transport's error when it
 * could not be reached in time.
 */
export async function pushOutput (libp2p: Libp2p<any>, owner: OutputPeer, output: UnitOutput, opts: PushOptions = {}): Promise<void> {
  const size = output.stdout.byteLength + output.files.reduce((n, f) => n + f.data.byteLength, 0) + OUTPUT_MESSAGE_OVERHEAD
  const signal = withTimeout(opts.timeoutMs ?? exchangeTimeoutMs(size), opts.signal)
  const stream = await openStream(libp2p, owner, signal)
  const response = await requestResponse(stream, pushRequest(output), OutputRequest, OutputResponse, {
    maxInboundBytes: MAX_SMALL_MESSAGE_BYTES,
    signal
  })
  if (response.error !== OutputResponse.Error.NONE) throw new OutputRefusedError(response.error, response.message)
}

/** Which output to FETCH: a replica's, or any replica's of (job, unit) with this hash. */
export interface FetchQuery {
  jobId: string
  unitIndex: number
  outputHash?: Uint8Array
  replicaId?: number
}

export interface FetchOptions {
  signal?: AbortSignal
  /** the unit's output bound; the answer may be this plus 64 KiB. @default 64 MiB */
  maxOutputBytes?: number
  /** when given, the output is checked against it and its hash verified */
  spec?: OutputSpec
  /** @default from the largest answer allowed: 5 s plus 1 s per 2 MiB, at most 30 s */
  timeoutMs?: number
}

/**
 * Asks a provider for an output it kept. Resolves with the output after
 * checking that it is the one asked for (and, given `spec`, that its bytes
 * hash to its hash); rejects with OutputRefusedError (NOT_FOUND,
 * FORBIDDEN...) or BadOutputError.
 */
export async function fetchOutput (libp2p: Libp2p<any>, provider: OutputPeer, query: FetchQuery, opts: FetchOptions = {}): Promise<UnitOutput> {
  const maxOutputBytes = Math.min(opts.maxOutputBytes ?? opts.spec?.maxOutputBytes ?? MAX_UNIT_OUTPUT_BYTES, MAX_UNIT_OUTPUT_BYTES)
  const maxInboundBytes = outputMessageLimit(maxOutputBytes)
  const signal = withTimeout(opts.timeoutMs ?? exchangeTimeoutMs(maxInboundBytes), opts.signal)
  const stream = await openStream(libp2p, provider, signal)
  const response = await requestResponse(stream, {
    version: UNIT_OUTPUT_VERSION,
    kind: OutputRequest.Kind.FETCH,
    replicaId: query.replicaId ?? 0,
    jobId: query.jobId,
    unitIndex: query.unitIndex,
    outputHash: new Uint8Array(query.outputHash ?? [])
  }, OutputRequest, OutputResponse, { maxInboundBytes, signal })
  if (response.error !== OutputResponse.Error.NONE) throw new OutputRefusedError(response.error, response.message)
  const output = response.output
  if (output == null) throw new BadOutputError('the provider answered FETCH without an output')
  if (output.jobId !== query.jobId || output.unitIndex !== query.unitIndex) {
    throw new BadOutputError(`asked for unit ${query.unitIndex} of job ${query.jobId}, got unit ${output.unitIndex} of job ${output.jobId}`)
  }
  if (query.outputHash != null && query.outputHash.byteLength > 0 && !sameHash(query.outputHash, output.outputHash)) {
    throw new BadOutputError(`asked for output ${hashHex(query.outputHash)}, got ${hashHex(output.outputHash)}`)
  }
  if (query.replicaId != null && query.replicaId > 0 && output.replicaId !== query.replicaId) {
    throw new BadOutputError(`asked for replica ${query.replicaId}, got ${output.replicaId}`)
  }
  if (opts.spec != null) {
    const problem = outputProblem(output, opts.spec)
    if (problem != null) throw new BadOutputError(`the fetched output is malformed: ${problem.message}`)
    if (!hashMatches(output, opts.spec)) throw new BadOutputError('the fetched output does not hash to its output_hash')
  }
  return output
}

function pushRequest (output: UnitOutput): OutputRequest {
  return { version: UNIT_OUTPUT_VERSION, kind: OutputRequest.Kind.PUSH, output, replicaId: 0, jobId: '', unitIndex: 0, outputHash: new Uint8Array(0) }
}

/** Opens a stream of this protocol to `peer`, telling the peer store its addresses first. */
async function openStream (libp2p: Libp2p<any>, peer: OutputPeer, signal: AbortSignal): Promise<Stream> {
  const id = typeof peer.peerId === 'string' ? peerIdFromString(peer.peerId) : peer.peerId
  const addrs = usableAddrs(peer.addrs ?? [])
  if (addrs.length > 0 && !id.equals(libp2p.peerId)) await libp2p.peerStore.merge(id, { multiaddrs: addrs })
  return await libp2p.dialProtocol(id, PROTOCOL_UNIT_OUTPUT, { signal })
}

/** Parses up to 8 addresses, dropping any /p2p/ suffix; the bad ones are skipped. */
export function usableAddrs (addrs: string[]): Multiaddr[] {
  const out: Multiaddr[] = []
  for (const a of addrs.slice(0, 8)) {
    try {
      out.push(multiaddr(a).decapsulateCode(421))
    } catch {}
  }
  return out
}

function withTimeout (ms: number, signal?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(ms)
  return signal == null ? timeout : AbortSignal.any([timeout, signal])
}
