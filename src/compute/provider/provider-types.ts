/** The provider's options, events and status (provider.ts). */
import type { FetchByCid } from './cache.js'
import type { ProviderFaults } from './execute.js'
import type { NetworkType } from './host.js'
import type { UnitRef } from './output-delivery.js'
import type { Outbox, OutputResponse, UnitOutput } from '../outputs/index.js'
import type { ReplicaResult } from '../../pb/work.js'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface ComputeProviderInit {
  /**
   * The node's data directory: the cache goes to <dataDir>/compute-cache, the outbox to <dataDir>/outbox
   * @default none (required)
   */
  dataDir: string
  /**
   * Fetches a file by CID into a local path, verifying it (SharingService.get fits)
   * @default none (required)
   */
  fetchByCid: FetchByCid
  /**
   * The bootstrap's multiaddr, ending with /p2p/<its PeerId>
   * @default none (required)
   */
  bootstrap: string | Multiaddr
  /**
   * Units run at once, and cores announced.
   * @default os.availableParallelism()
   */
  cpus?: number
  /**
   * Memory cap of one unit, MiB; units that need more are not taken.
   * @default 512
   */
  maxMemoryMb?: number
  /**
   * App CIDs this provider runs; empty: any.
   * @default []
   */
  apps?: string[]
  /**
   * The outbox to keep outputs in; share it with the node's UnitOutputServer.
   * @default an Outbox in <dataDir>/outbox
   */
  outbox?: Outbox
  /**
   * Total size of the app and input cache.
   * @default 1 GiB
   */
  cacheMaxBytes?: number
  /**
   * Time between two HELLOs.
   * @default 60000
   */
  helloIntervalMs?: number
  /**
   * How long a finished result waits for others to share its REPORT.
   * @default 50
   */
  reportDelayMs?: number
  /**
   * First delay before an undelivered output is pushed again; it doubles with each failure (6 attempts in all).
   * @default 60000
   */
  pushRetryMs?: number
  /**
   * With every core busy, how often to ask the bootstrap anyway (a FETCH of 0 units), to learn of cancelled replicas.
   * @default 5000
   */
  pollIntervalMs?: number
  /**
   * delivers an output of a job this node owns itself (the node is owner
   * and provider of one job): UnitOutputServer.pushLocal fits. Without it,
   * such outputs stay in the outbox.
   * @default none
   */
  deliverToSelf?: (output: UnitOutput) => Promise<OutputResponse | undefined | void>
  /**
   * Test hooks for Byzantine providers; see ProviderFaults. Never set them on a real provider.
   * @default none (an honest provider)
   */
  faults?: ProviderFaults
}

export type ProviderState = 'stopped' | 'connecting' | 'registered' | 'removed'
/** The outcome of a finished unit: a ReplicaResult outcome, or CANCELLED when the bootstrap cancelled it. */
export type UnitOutcome = `${ReplicaResult.Outcome}` | 'CANCELLED'

export interface UnitFinished extends UnitRef {
  outcome: UnitOutcome
  /** from receiving the unit to its result */
  ms: number
  /** hex, when the outcome is OK */
  outputHash?: string
  error?: string
}

export interface ComputeProviderEvents {
  'unit:started': CustomEvent<UnitRef>
  'unit:finished': CustomEvent<UnitFinished>
  /** the owner accepted the PUSH of an output */
  'output:delivered': CustomEvent<UnitRef & { owner: string }>
  /** a PUSH failed: the output stays in the outbox for the owner to FETCH */
  'output:kept': CustomEvent<UnitRef & { owner: string, error: string }>
  /** a REPORT was taken: results sent, and how many the bootstrap recorded */
  report: CustomEvent<{ results: number, accepted: number }>
  /** a HELLO was answered (after start, or after the bootstrap came back) */
  registered: CustomEvent<{ network: NetworkType }>
  /** the operator removed or banned this provider: it stopped working */
  removed: CustomEvent<{ message: string }>
  /** an exchange with the bootstrap failed; the provider retries with back-off */
  'bootstrap:error': CustomEvent<{ error: Error }>
}

export interface RunningUnit extends UnitRef {
  phase: 'fetching' | 'running'
  /** Date.now() when it was received */
  since: number
}

export interface ProviderStatus {
  state: ProviderState
  cpus: number
  maxMemoryMb: number
  apps: string[]
  running: RunningUnit[]
  /** units received and waiting for a core */
  queued: number
  /** results not yet taken by the bootstrap */
  pendingReports: number
  /** finished units since start, by outcome */
  finished: Partial<Record<UnitOutcome, number>>
  outbox: { entries: number, bytes: number, undelivered: number }
  cache: { entries: number, bytes: number, maxBytes: number }
  network: NetworkType
  bandwidthBps: number
  lastError?: string
}
