/**
 * The job validator (protocols/compute.md, "The job file"), used by the
 * client before it resolves and submits a job, and by the bootstrap again
 * when a SUBMIT arrives. It applies the defaults and lists every problem it
 * finds, one sentence each, so a user fixes a job file in one pass.
 */
import { CID } from 'multiformats/cid'
import { MAX_ARGS, MAX_ARGS_BYTES, MAX_FILE_NAME_BYTES } from '../sandbox/constants.js'
import type { ExpandedUnit, JobSpec, ResolvedInput, ResolvedJob } from './types.js'

/** Bounds of the job format (compute.md). */
export const JOB_LIMITS = {
  maxNameChars: 200,
  maxUnits: 100_000,
  /** arguments of one unit; argv[0] ("app") is added by the provider */
  maxArgs: MAX_ARGS,
  /** UTF-8 bytes of one unit's arguments, each with its NUL terminator, argv[0] included */
  maxArgsBytes: MAX_ARGS_BYTES,
  maxInputs: 256,
  maxFileNameBytes: MAX_FILE_NAME_BYTES,
  /** longest input path or CID as written in an unresolved job */
  maxInputChars: 4096,
  memoryMb: { min: 1, max: 4096 },
  diskMb: { min: 0, max: 65536 },
  replication: { min: 1, max: 16 },
  quorum: { min: 1, max: 16 },
  deadlineMs: { min: 100, max: 86_400_000 },
  maxAttempts: { max: 64 },
  priority: { min: -100, max: 100 },
  maxResultFiles: 64,
  maxOutputBytes: { min: 1, max: 64 * 1024 * 1024 },
  maxCost: 1e12,
  /** problems listed before the list is cut short */
  maxProblems: 1000
} as const

/** Defaults applied to fields a job leaves out. */
export const JOB_DEFAULTS = {
  quorum: 1,
  /** replication defaults to the quorum */
  deadlineMs: 600_000,
  /** maxAttempts defaults to replication + 3 (at most 64) */
  extraAttempts: 3,
  priority: 0,
  stdout: true,
  maxOutputBytes: 16 * 1024 * 1024,
  adaptive: false,
  memoryMb: 64,
  diskMb: 64,
  cost: 1
} as const

/** The assembly steps `job results` knows. */
export const ASSEMBLERS = ['mandelbrot-png'] as const

/** The placeholders a range may use in its args and inputs. */
export const RANGE_PLACEHOLDERS = ['from', 'to', 'index'] as const

export interface ValidateOptions {
  /**
   * True for SUBMIT: the app is a CID and inputs are `{ name, cid }`
   * @default none (required)
   */
  resolved: boolean
}

export interface Validated<T> {
  /** the job with its defaults applied; absent when there are problems */
  job?: T
  /** every problem found, one sentence each */
  problems: string[]
}

const TOP_FIELDS = ['name', 'app', 'units', 'range', 'requirements', 'replication', 'quorum', 'deadlineMs', 'maxAttempts', 'priority', 'result', 'maxOutputBytes', 'adaptive', 'assemble']
const RESOLVED_TOP_FIELDS = [...TOP_FIELDS, 'appName']
const UNIT_FIELDS = ['args', 'inputs', 'cost']
const RANGE_FIELDS = ['from', 'to', 'step', 'args', 'inputs']
const encoder = new TextEncoder()

/**
 * Checks a job and applies its defaults. With `resolved`, the app must be a
 * CID and every input a `{ name, cid }` whose name is a plain file name,
 * unique within its unit (the form SUBMIT carries); without, the app and
 * inputs are paths or CIDs (the form of a job file).
 */
export function validateJob (raw: unknown, opts: { resolved: true }): Validated<ResolvedJob>
export function validateJob (raw: unknown, opts: { resolved: false }): Validated<JobSpec>
export function validateJob (raw: unknown, opts: ValidateOptions): Validated<JobSpec | ResolvedJob>
export function validateJob (raw: unknown, opts: ValidateOptions): Validated<JobSpec | ResolvedJob> {
  const p = new Problems()
  if (!isObject(raw)) {
    p.add(`a job must be a JSON object, got ${describe(raw)}`)
    return { problems: p.list() }
  }
  unknownFields(p, raw, opts.resolved ? RESOLVED_TOP_FIELDS : TOP_FIELDS, '')

  const name = optionalString(p, raw.name, 'name', JOB_LIMITS.maxNameChars)
  const app = checkApp(p, raw.app, opts.resolved)
  const appName = opts.resolved ? optionalString(p, raw.appName, 'appName', JOB_LIMITS.maxNameChars) : undefined

  const requirements = checkRequirements(p, raw.requirements)
  const quorum = optionalInteger(p, raw.quorum, 'quorum', JOB_LIMITS.quorum.min, JOB_LIMITS.quorum.max) ?? JOB_DEFAULTS.quorum
  const replication = optionalInteger(p, raw.replication, 'replication', JOB_LIMITS.replication.min, JOB_LIMITS.replication.max) ?? quorum
  if (replication < quorum) p.add(`replication (${replication}) must be at least quorum (${quorum})`)
  const deadlineMs = optionalInteger(p, raw.deadlineMs, 'deadlineMs', JOB_LIMITS.deadlineMs.min, JOB_LIMITS.deadlineMs.max) ?? JOB_DEFAULTS.deadlineMs
  const maxAttempts = optionalInteger(p, raw.maxAttempts, 'maxAttempts', 1, JOB_LIMITS.maxAttempts.max) ??
    Math.min(JOB_LIMITS.maxAttempts.max, replication + JOB_DEFAULTS.extraAttempts)
  if (maxAttempts < replication) p.add(`maxAttempts (${maxAttempts}) must be at least replication (${replication})`)
  const priority = optionalInteger(p, raw.priority, 'priority', JOB_LIMITS.priority.min, JOB_LIMITS.priority.max) ?? JOB_DEFAULTS.priority
  const result = checkResult(p, raw.result)
  const maxOutputBytes = optionalInteger(p, raw.maxOutputBytes, 'maxOutputBytes', JOB_LIMITS.maxOutputBytes.min, JOB_LIMITS.maxOutputBytes.max) ?? JOB_DEFAULTS.maxOutputBytes
  const adaptive = optionalBoolean(p, raw.adaptive, 'adaptive') ?? JOB_DEFAULTS.adaptive
  let assemble: JobSpec['assemble']
  if (raw.assemble !== undefined) {
    if (typeof raw.assemble !== 'string' || !(ASSEMBLERS as readonly string[]).includes(raw.assemble)) {
      p.add(`assemble must be one of ${ASSEMBLERS.map(a => JSON.stringify(a)).join(', ')}, got ${describe(raw.assemble)}`)
    } else {
      assemble = raw.assemble as JobSpec['assemble']
    }
  }

  let units: any[] | undefined
  let range: any
  if (raw.units !== undefined && raw.range !== undefined) {
    p.add('a job has either units or range, not both')
  } else if (raw.units === undefined && raw.range === undefined) {
    p.add('a job needs units (a list) or range (from, to, step, args)')
  } else if (raw.units !== undefined) {
    units = checkUnits(p, raw.units, opts.resolved)
  } else {
    range = checkRange(p, raw.range, opts.resolved)
  }

  if (p.count > 0) return { problems: p.list() }
  const job: any = {
    ...(name === undefined ? {} : { name }),
    app,
    ...(opts.resolved ? { appName: appName ?? app } : {}),
    ...(units === undefined ? {} : { units }),
    ...(range === undefined ? {} : { range }),
    requirements,
    replication,
    quorum,
    deadlineMs,
    maxAttempts,
    priority,
    result,
    maxOutputBytes,
    adaptive,
    ...(assemble === undefined ? {} : { assemble })
  }
  return { job, problems: [] }
}

/** How many units a validated job has. */
export function unitCount (job: JobSpec | ResolvedJob): number {
  if (job.units != null) return job.units.length
  const r = job.range
  if (r == null) return 0
  return rangeCount(r.from, r.to, r.step)
}

/**
 * The units of a validated, resolved job: its list as given, or one unit per
 * step of its range with `{from}`, `{to}` (exclusive, capped at `to`) and
 * `{index}` replaced in args and in input names and CIDs. A range unit's
 * cost is the width of its step.
 */
export function expandUnits (job: ResolvedJob): ExpandedUnit[] {
  const n = unitCount(job)
  const out: ExpandedUnit[] = new Array(n)
  for (let i = 0; i < n; i++) out[i] = expandUnit(job, i)
  return out
}

/** Unit `index` of a validated, resolved job (see expandUnits). */
export function expandUnit (job: ResolvedJob, index: number): ExpandedUnit {
  if (job.units != null) {
    const u = job.units[index]
    if (u == null) throw new RangeError(`the job has no unit ${index}`)
    return { index, args: [...u.args], inputs: u.inputs.map(i => ({ name: i.name, cid: i.cid })), cost: u.cost ?? JOB_DEFAULTS.cost }
  }
  const r = job.range
  if (r == null) throw new RangeError('the job has neither units nor range')
  const n = rangeCount(r.from, r.to, r.step)
  if (!Number.isInteger(index) || index < 0 || index >= n) throw new RangeError(`the job has no unit ${index}`)
  const from = r.from + index * r.step
  const to = Math.min(from + r.step, r.to)
  const fill = (s: string): string => substitute(s, { from, to, index })
  return {
    index,
    args: r.args.map(fill),
    inputs: (r.inputs ?? []).map(i => ({ name: fill(i.name), cid: fill(i.cid) })),
    cost: to - from
  }
}

/** Replaces `{from}`, `{to}` and `{index}` in `text`. */
export function substitute (text: string, values: { from: number, to: number, index: number }): string {
  return text.replace(/\{(from|to|index)\}/g, (_, key: 'from' | 'to' | 'index') => String(values[key]))
}

/** Whether `name` is a plain file name: one path component, not . or .., no NUL, at most 255 UTF-8 bytes. */
export function isPlainName (name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\\') && !name.includes('\0') &&
    encoder.encode(name).length <= JOB_LIMITS.maxFileNameBytes
}

/** Whether `text` parses as a CID. */
export function isCid (text: string): boolean {
  try {
    CID.parse(text)
    return true
  } catch {
    return false
  }
}

/** A CID in one canonical form (v1, base32), so that two spellings of one CID compare equal; other text as given. */
export function normalizeCid (text: string): string {
  try {
    return CID.parse(text).toV1().toString()
  } catch {
    return text
  }
}

function rangeCount (from: number, to: number, step: number): number {
  return to > from ? Math.ceil((to - from) / step) : 0
}

class Problems {
  private readonly items: string[] = []
  count = 0

  add (problem: string): void {
    this.count++
    if (this.items.length < JOB_LIMITS.maxProblems) this.items.push(problem)
  }

  list (): string[] {
    return this.count > this.items.length ? [...this.items, `... and ${this.count - this.items.length} more problems`] : [...this.items]
  }
}

function isObject (v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function describe (v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'a list'
  if (typeof v === 'string') return v.length > 40 ? `a string (${JSON.stringify(v.slice(0, 40))}...)` : `a string (${JSON.stringify(v)})`
  if (typeof v === 'number') return `the number ${v}`
  if (typeof v === 'object') return 'an object'
  return String(typeof v === 'boolean' ? v : typeof v)
}

function at (path: string, field: string): string {
  return path === '' ? field : `${path}.${field}`
}

function unknownFields (p: Problems, obj: Record<string, unknown>, known: string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) p.add(`${at(path, key)} is not a known field (known: ${known.join(', ')})`)
  }
}

function optionalString (p: Problems, v: unknown, path: string, maxChars: number): string | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'string') {
    p.add(`${path} must be a string, got ${describe(v)}`)
    return undefined
  }
  if (v.length > maxChars) p.add(`${path} is ${v.length} characters long; at most ${maxChars}`)
  return v
}

function optionalInteger (p: Problems, v: unknown, path: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    p.add(`${path} must be an integer, got ${describe(v)}`)
    return undefined
  }
  if (v < min || v > max) {
    p.add(`${path} (${v}) must be from ${min} to ${max}`)
    return undefined
  }
  return v
}

function optionalBoolean (p: Problems, v: unknown, path: string): boolean | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'boolean') {
    p.add(`${path} must be true or false, got ${describe(v)}`)
    return undefined
  }
  return v
}

function checkApp (p: Problems, v: unknown, resolved: boolean): string {
  if (v === undefined) {
    p.add(resolved ? 'app is missing: the CID of the WebAssembly module' : 'app is missing: the path or CID of the WebAssembly module')
    return ''
  }
  if (typeof v !== 'string' || v.trim() === '') {
    p.add(`app must be a non-empty string, got ${describe(v)}`)
    return ''
  }
  if (v.includes('\0') || v.length > JOB_LIMITS.maxInputChars) {
    p.add(`app must be a path or CID without NUL, at most ${JOB_LIMITS.maxInputChars} characters`)
    return ''
  }
  if (resolved && !isCid(v)) p.add(`app must be a CID in a submitted job, got ${JSON.stringify(v.slice(0, 80))}`)
  return v
}

function checkRequirements (p: Problems, v: unknown): JobSpec['requirements'] {
  const out = { memoryMb: JOB_DEFAULTS.memoryMb as number, diskMb: JOB_DEFAULTS.diskMb as number }
  if (v === undefined) return out
  if (!isObject(v)) {
    p.add(`requirements must be an object { memoryMb, diskMb }, got ${describe(v)}`)
    return out
  }
  unknownFields(p, v, ['memoryMb', 'diskMb'], 'requirements')
  out.memoryMb = optionalInteger(p, v.memoryMb, 'requirements.memoryMb', JOB_LIMITS.memoryMb.min, JOB_LIMITS.memoryMb.max) ?? out.memoryMb
  out.diskMb = optionalInteger(p, v.diskMb, 'requirements.diskMb', JOB_LIMITS.diskMb.min, JOB_LIMITS.diskMb.max) ?? out.diskMb
  return out
}

function checkResult (p: Problems, v: unknown): JobSpec['result'] {
  const out = { stdout: JOB_DEFAULTS.stdout as boolean, files: [] as string[] }
  if (v === undefined) return out
  if (!isObject(v)) {
    p.add(`result must be an object { stdout, files }, got ${describe(v)}`)
    return out
  }
  unknownFields(p, v, ['stdout', 'files'], 'result')
  out.stdout = optionalBoolean(p, v.stdout, 'result.stdout') ?? out.stdout
  if (v.files !== undefined) {
    if (!Array.isArray(v.files)) {
      p.add(`result.files must be a list of file names, got ${describe(v.files)}`)
    } else {
      if (v.files.length > JOB_LIMITS.maxResultFiles) p.add(`result.files has ${v.files.length} names; at most ${JOB_LIMITS.maxResultFiles}`)
      const seen = new Set<string>()
      v.files.forEach((f: unknown, i: number) => {
        if (typeof f !== 'string') {
          p.add(`result.files[${i}] must be a string, got ${describe(f)}`)
        } else if (!isPlainName(f)) {
          p.add(`result.files[${i}] (${JSON.stringify(f)}) must be a plain file name: no / or \\, not . or .., no NUL, at most ${JOB_LIMITS.maxFileNameBytes} bytes`)
        } else if (seen.has(f)) {
          p.add(`result.files[${i}] (${JSON.stringify(f)}) is listed twice`)
        } else {
          seen.add(f)
          out.files.push(f)
        }
      })
    }
  }
  if (!out.stdout && out.files.length === 0 && (v.files === undefined || (Array.isArray(v.files) && v.files.length === 0))) {
    p.add('result names no output: set result.stdout to true or list result.files')
  }
  return out
}

function checkArgs (p: Problems, v: unknown, path: string): string[] {
  if (v === undefined) return []
  if (!Array.isArray(v)) {
    p.add(`${path} must be a list of strings, got ${describe(v)}`)
    return []
  }
  if (v.length > JOB_LIMITS.maxArgs) p.add(`${path} has ${v.length} arguments; at most ${JOB_LIMITS.maxArgs}`)
  // argv[0] "app" and its NUL
  let bytes = 4
  const out: string[] = []
  v.forEach((a: unknown, i: number) => {
    if (typeof a !== 'string') {
      p.add(`${path}[${i}] must be a string, got ${describe(a)}`)
    } else if (a.includes('\0')) {
      p.add(`${path}[${i}] contains a NUL character`)
    } else {
      bytes += encoder.encode(a).length + 1
      out.push(a)
    }
  })
  if (bytes > JOB_LIMITS.maxArgsBytes) p.add(`${path} take ${bytes} bytes with their NUL terminators and argv[0]; at most ${JOB_LIMITS.maxArgsBytes}`)
  return out
}

/** Inputs of one unit (or of a range): paths or CIDs, or with `resolved` `{ name, cid }`. */
function checkInputs (p: Problems, v: unknown, path: string, resolved: boolean, nameOf: (name: string) => string = n => n): Array<string | ResolvedInput> {
  if (v === undefined) return []
  if (!Array.isArray(v)) {
    p.add(`${path} must be a list, got ${describe(v)}`)
    return []
  }
  if (v.length > JOB_LIMITS.maxInputs) p.add(`${path} has ${v.length} inputs; at most ${JOB_LIMITS.maxInputs}`)
  const out: Array<string | ResolvedInput> = []
  const names = new Map<string, number>()
  const seenName = (name: string, i: number): void => {
    const first = names.get(name)
    if (first !== undefined) p.add(`${path}[${i}] has the same name (${JSON.stringify(name)}) as ${path}[${first}]; input names must be unique within a unit`)
    else names.set(name, i)
  }
  v.forEach((item: unknown, i: number) => {
    const where = `${path}[${i}]`
    if (!resolved) {
      if (typeof item !== 'string' || item.trim() === '') {
        p.add(`${where} must be a path or CID, got ${describe(item)}`)
      } else if (item.includes('\0') || item.length > JOB_LIMITS.maxInputChars) {
        p.add(`${where} must be a path or CID without NUL, at most ${JOB_LIMITS.maxInputChars} characters`)
      } else {
        out.push(item)
        // a path's file name is what the unit sees; a CID's name is only known once resolved
        if (!isCid(item)) seenName(nameOf(baseName(item)), i)
      }
      return
    }
    if (!isObject(item)) {
      p.add(`${where} must be an object { name, cid } in a submitted job, got ${describe(item)}`)
      return
    }
    unknownFields(p, item, ['name', 'cid'], where)
    let ok = true
    if (typeof item.name !== 'string') {
      p.add(`${where}.name must be a string, got ${describe(item.name)}`)
      ok = false
    } else if (!isPlainName(nameOf(item.name))) {
      p.add(`${where}.name (${JSON.stringify(item.name)}) must be a plain file name: no / or \\, not . or .., no NUL, at most ${JOB_LIMITS.maxFileNameBytes} bytes`)
      ok = false
    }
    if (typeof item.cid !== 'string') {
      p.add(`${where}.cid must be a string, got ${describe(item.cid)}`)
      ok = false
    } else if (!isCid(item.cid)) {
      p.add(`${where}.cid must be a CID, got ${JSON.stringify(item.cid.slice(0, 80))}`)
      ok = false
    }
    if (ok) {
      seenName(nameOf(item.name), i)
      out.push({ name: item.name, cid: item.cid })
    }
  })
  return out
}

function checkCost (p: Problems, v: unknown, path: string): number {
  if (v === undefined) return JOB_DEFAULTS.cost
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > JOB_LIMITS.maxCost) {
    p.add(`${path} must be a number from 0 to ${JOB_LIMITS.maxCost}, got ${describe(v)}`)
    return JOB_DEFAULTS.cost
  }
  return v
}

function checkUnits (p: Problems, v: unknown, resolved: boolean): any[] | undefined {
  if (!Array.isArray(v)) {
    p.add(`units must be a list of units { args, inputs, cost }, got ${describe(v)}`)
    return undefined
  }
  if (v.length === 0) p.add('units is empty; a job needs at least 1 unit')
  if (v.length > JOB_LIMITS.maxUnits) {
    p.add(`units has ${v.length} units; at most ${JOB_LIMITS.maxUnits}`)
    return undefined
  }
  return v.map((u: unknown, i: number) => {
    const where = `units[${i}]`
    if (!isObject(u)) {
      p.add(`${where} must be an object { args, inputs, cost }, got ${describe(u)}`)
      return undefined
    }
    unknownFields(p, u, UNIT_FIELDS, where)
    const args = checkArgs(p, u.args, `${where}.args`)
    const inputs = checkInputs(p, u.inputs, `${where}.inputs`, resolved)
    const cost = checkCost(p, u.cost, `${where}.cost`)
    return resolved ? { args, inputs, cost } : { args, ...(inputs.length > 0 || u.inputs !== undefined ? { inputs } : {}), cost }
  })
}

function checkRange (p: Problems, v: unknown, resolved: boolean): any {
  if (!isObject(v)) {
    p.add(`range must be an object { from, to, step, args, inputs }, got ${describe(v)}`)
    return undefined
  }
  unknownFields(p, v, RANGE_FIELDS, 'range')
  const int = (x: unknown, field: string): number | undefined => {
    if (x === undefined) {
      p.add(`range.${field} is missing`)
      return undefined
    }
    if (typeof x !== 'number' || !Number.isSafeInteger(x)) {
      p.add(`range.${field} must be an integer, got ${describe(x)}`)
      return undefined
    }
    return x
  }
  const from = int(v.from, 'from')
  const to = int(v.to, 'to')
  const step = int(v.step, 'step')
  if (step !== undefined && step < 1) p.add(`range.step (${step}) must be at least 1`)
  if (from !== undefined && to !== undefined) {
    if (from > to) {
      p.add(`range.from (${from}) must not be above range.to (${to})`)
    } else if (step !== undefined && step >= 1) {
      const n = rangeCount(from, to, step)
      if (n === 0) p.add(`range from ${from} to ${to} gives no unit; a job needs at least 1`)
      if (n > JOB_LIMITS.maxUnits) p.add(`range from ${from} to ${to} by ${step} gives ${n} units; at most ${JOB_LIMITS.maxUnits}`)
    }
  }
  if (v.args === undefined) p.add('range.args is missing: the arguments of each unit, with {from}, {to} or {index}')
  const args = checkArgs(p, v.args, 'range.args')
  // names are checked with a sample substitution: placeholders expand to digits
  const sample = (s: string): string => substitute(s, { from: 0, to: 1, index: 0 })
  const inputs = checkInputs(p, v.inputs, 'range.inputs', resolved, sample)
  const texts = [...args, ...inputs.flatMap(i => typeof i === 'string' ? [i] : [i.name, i.cid])]
  let used = false
  for (const t of texts) {
    for (const m of t.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
      if ((RANGE_PLACEHOLDERS as readonly string[]).includes(m[1])) used = true
      else p.add(`range: unknown placeholder {${m[1]}} in ${JSON.stringify(t.slice(0, 80))}; use {from}, {to} or {index}`)
    }
  }
  if (!used && from !== undefined && to !== undefined && step !== undefined && rangeCount(from, to, step) > 1) {
    p.add('range: args and inputs use none of {from}, {to}, {index}, so every unit would be the same')
  }
  return { from, to, step, args, ...(v.inputs === undefined ? {} : { inputs }) }
}

function baseName (path: string): string {
  const parts = path.split(/[/\\]/)
  return parts[parts.length - 1]
}
