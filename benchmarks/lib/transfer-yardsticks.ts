/**
 * The transfer benchmark's yardsticks, measured in this process: N bytes
 * from a child over a raw TCP socket and over one bare libp2p stream (the
 * bytes are only counted), and N bytes written to disk with an fsync.
 */
import { open, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { multiaddr } from '@multiformats/multiaddr'
import { now } from './clock.js'
import type { Libp2p } from 'libp2p'

export const PUSH_PROTOCOL = '/peerhive-bench/push/1.0.0'

/** Reads everything the TCP server at 127.0.0.1:`port` sends; ms from connect to EOF. */
export async function receiveTcp (port: number, bytes: number, timeoutMs: number): Promise<number> {
  const t0 = now()
  let got = 0
  await new Promise<void>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const timer = setTimeout(() => { socket.destroy(new Error(`raw TCP: ${got}/${bytes} bytes after ${timeoutMs} ms`)) }, timeoutMs)
    socket.on('data', (chunk: Buffer) => { got += chunk.byteLength })
    socket.once('end', () => { clearTimeout(timer); resolve() })
    socket.once('error', err => { clearTimeout(timer); reject(err) })
  })
  if (got !== bytes) throw new Error(`raw TCP delivered ${got} bytes, expected ${bytes}`)
  return now() - t0
}

/**
 * Reads one PUSH_PROTOCOL stream from `addr` to its end; ms from opening the
 * stream to EOF (the connection is opened beforehand, as a download's is by its ping).
 */
export async function receiveLibp2p (node: Libp2p, addr: string, bytes: number, timeoutMs: number): Promise<number> {
  const signal = AbortSignal.timeout(timeoutMs)
  await node.dial(multiaddr(addr), { signal })
  const t0 = now()
  const stream = await node.dialProtocol(multiaddr(addr), PUSH_PROTOCOL, { signal })
  let got = 0
  for await (const chunk of stream) {
    got += chunk.byteLength
    signal.throwIfAborted()
  }
  if (got !== bytes) throw new Error(`libp2p stream delivered ${got} bytes, expected ${bytes}`)
  return now() - t0
}

/**
 * Writes `bytes` to `path` in 1 MiB writes and fsyncs, as a download does:
 * what this machine's disk allows a download to reach. Removes the file.
 */
export async function writeAndSync (path: string, bytes: number): Promise<number> {
  const chunk = new Uint8Array(1024 * 1024).map((_, i) => (i * 31 + 1) & 0xff)
  const t0 = now()
  const handle = await open(path, 'w')
  try {
    for (let offset = 0; offset < bytes; offset += chunk.byteLength) {
      await handle.write(chunk, 0, Math.min(chunk.byteLength, bytes - offset), offset)
    }
    await handle.sync()
  } finally {
    await handle.close()
  }
  const ms = now() - t0
  await rm(path, { force: true })
  return ms
}
