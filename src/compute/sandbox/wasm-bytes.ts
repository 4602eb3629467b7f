/**
 * The WebAssembly binary encoding at the byte level: a bounds-checked
 * reader (LEB128 integers, names) and the encoders we need to write
 * sections back. Every malformed input ends in InvalidModuleError.
 */
import { InvalidModuleError } from './errors.js'

const utf8 = new TextDecoder('utf-8', { fatal: true })

export class ByteReader {
  pos: number

  constructor (readonly bytes: Uint8Array, start = 0, readonly end = bytes.length) {
    this.pos = start
  }

  get done (): boolean { return this.pos >= this.end }

  u8 (): number {
    if (this.pos >= this.end) throw new InvalidModuleError('unexpected end of the module')
    return this.bytes[this.pos++]
  }

  peek (): number {
    if (this.pos >= this.end) throw new InvalidModuleError('unexpected end of the module')
    return this.bytes[this.pos]
  }

  /** unsigned LEB128 of at most 32 bits */
  u32 (): number {
    let result = 0
    for (let shift = 0; ; shift += 7) {
      const b = this.u8()
      if (shift === 28 && (b & 0xf0) !== 0) throw new InvalidModuleError('LEB128 integer too large')
      result += (b & 0x7f) * 2 ** shift
      if ((b & 0x80) === 0) return result
    }
  }

  /** skips a signed LEB128 of at most `maxBytes` bytes (its value is never needed) */
  skipSigned (maxBytes: number): void {
    for (let i = 0; i < maxBytes; i++) {
      if ((this.u8() & 0x80) === 0) return
    }
    throw new InvalidModuleError('LEB128 integer too large')
  }

  skip (n: number): void {
    if (n > this.end - this.pos) throw new InvalidModuleError('unexpected end of the module')
    this.pos += n
  }

  take (n: number): Uint8Array {
    const start = this.pos
    this.skip(n)
    return this.bytes.subarray(start, this.pos)
  }

  name (): string {
    try {
      return utf8.decode(this.take(this.u32()))
    } catch (err: any) {
      if (err instanceof InvalidModuleError) throw err
      throw new InvalidModuleError('a name is not valid UTF-8')
    }
  }
}

/** unsigned LEB128 */
export function encodeU32 (value: number): number[] {
  const out: number[] = []
  do {
    let b = value & 0x7f
    value = Math.floor(value / 128)
    if (value !== 0) b |= 0x80
    out.push(b)
  } while (value !== 0)
  return out
}

export function encodeName (name: string): number[] {
  const bytes = new TextEncoder().encode(name)
  return [...encodeU32(bytes.length), ...bytes]
}

export function concatBytes (parts: Array<Uint8Array | number[]>): Uint8Array {
  let total = 0
  for (const p of parts) total += p.length
  const out = new Uint8Array(total)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
