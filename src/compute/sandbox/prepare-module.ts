/**
 * Turns the bytes of a unit into a module the sandbox may run: checked
 * (a WASI command importing only preview1), its memory and tables capped,
 * and memory.grow instrumented so that out-of-memory can be told apart
 * from other traps.
 */
import { MAX_MODULE_BYTES, WASM_PAGE_BYTES } from './constants.js'
import { InvalidModuleError } from './errors.js'
import { addGrowHook } from './wasm-grow-hook.js'
import { checkInterface } from './wasm-interface.js'
import { capMemory, capTables } from './wasm-limits.js'
import { joinSections, splitSections } from './wasm-sections.js'

export interface PreparedModule {
  bytes: Uint8Array
  /** the memory's maximum after the rewrite, in pages */
  capPages: number
  /** whether memory.grow was instrumented (false when the module never grows its memory) */
  growHook: boolean
}

export function prepareModule (wasm: Uint8Array, maxMemoryBytes: number): PreparedModule {
  if (wasm.length > MAX_MODULE_BYTES) throw new InvalidModuleError(`the module is larger than ${MAX_MODULE_BYTES} bytes`)
  const capPages = Math.floor(maxMemoryBytes / WASM_PAGE_BYTES)
  const sections = splitSections(wasm)
  const iface = checkInterface(sections)
  capMemory(sections, capPages)
  capTables(sections)
  const growHook = addGrowHook(sections, iface)
  return { bytes: joinSections(sections), capPages, growHook }
}
