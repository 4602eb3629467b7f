import { readFileSync } from 'node:fs'
import { appPath, assembleMandelbrotPng, mandelbrotUnits, type MandelbrotJob } from '../../src/compute/apps/index.js'
import { runUnit } from '../../src/compute/sandbox/index.js'

/** The PNG of `image` rendered here, band by band in this process's own sandbox: what a job's results must equal. */
export async function referenceMandelbrotPng (image: MandelbrotJob): Promise<Buffer> {
  const wasm = readFileSync(appPath('mandelbrot'))
  const bands: Uint8Array[] = []
  for (const args of mandelbrotUnits(image)) {
    const run = await runUnit({ wasm, args: ['app', ...args], timeoutMs: 60_000, maxMemoryBytes: 64 * 1024 * 1024, maxOutputBytes: 16 * 1024 * 1024 })
    if (run.exitCode !== 0) throw new Error(`rendering band ${args[2]}..${args[3]} exited ${run.exitCode}`)
    bands.push(run.stdout)
  }
  return Buffer.from(assembleMandelbrotPng(image.width, image.height, bands))
}

/** A job file's content that renders `image` with the Mandelbrot app, one band of rowsPerUnit rows per unit, quorum 2 of 2; `over` replaces fields. */
export function mandelbrotJobSpec (image: MandelbrotJob, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'mandelbrot',
    app: appPath('mandelbrot'),
    range: { from: 0, to: image.height, step: image.rowsPerUnit, args: [String(image.width), String(image.height), '{from}', '{to}', String(image.maxIter)] },
    requirements: { memoryMb: 64, diskMb: 1 },
    replication: 2,
    quorum: 2,
    deadlineMs: 30_000,
    maxAttempts: 8,
    result: { stdout: true, files: [] },
    adaptive: false,
    assemble: 'mandelbrot-png',
    ...over
  }
}
