import { Counter, Gauge } from 'prom-client'
import type { PeerhiveMetrics } from '../../src/core/index.js'
import type { ComputeScheduler } from './scheduler.js'

/** Work-manager metrics, read from the scheduler when Prometheus scrapes. */
export function registerMetrics (metrics: PeerhiveMetrics, scheduler: ComputeScheduler): void {
  const registry = metrics.registry
  if (registry.getSingleMetric('peerhive_compute_replicas_total') != null) return
  const last: Record<string, number> = {}
  const counted = (counter: Counter<any>, labels: Record<string, string>, key: string, value: number): void => {
    const delta = value - (last[key] ?? 0)
    if (delta > 0) counter.inc(labels, delta)
    last[key] = value
  }
  // eslint-disable-next-line no-new
  new Counter({
    name: 'peerhive_compute_replicas_total',
    help: 'Replicas issued to providers, and how they ended',
    labelNames: ['outcome'],
    registers: [registry],
    collect () {
      const c = scheduler.counters
      counted(this, { outcome: 'issued' }, 'issued', c.issued)
      counted(this, { outcome: 'valid' }, 'valid', c.validReplicas)
      counted(this, { outcome: 'invalid' }, 'invalid', c.invalidReplicas)
      counted(this, { outcome: 'failed' }, 'failed', c.failedReplicas)
      counted(this, { outcome: 'timed_out' }, 'timed_out', c.timedOutReplicas)
      counted(this, { outcome: 'lost' }, 'lost', c.lostReplicas)
    }
  })
  // eslint-disable-next-line no-new
  new Counter({
    name: 'peerhive_compute_units_total',
    help: 'Work units decided, by state (valid or failed)',
    labelNames: ['state'],
    registers: [registry],
    collect () {
      counted(this, { state: 'valid' }, 'units-valid', scheduler.counters.validUnits)
      counted(this, { state: 'failed' }, 'units-failed', scheduler.counters.failedUnits)
    }
  })
  // eslint-disable-next-line no-new
  new Gauge({
    name: 'peerhive_compute_providers',
    help: 'Providers known to the bootstrap, by state',
    labelNames: ['state'],
    registers: [registry],
    collect () {
      for (const [state, n] of Object.entries(scheduler.providerStates())) this.set({ state }, n)
    }
  })
  // eslint-disable-next-line no-new
  new Gauge({
    name: 'peerhive_compute_jobs_running',
    help: 'Jobs running on the bootstrap',
    registers: [registry],
    collect () {
      this.set(scheduler.runningCount)
    }
  })
}
