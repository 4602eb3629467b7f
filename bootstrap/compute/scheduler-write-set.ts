/**
 * The scheduler's state in memory and its write set: what a request changed,
 * written to SQLite in one transaction (flush), and the small lookups every
 * part uses.
 */
import { DEFAULT_REPORT_GRACE_MS, DEFAULT_RETRY_MS, TRUST_STREAK } from './constants.js'
import { MAX_CANCELLED_PER_ANSWER } from '../../src/protocols/index.js'
import { ComputeRefusal } from './errors.js'
import type { JobRt, ProviderRt, ReplicaRt, UnitRt } from './model.js'
import { median, providerLevel } from './priority.js'
import { providerInfo } from './views.js'
import type { ComputeStore, JobRow } from './store.js'
import type { ProviderInfo, ReplicaState, UnitState } from '../../src/compute/index.js'
import type { ScheduleMode, SchedulerOptions, Caller, SchedulerCounters } from './scheduler-types.js'

export abstract class SchedulerWriteSet {
  readonly mode: ScheduleMode
  readonly counters: SchedulerCounters = { issued: 0, validUnits: 0, failedUnits: 0, validReplicas: 0, invalidReplicas: 0, failedReplicas: 0, timedOutReplicas: 0, lostReplicas: 0 }
  protected readonly reportGraceMs: number
  protected readonly retryMs: number
  protected readonly trustStreak: number
  protected readonly now: () => number
  /** running jobs by id */
  protected readonly jobs = new Map<string, JobRt>()
  /** running jobs in hand-out order: priority, then submission */
  protected order: JobRt[] = []
  protected readonly providers = new Map<string, ProviderRt>()
  /** replicas assigned or reported, not final yet */
  protected readonly live = new Map<number, ReplicaRt>()
  protected nextReplicaId = 1
  protected readonly dirtyProviders = new Set<ProviderRt>()
  protected readonly dirtyReplicas = new Set<ReplicaRt>()
  protected readonly dirtyUnits = new Map<UnitRt, { state: UnitState, hash: Uint8Array | null, at: number | null }>()
  protected readonly dirtyJobs = new Set<JobRt>()
  protected levelCache?: { at: number, median: number, demand: number, ready: number }

  constructor (protected readonly store: ComputeStore, opts: SchedulerOptions = {}) {
    this.mode = opts.mode ?? 'fcfs'
    this.reportGraceMs = opts.reportGraceMs ?? DEFAULT_REPORT_GRACE_MS
    this.retryMs = opts.retryMs ?? DEFAULT_RETRY_MS
    this.trustStreak = opts.trustStreak ?? TRUST_STREAK
    this.now = opts.now ?? Date.now
  }

  protected setState (r: ReplicaRt, state: ReplicaState): void {
    const counts = r.unit.job.replicaStates
    counts[r.state]--
    counts[state]++
    r.state = state
    this.dirtyReplicas.add(r)
    this.dirtyJobs.add(r.unit.job)
  }

  protected touchUnit (u: UnitRt): void {
    if (!this.dirtyUnits.has(u)) this.dirtyUnits.set(u, { state: u.state, hash: null, at: null })
  }

  protected takeNotices (p: ProviderRt): number[] {
    if (p.cancelNotices.length === 0) return []
    return p.cancelNotices.splice(0, MAX_CANCELLED_PER_ANSWER)
  }

  /** Writes what changed since the last flush. */
  protected flush (): void {
    for (const p of this.dirtyProviders) this.store.writeProvider(p)
    for (const r of this.dirtyReplicas) this.store.writeReplica(r)
    for (const [u, final] of this.dirtyUnits) {
      if (final.at != null) this.store.writeUnit(u, final.state, final.hash, final.at)
      else this.store.writeUnit(u, u.state, null, null)
    }
    for (const j of this.dirtyJobs) this.store.writeJob(j)
    this.dirtyProviders.clear()
    this.dirtyReplicas.clear()
    this.dirtyUnits.clear()
    this.dirtyJobs.clear()
  }

  /** The provider of a FETCH: it must have said HELLO since this bootstrap started, and not be removed. */
  protected session (peerId: string): ProviderRt {
    const p = this.providers.get(peerId)
    if (p != null) this.refuseRemoved(p)
    if (p == null || p.state !== 'active') throw new ComputeRefusal('NOT_REGISTERED', 'send HELLO before FETCH (after every reconnection)')
    return p
  }

  protected refuseRemoved (p: ProviderRt): void {
    if (p.state === 'removed' || p.state === 'banned') throw new ComputeRefusal('REMOVED', `the operator ${p.state} this provider`)
  }

  protected info (p: ProviderRt): ProviderInfo {
    return providerInfo(p, this.store.userByPeer(p.peerId), this.trustStreak)
  }

  protected matches (p: ProviderRt, job: JobRt): boolean {
    const req = job.spec.requirements
    if (p.maxMemoryMb < req.memoryMb) return false
    // a provider that could not measure its free disk (0) is not held to it
    if (p.host.freeDiskMb > 0 && p.host.freeDiskMb < req.diskMb) return false
    return p.appKeys.size === 0 || p.appKeys.has(job.appKey)
  }

  /** Median level of the active providers, their demand and the ready work; recomputed at most every 500 ms. */
  protected priorityView (now: number): { median: number, demand: number, ready: number } {
    if (this.levelCache != null && now - this.levelCache.at < 500) return this.levelCache
    const levels: number[] = []
    let demand = 0
    for (const p of this.providers.values()) {
      if (p.state !== 'active') continue
      levels.push(providerLevel(p))
      demand += p.lastAsk
    }
    let ready = 0
    for (const j of this.order) ready += j.queue.freshLeft * j.spec.replication + j.queue.partialCount
    this.levelCache = { at: now, median: median(levels), demand, ready }
    return this.levelCache
  }

  protected checkReader (owner: string, jobId: string, caller: Caller): void {
    if (owner !== caller.peerId && !caller.operator) throw new ComputeRefusal('FORBIDDEN', `job ${jobId} belongs to another peer`)
  }

  /** The row of a job the caller may read (its owner, or the operator; with `ownerOnly` the owner alone). */
  protected readableRow (jobId: string, caller: Caller, ownerOnly = false): JobRow {
    const row = this.store.jobById(jobId)
    if (row == null) throw new ComputeRefusal('NOT_FOUND', `no job ${jobId}`)
    if (ownerOnly ? row.owner !== caller.peerId : (row.owner !== caller.peerId && !caller.operator)) {
      throw new ComputeRefusal('FORBIDDEN', `job ${jobId} belongs to another peer`)
    }
    return row
  }
}
