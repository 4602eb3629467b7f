/**
 * The example compute applications shipped with peerhive (built from apps/
 * by scripts/build-apps.js) and their client-side helpers.
 */
import { fileURLToPath } from 'node:url'

export { assembleMandelbrotPng, crc32, mandelbrotSize, mandelbrotUnits } from './mandelbrot.js'
export { BUILTIN_ASSEMBLERS } from './assemblers.js'
export type { Assembler } from './assemblers.js'
export type { MandelbrotJob } from './mandelbrot.js'

/** The applications the build produces. */
export const APP_NAMES = ['mandelbrot', 'wordcount'] as const

/**
 * Absolute path of the built module of application `name`. This file compiles
 * to <outDir>/src/compute/apps/index.js and the modules sit in <outDir>/apps/.
 */
export function appPath (name: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new RangeError(`invalid application name: ${name}`)
  return fileURLToPath(new URL(`../../../apps/${name}.wasm`, import.meta.url))
}
