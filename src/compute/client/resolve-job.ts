import { stat } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { isCid, normalizeCid, substitute } from '../model/job-spec.js'
import { InvalidJobError } from './errors.js'
import type { JobSpec, ResolvedInput, ResolvedJob } from '../model/types.js'

/** What resolving a job needs of the node. */
export interface ResolveContext {
  /** shares a regular file where it lies and answers its CID; throws ForbiddenShareError for a file the share policy forbids */
  share: (path: string) => Promise<{ cid: string }>
  /** the file name a CID is shared under (here or in the index), when known */
  nameOf: (cid: string) => Promise<string | undefined>
}

const PLACEHOLDER = /\{(from|to|index)\}/

/**
 * Turns a checked job spec into what SUBMIT carries: the app and every input
 * given as a path (relative to `baseDir`) are shared where they lie and
 * replaced by their CID; inputs given as CIDs are kept, named by the file
 * name they are shared under, else by the CID itself. A range whose inputs
 * depend on `{from}`, `{to}` or `{index}` is expanded into explicit units,
 * since each unit then has its own files. Every problem found (a missing
 * file, two inputs of one unit with one name) is reported together as an
 * InvalidJobError.
 */
export async function resolveJob (spec: JobSpec, baseDir: string, ctx: ResolveContext): Promise<ResolvedJob> {
  const problems: string[] = []
  const byPath = new Map<string, Promise<ResolvedInput | undefined>>()
  const byCid = new Map<string, Promise<string>>()

  const resolveOne = async (ref: string, where: string): Promise<ResolvedInput | undefined> => {
    // anything that parses as a CID is one; everything else is a path
    if (isCid(ref)) {
      const cid = normalizeCid(ref)
      let name = byCid.get(cid)
      if (name == null) {
        name = ctx.nameOf(cid).catch(() => undefined).then(n => n ?? cid)
        byCid.set(cid, name)
      }
      return { name: await name, cid }
    }
    const path = resolve(baseDir, ref)
    let shared = byPath.get(path)
    if (shared == null) {
      shared = (async () => {
        const info = await stat(path).catch(() => undefined)
        if (info == null) {
          problems.push(`${where}: no such file ${path}`)
          return undefined
        }
        if (!info.isFile()) {
          problems.push(`${where}: ${path} is not a regular file`)
          return undefined
        }
        try {
          const { cid } = await ctx.share(path)
          return { name: basename(path), cid }
        } catch (err: any) {
          // the share policy: never a file inside a peerhive data directory (its private key, its API token)
          if (err?.name !== 'ForbiddenShareError') throw err
          problems.push(`${where}: ${path} is inside a peerhive data directory; it is never shared, so it cannot be a job's input`)
          return undefined
        }
      })()
      byPath.set(path, shared)
    }
    return shared
  }

  const resolveInputs = async (refs: string[], where: string): Promise<ResolvedInput[]> => {
    const inputs: ResolvedInput[] = []
    const names = new Set<string>()
    for (const [i, ref] of refs.entries()) {
      const input = await resolveOne(ref, `${where} input ${i} (${ref})`)
      if (input == null) continue
      if (names.has(input.name)) problems.push(`${where}: two inputs are named ${input.name} (each unit sees its inputs under /input by name)`)
      names.add(input.name)
      inputs.push(input)
    }
    return inputs
  }

  const { app: appRef, units: unitSpecs, range, ...rest } = spec
  const app = await resolveOne(appRef, 'app')
  const resolved: Omit<ResolvedJob, 'app' | 'appName'> = { ...rest }

  if (range != null) {
    const inputs = range.inputs ?? []
    if (inputs.some(i => PLACEHOLDER.test(i))) {
      // each unit has files of its own: spell the units out
      const units: NonNullable<ResolvedJob['units']> = []
      for (let from = range.from, index = 0; from < range.to; from += range.step, index++) {
        const values = { from, to: Math.min(from + range.step, range.to), index }
        units.push({
          args: range.args.map(a => substitute(a, values)),
          inputs: await resolveInputs(inputs.map(i => substitute(i, values)), `unit ${index}`)
        })
      }
      resolved.units = units
    } else {
      resolved.range = { from: range.from, to: range.to, step: range.step, args: range.args }
      if (inputs.length > 0) resolved.range.inputs = await resolveInputs(inputs, 'range')
    }
  } else {
    const units: NonNullable<ResolvedJob['units']> = []
    for (const [index, unit] of (unitSpecs ?? []).entries()) {
      const entry: NonNullable<ResolvedJob['units']>[number] = { args: unit.args, inputs: await resolveInputs(unit.inputs ?? [], `unit ${index}`) }
      if (unit.cost != null) entry.cost = unit.cost
      units.push(entry)
    }
    resolved.units = units
  }

  if (problems.length > 0 || app == null) throw new InvalidJobError(problems)
  return { ...resolved, app: app.cid, appName: app.name }
}
