/**
 * A new stream for one of our request protocols that sends its protocol's
 * name and its first request in one write ("optimistic" multistream-select,
 * as go-libp2p's lazy negotiation does). libp2p 3 waits for the listener to
 * confirm the protocol before the request may go out: a round trip every new
 * stream paid (a join, an index push, a search of the central index, a
 * forward that finds no idle session). The listener's confirmation is read
 * back before the answer (RequestChannel), so a peer that does not speak the
 * protocol still fails the request with UnsupportedProtocolError.
 *
 * Any listener that follows multistream-select accepts it: libp2p's keeps
 * what arrives after the protocol's name for the protocol's handler.
 */
import { LimitedConnectionError, TooManyOutboundProtocolStreamsError, type Connection, type PeerId, type Stream } from '@libp2p/interface'
import { RequestChannel } from './rpc.js'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'

export interface OpenRequestOptions {
  signal: AbortSignal
  /** may the stream ride a relayed connection with limits (a small request to a peer behind NAT)? */
  runOnLimitedConnection?: boolean
}

/** libp2p's limit on a protocol's outbound streams per connection when its handler names none. */
const DEFAULT_MAX_OUTBOUND_STREAMS = 64

/** The parts of libp2p's muxer this needs; a connection without one gets libp2p's own negotiation. */
interface Muxer {
  status: string
  createStream: (options?: Record<string, unknown>) => Promise<Stream>
}

/**
 * Opens a stream for `protocol` to `peer` (over the connection libp2p has
 * or makes) whose first exchange proposes the protocol with the request.
 * `maxInboundBytes` bounds each message read, the confirmation included.
 */
export async function openRequestChannel (libp2p: Libp2p<any>, peer: PeerId | Multiaddr | Multiaddr[], protocol: string, maxInboundBytes: number, opts: OpenRequestOptions): Promise<RequestChannel> {
  const connection = await libp2p.dial(peer, { signal: opts.signal })
  if (connection.limits != null && opts.runOnLimitedConnection !== true) {
    throw new LimitedConnectionError('Cannot open protocol stream on limited connection')
  }
  // not in libp2p's typed API; libp2p's Connection keeps the muxer it made the connection with
  const muxer: Muxer | undefined = (connection as any).muxer
  if (muxer?.createStream == null || muxer.status !== 'open' || connection.status !== 'open') {
    const stream = await connection.newStream(protocol, { signal: opts.signal, runOnLimitedConnection: opts.runOnLimitedConnection })
    return new RequestChannel(stream, maxInboundBytes)
  }
  // the limit libp2p's own negotiation enforces: the node's handler of the protocol names it
  const limit = outboundLimit(libp2p, protocol)
  const open = outboundStreams(connection, protocol)
  if (open >= limit) throw new TooManyOutboundProtocolStreamsError(`Too many outbound protocol streams for protocol "${protocol}" - ${open + 1}/${limit}`)
  const stream = await muxer.createStream()
  // what libp2p sets once it has negotiated: the stream is then found by its protocol like any other
  stream.protocol = protocol
  return new RequestChannel(stream, maxInboundBytes, protocol)
}

/** maxOutboundStreams of this node's handler of `protocol` (libp2p's registrar, not in its typed API), else libp2p's default. */
function outboundLimit (libp2p: Libp2p<any>, protocol: string): number {
  try {
    return (libp2p as any).components.registrar.getHandler(protocol).options.maxOutboundStreams ?? DEFAULT_MAX_OUTBOUND_STREAMS
  } catch {
    // not handled here (a member asks the bootstrap to join): libp2p's default
    return DEFAULT_MAX_OUTBOUND_STREAMS
  }
}

function outboundStreams (connection: Connection, protocol: string): number {
  return connection.streams.filter(s => s.direction === 'outbound' && s.protocol === protocol).length
}
