import { mkdir, rename, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { BUILTIN_ASSEMBLERS, type Assembler } from '../apps/index.js'
import type { JobResults, JobState, ResolvedJob, UnitState } from '../model/types.js'

/** What `job results` needs of one unit's output (the fields of a UnitOutput message). */
export interface UnitOutputData {
  stdout: Uint8Array
  files: Array<{ name: string, data: Uint8Array }>
}

/** One unit in results.json. */
export interface UnitResultEntry {
  index: number
  /** hex sha256 of the unit's output (protocols/compute.md) */
  hash: string
  /** the stdout file, relative to the results folder, when the job returns stdout */
  stdout?: string
  /** the output files the unit wrote, relative to the results folder, in the job's order */
  files: string[]
}

/** results.json: what `job results` wrote, in unit order. */
export interface ResultsSummary {
  id: string
  name: string
  state: JobState
  /** every unit is valid and written */
  complete: boolean
  units: UnitResultEntry[]
  /** units not valid (yet), with their state */
  missing: Array<{ index: number, state: UnitState }>
  /**
   * the assembled image, when the job asks for one and every unit is valid:
   * its absolute path in what `results()` returns; in results.json, its name
   * relative to the results folder (like the other entries), so the folder
   * can be moved
   */
  image?: string
  /** absolute path of the results folder (not written to results.json) */
  outDir?: string
}

export interface WriteResultsOptions {
  /**
   * Outputs fetched ahead of the one being written.
   * @default 4
   */
  concurrency?: number
  /**
   * Aborting it stops fetching and writing outputs.
   * @default none
   */
  signal?: AbortSignal
  /**
   * Told after each unit is written, in unit order
   * @default none
   */
  onUnit?: (entry: UnitResultEntry, written: number, total: number) => void
  /**
   * The assembly steps, by the name a job's `assemble` gives.
   * @default BUILTIN_ASSEMBLERS (src/compute/apps/assemblers.ts)
   */
  assemblers?: Record<string, Assembler>
}

export const RESULTS_FILE = 'results.json'
/** The file the Mandelbrot example's assembly writes. */
export const IMAGE_FILE = BUILTIN_ASSEMBLERS['mandelbrot-png'].file

/** `unit-000042`: the base name of a unit's outputs; six digits keep a folder listing in unit order. */
export function unitBaseName (index: number): string {
  return `unit-${String(index).padStart(6, '0')}`
}

/** An output file name the job declared, checked again before it becomes a path. */
function safeFileName (name: string): string {
  // eslint-disable-next-line no-control-regex
  if (name === '' || name === '.' || name === '..' || /[/\\\u0000]/.test(name) || name.length > 255) {
    throw new RangeError(`output file name ${JSON.stringify(name)} cannot be written (no folders, no "..")`)
  }
  return name
}

async function writeAtomic (path: string, data: Uint8Array | string): Promise<void> {
  await writeFile(path + '.part', data)
  await rename(path + '.part', path)
}

/**
 * Writes the outputs of a job's valid units into `outDir`, in unit order:
 * `unit-000000.stdout` (when the job returns stdout), `unit-000000/<file>`
 * for each output file the unit wrote, then `results.json`, and the file of
 * the job's assembly step (its `assemble`) when every unit is valid.
 * `fetch` gets a unit's output (already checked against `hash`); up to
 * `concurrency` are fetched ahead of the one being written.
 */
export async function writeResults (outDir: string, job: ResolvedJob, results: JobResults, fetch: (unit: { index: number, hash: string, holders: string[] }) => Promise<UnitOutputData>, opts: WriteResultsOptions = {}): Promise<ResultsSummary> {
  await mkdir(outDir, { recursive: true })
  const units = [...results.units].sort((a, b) => a.index - b.index)
  const valid = units.filter((u): u is typeof u & { hash: string } => u.state === 'valid' && typeof u.hash === 'string')
  const missing = units.filter(u => !(u.state === 'valid' && typeof u.hash === 'string')).map(u => ({ index: u.index, state: u.state }))
  const wantedFiles = job.result.files.map(safeFileName)
  const assembler = job.assemble == null ? undefined : (opts.assemblers ?? BUILTIN_ASSEMBLERS)[job.assemble]
  if (job.assemble != null && assembler == null) throw new RangeError(`no assembly step named ${JSON.stringify(job.assemble)}`)
  const assemble = assembler != null && missing.length === 0 && valid.length > 0
  const stdouts: Uint8Array[] = []
  const entries: UnitResultEntry[] = []

  // fetch ahead, write in order
  const concurrency = Math.max(1, opts.concurrency ?? 4)
  const pending: Array<Promise<UnitOutputData>> = []
  let next = 0
  const fill = (): void => {
    while (next < valid.length && pending.length < concurrency) {
      const p = fetch(valid[next++])
      p.catch(() => {}) // awaited in order below; no unhandled rejection meanwhile
      pending.push(p)
    }
  }
  fill()
  for (const unit of valid) {
    opts.signal?.throwIfAborted()
    const output = await (pending.shift() as Promise<UnitOutputData>)
    fill()
    const base = unitBaseName(unit.index)
    const entry: UnitResultEntry = { index: unit.index, hash: unit.hash, ...(job.result.stdout ? { stdout: `${base}.stdout` } : {}), files: [] }
    if (entry.stdout != null) await writeAtomic(join(outDir, entry.stdout), output.stdout)
    const byName = new Map(output.files.map(f => [f.name, f.data]))
    if (wantedFiles.some(name => byName.has(name))) await mkdir(join(outDir, base), { recursive: true })
    for (const name of wantedFiles) {
      const data = byName.get(name)
      if (data == null) continue
      await writeAtomic(join(outDir, base, name), data)
      entry.files.push(`${base}/${name}`)
    }
    if (assemble) stdouts.push(output.stdout)
    entries.push(entry)
    opts.onUnit?.(entry, entries.length, valid.length)
  }

  const summary: ResultsSummary = {
    id: results.id,
    name: job.name ?? '',
    state: results.state,
    complete: missing.length === 0,
    units: entries,
    missing
  }
  if (assemble) {
    await writeAtomic(join(outDir, assembler.file), assembler.assemble(job, stdouts))
    summary.image = assembler.file
  }
  await writeAtomic(join(outDir, RESULTS_FILE), JSON.stringify(summary, null, 2) + '\n')
  const absDir = resolve(outDir)
  return { ...summary, ...(summary.image == null ? {} : { image: join(absDir, summary.image) }), outDir: absDir }
}
