// Mandelbrot band renderer, a CPU-bound example compute application.
//
//   mandelbrot WIDTH HEIGHT ROW_FROM ROW_TO [MAX_ITER] [CENTER_X CENTER_Y SCALE]
//
// Writes raw RGB (3 bytes per pixel) for rows ROW_FROM..ROW_TO-1, each row left
// to right. SCALE is the width of the view in the complex plane; pixels are
// square and row 0 is the top (largest imaginary part). Every pixel depends only
// on its own (column, row), never on the band, so bands from different providers
// concatenate into exactly the image a single run would produce, and all the
// arithmetic is plain IEEE f64 wasm, which is deterministic across engines.

import { Bytes, fail, writeStdout } from "../shared/io";

const APP = "mandelbrot";
const USAGE = "usage: mandelbrot WIDTH HEIGHT ROW_FROM ROW_TO [MAX_ITER] [CENTER_X CENTER_Y SCALE]";

const MAX_SIDE: i64 = 65536;
const MAX_ITERATIONS: i64 = 1 << 24;
const DEFAULT_MAX_ITER = 256;
const DEFAULT_CENTER_X = -0.5;
const DEFAULT_CENTER_Y = 0.0;
const DEFAULT_SCALE = 3.0;

// A large escape radius (16) makes the smooth iteration count smooth.
const BAILOUT: f64 = 256.0;
// Fixed-point palette position: 32 units per iteration, 256 units per stop,
// so colours pass one stop every 8 iterations.
const UNITS_PER_ITERATION: f64 = 32.0;

// Cyclic gradient stops (RGB); none is black, which marks points in the set.
const STOPS = 5;
const PALETTE: StaticArray<u8> = [
  8, 16, 72, // midnight
  24, 96, 184, // azure
  224, 244, 250, // ice
  250, 180, 40, // amber
  150, 40, 10 // ember
];

const FLUSH_BYTES: i32 = 1 << 16;

/** A non-negative decimal integer of at most 12 digits, or -1. */
function parseCount(text: string): i64 {
  const len = text.length;
  if (len == 0 || len > 12) return -1;
  let value: i64 = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    value = value * 10 + (c - 0x30);
  }
  return value;
}

/** A finite decimal number ([+-]digits[.digits][e[+-]digits]), or NaN. */
function parseNumber(text: string): f64 {
  const len = text.length;
  let i = 0;
  if (i < len && (text.charCodeAt(i) == 0x2b || text.charCodeAt(i) == 0x2d)) i++;
  let digits = 0;
  while (i < len && isDigit(text.charCodeAt(i))) { i++; digits++; }
  if (i < len && text.charCodeAt(i) == 0x2e) {
    i++;
    while (i < len && isDigit(text.charCodeAt(i))) { i++; digits++; }
  }
  if (digits == 0) return NaN;
  if (i < len && (text.charCodeAt(i) | 0x20) == 0x65) {
    i++;
    if (i < len && (text.charCodeAt(i) == 0x2b || text.charCodeAt(i) == 0x2d)) i++;
    let exponentDigits = 0;
    while (i < len && isDigit(text.charCodeAt(i))) { i++; exponentDigits++; }
    if (exponentDigits == 0) return NaN;
  }
  if (i != len) return NaN;
  const value = parseFloat(text);
  return isFinite(value) ? value : NaN;
}

// @ts-ignore: decorator
@inline function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

function usage(problem: string): void {
  fail(APP, problem + "\n" + USAGE, 2);
}

/**
 * Smooth escape count of c = cx + i*cy, or -1 when c is taken to be in the set
 * (it did not escape within maxIter iterations, or it lies in the main
 * cardioid or the period-2 bulb, which never escape: skipping them saves time).
 */
function escapeCount(cx: f64, cy: f64, maxIter: i32): f64 {
  const xq = cx - 0.25;
  const q = xq * xq + cy * cy;
  if (q * (q + xq) <= 0.25 * cy * cy) return -1;
  const xb = cx + 1.0;
  if (xb * xb + cy * cy <= 0.0625) return -1;

  let x = 0.0, y = 0.0, x2 = 0.0, y2 = 0.0;
  for (let n = 1; n <= maxIter; n++) {
    y = 2.0 * x * y + cy;
    x = x2 - y2 + cx;
    x2 = x * x;
    y2 = y * y;
    const r2 = x2 + y2;
    if (r2 > BAILOUT) {
      // n + 1 - log2(ln|z|); clamped because huge |c| gives -Infinity or NaN.
      const nu = <f64>n + 1.0 - Math.log2(0.5 * Math.log(r2));
      return nu > 0.0 ? nu : 0.0;
    }
  }
  return -1;
}

/** Stores the colour of one pixel at `out`. */
function paint(out: usize, nu: f64): void {
  if (nu < 0.0) {
    store<u8>(out, 0);
    store<u8>(out, 0, 1);
    store<u8>(out, 0, 2);
    return;
  }
  // Integer interpolation from here on keeps rounding out of the colours.
  const position = <u32>(nu * UNITS_PER_ITERATION);
  const stop = (position >>> 8) % STOPS;
  const next = (stop + 1) % STOPS;
  const frac = position & 255;
  for (let channel: u32 = 0; channel < 3; channel++) {
    const a = <u32>unchecked(PALETTE[stop * 3 + channel]);
    const b = <u32>unchecked(PALETTE[next * 3 + channel]);
    store<u8>(out + channel, <u8>((a * (256 - frac) + b * frac) >>> 8));
  }
}

function main(): void {
  const argv = process.argv;
  const argc = argv.length;
  if (argc != 5 && argc != 6 && argc != 9) {
    usage("expected 4, 5 or 8 arguments, got " + (argc - 1).toString());
    return;
  }
  const width = parseCount(argv[1]);
  const height = parseCount(argv[2]);
  const rowFrom = parseCount(argv[3]);
  const rowTo = parseCount(argv[4]);
  if (width < 1 || width > MAX_SIDE) return usage("WIDTH must be an integer in 1..65536");
  if (height < 1 || height > MAX_SIDE) return usage("HEIGHT must be an integer in 1..65536");
  if (rowFrom < 0 || rowTo <= rowFrom || rowTo > height) {
    return usage("ROW_FROM and ROW_TO must satisfy 0 <= ROW_FROM < ROW_TO <= HEIGHT");
  }
  let maxIter: i64 = DEFAULT_MAX_ITER;
  if (argc >= 6) {
    maxIter = parseCount(argv[5]);
    if (maxIter < 1 || maxIter > MAX_ITERATIONS) return usage("MAX_ITER must be an integer in 1..16777216");
  }
  let centerX = DEFAULT_CENTER_X, centerY = DEFAULT_CENTER_Y, scale = DEFAULT_SCALE;
  if (argc == 9) {
    centerX = parseNumber(argv[6]);
    centerY = parseNumber(argv[7]);
    scale = parseNumber(argv[8]);
    if (isNaN(centerX) || isNaN(centerY)) return usage("CENTER_X and CENTER_Y must be finite numbers");
    if (isNaN(scale) || scale <= 0.0) return usage("SCALE must be a positive finite number");
  }
  render(<i32>width, <i32>height, <i32>rowFrom, <i32>rowTo, <i32>maxIter, centerX, centerY, scale);
}

function render(
  width: i32, height: i32, rowFrom: i32, rowTo: i32, maxIter: i32,
  centerX: f64, centerY: f64, scale: f64
): void {
  const rowBytes = width * 3;
  const rowsPerFlush = max(1, FLUSH_BYTES / rowBytes);
  const buffer = new Bytes(<usize>(rowsPerFlush * rowBytes));
  const step = scale / <f64>width;
  const halfWidth = <f64>width * 0.5;
  const halfHeight = <f64>height * 0.5;
  for (let row = rowFrom; row < rowTo; row++) {
    const cy = centerY - (<f64>row + 0.5 - halfHeight) * step;
    const out = buffer.ptr + buffer.length;
    for (let column = 0; column < width; column++) {
      const cx = centerX + (<f64>column + 0.5 - halfWidth) * step;
      paint(out + <usize>(column * 3), escapeCount(cx, cy, maxIter));
    }
    buffer.length += <usize>rowBytes;
    if (buffer.length + <usize>rowBytes > buffer.capacity) {
      writeStdout(APP, buffer.ptr, buffer.length);
      buffer.length = 0;
    }
  }
  if (buffer.length > 0) writeStdout(APP, buffer.ptr, buffer.length);
}

main();
