import { tcp, type TCPOptions } from '@libp2p/tcp'
import { Uint8ArrayList } from 'uint8arraylist'
import type { Connection, ClearableSignal, MultiaddrConnection, Transport, Upgrader } from '@libp2p/interface'

/** Sends up to this size go to the socket as one buffer; bulk frames are left as they are (a copy would cost more than the write it saves). */
export const COALESCE_MAX_BYTES = 16 * 1024

/**
 * TCP whose connections hand each small send to the socket in one write.
 * Noise sends every frame as two buffers (its 2-byte length, then the
 * ciphertext) and @libp2p/tcp writes each with its own socket.write: two
 * system calls, and on loopback two wake-ups of the receiver, per frame. One
 * write cut about 10 % of the CPU of a ping and of a connection (issue 9).
 */
export function coalescingTcp (init?: TCPOptions): (components: any) => Transport {
  const factory = tcp(init)
  return (components: any) => {
    const transport = factory(components)
    const dial = transport.dial.bind(transport)
    const createListener = transport.createListener.bind(transport)
    transport.dial = async (ma, options) => dial(ma, { ...options, upgrader: coalescing(options.upgrader, (options as any).punchResponder === true) })
    transport.createListener = options => createListener({ ...options, upgrader: coalescing(options.upgrader) })
    return transport
  }
}

/**
 * `responder`: the answering side of a hole punch (src/topology/hole-punch.ts)
 * connects too, both sides at once (TCP simultaneous open), but takes the
 * responder's part in the handshake; the upgraded connection reaches libp2p
 * as an inbound one, and the dial itself resolves with nothing.
 */
function coalescing (upgrader: Upgrader, responder = false): Upgrader {
  return {
    upgradeOutbound: async (maConn: MultiaddrConnection, opts: any): Promise<Connection> => {
      if (!responder) return upgrader.upgradeOutbound(oneWritePerSend(maConn), opts)
      // the muxer takes its role (yamux: client or server) from the socket's direction
      ;(maConn as any).direction = 'inbound'
      await upgrader.upgradeInbound(oneWritePerSend(maConn), opts)
      return undefined as unknown as Connection
    },
    upgradeInbound: async (maConn: MultiaddrConnection, opts: any): Promise<void> => upgrader.upgradeInbound(oneWritePerSend(maConn), opts),
    createInboundAbortSignal: (signal: AbortSignal): ClearableSignal => upgrader.createInboundAbortSignal(signal),
    getStreamMuxers: () => upgrader.getStreamMuxers(),
    getConnectionEncrypters: () => upgrader.getConnectionEncrypters()
  }
}

/** Wraps the connection's sendData (AbstractMessageStream's hook, which @libp2p/tcp implements with one socket.write per buffer). */
function oneWritePerSend (maConn: MultiaddrConnection): MultiaddrConnection {
  const conn = maConn as any
  const send = conn.sendData
  if (typeof send !== 'function') return maConn
  conn.sendData = function (data: Uint8ArrayList) {
    // a list of buffers (duck-typed: Noise may hold another copy of the package)
    if (typeof data?.subarray !== 'function' || data.byteLength > COALESCE_MAX_BYTES || !severalBuffers(data)) return send.call(this, data)
    return send.call(this, new Uint8ArrayList(data.subarray()))
  }
  return maConn
}

function severalBuffers (list: Uint8ArrayList): boolean {
  let n = 0
  for (const _ of list) if (++n > 1) return true
  return false
}
