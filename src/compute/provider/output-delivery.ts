/**
 * Delivery of a provider's outputs to their jobs' owners (WORK-6): each
 * output goes to the outbox, then is pushed to its owner in the background,
 * MAX_CONCURRENT_PUSHES at once at most. One that could not be delivered is
 * pushed again with back-off, and stays in the outbox for its owner to fetch.
 */
import { OutputRefusedError, pushOutput, type Outbox, type OutputResponse, type UnitOutput } from '../outputs/index.js'
import { MAX_CONCURRENT_PUSHES, MAX_PUSH_ATTEMPTS, MAX_RETRIES_PER_ROUND } from './constants.js'
import type { WorkUnit } from '../../pb/work.js'
import type { Logger } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

export interface UnitRef {
  replicaId: number
  jobId: string
  unitIndex: number
}

export function ref (unit: WorkUnit): UnitRef {
  return { replicaId: unit.replicaId, jobId: unit.jobId, unitIndex: unit.unitIndex }
}

export interface OutputDeliveryInit {
  libp2p: Libp2p<any>
  outbox: Outbox
  log: Logger
  /** delivers an output whose owner is this node (ComputeProviderInit.deliverToSelf) */
  deliverToSelf?: (output: UnitOutput) => Promise<OutputResponse | undefined | void>
  /** the first wait before an undelivered output is pushed again; it doubles with each failure */
  pushRetryMs: number
  /** the running provider's signal; undefined once it stopped */
  signal: () => AbortSignal | undefined
  onDelivered: (unit: UnitRef, owner: string) => void
  onKept: (unit: UnitRef, owner: string, error: string) => void
}

export class OutputDelivery {
  /** when retry() is next due */
  nextRetryAt = 0
  private pushesInFlight = 0
  private readonly waiters: Array<() => void> = []
  private readonly pushing = new Set<number>()

  constructor (private readonly init: OutputDeliveryInit) {}

  /** Puts the output in the outbox, then delivers it in the background. */
  async keep (output: UnitOutput, unit: WorkUnit): Promise<void> {
    let kept = false
    try {
      kept = await this.init.outbox.put(output, { owner: unit.owner, ownerAddrs: unit.ownerAddrs }) != null
    } catch (err: any) {
      this.init.log.error('could not keep the output of replica %d in the outbox - %e', unit.replicaId, err)
    }
    // a kept output is read back when its push starts, so that pushes waiting for a slot hold no output in memory
    const load = kept ? async () => this.init.outbox.read(output.replicaId) : async () => output
    void this.deliver(ref(unit), unit.owner, unit.ownerAddrs, load)
  }

  private async deliver (unitRef: UnitRef, owner: string, ownerAddrs: string[], load: () => Promise<UnitOutput | undefined>): Promise<void> {
    const { replicaId } = unitRef
    if (this.pushing.has(replicaId)) return
    this.pushing.add(replicaId)
    await this.slot()
    try {
      const output = await load()
      const signal = this.init.signal()
      if (output == null || signal == null) return
      if (owner === this.init.libp2p.peerId.toString()) {
        if (this.init.deliverToSelf == null) throw new Error('this node owns the job, and no local delivery was configured')
        const answer = await this.init.deliverToSelf(output)
        if (answer != null && answer.error !== 'NONE') throw new OutputRefusedError(answer.error, answer.message)
      } else {
        await pushOutput(this.init.libp2p, { peerId: owner, addrs: ownerAddrs }, output, { signal })
      }
      await this.init.outbox.markDelivered(replicaId).catch(() => {})
      this.init.log('delivered the output of replica %d to its owner %s', replicaId, owner)
      this.init.onDelivered(unitRef, owner)
    } catch (err: any) {
      this.init.log('could not deliver the output of replica %d to %s; it stays in the outbox - %e', replicaId, owner, err)
      if (err.name === 'OutputRefusedError' && err.code !== 'RATE_LIMITED' && err.code !== 'INTERNAL') {
        // the owner refuses it (not its job, bad hash...): pushing again will not help, a FETCH still may
        for (let i = 0; i < MAX_PUSH_ATTEMPTS; i++) await this.init.outbox.notePushFailed(replicaId).catch(() => {})
      } else {
        await this.init.outbox.notePushFailed(replicaId).catch(() => {})
      }
      this.init.onKept(unitRef, owner, err.message)
    } finally {
      this.pushing.delete(replicaId)
      this.release()
    }
  }

  /**
   * Pushes again the undelivered outputs whose back-off has passed (1, 2,
   * 4... minutes by default, 6 attempts), a few per round (every 30 s).
   */
  retry (): void {
    const now = Date.now()
    this.nextRetryAt = now + this.init.pushRetryMs / 2
    let started = 0
    for (const e of this.init.outbox.undelivered()) {
      if (started >= MAX_RETRIES_PER_ROUND) break
      if (e.pushFailures >= MAX_PUSH_ATTEMPTS || this.pushing.has(e.replicaId)) continue
      if (now < e.createdAt + this.init.pushRetryMs * (2 ** e.pushFailures - 1)) continue
      started++
      void this.deliver({ replicaId: e.replicaId, jobId: e.jobId, unitIndex: e.unitIndex }, e.owner, e.ownerAddrs, async () => this.init.outbox.read(e.replicaId))
        .catch(err => { this.init.log.error('pushing replica %d again failed - %e', e.replicaId, err) })
    }
  }

  private async slot (): Promise<void> {
    if (this.pushesInFlight < MAX_CONCURRENT_PUSHES) {
      this.pushesInFlight++
      return
    }
    await new Promise<void>(resolve => { this.waiters.push(resolve) })
  }

  private release (): void {
    const next = this.waiters.shift()
    if (next != null) next()
    else this.pushesInFlight--
  }
}
