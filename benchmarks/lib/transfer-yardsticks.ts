/**
 * The transfer benchmark's yardsticks, measured in this process: N bytes
 * from a child over a raw TCP socket and over one bare libp2p stream (the
 * bytes are only counted, or hashed and written to a file as a download
 * must), and N bytes written to disk with an fsync.
 */
import { createHash } from 'node:crypto'
import { open, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { multiaddr } from '@multiformats/multiaddr'
import { now } from './clock.js'
import type { Libp2p } from 'libp2p'

export const PUSH_PROTOCOL = '/peerhive-bench/push/1.0.0'
/** the piece size downloads verify by */
const PIECE = 1024 * 1024

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
 * The bare libp2p stream again, with the work any download must do on
 * arrival and nothing of peerhive's protocol: every MiB hashed with
 * SHA-256, every byte written to a new file at `path`, then an fsync. Ms
 * from opening the stream to the fsync; the file is removed. Writes are not
 * bounded: a paused v3 stream still takes data and resets itself past its
 * read buffer, so the writes queue in memory instead (peakQueuedMiB).
 */
export async function receiveLibp2pToFile (node: Libp2p, addr: string, bytes: number, timeoutMs: number, path: string, stats: { peakQueuedMiB: number } = { peakQueuedMiB: 0 }): Promise<number> {
  const signal = AbortSignal.timeout(timeoutMs)
  await node.dial(multiaddr(addr), { signal })
  await rm(path, { force: true })
  const handle = await open(path, 'w')
  try {
    const t0 = now()
    const stream = await node.dialProtocol(multiaddr(addr), PUSH_PROTOCOL, { signal })
    let got = 0
    let inPiece = 0
    let hash = createHash('sha256')
    const writes = new Set<Promise<unknown>>()
    let failed: Error | undefined
    let queued = 0
    await new Promise<void>((resolve, reject) => {
      signal.addEventListener('abort', () => { reject(signal.reason) }, { once: true })
      // 'end': the pusher closed its side and every byte was delivered
      stream.addEventListener('end', () => { resolve() }, { once: true })
      stream.addEventListener('close', (evt: any) => { evt.error != null ? reject(evt.error) : resolve() }, { once: true })
      stream.addEventListener('message', (evt: any) => {
        const chunks: Uint8Array[] = evt.data instanceof Uint8Array ? [evt.data] : [...evt.data]
        for (let chunk of chunks) {
          while (chunk.byteLength > 0) {
            const part = chunk.subarray(0, Math.min(chunk.byteLength, PIECE - inPiece))
            hash.update(part)
            inPiece += part.byteLength
            if (inPiece === PIECE) {
              hash.digest()
              hash = createHash('sha256')
              inPiece = 0
            }
            chunk = chunk.subarray(part.byteLength)
          }
        }
        const length = chunks.reduce((n, c) => n + c.byteLength, 0)
        const write = handle.writev(chunks, got).catch((err: Error) => { failed = err })
        got += length
        queued += length
        stats.peakQueuedMiB = Math.max(stats.peakQueuedMiB, queued / PIECE)
        writes.add(write)
        void write.then(() => {
          writes.delete(write)
          queued -= length
        })
      })
    })
    await Promise.all(writes)
    if (failed != null) throw failed
    if (inPiece > 0) hash.digest()
    await handle.sync()
    await stream.close()
    if (got !== bytes) throw new Error(`libp2p stream delivered ${got} bytes, expected ${bytes}`)
    return now() - t0
  } finally {
    await handle.close()
    await rm(path, { force: true })
  }
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
