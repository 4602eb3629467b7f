import { isAbsolute } from 'node:path'
import { InvalidOptionError } from '../core/index.js'

/**
 * The checks of the local API's body fields. Each throws InvalidOptionError
 * (HTTP 400) naming the field, so that a wrong body never reaches the file
 * system or the network as a raw TypeError (HTTP 500).
 */

/** A path on this machine: text, no NUL byte (Node refuses it with a raw TypeError), absolute (the CLI resolves it). */
export function requirePath (value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new InvalidOptionError(`${field} must be given as a path (non-empty text)`)
  if (value.includes('\0')) throw new InvalidOptionError(`${field} must not contain a NUL byte`)
  if (!isAbsolute(value)) throw new InvalidOptionError(`${field} must be an absolute path, got ${JSON.stringify(value.slice(0, 200))}`)
  return value
}

/** requirePath, when the field is given at all. */
export function optionalPath (value: unknown, field: string): string | undefined {
  if (value == null || value === '') return undefined
  return requirePath(value, field)
}

/** A non-empty list of paths. */
export function requirePaths (value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.length === 0) throw new InvalidOptionError(`${field} must be given as a non-empty list of paths`)
  return value.map((v, i) => requirePath(v, `${field}[${i}]`))
}

/** A whole number in min..max, when the field is given at all. */
export function optionalInteger (value: unknown, field: string, min: number, max: number): number | undefined {
  if (value == null) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new InvalidOptionError(`${field} must be a whole number in ${min}..${max}`)
  return value
}
