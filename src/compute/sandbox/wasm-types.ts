/**
 * Value types, block types and the type section. Types are named by
 * strings ('i32', 'i64', ...) so that signatures compare as text.
 */
import { InvalidModuleError } from './errors.js'
import { ByteReader } from './wasm-bytes.js'

const SIMPLE_TYPES: Record<number, string> = {
  0x7f: 'i32',
  0x7e: 'i64',
  0x7d: 'f32',
  0x7c: 'f64',
  0x7b: 'v128',
  0x70: 'funcref',
  0x6f: 'externref'
}

/** `(ref null ht)` and `(ref ht)`, from typed function references */
const REF_NULL = 0x63
const REF = 0x64

export function readValType (r: ByteReader): string {
  const b = r.u8()
  if (b === REF_NULL || b === REF) {
    r.skipSigned(5) // heap type
    return 'ref'
  }
  const name = SIMPLE_TYPES[b]
  if (name === undefined) throw new InvalidModuleError(`unsupported value type 0x${b.toString(16)}`)
  return name
}

/** a block type: empty (0x40), one value type, or a type index (s33) */
export function skipBlockType (r: ByteReader): void {
  const b = r.peek()
  if (b === 0x40) {
    r.u8()
  } else if (b > 0x40 && b <= 0x7f) {
    readValType(r)
  } else {
    r.skipSigned(5)
  }
}

export interface FuncType {
  params: string[]
  results: string[]
}

export function signatureText (t: FuncType): string {
  return `(${t.params.join(',')})->(${t.results.join(',')})`
}

/** the type section; only function types (no GC type forms) are accepted */
export function parseTypes (body: Uint8Array | undefined): FuncType[] {
  if (body === undefined) return []
  const r = new ByteReader(body)
  const types: FuncType[] = []
  for (let n = r.u32(); n > 0; n--) {
    const form = r.u8()
    if (form !== 0x60) throw new InvalidModuleError(`unsupported type form 0x${form.toString(16)}`)
    const params: string[] = []
    for (let k = r.u32(); k > 0; k--) params.push(readValType(r))
    const results: string[] = []
    for (let k = r.u32(); k > 0; k--) results.push(readValType(r))
    types.push({ params, results })
  }
  if (!r.done) throw new InvalidModuleError('trailing bytes in the type section')
  return types
}
