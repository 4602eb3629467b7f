import { noise } from '@chainsafe/libp2p-noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import { now } from './clock.js'
import type { Stream } from '@libp2p/interface'

/** A trivial request/response protocol: the server sends back the one length-prefixed message it reads. */
export const ECHO_PROTOCOL = '/peerhive-bench/echo/1.0.0'

/** A plain libp2p node: TCP, Noise, Yamux and nothing else. */
export async function createBareNode (listen: string[]): Promise<Libp2p> {
  return createLibp2p({
    addresses: { listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // the yardstick dials fresh connections back to back from one address
    connectionManager: { inboundConnectionThreshold: 100_000, maxIncomingPendingConnections: 1_000 }
  })
}

/** Serves ECHO_PROTOCOL the way the bootstrap serves a join: read one request, write one response, close. */
export async function serveEcho (node: Libp2p): Promise<void> {
  await node.handle(ECHO_PROTOCOL, async (stream: Stream) => {
    const signal = AbortSignal.timeout(5_000)
    try {
      const lp = lpStream(stream, { maxDataLength: 256 * 1024 })
      const msg = await lp.read({ signal })
      await lp.write(msg, { signal })
      await stream.close({ signal })
    } catch (err: any) {
      stream.abort(err)
    }
  }, { maxInboundStreams: 64 })
}

/**
 * One echo exchange as the asking side of a join does it: open a stream,
 * write the request, read the response, close. Returns the round trip in ms.
 */
export async function echoOnce (client: Libp2p, target: string, payload: Uint8Array, timeoutMs = 5_000): Promise<number> {
  const signal = AbortSignal.timeout(timeoutMs)
  const t0 = now()
  const stream = await client.dialProtocol(multiaddr(target), ECHO_PROTOCOL, { signal })
  try {
    const lp = lpStream(stream, { maxDataLength: 256 * 1024 })
    await lp.write(payload, { signal })
    const back = await lp.read({ signal })
    await stream.close({ signal })
    if (back.byteLength !== payload.byteLength) throw new Error(`echo returned ${back.byteLength} bytes, sent ${payload.byteLength}`)
  } catch (err: any) {
    stream.abort(err)
    throw err
  }
  return now() - t0
}

/** Round trip on a brand-new connection: TCP connect, Noise handshake, Yamux, protocol select, echo. */
export async function connectEchoOnce (client: Libp2p, target: string, payload: Uint8Array, timeoutMs = 5_000): Promise<number> {
  const ma = multiaddr(target)
  const peer = ma.getComponents().find(c => c.name === 'p2p')?.value
  if (peer != null) await client.hangUp(ma, { signal: AbortSignal.timeout(timeoutMs) }).catch(() => {})
  return echoOnce(client, target, payload, timeoutMs)
}
