/**
 * Flow control and idle deadlines for transfer streams. Deadlines are on
 * progress, not on whole exchanges: a piece may take long on a slow or busy
 * link, but a stream on which nothing moves for the timeout is given up.
 */
import { PeerhiveError } from '../../core/index.js'
import type { Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

export class TransferTimeoutError extends PeerhiveError {
  constructor (message: string) {
    super(message, 'TimeoutError')
  }
}

/** An AbortSignal that fires after `ms` without a call to touch(). */
export class IdleTimer {
  private readonly controller = new AbortController()
  private readonly timer: ReturnType<typeof setTimeout>

  constructor (ms: number, what: string) {
    this.timer = setTimeout(() => { this.controller.abort(new TransferTimeoutError(`${what}: nothing moved for ${ms} ms`)) }, ms)
    this.timer.unref?.()
  }

  get signal (): AbortSignal {
    return this.controller.signal
  }

  touch (): void {
    if (!this.controller.signal.aborted) this.timer.refresh()
  }

  clear (): void {
    clearTimeout(this.timer)
  }
}

/**
 * Writes bytes that already carry their length prefix, then waits until at
 * most `maxQueued` bytes are left in the stream's own buffer. Each 'drain'
 * (the peer opened its window) or 'idle' (the buffer emptied) is progress;
 * `idleMs` without progress fails with TransferTimeoutError. So a writer
 * never runs ahead of a slow reader by more than one frame: a v3 stream
 * buffers whatever it is given.
 */
export async function sendFrame (stream: Stream, frame: Uint8Array | Uint8ArrayList, maxQueued: number, idleMs: number, signal?: AbortSignal): Promise<void> {
  stream.send(frame)
  while (stream.writeBufferLength > maxQueued) {
    await progress(stream, idleMs, signal)
  }
}

/** Resolves at the stream's next 'drain' or 'idle'; rejects when it closes, after `idleMs`, or when `signal` aborts. */
async function progress (stream: Stream, idleMs: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted()
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error): void => {
      clearTimeout(timer)
      stream.removeEventListener('drain', onProgress)
      stream.removeEventListener('idle', onProgress)
      stream.removeEventListener('close', onClose)
      signal?.removeEventListener('abort', onAbort)
      if (err == null) resolve()
      else reject(err)
    }
    const onProgress = (): void => { done() }
    const onClose = (evt: any): void => { done(evt?.error ?? new Error('the stream closed while data was still queued')) }
    const onAbort = (): void => { done(signal?.reason) }
    const timer = setTimeout(() => { done(new TransferTimeoutError(`the downloader read nothing for ${idleMs} ms`)) }, idleMs)
    stream.addEventListener('drain', onProgress)
    stream.addEventListener('idle', onProgress)
    stream.addEventListener('close', onClose)
    signal?.addEventListener('abort', onAbort)
  })
}
