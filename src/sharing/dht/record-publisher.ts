/**
 * Where a node's DHT records go: into the DHT by the node itself, or handed
 * to its virtual server (protocols/dht-delegate.md), which stores them over
 * the connections it already has.
 */
import { PROTOCOL_DHT_DELEGATE, WIRE_VERSION, requestResponse } from '../../core/index.js'
import { DelegateError, DelegateRequest, DelegateResponse } from '../../pb/dht-delegate.js'
import { MAX_DELEGATE_RESPONSE_BYTES } from './constants.js'
import { provideCid, putValue } from './dht-ops.js'
import { DelegationError } from './errors.js'
import { signProviderClaim } from './provider-claim.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Libp2p } from 'libp2p'
import type { CID } from 'multiformats/cid'

const P2P_CODE = 421

export interface RecordPublisher {
  /** the virtual server the records are handed to; undefined: the node stores them itself */
  readonly server?: PeerId
  /** Stores a value at the servers closest to `key`; returns how many took it. */
  put: (key: Uint8Array<ArrayBuffer>, value: Uint8Array<ArrayBuffer>, signal: AbortSignal) => Promise<number>
  /** Announces this node as a provider of `cid`; returns how many servers took the record. */
  provide: (cid: CID, signal: AbortSignal) => Promise<number>
}

/** The node stores its records in the DHT itself. */
export function directPublisher (dht: KadDHT): RecordPublisher {
  return {
    put: async (key, value, signal) => putValue(dht, key, value, signal),
    provide: async (cid, signal) => provideCid(dht, cid, signal)
  }
}

/**
 * A member's records, handed to its virtual server one per stream. A
 * server that does not speak the protocol (an older version) leaves the
 * member to store them itself.
 */
export function delegatedPublisher (libp2p: Libp2p<{ dht: KadDHT }>, privateKey: PrivateKey, server: PeerId): RecordPublisher {
  const direct = directPublisher(libp2p.services.dht)
  const hand = async (request: DelegateRequest, signal: AbortSignal, otherwise: () => Promise<number>): Promise<number> => {
    let stream
    try {
      stream = await libp2p.dialProtocol(server, PROTOCOL_DHT_DELEGATE, { signal })
    } catch (err: any) {
      if (err.name === 'UnsupportedProtocolError') return otherwise()
      throw err
    }
    const res = await requestResponse(stream, request, DelegateRequest, DelegateResponse, { maxInboundBytes: MAX_DELEGATE_RESPONSE_BYTES, signal })
    if (res.error !== DelegateError.NONE) throw new DelegationError(res.error, res.message)
    return res.stored
  }
  return {
    server,
    put: async (key, value, signal) => hand({ version: WIRE_VERSION, key, value }, signal, async () => direct.put(key, value, signal)),
    provide: async (cid, signal) => {
      const addrs = libp2p.getMultiaddrs().map(a => a.decapsulateCode(P2P_CODE))
      const claim = await signProviderClaim(privateKey, libp2p.peerId, cid, addrs)
      return hand({ version: WIRE_VERSION, key: new Uint8Array(), value: new Uint8Array(), claim }, signal, async () => direct.provide(cid, signal))
    }
  }
}
