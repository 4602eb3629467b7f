/**
 * Caps the module's own memory and tables by rewriting their declared
 * maximum. Wasm memory lives outside the worker's JS heap limits, so the
 * engine itself must refuse to grow past the cap: memory.grow then returns
 * -1 inside the module.
 */
import { MAX_TABLE_ELEMENTS, WASM_PAGE_BYTES } from './constants.js'
import { InvalidModuleError, SandboxMemoryError } from './errors.js'
import { ByteReader, concatBytes, encodeU32 } from './wasm-bytes.js'
import { SECTION, findSection, type Section } from './wasm-sections.js'
import { readValType } from './wasm-types.js'

interface Limits { min: number, max?: number }

/** limits with 32-bit indexes only: flags 0 (min) or 1 (min and max) */
function readLimits (r: ByteReader, what: string): Limits {
  const flags = r.u8()
  if (flags === 0) return { min: r.u32() }
  if (flags === 1) return { min: r.u32(), max: r.u32() }
  if ((flags & 2) !== 0) throw new InvalidModuleError(`shared ${what} is not supported`)
  if ((flags & 4) !== 0) throw new InvalidModuleError(`64-bit ${what} is not supported`)
  throw new InvalidModuleError(`bad ${what} limits flags 0x${flags.toString(16)}`)
}

function encodeLimits (min: number, max: number): number[] {
  return [0x01, ...encodeU32(min), ...encodeU32(max)]
}

/** rewrites the one memory's maximum to at most `capPages` */
export function capMemory (sections: Section[], capPages: number): void {
  const section = findSection(sections, SECTION.memory)
  if (section === undefined) throw new InvalidModuleError('the module defines no memory')
  const r = new ByteReader(section.body)
  const count = r.u32()
  if (count !== 1) throw new InvalidModuleError(`the module defines ${count} memories; exactly one is supported`)
  const { min, max } = readLimits(r, 'memory')
  if (!r.done) throw new InvalidModuleError('trailing bytes in the memory section')
  if (max !== undefined && max < min) throw new InvalidModuleError('memory maximum below its initial size')
  if (min > capPages) {
    throw new SandboxMemoryError(`the module's initial memory of ${min * WASM_PAGE_BYTES} bytes exceeds the cap of ${capPages * WASM_PAGE_BYTES} bytes`)
  }
  section.body = new Uint8Array([...encodeU32(1), ...encodeLimits(min, Math.min(max ?? capPages, capPages))])
}

/** caps every table at MAX_TABLE_ELEMENTS: tables are host memory too */
export function capTables (sections: Section[]): void {
  const section = findSection(sections, SECTION.table)
  if (section === undefined) return
  const r = new ByteReader(section.body)
  const count = r.u32()
  const parts: Array<Uint8Array | number[]> = [encodeU32(count)]
  for (let i = 0; i < count; i++) {
    if (r.peek() === 0x40) throw new InvalidModuleError('tables with an initializer are not supported')
    const start = r.pos
    readValType(r)
    const refType = r.bytes.subarray(start, r.pos)
    const { min, max } = readLimits(r, 'table')
    if (min > MAX_TABLE_ELEMENTS) throw new InvalidModuleError(`a table of ${min} elements is larger than the ${MAX_TABLE_ELEMENTS} allowed`)
    parts.push(refType, encodeLimits(min, Math.min(max ?? MAX_TABLE_ELEMENTS, MAX_TABLE_ELEMENTS)))
  }
  if (!r.done) throw new InvalidModuleError('trailing bytes in the table section')
  section.body = concatBytes(parts)
}
