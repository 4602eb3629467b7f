/**
 * Preload (`node --import <this file> bin/peerhive.js ...`) that counts the
 * TCP payload bytes of every socket the process opens or accepts, closed
 * ones included, with Node's built-in `net.*.socket` diagnostics channels.
 * It changes nothing else in the process it is loaded into.
 *
 * On SIGUSR2 it writes a snapshot to $PEERHIVE_BENCH_SOCKETS_FILE. It also
 * exits when the process that started it is gone, so a benchmark that dies
 * leaves nothing running.
 */
import { subscribe } from 'node:diagnostics_channel'
import { renameSync, writeFileSync } from 'node:fs'
import type { Socket } from 'node:net'

/** Bytes of the sockets of one kind: accepted on one local port, or dialed. */
export interface SocketBucket {
  sockets: number
  open: number
  bytesRead: number
  bytesWritten: number
}

export interface SocketSnapshot {
  seq: number
  pid: number
  at: number
  /** `accepted:<local port>` or `dialed` */
  buckets: Record<string, SocketBucket>
}

const file = process.env.PEERHIVE_BENCH_SOCKETS_FILE
if (file != null && file !== '') {
  const closed = new Map<string, SocketBucket>()
  const live = new Map<Socket, string>()
  const bucket = (key: string): SocketBucket => {
    let b = closed.get(key)
    if (b == null) {
      b = { sockets: 0, open: 0, bytesRead: 0, bytesWritten: 0 }
      closed.set(key, b)
    }
    return b
  }
  const track = (socket: Socket, kind: 'accepted' | 'dialed'): void => {
    const key = kind === 'accepted' ? `accepted:${socket.localPort ?? '?'}` : 'dialed'
    bucket(key).sockets++
    live.set(socket, key)
    socket.once('close', () => {
      const b = bucket(key)
      b.bytesRead += socket.bytesRead
      b.bytesWritten += socket.bytesWritten
      live.delete(socket)
    })
  }
  subscribe('net.server.socket', (msg: any) => { track(msg.socket, 'accepted') })
  subscribe('net.client.socket', (msg: any) => { track(msg.socket, 'dialed') })

  let seq = 0
  process.on('SIGUSR2', () => {
    seq++
    const buckets: Record<string, SocketBucket> = {}
    for (const [key, b] of closed) buckets[key] = { ...b, open: 0 }
    for (const [socket, key] of live) {
      const b = buckets[key] ??= { sockets: 0, open: 0, bytesRead: 0, bytesWritten: 0 }
      b.open++
      b.bytesRead += socket.bytesRead
      b.bytesWritten += socket.bytesWritten
    }
    const snapshot: SocketSnapshot = { seq, pid: process.pid, at: performance.timeOrigin + performance.now(), buckets }
    writeFileSync(file + '.tmp', JSON.stringify(snapshot))
    renameSync(file + '.tmp', file)
  })

  const parent = process.ppid
  setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL')
  }, 500).unref()
}
