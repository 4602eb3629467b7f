/**
 * The unit's linear memory as the host sees it. Every access is checked;
 * a pointer outside the memory raises Fault, which the host turns into
 * EFAULT for the module instead of touching anything else.
 */
import { ERRNO } from './wasi-abi.js'

/** a pointer or length outside the unit's memory */
export class Fault extends Error {}

/** a WASI error code to return to the module */
export class Errno extends Error {
  constructor (readonly code: number) { super(`errno ${code}`) }
}

/** most buffers one fd_read/fd_write call may pass (POSIX IOV_MAX) */
const MAX_IOVECS = 1024

export interface IoVec { ptr: number, len: number }

export class GuestMemory {
  private memory?: WebAssembly.Memory
  private buffer?: ArrayBuffer
  private view = new DataView(new ArrayBuffer(0))
  private bytes = new Uint8Array(0)

  attach (memory: WebAssembly.Memory): void { this.memory = memory }

  get byteLength (): number { return this.memory?.buffer.byteLength ?? 0 }

  /** fresh views when the memory has grown (growing detaches the old buffer) */
  private refresh (): void {
    const buffer = this.memory?.buffer as ArrayBuffer | undefined
    if (buffer === undefined) throw new Fault('the memory is not attached yet')
    if (buffer !== this.buffer) {
      this.buffer = buffer
      this.view = new DataView(buffer)
      this.bytes = new Uint8Array(buffer)
    }
  }

  /** the unsigned address of [ptr, ptr + len), checked */
  private at (ptr: number, len: number): number {
    this.refresh()
    const start = ptr >>> 0
    if (len < 0 || start + len > this.bytes.length) throw new Fault(`bad pointer ${start}+${len}`)
    return start
  }

  // the address is computed first: it may refresh the views
  u8 (ptr: number): number { const a = this.at(ptr, 1); return this.view.getUint8(a) }
  u16 (ptr: number): number { const a = this.at(ptr, 2); return this.view.getUint16(a, true) }
  u32 (ptr: number): number { const a = this.at(ptr, 4); return this.view.getUint32(a, true) }
  u64 (ptr: number): bigint { const a = this.at(ptr, 8); return this.view.getBigUint64(a, true) }
  setU8 (ptr: number, v: number): void { const a = this.at(ptr, 1); this.view.setUint8(a, v) }
  setU16 (ptr: number, v: number): void { const a = this.at(ptr, 2); this.view.setUint16(a, v, true) }
  setU32 (ptr: number, v: number): void { const a = this.at(ptr, 4); this.view.setUint32(a, v, true) }
  setU64 (ptr: number, v: bigint): void { const a = this.at(ptr, 8); this.view.setBigUint64(a, BigInt.asUintN(64, v), true) }

  /** a view of the unit's bytes (not a copy: copy before keeping it) */
  slice (ptr: number, len: number): Uint8Array {
    const start = this.at(ptr, len >>> 0)
    return this.bytes.subarray(start, start + (len >>> 0))
  }

  write (ptr: number, src: Uint8Array): void {
    const a = this.at(ptr, src.length)
    this.bytes.set(src, a)
  }

  /** the iovec array (buf u32, buf_len u32) at `ptr` */
  iovecs (ptr: number, count: number): IoVec[] {
    if ((count >>> 0) > MAX_IOVECS) throw new Errno(ERRNO.INVAL)
    const out: IoVec[] = []
    for (let i = 0; i < count >>> 0; i++) {
      const base = (ptr >>> 0) + i * 8
      out.push({ ptr: this.u32(base), len: this.u32(base + 4) })
    }
    return out
  }
}
