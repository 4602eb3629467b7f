/**
 * Assignment: the units a provider gets on FETCH, in hand-out order (first
 * come first served, or by priority), and the replicas issued for them.
 */
import type { JobRt, ProviderRt, ReplicaRt, UnitRt } from './model.js'
import { isScarce, median, providerLevel } from './priority.js'
import { UNIT_OVERHEAD_BYTES } from './scheduler-types.js'
import type { Assignment } from './scheduler-types.js'
import { SchedulerVerdicts } from './scheduler-verdicts.js'

export abstract class SchedulerAssignment extends SchedulerVerdicts {
  /** Picks units for `p`: jobs by priority then submission; in a job, units wanting more replicas first, then new ones. */
  protected assign (p: ProviderRt, room: number, budgetBytes: number, now: number): Assignment[] {
    let slow = false
    let onlyWaiting = false
    if (this.mode === 'priority') {
      const view = this.priorityView(now)
      slow = providerLevel(p) < view.median
      // while work is scarce, slower providers only get work nobody faster took for a while
      onlyWaiting = slow && isScarce(view.ready, view.demand)
    }
    const trusted = p.validStreak >= this.trustStreak
    const out: Array<Assignment & { size: number }> = []
    let bytes = 0
    let budgetHit = false
    const full = (): boolean => out.length >= room || budgetHit
    const give = (job: JobRt, u: UnitRt, solo: boolean): boolean => {
      const a = this.issue(job, u, p, solo, now, budgetBytes - bytes, out.length === 0)
      if (a == null) {
        budgetHit = true
        return false
      }
      out.push(a)
      bytes += a.size
      return true
    }
    for (const job of this.order) {
      if (full()) break
      if (!job.queue.hasWork() || !this.matches(p, job)) continue
      if (onlyWaiting && now - job.lastTakenAt < 2 * this.retryMs) continue
      const before = out.length
      job.queue.visitPartial(index => {
        const u = job.open.get(index)
        if (u == null) return false
        if (u.providers.has(p.peerId)) return true
        const solo = job.spec.adaptive && trusted && u.live.size === 0 && u.reported.length === 0
        if (!give(job, u, solo)) return true
        return u.want > 0 && u.attempts < job.spec.maxAttempts
      }, full)
      while (!full()) {
        const index = job.queue.takeFresh(slow)
        if (index === undefined) break
        const u = this.newUnit(job, index, 0, job.spec.replication)
        job.open.set(index, u)
        if (!give(job, u, job.spec.adaptive && trusted)) {
          job.open.delete(index)
          job.queue.untakeFresh(index, slow)
          break
        }
        if (u.want > 0) job.queue.addPartial(index)
      }
      if (out.length > before) job.lastTakenAt = now
    }
    return out.map(({ size, ...a }) => a)
  }

  /** Issues one replica of `u` to `p`; undefined when it does not fit the answer's remaining bytes. */
  protected issue (job: JobRt, u: UnitRt, p: ProviderRt, solo: boolean, now: number, budget: number, first: boolean): (Assignment & { size: number }) | undefined {
    const spec = this.store.unitSpec(job.seq, u.index)
    let size = UNIT_OVERHEAD_BYTES + job.id.length + job.app.length
    for (const a of spec.args) size += Buffer.byteLength(a) + 3
    for (const i of spec.inputs) size += Buffer.byteLength(i.name) + i.cid.length + 8
    for (const f of job.spec.result.files) size += Buffer.byteLength(f) + 3
    if (!first && size > budget) return undefined
    const r: ReplicaRt = {
      id: this.nextReplicaId++,
      unit: u,
      provider: p.peerId,
      state: 'assigned',
      solo,
      assignedAt: now,
      deadlineAt: now + job.spec.deadlineMs + this.reportGraceMs
    }
    u.attempts++
    u.want = solo ? 0 : Math.max(0, u.want - 1)
    u.live.add(r)
    u.providers.add(p.peerId)
    if (u.state === 'pending') {
      u.state = 'running'
      job.unitStates.pending--
      job.unitStates.running++
    }
    p.assigned.add(r)
    this.live.set(r.id, r)
    job.replicaStates.assigned++
    this.counters.issued++
    this.dirtyReplicas.add(r)
    this.touchUnit(u)
    this.dirtyJobs.add(job)
    return {
      size,
      replicaId: r.id,
      jobId: job.id,
      unitIndex: u.index,
      app: job.app,
      args: spec.args,
      inputs: spec.inputs,
      deadlineMs: job.spec.deadlineMs,
      maxMemoryBytes: job.spec.requirements.memoryMb * 1024 * 1024,
      maxOutputBytes: job.spec.maxOutputBytes,
      owner: job.owner,
      ownerAddrs: job.ownerAddrs,
      stdout: job.spec.result.stdout,
      outputFiles: job.spec.result.files
    }
  }
}
