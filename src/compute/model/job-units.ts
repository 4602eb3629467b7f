/** A validated job's units: counted, and expanded from its list or its range. */
import { JOB_DEFAULTS } from './job-limits.js'
import type { ExpandedUnit, JobSpec, ResolvedJob } from './types.js'

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

/** Units of a range: one per step, the last one shorter when the step does not divide it. */
export function rangeCount (from: number, to: number, step: number): number {
  return to > from ? Math.ceil((to - from) / step) : 0
}
