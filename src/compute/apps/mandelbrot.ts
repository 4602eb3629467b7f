/**
 * The client side of the Mandelbrot example application (apps/mandelbrot):
 * splitting an image into row bands, one work unit each, and assembling the
 * bands the providers return into a PNG file.
 */
import { deflateSync } from 'node:zlib'
import type { ResolvedJob } from '../model/types.js'

export interface MandelbrotJob {
  width: number
  height: number
  /** rows per work unit; the last unit takes what is left */
  rowsPerUnit: number
  /** iterations before a point counts as inside the set (default 256) */
  maxIter?: number
  /** centre of the view in the complex plane (default -0.5 + 0i) */
  centerX?: number
  centerY?: number
  /** width of the view in the complex plane (default 3) */
  scale?: number
}

/** The limits the wasm module enforces, checked here so a bad job fails early. */
const MAX_SIDE = 65536
const MAX_ITERATIONS = 1 << 24

function checkInteger (name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in ${min}..${max}, got ${value}`)
  }
}

/**
 * The argument vectors of the work units, in row order. Each vector holds the
 * arguments after argv[0] (the sandbox passes the application name itself):
 * WIDTH HEIGHT ROW_FROM ROW_TO MAX_ITER CENTER_X CENTER_Y SCALE. The view is
 * always spelled out so every unit is self-describing.
 */
export function mandelbrotUnits (job: MandelbrotJob): string[][] {
  const { width, height, rowsPerUnit } = job
  const maxIter = job.maxIter ?? 256
  const centerX = job.centerX ?? -0.5
  const centerY = job.centerY ?? 0
  const scale = job.scale ?? 3
  checkInteger('width', width, 1, MAX_SIDE)
  checkInteger('height', height, 1, MAX_SIDE)
  checkInteger('rowsPerUnit', rowsPerUnit, 1, MAX_SIDE)
  checkInteger('maxIter', maxIter, 1, MAX_ITERATIONS)
  if (!Number.isFinite(centerX) || !Number.isFinite(centerY)) {
    throw new RangeError('centerX and centerY must be finite numbers')
  }
  if (!Number.isFinite(scale) || scale <= 0) throw new RangeError('scale must be a positive finite number')

  // String(number) is the shortest text that reads back as the same double.
  const view = [String(maxIter), String(centerX), String(centerY), String(scale)]
  const units: string[][] = []
  for (let from = 0; from < height; from += rowsPerUnit) {
    const to = Math.min(from + rowsPerUnit, height)
    units.push([String(width), String(height), String(from), String(to), ...view])
  }
  return units
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/** CRC-32 (ISO 3309, as PNG uses) of the given byte ranges, in order. */
export function crc32 (...parts: Uint8Array[]): number {
  let crc = 0xffffffff
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) crc = CRC_TABLE[(crc ^ part[i]) & 0xff] ^ (crc >>> 8)
  }
  return (crc ^ 0xffffffff) >>> 0
}

/** One PNG chunk: length, type, data, CRC over type and data. */
function chunk (type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, data.length)
  const typeBytes = new TextEncoder().encode(type)
  out.set(typeBytes, 4)
  out.set(data, 8)
  view.setUint32(8 + data.length, crc32(typeBytes, data))
  return out
}

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)

/**
 * Joins the bands (raw RGB rows, in row order, as the units returned them)
 * into an 8-bit RGB PNG. Throws a RangeError naming the first band whose size
 * is not a whole number of rows, or when the rows do not add up to `height`.
 */
export function assembleMandelbrotPng (width: number, height: number, bands: Uint8Array[]): Uint8Array {
  checkInteger('width', width, 1, MAX_SIDE)
  checkInteger('height', height, 1, MAX_SIDE)
  const rowBytes = width * 3
  let rows = 0
  bands.forEach((band, index) => {
    if (band.length === 0 || band.length % rowBytes !== 0) {
      throw new RangeError(`band ${index} has ${band.length} bytes, not a whole number of ${rowBytes}-byte rows`)
    }
    rows += band.length / rowBytes
  })
  if (rows !== height) throw new RangeError(`the bands hold ${rows} rows, the image has ${height}`)

  // Every scanline starts with filter type 0 (None).
  const raw = new Uint8Array(height * (rowBytes + 1))
  let offset = 0
  for (const band of bands) {
    for (let start = 0; start < band.length; start += rowBytes) {
      raw[offset++] = 0
      raw.set(band.subarray(start, start + rowBytes), offset)
      offset += rowBytes
    }
  }

  const header = new Uint8Array(13)
  const headerView = new DataView(header.buffer)
  headerView.setUint32(0, width)
  headerView.setUint32(4, height)
  header[8] = 8 // bit depth
  header[9] = 2 // colour type: RGB
  // compression, filter method and interlace stay 0

  const parts = [
    PNG_SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0))
  ]
  const png = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let at = 0
  for (const part of parts) {
    png.set(part, at)
    at += part.length
  }
  return png
}

/**
 * Width and height of a Mandelbrot job's image: the first two arguments of
 * its units (WIDTH HEIGHT ROW_FROM ROW_TO ..., see mandelbrotUnits),
 * taken from the range's arguments or from the first explicit unit.
 */
export function mandelbrotSize (job: Pick<ResolvedJob, 'range' | 'units'>): { width: number, height: number } {
  const args = job.range?.args ?? job.units?.[0]?.args ?? []
  const width = Number(args[0])
  const height = Number(args[1])
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw new RangeError(`cannot assemble the image: the units' first two arguments must be WIDTH and HEIGHT, got ${JSON.stringify(args.slice(0, 2))}`)
  }
  return { width, height }
}
