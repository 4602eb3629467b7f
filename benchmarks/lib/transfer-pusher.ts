/**
 * Benchmark child: the yardsticks' sending side. It pushes N bytes, in
 * 1 MiB chunks and honouring backpressure, to whoever connects: over a raw
 * TCP socket, and over one libp2p stream (TCP + Noise + Yamux, nothing else).
 */
import { createServer, type Server, type Socket } from 'node:net'
import { sendFrame } from '../../src/sharing/transfer/flow.js'
import { createBareNode } from './yardstick.js'
import { serveParent } from './proc.js'
import { PUSH_PROTOCOL } from './transfer-yardsticks.js'
import type { Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

const CHUNK = new Uint8Array(1024 * 1024).map((_, i) => (i * 131 + 7) & 0xff)

let tcp: Server | undefined
let node: Libp2p | undefined

async function pushSocket (socket: Socket, bytes: number): Promise<void> {
  let sent = 0
  while (sent < bytes) {
    const chunk = CHUNK.subarray(0, Math.min(CHUNK.byteLength, bytes - sent))
    sent += chunk.byteLength
    if (!socket.write(chunk)) await new Promise(resolve => socket.once('drain', resolve))
  }
  socket.end()
}

async function pushStream (stream: Stream, bytes: number): Promise<void> {
  let sent = 0
  while (sent < bytes) {
    const chunk = CHUNK.subarray(0, Math.min(CHUNK.byteLength, bytes - sent))
    sent += chunk.byteLength
    // the providers' own flow control: at most one chunk queued beyond the one being sent
    // (stream.onDrain() resolves at once after the first drain in @libp2p/utils 7.4.1)
    await sendFrame(stream, chunk, CHUNK.byteLength, 30_000)
  }
  await stream.close()
}

serveParent({
  /** Listens for raw TCP on 127.0.0.1; each connection gets `bytes` then EOF. */
  tcp: async ({ bytes }: { bytes: number }) => {
    tcp = createServer(socket => { pushSocket(socket, bytes).catch(() => socket.destroy()) })
    await new Promise<void>(resolve => tcp?.listen(0, '127.0.0.1', resolve))
    return { port: (tcp.address() as { port: number }).port }
  },
  /** A bare libp2p node; each PUSH_PROTOCOL stream gets `bytes` then EOF. */
  libp2p: async ({ bytes, ip }: { bytes: number, ip: string }) => {
    node = await createBareNode([`/ip4/${ip}/tcp/0`])
    await node.handle(PUSH_PROTOCOL, (stream: Stream) => { pushStream(stream, bytes).catch(err => stream.abort(err)) })
    await node.start()
    return { addr: node.getMultiaddrs()[0].toString() }
  },
  /** this process's CPU seconds so far */
  stats: () => {
    const cpu = process.cpuUsage()
    return { cpuS: (cpu.user + cpu.system) / 1e6 }
  },
  stop: async () => {
    tcp?.close()
    await Promise.race([node?.stop(), new Promise(resolve => setTimeout(resolve, 5_000))])
    return true
  }
}, 600_000)
