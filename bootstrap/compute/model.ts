/**
 * The work manager's state in memory. SQLite (store.ts) is the durable copy;
 * memory holds what scheduling needs fast: running jobs with their queues,
 * the units that have replicas out, the replicas not yet final, and every
 * provider.
 */
import type { UnitQueue } from './unit-queue.js'
import type { JobState, ProviderHostInfo, ProviderState, ReplicaState, ResolvedJob, UnitState } from '../../src/compute/index.js'

export type { ProviderHostInfo }

/** What scheduling needs of a job's spec (the units live in the units table). */
export type JobLimits = Pick<ResolvedJob, 'requirements' | 'replication' | 'quorum' | 'deadlineMs' | 'maxAttempts' | 'priority' | 'result' | 'maxOutputBytes' | 'adaptive' | 'assemble'>

export interface JobRt {
  seq: number
  id: string
  owner: string
  name: string
  /** the app's CID as submitted */
  app: string
  /** the app's CID in canonical form, matched against providers' app lists */
  appKey: string
  appName: string
  spec: JobLimits
  state: JobState
  submittedAt: number
  finishedAt?: number
  unitCount: number
  unitStates: Record<UnitState, number>
  replicaStates: Record<ReplicaState, number>
  /** units valid on one trusted provider's result alone, below the quorum (adaptive replication) */
  soloValidUnits: number
  /** units that want replicas, in the order they are handed out */
  queue: UnitQueue
  /** units with replicas issued that are not decided yet */
  open: Map<number, UnitRt>
  errors: Array<{ unit: number, error: string }>
  /** times of the latest validations, for the ETA */
  validTimes: number[]
  /** when a unit of this job was last handed out (priority mode lets slow providers take work that waits) */
  lastTakenAt: number
  ownerAddrs: string[]
}

export interface UnitRt {
  job: JobRt
  index: number
  cost: number
  state: 'pending' | 'running'
  /** replicas issued so far, reissues included */
  attempts: number
  /** replicas to issue now */
  want: number
  /** replicas out (assigned) */
  live: Set<ReplicaRt>
  /** replicas reported OK, not yet decided */
  reported: ReplicaRt[]
  /** every provider that ever held a replica of this unit */
  providers: Set<string>
  lastError?: string
}

export interface ReplicaRt {
  id: number
  unit: UnitRt
  provider: string
  state: ReplicaState
  /** issued as the unit's only replica to a trusted provider */
  solo: boolean
  assignedAt: number
  deadlineAt: number
  reportedAt?: number
  hash?: Uint8Array
  hashHex?: string
  outputBytes?: number
  wallMs?: number
  error?: string
}

/** What a HELLO tells about a provider, checked and clamped. */
export interface ProviderHello {
  host: ProviderHostInfo
  cpus: number
  maxMemoryMb: number
  apps: string[]
}

/** A provider's record of replicas by outcome and its times, kept in SQLite and in memory alike. */
export interface ProviderHistory {
  valid: number
  invalid: number
  failed: number
  timedOut: number
  lost: number
  validStreak: number
  turnaroundSum: number
  turnaroundCount: number
  firstSeen: number
  lastSeen: number
}

export interface ProviderRt extends ProviderHello, ProviderHistory {
  peerId: string
  /** active: said HELLO since this bootstrap started and is connected; `working` is derived */
  state: Exclude<ProviderState, 'working'>
  appKeys: Set<string>
  /** replicas it holds now */
  assigned: Set<ReplicaRt>
  /** replica ids cancelled while it held them, not yet told */
  cancelNotices: number[]
  /** max_units of its latest FETCH (the demand it shows) */
  lastAsk: number
}

export function emptyUnitStates (): Record<UnitState, number> {
  return { pending: 0, running: 0, valid: 0, failed: 0, cancelled: 0 }
}

export function emptyReplicaStates (): Record<ReplicaState, number> {
  return { assigned: 0, reported: 0, valid: 0, invalid: 0, failed: 0, timed_out: 0, lost: 0, cancelled: 0 }
}
