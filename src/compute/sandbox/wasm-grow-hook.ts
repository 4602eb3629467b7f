/**
 * Makes a failed `memory.grow` visible to the host. Every `memory.grow` in
 * the module becomes a call to an added function that grows the memory and,
 * when that fails (the cap was reached), sets an added exported global. A
 * run that then ends abnormally is reported as out of memory, whatever the
 * module's memory size was when it stopped.
 *
 * Functions, types and globals are appended at the end of their index
 * spaces, so no existing index moves.
 */
import { InvalidModuleError } from './errors.js'
import { concatBytes, encodeName, encodeU32 } from './wasm-bytes.js'
import { replaceMemoryGrows } from './wasm-code.js'
import type { ModuleInterface } from './wasm-interface.js'
import { SECTION, appendToVector, findSection, putSection, readVector, type Section } from './wasm-sections.js'

/** the exported global that reads 1 once a memory.grow has failed */
export const GROW_FAILED_EXPORT = '__peerhive_grow_failed'

const I32 = 0x7f
const OP = { localGet: 0x20, localTee: 0x22, globalSet: 0x24, memoryGrow: 0x40, i32Const: 0x41, i32Eq: 0x46, if: 0x04, end: 0x0b, call: 0x10 }

/** (param $pages i32) (result i32) (local $old i32): grow, and flag a failure */
function hookBody (globalIndex: number): Uint8Array {
  const code = [
    0x01, 0x01, I32, // one local i32
    OP.localGet, 0x00,
    OP.memoryGrow, 0x00,
    OP.localTee, 0x01,
    OP.i32Const, 0x7f, // -1
    OP.i32Eq,
    OP.if, 0x40,
    OP.i32Const, 0x01,
    OP.globalSet, ...encodeU32(globalIndex),
    OP.end,
    OP.localGet, 0x01,
    OP.end
  ]
  return concatBytes([encodeU32(code.length), code])
}

/** instruments the module; returns false when it has no memory.grow at all */
export function addGrowHook (sections: Section[], iface: ModuleInterface): boolean {
  const code = findSection(sections, SECTION.code)
  if (code === undefined) return false
  if (iface.exportNames.has(GROW_FAILED_EXPORT)) throw new InvalidModuleError(`the export name ${GROW_FAILED_EXPORT} is reserved`)

  const hookIndex = iface.importedFunctions + iface.functionTypes.length
  const replaced = replaceMemoryGrows(code.body, [OP.call, ...encodeU32(hookIndex)])
  if (replaced.grows === 0) return false

  const typeIndex = iface.types.length
  const globalIndex = readVector(findSection(sections, SECTION.global)?.body).count // no global is imported
  putSection(sections, SECTION.type, appendToVector(findSection(sections, SECTION.type)?.body, [0x60, 0x01, I32, 0x01, I32]))
  putSection(sections, SECTION.function, appendToVector(findSection(sections, SECTION.function)?.body, encodeU32(typeIndex)))
  putSection(sections, SECTION.global, appendToVector(findSection(sections, SECTION.global)?.body, [I32, 0x01, OP.i32Const, 0x00, OP.end]))
  putSection(sections, SECTION.export, appendToVector(findSection(sections, SECTION.export)?.body,
    [...encodeName(GROW_FAILED_EXPORT), 0x03, ...encodeU32(globalIndex)]))
  putSection(sections, SECTION.code, appendToVector(replaced.code, hookBody(globalIndex)))
  return true
}
