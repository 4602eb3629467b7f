/**
 * The output bound: stdout and the output files share one budget. A write
 * that would pass it throws OutputLimitExceeded, which unwinds the module
 * and stops the run: output past the bound is refused, not truncated.
 */
import { ByteBuffer } from './byte-buffer.js'

export class OutputLimitExceeded extends Error {}

export class OutputBudget {
  used = 0

  constructor (readonly max: number) {}

  /** changes a buffer's size, charging or refunding the difference */
  resize (buffer: ByteBuffer, size: number): void {
    const delta = size - buffer.size
    if (delta > 0 && this.used + delta > this.max) throw new OutputLimitExceeded()
    this.used += delta
    buffer.resize(size)
  }

  writeAt (buffer: ByteBuffer, pos: number, src: Uint8Array): void {
    const end = pos + src.length
    if (end > buffer.size) this.resize(buffer, end)
    buffer.writeAt(pos, src)
  }
}

/** stderr: the first `keep` bytes are kept for diagnosis, the rest is dropped */
export class BoundedSink {
  private readonly buffer = new ByteBuffer()

  constructor (private readonly keep: number) {}

  write (src: Uint8Array): void {
    const room = this.keep - this.buffer.size
    if (room > 0) this.buffer.writeAt(this.buffer.size, src.subarray(0, room))
  }

  snapshot (): Uint8Array { return this.buffer.snapshot() }
}
