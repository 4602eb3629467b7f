/** The JSON answers of /peerhive/jobs/1.0.0 (src/compute/model/types.ts), built from the work manager's state. */
import { MAX_JOB_ERRORS } from './constants.js'
import { providerLevel } from './priority.js'
import type { JobRt, ProviderRt } from './model.js'
import type { JobRow } from './store.js'
import type { JobStatus, ProviderInfo } from '../../src/compute/index.js'

/** STATUS of a running job (or one that just ended and is still in memory). */
export function jobStatus (job: JobRt, now: number): JobStatus {
  const valid = job.unitStates.valid
  const status: JobStatus = {
    id: job.id,
    name: job.name,
    owner: job.owner,
    state: job.state,
    submittedAt: job.submittedAt,
    ...(job.finishedAt == null ? {} : { finishedAt: job.finishedAt }),
    units: job.unitCount,
    unitStates: { ...job.unitStates },
    replicaStates: { ...job.replicaStates },
    soloValidUnits: job.soloValidUnits,
    progress: job.unitCount === 0 ? 1 : valid / job.unitCount,
    ...(job.errors.length === 0 ? {} : { errors: job.errors.slice(0, MAX_JOB_ERRORS) })
  }
  const eta = etaMs(job, now)
  if (eta != null) status.etaMs = eta
  return status
}

/** STATUS of a job from its row (jobs that are no longer running). */
export function jobStatusFromRow (row: JobRow): JobStatus {
  const unitStates = JSON.parse(row.unitStates)
  const errors = JSON.parse(row.errors) as JobStatus['errors']
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    state: row.state,
    submittedAt: row.submittedAt,
    ...(row.finishedAt == null ? {} : { finishedAt: row.finishedAt }),
    units: row.unitCount,
    unitStates,
    replicaStates: JSON.parse(row.replicaStates),
    soloValidUnits: row.soloValidUnits,
    progress: row.unitCount === 0 ? 1 : unitStates.valid / row.unitCount,
    ...(errors == null || errors.length === 0 ? {} : { errors })
  }
}

/** ms until every unit is valid at the rate of the latest validations; undefined while unknown or stalled for a minute. */
export function etaMs (job: JobRt, now: number): number | undefined {
  if (job.state !== 'running') return undefined
  const t = job.validTimes
  if (t.length < 2) return undefined
  const last = t[t.length - 1]
  const span = last - t[0]
  if (span <= 0 || now - last > 60_000) return undefined
  const rate = (t.length - 1) / span
  return Math.round((job.unitCount - job.unitStates.valid) / rate)
}

/** A PROVIDERS entry. */
export function providerInfo (p: ProviderRt, user: { userSerialId: number, userid: string } | undefined, trustStreak: number): ProviderInfo {
  return {
    peerId: p.peerId,
    ...(user == null ? {} : { userSerialId: user.userSerialId, userid: user.userid }),
    state: p.state === 'active' && p.assigned.size > 0 ? 'working' : p.state,
    host: { ...p.host },
    cpus: p.cpus,
    maxMemoryMb: p.maxMemoryMb,
    apps: [...p.apps],
    current: p.assigned.size,
    history: {
      valid: p.valid,
      invalid: p.invalid,
      failed: p.failed,
      timedOut: p.timedOut,
      lost: p.lost,
      validStreak: p.validStreak,
      trusted: p.validStreak >= trustStreak,
      ...(p.turnaroundCount === 0 ? {} : { meanTurnaroundMs: Math.round(p.turnaroundSum / p.turnaroundCount) })
    },
    level: providerLevel(p),
    firstSeen: p.firstSeen,
    lastSeen: p.lastSeen
  }
}
