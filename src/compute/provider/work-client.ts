/** One exchange of /peerhive/work/1.0.0 with the bootstrap, from the provider's side. */
import { requestResponse } from '../../core/rpc.js'
import { openRequestChannel } from '../../core/request-stream.js'
import { WorkRequest, WorkResponse, type ReplicaResult } from '../../pb/work.js'
import { MAX_WORK_REQUEST_BYTES, MAX_WORK_RESPONSE_BYTES, PROTOCOL_WORK, WORK_PROVIDER_TIMEOUT_MS, WORK_VERSION } from '../../protocols/index.js'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'

/** Sends one work request and reads the answer (errors in the answer are the caller's to handle). */
export async function workExchange (libp2p: Libp2p<any>, bootstrap: Multiaddr, request: Omit<Partial<WorkRequest>, 'version'>, signal: AbortSignal): Promise<WorkResponse> {
  const full: WorkRequest = {
    version: WORK_VERSION,
    kind: WorkRequest.Kind.HELLO,
    cpus: 0,
    maxMemoryMb: 0,
    apps: [],
    maxUnits: 0,
    results: [],
    ...request
  }
  const size = WorkRequest.encode(full).byteLength
  if (size > MAX_WORK_REQUEST_BYTES) throw new RangeError(`a work request of ${size} bytes is over the ${MAX_WORK_REQUEST_BYTES}-byte limit`)
  const exchange = AbortSignal.any([signal, AbortSignal.timeout(WORK_PROVIDER_TIMEOUT_MS)])
  const channel = await openRequestChannel(libp2p, bootstrap, PROTOCOL_WORK, MAX_WORK_RESPONSE_BYTES, { signal: exchange })
  return await requestResponse(channel, full, WorkRequest, WorkResponse, { maxInboundBytes: MAX_WORK_RESPONSE_BYTES, signal: exchange })
}

/** The encoded size one result adds to a REPORT (field tag, length prefix and body). */
export function resultBytes (result: ReplicaResult): number {
  return WorkRequest.encode({ results: [result] }).byteLength
}
