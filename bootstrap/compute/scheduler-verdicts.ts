/**
 * Verdicts: a replica's report recorded, a unit settled by quorum (valid or
 * failed), providers credited, jobs finished.
 */
import { ETA_SAMPLES, MAX_CANCEL_NOTICES, MAX_JOB_ERRORS } from './constants.js'
import type { JobRt, ProviderRt, ReplicaRt, UnitRt } from './model.js'
import { quorumVerdict, replicasWanted } from './quorum.js'
import type { ReplicaState, UnitState } from '../../src/compute/index.js'
import type { ReportItem } from './scheduler-types.js'
import { SchedulerRehydration } from './scheduler-rehydration.js'

export abstract class SchedulerVerdicts extends SchedulerRehydration {
  /** Records one result of a REPORT; returns why it was not recorded, if it was not. */
  protected record (p: ProviderRt, item: ReportItem, now: number): string | undefined {
    const r = this.live.get(item.replicaId)
    if (r == null) return this.recordLate(p, item, now)
    if (r.provider !== p.peerId) return `replica ${item.replicaId} is not this provider's`
    if (r.state !== 'assigned') return `replica ${item.replicaId} was already reported`
    const u = r.unit
    if (item.outcome === 'ok') {
      if (item.hash?.byteLength !== 32) return `replica ${item.replicaId}: an OK result needs a 32-byte output_hash, got ${item.hash?.byteLength ?? 0} bytes`
      this.setState(r, 'reported')
      r.reportedAt = now
      r.hash = item.hash
      r.hashHex = Buffer.from(item.hash).toString('hex')
      r.outputBytes = item.outputBytes
      r.wallMs = item.wallMs
      u.live.delete(r)
      p.assigned.delete(r)
      u.reported.push(r)
    } else {
      const state: ReplicaState = item.outcome === 'timeout' ? 'timed_out' : item.outcome === 'abandoned' ? 'lost' : 'failed'
      const what = `${item.outcome}${item.error != null && item.error !== '' ? `: ${item.error}` : ''}`
      this.endReplica(r, state, now, what.slice(0, 1000), item.wallMs)
    }
    this.settle(u, now)
    return undefined
  }

  /**
   * A report for a replica no longer in memory. The one case recorded: a
   * replica cancelled because its unit became valid meanwhile, reported OK;
   * it is checked against the decided hash and counts for its provider.
   */
  protected recordLate (p: ProviderRt, item: ReportItem, now: number): string | undefined {
    const row = this.store.replica(item.replicaId)
    if (row == null) return `replica ${item.replicaId} is unknown`
    if (row.provider !== p.peerId) return `replica ${item.replicaId} is not this provider's`
    if (row.state !== 'cancelled') return `replica ${item.replicaId} is already final (${row.state})`
    const unit = this.store.unit(row.jobSeq, row.unitIndex)
    if (unit?.state !== 'valid' || unit.validHash == null || item.outcome !== 'ok' || item.hash?.byteLength !== 32) {
      return `replica ${item.replicaId} was cancelled`
    }
    const valid = Buffer.from(unit.validHash).equals(Buffer.from(item.hash))
    const jobRow = this.store.jobBySeq(row.jobSeq)
    const job = this.jobs.get(jobRow?.id ?? '')
    // the replica moves from the job's cancelled count to its verdict's
    if (job != null) {
      job.replicaStates.cancelled--
      job.replicaStates[valid ? 'valid' : 'invalid']++
      this.dirtyJobs.add(job)
    } else if (jobRow != null) {
      const counts = JSON.parse(jobRow.replicaStates) as Record<ReplicaState, number>
      counts.cancelled--
      counts[valid ? 'valid' : 'invalid']++
      this.store.setReplicaStates(jobRow.seq, counts)
    }
    this.store.updateLateReplica(row.id, valid ? 'valid' : 'invalid', now, item.hash, item.outputBytes ?? null, item.wallMs ?? null)
    this.credit(p, valid, now - row.assignedAt)
    return undefined
  }

  /** A replica out ends without a result: failed, timed out, or lost; the unit wants another. */
  protected endReplica (r: ReplicaRt, state: 'failed' | 'timed_out' | 'lost', now: number, error: string, wallMs?: number): void {
    const u = r.unit
    const job = u.job
    this.setState(r, state)
    r.reportedAt = now
    r.error = error
    if (wallMs != null) r.wallMs = wallMs
    u.live.delete(r)
    this.live.delete(r.id)
    const p = this.providers.get(r.provider)
    if (p != null) {
      p.assigned.delete(r)
      if (state === 'failed') p.failed++
      else if (state === 'timed_out') p.timedOut++
      else p.lost++
      this.dirtyProviders.add(p)
    }
    if (state === 'failed') this.counters.failedReplicas++
    else if (state === 'timed_out') this.counters.timedOutReplicas++
    else this.counters.lostReplicas++
    u.lastError = error
    // a trusted provider's single replica came to nothing: the unit goes back to a full quorum
    u.want = r.solo ? job.spec.replication : u.want + 1
    this.touchUnit(u)
  }

  /** Loses every replica a provider holds (disconnected, removed, unregistered). */
  protected loseAll (p: ProviderRt, why: string): void {
    const now = this.now()
    for (const r of [...p.assigned]) {
      this.endReplica(r, 'lost', now, why)
      this.settle(r.unit, now)
    }
  }

  /** Decides what a unit needs after a change: valid, failed, or more replicas. */
  protected settle (u: UnitRt, now: number): void {
    const job = u.job
    if (job.state !== 'running' || !job.open.has(u.index)) return
    const verdict = quorumVerdict(u.reported.map(r => ({ hash: r.hashHex ?? '', solo: r.solo })), job.spec.quorum)
    if (verdict.kind === 'valid') {
      if (verdict.solo) job.soloValidUnits++
      this.decideValid(u, verdict.hash, now)
      return
    }
    u.want = replicasWanted({ live: u.live.size, want: u.want, attempts: u.attempts, maxAttempts: job.spec.maxAttempts })
    if (u.want === 0 && u.live.size === 0) {
      this.decideFailed(u, now)
      return
    }
    if (u.want > 0) job.queue.addPartial(u.index)
    else job.queue.removePartial(u.index)
    this.touchUnit(u)
  }

  protected decideValid (u: UnitRt, hashHex: string, now: number): void {
    const job = u.job
    let hash: Uint8Array | null = null
    for (const r of u.reported) {
      const valid = r.hashHex === hashHex
      if (valid) hash = r.hash ?? null
      this.setState(r, valid ? 'valid' : 'invalid')
      this.live.delete(r.id)
      const p = this.providers.get(r.provider)
      if (p != null) this.credit(p, valid, (r.reportedAt ?? now) - r.assignedAt)
      else this.counters[valid ? 'validReplicas' : 'invalidReplicas']++
    }
    for (const r of [...u.live]) this.cancelReplica(r)
    u.reported = []
    this.closeUnit(u, 'valid', hash, now)
    this.counters.validUnits++
    job.validTimes.push(now)
    if (job.validTimes.length > ETA_SAMPLES) job.validTimes.shift()
    if (job.unitStates.valid === job.unitCount) this.finishJob(job, 'done', now)
  }

  protected decideFailed (u: UnitRt, now: number): void {
    const job = u.job
    const error = u.lastError ?? `no ${job.spec.quorum} results agreed within ${job.spec.maxAttempts} replicas`
    u.lastError = error
    // reported replicas without a quorum get no verdict: they stay reported
    for (const r of u.reported) this.live.delete(r.id)
    u.reported = []
    this.closeUnit(u, 'failed', null, now)
    this.counters.failedUnits++
    if (job.errors.length < MAX_JOB_ERRORS) job.errors.push({ unit: u.index, error })
    this.finishJob(job, 'failed', now)
  }

  /** Counts a verdict on one of `p`'s replicas in its history. */
  protected credit (p: ProviderRt, valid: boolean, turnaroundMs: number): void {
    if (valid) {
      p.valid++
      p.validStreak++
      p.turnaroundSum += Math.max(0, turnaroundMs)
      p.turnaroundCount++
      this.counters.validReplicas++
    } else {
      p.invalid++
      p.validStreak = 0
      this.counters.invalidReplicas++
    }
    this.dirtyProviders.add(p)
  }

  protected cancelReplica (r: ReplicaRt): void {
    this.setState(r, 'cancelled')
    r.unit.live.delete(r)
    this.live.delete(r.id)
    const p = this.providers.get(r.provider)
    if (p != null) {
      p.assigned.delete(r)
      if (p.cancelNotices.length < MAX_CANCEL_NOTICES) p.cancelNotices.push(r.id)
    }
  }

  /** A unit leaves memory decided (valid, failed, cancelled). */
  protected closeUnit (u: UnitRt, state: UnitState, hash: Uint8Array | null, now: number): void {
    const job = u.job
    job.unitStates[u.state]--
    job.unitStates[state]++
    job.open.delete(u.index)
    job.queue.removePartial(u.index)
    this.dirtyUnits.set(u, { state, hash, at: now })
    this.dirtyJobs.add(job)
  }

  /** Ends a running job: every undecided unit is cancelled, with its replicas out. */
  protected finishJob (job: JobRt, state: 'done' | 'failed' | 'cancelled', now: number): void {
    if (job.state !== 'running') return
    job.state = state
    job.finishedAt = now
    for (const u of [...job.open.values()]) {
      for (const r of [...u.live]) this.cancelReplica(r)
      for (const r of u.reported) this.live.delete(r.id)
      u.reported = []
      this.closeUnit(u, 'cancelled', null, now)
    }
    // units never handed out
    job.unitStates.cancelled += job.unitStates.pending + job.unitStates.running
    job.unitStates.pending = 0
    job.unitStates.running = 0
    this.store.cancelOpenUnits(job.seq, now)
    job.queue.clear()
    this.jobs.delete(job.id)
    this.sortOrder()
    this.dirtyJobs.add(job)
  }
}
