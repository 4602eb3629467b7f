/**
 * The provider's units (WORK-5, WORK-6): a queue of units the bootstrap
 * handed out, at most `cpus` of them running at once in the sandbox, and
 * the result of each, whether it ran, failed, was cancelled by the
 * bootstrap or given up. The work session (provider.ts) feeds it and
 * reports what it produces.
 */
import { ReplicaResult, type WorkUnit } from '../../pb/work.js'
import { hashHex } from '../model/output-hash.js'
import { executeUnit, result as resultOf, type ProviderFaults } from './execute.js'
import { ref, type OutputDelivery } from './output-delivery.js'
import type { CidCache } from './cache.js'
import type { RunningUnit, UnitFinished, UnitOutcome } from './provider-types.js'
import type { UnitRef } from './output-delivery.js'
import type { Logger } from '@libp2p/interface'

interface Task {
  unit: WorkUnit
  receivedAt: number
  receivedAtMs: number
  controller: AbortController
  phase: 'fetching' | 'running'
}

interface Queued {
  unit: WorkUnit
  receivedAt: number
  receivedAtMs: number
}

/** Why a task's run was aborted. */
export type AbortReason = 'cancelled' | 'abandoned'

export interface UnitRunnerInit {
  cpus: number
  maxMemoryMb: number
  apps: string[]
  faults: ProviderFaults
  cache: CidCache
  delivery: OutputDelivery
  log: Logger
  /** false once the provider stops: queued units are not started then */
  accepting: () => boolean
  /** false once the bootstrap removed the provider: failures are not reported then */
  reporting: () => boolean
  /** a result to report to the bootstrap */
  onResult: (r: ReplicaResult) => void
  /** a unit left its core (whatever its outcome) */
  onFreed: () => void
  onStarted: (unit: UnitRef) => void
  onFinished: (finished: UnitFinished) => void
}

export class UnitRunner {
  private readonly tasks = new Map<number, Task>()
  private readonly taskDone = new Map<number, Promise<void>>()
  private readonly queue: Queued[] = []
  private readonly finished: Partial<Record<UnitOutcome, number>> = {}

  constructor (private readonly init: UnitRunnerInit) {}

  /** Units running. */
  get running (): number {
    return this.tasks.size
  }

  /** Units waiting for a core. */
  get queued (): number {
    return this.queue.length
  }

  runningUnits (): RunningUnit[] {
    return [...this.tasks.values()].map(t => ({ ...ref(t.unit), phase: t.phase, since: t.receivedAtMs }))
  }

  finishedCounts (): Partial<Record<UnitOutcome, number>> {
    return { ...this.finished }
  }

  /** Queues units (a replica already here is skipped) and starts as many as there are free cores. */
  take (units: WorkUnit[]): void {
    const receivedAt = performance.now()
    const receivedAtMs = Date.now()
    for (const unit of units) {
      if (this.tasks.has(unit.replicaId) || this.queue.some(q => q.unit.replicaId === unit.replicaId)) continue
      this.queue.push({ unit, receivedAt, receivedAtMs })
    }
    this.startQueued()
  }

  /** Aborts the runs of cancelled replicas; queued ones are dropped. */
  cancel (replicaIds: number[]): void {
    for (const id of replicaIds) {
      const queued = this.queue.findIndex(q => q.unit.replicaId === id)
      if (queued >= 0) {
        const [q] = this.queue.splice(queued, 1)
        this.count('CANCELLED')
        this.init.onFinished({ ...ref(q.unit), outcome: 'CANCELLED', ms: 0 })
      }
      const task = this.tasks.get(id)
      if (task != null && !task.controller.signal.aborted) {
        this.init.log('replica %d was cancelled by the bootstrap', id)
        task.controller.abort('cancelled' satisfies AbortReason)
      }
    }
  }

  /** Gives up every unit: running ones are aborted, queued ones dropped. */
  abandonAll (): void {
    for (const t of this.tasks.values()) if (!t.controller.signal.aborted) t.controller.abort('abandoned' satisfies AbortReason)
    this.queue.length = 0
  }

  /** Resolves when every run started has ended. */
  async settled (): Promise<void> {
    await Promise.allSettled([...this.taskDone.values()])
  }

  private startQueued (): void {
    while (this.tasks.size < this.init.cpus && this.queue.length > 0 && this.init.accepting()) {
      const next = this.queue.shift()
      if (next == null) break
      const task: Task = { ...next, controller: new AbortController(), phase: 'fetching' }
      this.tasks.set(next.unit.replicaId, task)
      const done = this.run(task).finally(() => {
        this.tasks.delete(task.unit.replicaId)
        this.taskDone.delete(task.unit.replicaId)
        this.init.onFreed()
        this.startQueued()
      })
      this.taskDone.set(next.unit.replicaId, done)
    }
  }

  private async run (task: Task): Promise<void> {
    const { unit } = task
    this.init.onStarted(ref(unit))
    let finished: UnitFinished
    try {
      const execution = await executeUnit({
        cache: this.init.cache,
        maxMemoryBytes: this.init.maxMemoryMb * 1024 * 1024,
        apps: new Set(this.init.apps),
        faults: this.init.faults,
        onPhase: phase => { task.phase = phase }
      }, unit, task.receivedAt, task.controller.signal)
      if (execution.output != null) await this.init.delivery.keep(execution.output, unit)
      this.init.onResult(execution.result)
      finished = finishedOf(unit, execution.result, performance.now() - task.receivedAt)
    } catch (err: any) {
      const reason: AbortReason | undefined = task.controller.signal.aborted ? task.controller.signal.reason : undefined
      if (reason === 'cancelled') {
        finished = { ...ref(unit), outcome: 'CANCELLED', ms: Math.round(performance.now() - task.receivedAt) }
      } else {
        const error = reason === 'abandoned' ? 'the provider gave the unit up' : `the provider failed: ${err.message}`
        const outcome = reason === 'abandoned' ? ReplicaResult.Outcome.ABANDONED : ReplicaResult.Outcome.FAILED
        const r = resultOf(unit, outcome, error, 0)
        if (this.init.reporting()) this.init.onResult(r)
        finished = finishedOf(unit, r, performance.now() - task.receivedAt)
        if (reason == null) this.init.log.error('running replica %d failed - %e', unit.replicaId, err)
      }
    }
    this.count(finished.outcome)
    this.init.log('replica %d (unit %d of job %s): %s in %d ms', unit.replicaId, unit.unitIndex, unit.jobId, finished.outcome, finished.ms)
    this.init.onFinished(finished)
  }

  private count (outcome: UnitOutcome): void {
    this.finished[outcome] = (this.finished[outcome] ?? 0) + 1
  }
}

function finishedOf (unit: WorkUnit, r: ReplicaResult, ms: number): UnitFinished {
  return {
    ...ref(unit),
    outcome: r.outcome,
    ms: Math.round(ms),
    ...(r.outputHash.byteLength > 0 ? { outputHash: hashHex(r.outputHash) } : {}),
    ...(r.error !== '' ? { error: r.error } : {})
  }
}
