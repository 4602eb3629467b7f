import type { DashboardSource } from './collector.js'
import type { ComputeServer } from '../compute/index.js'
import type { PeerhiveMetrics } from '../../src/core/index.js'
import type { MapSubnet } from './types.js'

/** The parts of a running bootstrap the dashboard reads. */
export interface WatchedBootstrap {
  readonly peerId: string
  readonly metrics: PeerhiveMetrics
  readonly compute: ComputeServer
  multiaddrs: () => string[]
  subnets: () => MapSubnet[]
  status: () => { uptimeMs: number }
}

/** The dashboard's view of a bootstrap: the virtual-server table, the work manager and the request counters. */
export function bootstrapSource (bootstrap: WatchedBootstrap): DashboardSource {
  const scheduler = bootstrap.compute.scheduler
  const operator = { peerId: bootstrap.peerId, operator: true }
  return {
    peerId: bootstrap.peerId,
    addresses: () => bootstrap.multiaddrs(),
    uptimeMs: () => bootstrap.status().uptimeMs,
    subnets: () => bootstrap.subnets(),
    providers: () => scheduler.providerList(),
    providerStates: () => scheduler.providerStates(),
    runningJobs: () => scheduler.runningJobs(),
    job: id => {
      try {
        return scheduler.status(id, operator)
      } catch {
        return undefined
      }
    },
    validUnits: () => scheduler.counters.validUnits,
    requestCounts: async () => (await bootstrap.metrics.requests.get()).values,
    removeProvider: async (peer, ban) => bootstrap.compute.removeProvider(peer, ban)
  }
}
