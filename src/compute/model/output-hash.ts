/**
 * The hash of a work unit's output (protocols/compute.md, "Output and its
 * hash"). Providers report it to the bootstrap, which compares replicas by
 * it; the owner checks every output it receives against it.
 */
import { createHash } from 'node:crypto'

/** What a job returns of each unit: its stdout or not, and which files of /output, in this order. */
export interface ResultSpec {
  stdout: boolean
  files: string[]
}

/** The domain separator that starts every hashed encoding. */
export const OUTPUT_HASH_PREFIX = 'peerhive/unit-output/1\0'

/** Length of an output hash in bytes (sha-256). */
export const OUTPUT_HASH_BYTES = 32

/** Files of a unit, by name: a plain object, a Map, or the `files` list of a UnitOutput message. */
export type OutputFiles = Record<string, Uint8Array> | Map<string, Uint8Array> | Array<{ name: string, data: Uint8Array }>

const NOT_WRITTEN = new Uint8Array(8).fill(0xff)

/**
 * sha256("peerhive/unit-output/1\0" || u64le(len(stdout)) || stdout || for
 * each name of `result.files`, in order: u32le(len(name)) || name ||
 * (u64le(len(data)) || data when the unit wrote it, else 8 bytes 0xff)).
 * Name lengths are UTF-8 byte lengths. stdout counts as empty when
 * `result.stdout` is false; files the unit wrote that `result.files` does not
 * name are not part of the output.
 */
export function outputHash (stdout: Uint8Array, files: OutputFiles, result: ResultSpec): Uint8Array {
  const byName = filesByName(files)
  const h = createHash('sha256')
  h.update(OUTPUT_HASH_PREFIX)
  const out = result.stdout ? stdout : new Uint8Array(0)
  h.update(u64le(out.byteLength))
  h.update(out)
  for (const name of result.files) {
    const nameBytes = Buffer.from(name, 'utf8')
    h.update(u32le(nameBytes.byteLength))
    h.update(nameBytes)
    const data = byName.get(name)
    if (data == null) {
      h.update(NOT_WRITTEN)
    } else {
      h.update(u64le(data.byteLength))
      h.update(data)
    }
  }
  return new Uint8Array(h.digest())
}

/** The bytes that count as output under `result`: stdout when asked for, plus the named files that were written. */
export function outputBytes (stdout: Uint8Array, files: OutputFiles, result: ResultSpec): number {
  const byName = filesByName(files)
  let n = result.stdout ? stdout.byteLength : 0
  for (const name of result.files) n += byName.get(name)?.byteLength ?? 0
  return n
}

/** Lower-case hex of a hash, as used in file names and logs. */
export function hashHex (hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('hex')
}

/** Constant-shape comparison of two hashes (false when either is not 32 bytes). */
export function sameHash (a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== OUTPUT_HASH_BYTES || b.byteLength !== OUTPUT_HASH_BYTES) return false
  let diff = 0
  for (let i = 0; i < OUTPUT_HASH_BYTES; i++) diff |= a[i] ^ b[i]
  return diff === 0
}

function filesByName (files: OutputFiles): Map<string, Uint8Array> {
  if (files instanceof Map) return files
  if (Array.isArray(files)) return new Map(files.map(f => [f.name, f.data]))
  return new Map(Object.entries(files))
}

function u64le (n: number): Uint8Array {
  const b = Buffer.alloc(8)
  b.writeBigUInt64LE(BigInt(n))
  return b
}

function u32le (n: number): Uint8Array {
  const b = Buffer.alloc(4)
  b.writeUInt32LE(n)
  return b
}
