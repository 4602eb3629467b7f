/**
 * Checks that a module is a WASI command the sandbox can run: it imports
 * only preview1 functions, with their exact signatures, defines and exports
 * its memory, exports `_start` and has no start section.
 */
import { WASI_MODULE } from './constants.js'
import { InvalidModuleError } from './errors.js'
import { WASI_SIGNATURES, signatureLetters } from './wasi-abi.js'
import { ByteReader } from './wasm-bytes.js'
import { SECTION, findSection, type Section } from './wasm-sections.js'
import { parseTypes, signatureText, type FuncType } from './wasm-types.js'

const KIND_NAMES = ['function', 'table', 'memory', 'global', 'tag']

export interface ModuleInterface {
  types: FuncType[]
  importedFunctions: number
  /** type index of each defined function */
  functionTypes: number[]
  exportNames: Set<string>
}

function checkImports (body: Uint8Array | undefined, types: FuncType[]): number {
  if (body === undefined) return 0
  const r = new ByteReader(body)
  const count = r.u32()
  for (let i = 0; i < count; i++) {
    const module = r.name()
    const field = r.name()
    const kind = r.u8()
    if (module !== WASI_MODULE) {
      throw new InvalidModuleError(`the module imports ${module}.${field}; only ${WASI_MODULE} is provided`)
    }
    if (kind !== 0) {
      throw new InvalidModuleError(`the module imports a ${KIND_NAMES[kind] ?? 'thing'} (${field}); a unit defines its own memory and tables`)
    }
    const type = types[r.u32()]
    const expected = WASI_SIGNATURES[field]
    if (expected === undefined) throw new InvalidModuleError(`${WASI_MODULE} has no function ${field}`)
    if (type === undefined || signatureLetters(type.params, type.results) !== expected) {
      throw new InvalidModuleError(`${WASI_MODULE}.${field} is imported with the wrong signature ${type === undefined ? '?' : signatureText(type)}`)
    }
  }
  if (!r.done) throw new InvalidModuleError('trailing bytes in the import section')
  return count
}

function readFunctionTypes (body: Uint8Array | undefined): number[] {
  if (body === undefined) return []
  const r = new ByteReader(body)
  const out: number[] = []
  for (let n = r.u32(); n > 0; n--) out.push(r.u32())
  if (!r.done) throw new InvalidModuleError('trailing bytes in the function section')
  return out
}

interface Export { kind: number, index: number }

function readExports (body: Uint8Array | undefined): Map<string, Export> {
  const out = new Map<string, Export>()
  if (body === undefined) return out
  const r = new ByteReader(body)
  for (let n = r.u32(); n > 0; n--) {
    const name = r.name()
    out.set(name, { kind: r.u8(), index: r.u32() })
  }
  if (!r.done) throw new InvalidModuleError('trailing bytes in the export section')
  return out
}

export function checkInterface (sections: Section[]): ModuleInterface {
  const types = parseTypes(findSection(sections, SECTION.type)?.body)
  const importedFunctions = checkImports(findSection(sections, SECTION.import)?.body, types)
  const functionTypes = readFunctionTypes(findSection(sections, SECTION.function)?.body)
  const exports = readExports(findSection(sections, SECTION.export)?.body)

  if (findSection(sections, SECTION.start) !== undefined) {
    throw new InvalidModuleError('the module has a start section; a WASI command begins in _start')
  }
  const start = exports.get('_start')
  if (start === undefined || start.kind !== 0) throw new InvalidModuleError('not a WASI command: no _start function is exported')
  const startType = types[functionTypes[start.index - importedFunctions] ?? -1]
  if (start.index < importedFunctions || startType === undefined || startType.params.length + startType.results.length !== 0) {
    throw new InvalidModuleError('_start must be a function of the module taking and returning nothing')
  }
  const memory = exports.get('memory')
  if (memory === undefined || memory.kind !== 2) throw new InvalidModuleError('a WASI command must export its memory as "memory"')

  return { types, importedFunctions, functionTypes, exportNames: new Set(exports.keys()) }
}
