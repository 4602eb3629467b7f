/**
 * The job validator (protocols/compute.md, "The job file"), used by the
 * client before it resolves and submits a job, and by the bootstrap again
 * when a SUBMIT arrives. It applies the defaults and lists every problem it
 * finds, one sentence each, so a user fixes a job file in one pass.
 */
import { ASSEMBLERS, JOB_DEFAULTS, JOB_LIMITS } from './job-limits.js'
import { Problems, checkApp, describeValue, checkRange, checkRequirements, checkResult, checkUnits, isObject, optionalBoolean, optionalInteger, optionalString, unknownFields } from './job-fields.js'
import type { JobSpec, ResolvedJob } from './types.js'

export { JOB_LIMITS, JOB_DEFAULTS, ASSEMBLERS, RANGE_PLACEHOLDERS } from './job-limits.js'
export { unitCount, expandUnits, expandUnit, substitute } from './job-units.js'
export { isPlainName, isCid, normalizeCid } from './job-fields.js'

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
    p.add(`a job must be a JSON object, got ${describeValue(raw)}`)
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
      p.add(`assemble must be one of ${ASSEMBLERS.map(a => JSON.stringify(a)).join(', ')}, got ${describeValue(raw.assemble)}`)
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
