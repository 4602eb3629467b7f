/**
 * Rehydration: the scheduler's memory state rebuilt from SQLite (at start,
 * and after a rolled-back transaction), and the jobs, units and providers it
 * is built of.
 */
import { normalizeCid } from '../../src/compute/index.js'
import type { JobLimits, JobRt, ProviderRt, ReplicaRt, UnitRt } from './model.js'
import { UnitQueue } from './unit-queue.js'
import type { JobRow, UnitRow } from './store.js'
import type { ExpandedUnit } from '../../src/compute/index.js'
import { limitsOf } from './scheduler-types.js'
import { SchedulerWriteSet } from './scheduler-write-set.js'

export abstract class SchedulerRehydration extends SchedulerWriteSet {
  protected load (atStart: boolean): void {
    this.jobs.clear()
    this.order = []
    this.providers.clear()
    this.live.clear()
    this.dirtyProviders.clear()
    this.dirtyReplicas.clear()
    this.dirtyUnits.clear()
    this.dirtyJobs.clear()
    this.levelCache = undefined
    this.nextReplicaId = this.store.maxReplicaId() + 1
    const startedAt = this.now()
    if (atStart) this.store.markProvidersOffline()
    for (const row of this.store.providers()) {
      const { peerId, host, cpus, maxMemoryMb, apps: appsJson, state, banned, ...history } = row
      const p = this.newProvider(peerId, row.firstSeen)
      const apps = JSON.parse(appsJson) as string[]
      Object.assign(p, history, {
        host: JSON.parse(host),
        cpus,
        maxMemoryMb,
        apps,
        appKeys: new Set(apps.map(normalizeCid)),
        state: banned ? 'banned' : state === 'active' ? 'offline' : state
      })
      this.providers.set(p.peerId, p)
    }
    for (const row of this.store.runningJobs()) {
      const spec = limitsOf(JSON.parse(row.spec))
      const open = this.store.openUnits(row.seq)
      const fresh = this.freshOrder(open.filter(u => u.attempts === 0))
      const job = this.jobFrom(row, spec, fresh, open.filter(u => u.attempts > 0))
      for (const r of this.store.replicasOf(row.seq)) {
        const u = job.open.get(r.unitIndex)
        if (u == null) continue
        u.providers.add(r.provider)
        if (r.state !== 'assigned' && r.state !== 'reported') continue
        const replica: ReplicaRt = {
          id: r.id,
          unit: u,
          provider: r.provider,
          state: r.state,
          solo: r.solo,
          assignedAt: r.assignedAt,
          // the time this bootstrap was down is not the provider's: a replica out at the restart gets a whole deadline from now
          deadlineAt: atStart && r.state === 'assigned' ? Math.max(r.deadlineAt, startedAt + spec.deadlineMs + this.reportGraceMs) : r.deadlineAt,
          ...(r.reportedAt == null ? {} : { reportedAt: r.reportedAt }),
          ...(r.hash == null ? {} : { hash: r.hash, hashHex: Buffer.from(r.hash).toString('hex') }),
          ...(r.outputBytes == null ? {} : { outputBytes: r.outputBytes }),
          ...(r.wallMs == null ? {} : { wallMs: r.wallMs })
        }
        this.live.set(r.id, replica)
        if (replica.deadlineAt !== r.deadlineAt) this.dirtyReplicas.add(replica)
        if (r.state === 'assigned') {
          u.live.add(replica)
          this.providers.get(r.provider)?.assigned.add(replica)
        } else {
          u.reported.push(replica)
        }
      }
      this.jobs.set(job.id, job)
    }
    this.sortOrder()
  }

  protected jobFrom (row: JobRow, spec: JobLimits, fresh: Uint32Array, touched: UnitRow[]): JobRt {
    const job: JobRt = {
      seq: row.seq,
      id: row.id,
      owner: row.owner,
      name: row.name,
      app: row.app,
      appKey: normalizeCid(row.app),
      appName: row.appName,
      spec,
      state: row.state,
      submittedAt: row.submittedAt,
      ...(row.finishedAt == null ? {} : { finishedAt: row.finishedAt }),
      unitCount: row.unitCount,
      unitStates: JSON.parse(row.unitStates),
      replicaStates: JSON.parse(row.replicaStates),
      soloValidUnits: row.soloValidUnits,
      queue: new UnitQueue(fresh),
      open: new Map(),
      errors: JSON.parse(row.errors),
      validTimes: [],
      lastTakenAt: row.submittedAt,
      ownerAddrs: JSON.parse(row.ownerAddrs)
    }
    for (const t of touched) {
      const u = this.newUnit(job, t.index, t.cost, t.want)
      u.state = t.state === 'pending' ? 'pending' : 'running'
      u.attempts = t.attempts
      if (t.error != null) u.lastError = t.error
      job.open.set(t.index, u)
      if (u.want > 0 && u.attempts < spec.maxAttempts) job.queue.addPartial(t.index)
    }
    return job
  }

  /** The order never-issued units are handed out in: unit order, or in priority mode the largest cost first. */
  protected freshOrder (units: Array<Pick<ExpandedUnit, 'index' | 'cost'>>): Uint32Array {
    const sorted = this.mode === 'priority' ? [...units].sort((a, b) => b.cost - a.cost || a.index - b.index) : units
    const out = new Uint32Array(sorted.length)
    for (let i = 0; i < sorted.length; i++) out[i] = sorted[i].index
    return out
  }

  protected sortOrder (): void {
    this.order = [...this.jobs.values()].sort((a, b) => b.spec.priority - a.spec.priority || a.seq - b.seq)
  }

  protected newProvider (peerId: string, now: number): ProviderRt {
    return {
      peerId,
      host: { cpuModel: '', cores: 0, cpuMhz: 0, os: '', memoryMb: 0, freeDiskMb: 0, network: '', bandwidthBps: 0 },
      cpus: 0,
      maxMemoryMb: 0,
      apps: [],
      appKeys: new Set(),
      state: 'offline',
      valid: 0,
      invalid: 0,
      failed: 0,
      timedOut: 0,
      lost: 0,
      validStreak: 0,
      turnaroundSum: 0,
      turnaroundCount: 0,
      firstSeen: now,
      lastSeen: now,
      assigned: new Set(),
      cancelNotices: [],
      lastAsk: 1
    }
  }

  protected newUnit (job: JobRt, index: number, cost: number, want: number): UnitRt {
    return { job, index, cost, state: 'pending', attempts: 0, want, live: new Set(), reported: [], providers: new Set() }
  }
}
