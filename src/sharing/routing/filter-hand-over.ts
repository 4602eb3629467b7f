/**
 * A virtual server's side of /peerhive/filter/1.0.0 (protocols/filters.md,
 * "Relayed by the bootstrap"): its new filter goes to the bootstrap, which
 * relays it to the other servers, instead of being signed and gossiped to
 * each of them.
 */
import {
  FILTER_EXCHANGE_TIMEOUT_MS, MAX_FILTER_ACK_BYTES, PROTOCOL_FILTER, openRequestChannel, peerIdOf, rawBytes, requestResponse
} from '../../core/index.js'
import { FilterAck, FilterError } from '../../pb/filters.js'
import type { Libp2p } from 'libp2p'

/** The bootstrap answered the filter with an error (FilterError). */
export class FilterRefusedError extends Error {
  constructor (readonly code: string, message: string) {
    super(`the bootstrap refused the filter (${code}): ${message}`)
    this.name = 'FilterRefusedError'
  }
}

/**
 * Hands the encoded filter `bytes` to the bootstrap. Throws
 * UnsupportedProtocolError when the bootstrap is older than the relay
 * (the filter must then go out on the topic), FilterRefusedError when it
 * answers an error.
 */
export async function handFilterOver (libp2p: Libp2p<any>, bootstrapId: string, bytes: Uint8Array): Promise<void> {
  const signal = AbortSignal.timeout(FILTER_EXCHANGE_TIMEOUT_MS)
  const channel = await openRequestChannel(libp2p, peerIdOf(bootstrapId), PROTOCOL_FILTER, MAX_FILTER_ACK_BYTES, { signal })
  const ack = await requestResponse(channel, bytes, rawBytes, FilterAck, { maxInboundBytes: MAX_FILTER_ACK_BYTES, signal })
  if (ack.error !== FilterError.NONE) throw new FilterRefusedError(ack.error, ack.message)
}
