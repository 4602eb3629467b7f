/**
 * What the dashboard's `/events` stream and `/api/snapshot` carry: one JSON
 * snapshot of the bootstrap. The page (dashboard/src) imports these types, so
 * this file imports nothing but other type-only files.
 */
import type { JobStatus, ProviderInfo, ProviderState } from '../../src/compute/model/types.js'

export type { JobStatus, ProviderInfo, ProviderState }

/** One virtual server on the map, with its group's members. */
export interface MapVirtualServer {
  peerId: string
  addresses: string[]
  /** peers in its group, itself included */
  clientCount: number
  /** the group's capacity (vs-limit) */
  limitCount: number
  members: string[]
}

/** One subnet on the map (the shape of `peerhive subnets --json`). */
export interface MapSubnet {
  subnet: string
  virtualServers: MapVirtualServer[]
  /** peers the central server serves directly */
  centralClients: string[]
}

export type MapEventKind = 'elected' | 'failover' | 'promoted' | 'demoted' | 'joined' | 'left' | 'server-left' | 'provider' | 'job'

/** A change the dashboard noticed between two looks at the bootstrap. */
export interface MapEvent {
  /** increasing, for the page to tell new events from those it has shown */
  id: number
  at: number
  kind: MapEventKind
  subnet?: string
  /** the peers the event is about; the first is the one to highlight */
  peers: string[]
  text: string
}

/** A job with its throughput: valid units per second, one sample per second, oldest first. */
export interface DashboardJob extends JobStatus {
  throughput: number[]
}

/** Requests one peerhive protocol handled on the bootstrap. */
export interface ProtocolLoad {
  protocol: string
  /** since the bootstrap started */
  total: number
  /** of those, the ones that did not end `ok` */
  errors: number
  /** requests per second over the last sample */
  rate: number
  /** requests per second, one sample per second, oldest first */
  samples: number[]
}

export interface DashboardSnapshot {
  /** the bootstrap's clock when the snapshot was taken (ms) */
  at: number
  bootstrap: { peerId: string, addresses: string[], uptimeMs: number }
  network: {
    subnets: MapSubnet[]
    /** subnets left off the map to keep the snapshot small */
    subnetsLeftOff: number
    peers: number
    virtualServers: number
    members: number
    centralClients: number
  }
  providers: {
    /** most recently seen first */
    list: ProviderInfo[]
    total: number
    states: Record<ProviderState, number>
  }
  jobs: {
    /** running jobs, then those that ended while the dashboard watched (newest first) */
    list: DashboardJob[]
    /** valid units per second over all jobs, one sample per second, oldest first */
    throughput: number[]
    /** units validated since the bootstrap started */
    validUnits: number
  }
  load: {
    /** ms between two samples */
    sampleMs: number
    protocols: ProtocolLoad[]
  }
  /** the latest events, oldest first */
  events: MapEvent[]
}
