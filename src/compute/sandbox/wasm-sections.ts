/**
 * A module as a list of sections: split, find, replace and join them
 * again. Sections must come in the order the spec gives, at most once each.
 */
import { InvalidModuleError } from './errors.js'
import { ByteReader, concatBytes, encodeU32 } from './wasm-bytes.js'

export const SECTION = {
  custom: 0,
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  start: 8,
  element: 9,
  code: 10,
  data: 11,
  dataCount: 12,
  tag: 13
} as const

/** position of each known section id in the required order (the tag section sits between memory and global) */
const ORDER: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 }

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]

export interface Section {
  id: number
  /** the section's content, without its id and size */
  body: Uint8Array
}

export function splitSections (bytes: Uint8Array): Section[] {
  if (bytes.length < 8 || !HEADER.every((b, i) => bytes[i] === b)) {
    throw new InvalidModuleError('not a WebAssembly module (bad magic number or version)')
  }
  const reader = new ByteReader(bytes, 8)
  const sections: Section[] = []
  let lastRank = 0
  while (!reader.done) {
    const id = reader.u8()
    const body = reader.take(reader.u32())
    if (id !== SECTION.custom) {
      const rank = ORDER[id]
      if (rank === undefined) throw new InvalidModuleError(`unknown section id ${id}`)
      if (rank <= lastRank) throw new InvalidModuleError(`section id ${id} is out of order or repeated`)
      lastRank = rank
    }
    sections.push({ id, body })
  }
  return sections
}

export function joinSections (sections: Section[]): Uint8Array {
  const parts: Array<Uint8Array | number[]> = [HEADER]
  for (const s of sections) parts.push([s.id, ...encodeU32(s.body.length)], s.body)
  return concatBytes(parts)
}

export function findSection (sections: Section[], id: number): Section | undefined {
  return sections.find(s => s.id === id)
}

/** replaces the section with `id`, or inserts it at its place in the order */
export function putSection (sections: Section[], id: number, body: Uint8Array): void {
  const existing = findSection(sections, id)
  if (existing !== undefined) {
    existing.body = body
    return
  }
  const rank = ORDER[id]
  const at = sections.findIndex(s => s.id !== SECTION.custom && ORDER[s.id] > rank)
  sections.splice(at === -1 ? sections.length : at, 0, { id, body })
}

/** a vector section's entry count, and its entries' bytes */
export function readVector (body: Uint8Array | undefined): { count: number, entries: Uint8Array } {
  if (body === undefined) return { count: 0, entries: new Uint8Array(0) }
  const reader = new ByteReader(body)
  const count = reader.u32()
  return { count, entries: body.subarray(reader.pos) }
}

/** a vector section with one more entry at its end (indexes of the others do not move) */
export function appendToVector (body: Uint8Array | undefined, entry: Uint8Array | number[]): Uint8Array {
  const { count, entries } = readVector(body)
  return concatBytes([encodeU32(count + 1), entries, entry])
}
