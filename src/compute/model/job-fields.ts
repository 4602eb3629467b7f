/**
 * The field checkers of the job validator (job-spec.ts): each adds one
 * sentence per problem it finds, so a user fixes a job file in one pass.
 */
import { CID } from 'multiformats/cid'
import { JOB_DEFAULTS, JOB_LIMITS, RANGE_PLACEHOLDERS } from './job-limits.js'
import { rangeCount, substitute } from './job-units.js'
import type { JobSpec, ResolvedInput } from './types.js'

const UNIT_FIELDS = ['args', 'inputs', 'cost']
const RANGE_FIELDS = ['from', 'to', 'step', 'args', 'inputs']
const encoder = new TextEncoder()

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

/** The problems found so far, the list cut short at JOB_LIMITS.maxProblems. */
export class Problems {
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

export function isObject (v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function describeValue (v: unknown): string {
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

export function unknownFields (p: Problems, obj: Record<string, unknown>, known: string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) p.add(`${at(path, key)} is not a known field (known: ${known.join(', ')})`)
  }
}

export function optionalString (p: Problems, v: unknown, path: string, maxChars: number): string | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'string') {
    p.add(`${path} must be a string, got ${describeValue(v)}`)
    return undefined
  }
  if (v.length > maxChars) p.add(`${path} is ${v.length} characters long; at most ${maxChars}`)
  return v
}

export function optionalInteger (p: Problems, v: unknown, path: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    p.add(`${path} must be an integer, got ${describeValue(v)}`)
    return undefined
  }
  if (v < min || v > max) {
    p.add(`${path} (${v}) must be from ${min} to ${max}`)
    return undefined
  }
  return v
}

export function optionalBoolean (p: Problems, v: unknown, path: string): boolean | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'boolean') {
    p.add(`${path} must be true or false, got ${describeValue(v)}`)
    return undefined
  }
  return v
}

export function checkApp (p: Problems, v: unknown, resolved: boolean): string {
  if (v === undefined) {
    p.add(resolved ? 'app is missing: the CID of the WebAssembly module' : 'app is missing: the path or CID of the WebAssembly module')
    return ''
  }
  if (typeof v !== 'string' || v.trim() === '') {
    p.add(`app must be a non-empty string, got ${describeValue(v)}`)
    return ''
  }
  if (v.includes('\0') || v.length > JOB_LIMITS.maxInputChars) {
    p.add(`app must be a path or CID without NUL, at most ${JOB_LIMITS.maxInputChars} characters`)
    return ''
  }
  if (resolved && !isCid(v)) p.add(`app must be a CID in a submitted job, got ${JSON.stringify(v.slice(0, 80))}`)
  return v
}

export function checkRequirements (p: Problems, v: unknown): JobSpec['requirements'] {
  const out = { memoryMb: JOB_DEFAULTS.memoryMb as number, diskMb: JOB_DEFAULTS.diskMb as number }
  if (v === undefined) return out
  if (!isObject(v)) {
    p.add(`requirements must be an object { memoryMb, diskMb }, got ${describeValue(v)}`)
    return out
  }
  unknownFields(p, v, ['memoryMb', 'diskMb'], 'requirements')
  out.memoryMb = optionalInteger(p, v.memoryMb, 'requirements.memoryMb', JOB_LIMITS.memoryMb.min, JOB_LIMITS.memoryMb.max) ?? out.memoryMb
  out.diskMb = optionalInteger(p, v.diskMb, 'requirements.diskMb', JOB_LIMITS.diskMb.min, JOB_LIMITS.diskMb.max) ?? out.diskMb
  return out
}

export function checkResult (p: Problems, v: unknown): JobSpec['result'] {
  const out = { stdout: JOB_DEFAULTS.stdout as boolean, files: [] as string[] }
  if (v === undefined) return out
  if (!isObject(v)) {
    p.add(`result must be an object { stdout, files }, got ${describeValue(v)}`)
    return out
  }
  unknownFields(p, v, ['stdout', 'files'], 'result')
  out.stdout = optionalBoolean(p, v.stdout, 'result.stdout') ?? out.stdout
  if (v.files !== undefined) {
    if (!Array.isArray(v.files)) {
      p.add(`result.files must be a list of file names, got ${describeValue(v.files)}`)
    } else {
      if (v.files.length > JOB_LIMITS.maxResultFiles) p.add(`result.files has ${v.files.length} names; at most ${JOB_LIMITS.maxResultFiles}`)
      const seen = new Set<string>()
      v.files.forEach((f: unknown, i: number) => {
        if (typeof f !== 'string') {
          p.add(`result.files[${i}] must be a string, got ${describeValue(f)}`)
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
    p.add(`${path} must be a list of strings, got ${describeValue(v)}`)
    return []
  }
  if (v.length > JOB_LIMITS.maxArgs) p.add(`${path} has ${v.length} arguments; at most ${JOB_LIMITS.maxArgs}`)
  // argv[0] "app" and its NUL
  let bytes = 4
  const out: string[] = []
  v.forEach((a: unknown, i: number) => {
    if (typeof a !== 'string') {
      p.add(`${path}[${i}] must be a string, got ${describeValue(a)}`)
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
    p.add(`${path} must be a list, got ${describeValue(v)}`)
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
        p.add(`${where} must be a path or CID, got ${describeValue(item)}`)
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
      p.add(`${where} must be an object { name, cid } in a submitted job, got ${describeValue(item)}`)
      return
    }
    unknownFields(p, item, ['name', 'cid'], where)
    let ok = true
    if (typeof item.name !== 'string') {
      p.add(`${where}.name must be a string, got ${describeValue(item.name)}`)
      ok = false
    } else if (!isPlainName(nameOf(item.name))) {
      p.add(`${where}.name (${JSON.stringify(item.name)}) must be a plain file name: no / or \\, not . or .., no NUL, at most ${JOB_LIMITS.maxFileNameBytes} bytes`)
      ok = false
    }
    if (typeof item.cid !== 'string') {
      p.add(`${where}.cid must be a string, got ${describeValue(item.cid)}`)
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
    p.add(`${path} must be a number from 0 to ${JOB_LIMITS.maxCost}, got ${describeValue(v)}`)
    return JOB_DEFAULTS.cost
  }
  return v
}

export function checkUnits (p: Problems, v: unknown, resolved: boolean): any[] | undefined {
  if (!Array.isArray(v)) {
    p.add(`units must be a list of units { args, inputs, cost }, got ${describeValue(v)}`)
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
      p.add(`${where} must be an object { args, inputs, cost }, got ${describeValue(u)}`)
      return undefined
    }
    unknownFields(p, u, UNIT_FIELDS, where)
    const args = checkArgs(p, u.args, `${where}.args`)
    const inputs = checkInputs(p, u.inputs, `${where}.inputs`, resolved)
    const cost = checkCost(p, u.cost, `${where}.cost`)
    return resolved ? { args, inputs, cost } : { args, ...(inputs.length > 0 || u.inputs !== undefined ? { inputs } : {}), cost }
  })
}

export function checkRange (p: Problems, v: unknown, resolved: boolean): any {
  if (!isObject(v)) {
    p.add(`range must be an object { from, to, step, args, inputs }, got ${describeValue(v)}`)
    return undefined
  }
  unknownFields(p, v, RANGE_FIELDS, 'range')
  const int = (x: unknown, field: string): number | undefined => {
    if (x === undefined) {
      p.add(`range.${field} is missing`)
      return undefined
    }
    if (typeof x !== 'number' || !Number.isSafeInteger(x)) {
      p.add(`range.${field} must be an integer, got ${describeValue(x)}`)
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
