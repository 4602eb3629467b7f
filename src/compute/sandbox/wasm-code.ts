/**
 * Walks the instructions of every function body, to find each
 * `memory.grow` and replace it with a call. Immediates are decoded for the
 * MVP and for the sign-extension, saturating, bulk-memory, reference-type,
 * SIMD, tail-call, exception and atomic proposals; anything else (GC, for
 * one) is refused, since we could not tell where its instructions end.
 */
import { InvalidModuleError } from './errors.js'
import { ByteReader, concatBytes, encodeU32 } from './wasm-bytes.js'
import { readValType, skipBlockType } from './wasm-types.js'

const MEMORY_GROW = 0x40

function memarg (r: ByteReader): void {
  const align = r.u32()
  if ((align & 0x40) !== 0) r.u32() // multi-memory: a memory index follows
  r.u32() // offset
}

function unsupported (op: string): never {
  throw new InvalidModuleError(`unsupported instruction ${op}`)
}

/** opcodes with no immediate */
function isBare (op: number): boolean {
  return op === 0x00 || op === 0x01 || op === 0x05 || op === 0x0a || op === 0x0b ||
    op === 0x0f || op === 0x19 || op === 0x1a || op === 0x1b ||
    (op >= 0x45 && op <= 0xc4) || op === 0xd1 || op === 0xd3
}

function skipPrefixedFC (r: ByteReader): void {
  const sub = r.u32()
  if (sub <= 7) return // saturating truncations
  switch (sub) {
    case 9: case 11: case 13: case 15: case 16: case 17: r.u32(); return
    case 8: case 10: case 12: case 14: r.u32(); r.u32(); return
    default: unsupported(`0xfc ${sub}`)
  }
}

function skipSimd (r: ByteReader): void {
  const sub = r.u32()
  if (sub <= 11 || sub === 92 || sub === 93) memarg(r)
  else if (sub === 12 || sub === 13) r.skip(16)
  else if (sub >= 21 && sub <= 34) r.skip(1)
  else if (sub >= 84 && sub <= 91) { memarg(r); r.skip(1) }
  else if (sub > 0x113) unsupported(`0xfd ${sub}`)
}

function skipAtomic (r: ByteReader): void {
  const sub = r.u32()
  if (sub === 0x03) r.skip(1) // atomic.fence
  else if (sub <= 0x02 || (sub >= 0x10 && sub <= 0x4e)) memarg(r)
  else unsupported(`0xfe ${sub}`)
}

/** skips the immediates of `op`, the reader standing right after the opcode */
function skipImmediates (r: ByteReader, op: number): void {
  if (isBare(op)) return
  if (op >= 0x20 && op <= 0x26) { r.u32(); return } // locals, globals, table.get/set
  if (op >= 0x28 && op <= 0x3e) { memarg(r); return } // loads and stores
  switch (op) {
    case 0x02: case 0x03: case 0x04: case 0x06: skipBlockType(r); return
    case 0x07: case 0x08: case 0x09: case 0x18: r.u32(); return // catch, throw, rethrow, delegate
    case 0x0c: case 0x0d: case 0xd4: case 0xd5: r.u32(); return // branches
    case 0x0e: for (let n = r.u32(); n >= 0; n--) r.u32(); return // br_table: n labels and a default
    case 0x10: case 0x12: case 0x14: case 0x15: case 0xd2: r.u32(); return // calls, ref.func
    case 0x11: case 0x13: r.u32(); r.u32(); return // call_indirect: type and table
    case 0x1c: for (let n = r.u32(); n > 0; n--) readValType(r); return // typed select
    case 0x1f: { // try_table
      skipBlockType(r)
      for (let n = r.u32(); n > 0; n--) {
        const kind = r.u8()
        if (kind <= 1) r.u32() // a tag index for catch and catch_ref
        r.u32()
      }
      return
    }
    case 0x3f: case MEMORY_GROW: r.u32(); return // memory index
    case 0x41: r.skipSigned(5); return
    case 0x42: r.skipSigned(10); return
    case 0x43: r.skip(4); return
    case 0x44: r.skip(8); return
    case 0xd0: r.skipSigned(5); return // ref.null heap type
    case 0xfc: skipPrefixedFC(r); return
    case 0xfd: skipSimd(r); return
    case 0xfe: skipAtomic(r); return
    default: unsupported(`0x${op.toString(16)}`)
  }
}

/** one function body with each `memory.grow` replaced by `replacement` */
function rewriteBody (r: ByteReader, end: number, replacement: number[]): { bytes: Uint8Array, grows: number } {
  const start = r.pos
  for (let groups = r.u32(); groups > 0; groups--) {
    r.u32()
    readValType(r)
  }
  const parts: Array<Uint8Array | number[]> = []
  let copiedTo = start
  let grows = 0
  while (r.pos < end) {
    const at = r.pos
    const op = r.u8()
    skipImmediates(r, op)
    if (op === MEMORY_GROW) {
      parts.push(r.bytes.subarray(copiedTo, at), replacement)
      copiedTo = r.pos
      grows++
    }
  }
  if (r.pos !== end) throw new InvalidModuleError('a function body ends inside an instruction')
  parts.push(r.bytes.subarray(copiedTo, end))
  return { bytes: concatBytes(parts), grows }
}

/**
 * The code section with every `memory.grow` replaced by `replacement`
 * (a call to the hook). `grows` counts the replacements.
 */
export function replaceMemoryGrows (code: Uint8Array, replacement: number[]): { code: Uint8Array, grows: number } {
  const r = new ByteReader(code)
  const count = r.u32()
  const parts: Array<Uint8Array | number[]> = [encodeU32(count)]
  let grows = 0
  for (let i = 0; i < count; i++) {
    const size = r.u32()
    const end = r.pos + size
    if (end > r.end) throw new InvalidModuleError('a function body runs past the code section')
    const body = rewriteBody(new ByteReader(r.bytes, r.pos, end), end, replacement)
    r.pos = end
    parts.push(encodeU32(body.bytes.length), body.bytes)
    grows += body.grows
  }
  if (!r.done) throw new InvalidModuleError('trailing bytes in the code section')
  return { code: concatBytes(parts), grows }
}
