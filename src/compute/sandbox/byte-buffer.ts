/** A growable byte array for stdout and output files (doubling, so appends stay linear). */
export class ByteBuffer {
  private data: Uint8Array
  size: number

  constructor (initial?: Uint8Array) {
    this.data = initial ?? new Uint8Array(0)
    this.size = this.data.length
  }

  /** copies bytes from `pos` into `dst`; returns how many */
  readAt (pos: number, dst: Uint8Array): number {
    const n = Math.max(0, Math.min(dst.length, this.size - pos))
    dst.set(this.data.subarray(pos, pos + n))
    return n
  }

  /** writes `src` at `pos`, zero-filling any gap past the end */
  writeAt (pos: number, src: Uint8Array): void {
    this.resize(Math.max(this.size, pos + src.length))
    this.data.set(src, pos)
  }

  resize (size: number): void {
    if (size > this.data.length) {
      const grown = new Uint8Array(Math.max(size, Math.min(this.data.length * 2, size + (64 << 20)), 256))
      grown.set(this.data.subarray(0, this.size))
      this.data = grown
    } else if (size < this.size) {
      this.data.fill(0, size, this.size)
    }
    this.size = size
  }

  /** a copy of the content, exactly `size` bytes */
  snapshot (): Uint8Array {
    return this.data.slice(0, this.size)
  }
}
