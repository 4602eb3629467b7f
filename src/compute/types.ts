/**
 * The JSON documents of /peerhive/jobs/1.0.0 (protocols/jobs.md) and the job
 * format (protocols/compute.md), shared by the bootstrap and the clients.
 */

/** A job as its owner writes it: app and inputs are paths (relative to the job file) or CIDs. */
export interface JobSpec {
  name?: string
  app: string
  units?: UnitSpecInput[]
  range?: { from: number, to: number, step: number, args: string[], inputs?: string[] }
  requirements: { memoryMb: number, diskMb: number }
  replication: number
  quorum: number
  deadlineMs: number
  maxAttempts: number
  priority: number
  result: { stdout: boolean, files: string[] }
  maxOutputBytes: number
  adaptive: boolean
  assemble?: 'mandelbrot-png'
}

export interface UnitSpecInput {
  args: string[]
  inputs?: string[]
  cost?: number
}

/** An input of a resolved job: the name the unit sees under /input, and the CID it is fetched by. */
export interface ResolvedInput {
  name: string
  cid: string
}

/** What SUBMIT carries: the job with its app and inputs resolved to CIDs. */
export interface ResolvedJob extends Omit<JobSpec, 'app' | 'units' | 'range'> {
  /** CID of the app module */
  app: string
  /** name of the app module, for display */
  appName: string
  units?: Array<{ args: string[], inputs: ResolvedInput[], cost?: number }>
  range?: { from: number, to: number, step: number, args: string[], inputs?: ResolvedInput[] }
}

/** One unit after expansion (range or list), as the bootstrap stores it. */
export interface ExpandedUnit {
  index: number
  args: string[]
  inputs: ResolvedInput[]
  cost: number
}

export type JobState = 'running' | 'done' | 'failed' | 'cancelled'
export type UnitState = 'pending' | 'running' | 'valid' | 'failed' | 'cancelled'
export type ReplicaState = 'assigned' | 'reported' | 'valid' | 'invalid' | 'failed' | 'timed_out' | 'lost' | 'cancelled'
export type ProviderState = 'active' | 'working' | 'offline' | 'removed' | 'banned'

/** STATUS answer, and each entry of LIST. */
export interface JobStatus {
  id: string
  name: string
  owner: string
  state: JobState
  submittedAt: number
  finishedAt?: number
  units: number
  /** units by state */
  unitStates: Record<UnitState, number>
  /** replicas by state */
  replicaStates: Record<ReplicaState, number>
  /** valid units / units, 0..1 */
  progress: number
  /** ms until done at the recent validation rate; absent when unknown */
  etaMs?: number
  /** failed units' last errors, at most 20 */
  errors?: Array<{ unit: number, error: string }>
}

/** RESULTS answer: per valid unit, its hash and the providers that hold a copy of that output. */
export interface JobResults {
  id: string
  state: JobState
  units: Array<{ index: number, state: UnitState, hash?: string, holders: string[] }>
}

/** PROVIDERS answer entries. */
export interface ProviderInfo {
  peerId: string
  userSerialId?: number
  userid?: string
  state: ProviderState
  host: {
    cpuModel: string
    cores: number
    cpuMhz: number
    os: string
    memoryMb: number
    freeDiskMb: number
    network: string
    bandwidthBps: number
  }
  cpus: number
  maxMemoryMb: number
  apps: string[]
  /** replicas out now */
  current: number
  history: {
    valid: number
    invalid: number
    failed: number
    timedOut: number
    lost: number
    /** valid results in a row (trusted at 10) */
    validStreak: number
    trusted: boolean
    /** mean ms from assignment to report of valid replicas */
    meanTurnaroundMs?: number
  }
  /** level used by the priority schedule */
  level: number
  firstSeen: number
  lastSeen: number
}
