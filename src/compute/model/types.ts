/**
 * The JSON documents of /peerhive/jobs/1.0.0 (protocols/jobs.md) and the job
 * format (protocols/compute.md), shared by the bootstrap and the clients.
 */

/**
 * A job as its owner writes it (a job file, or the object given to
 * `node.compute.submit()`): app and inputs are paths (relative to the job
 * file) or CIDs. Every field with a default may be left out.
 */
export interface JobInput {
  /**
   * A name for the job, at most 200 characters, shown by `jobs` and `job status`.
   * @default none (the job's id is shown)
   */
  name?: string
  /**
   * The application: a WASI command module (`_start`), as a path relative
   * to the job file or as the CID of a shared file.
   * @default none (required)
   */
  app: string
  /**
   * Explicit units, 1 to 100000: each with its arguments (argv[0] excluded),
   * its inputs (paths or CIDs) and its cost. A job has `units` or `range`.
   * @default none (required unless `range` is given)
   */
  units?: UnitSpecInput[]
  /**
   * Instead of `units`: one unit per `step` from `from` to `to`; `{from}`,
   * `{to}` (exclusive, capped at `to`) and `{index}` in `args` and `inputs`
   * are replaced.
   * @default none (required unless `units` is given)
   */
  range?: { from: number, to: number, step: number, args: string[], inputs?: string[] }
  /**
   * What a provider needs for one unit: `memoryMb` (1..4096) is the unit's
   * memory cap, `diskMb` (0..65536) its inputs and outputs together.
   * Providers with less are not sent the job.
   * @default { memoryMb: 64, diskMb: 64 }
   */
  requirements?: { memoryMb?: number, diskMb?: number }
  /**
   * Replicas of each unit issued at first, 1..16, at least `quorum`.
   * @default the quorum
   */
  replication?: number
  /**
   * Agreeing results (same output hash) that make a unit valid, 1..16.
   * @default 1
   */
  quorum?: number
  /**
   * How long a replica may take from assignment to report, in ms (100..86400000).
   * @default 600000
   */
  deadlineMs?: number
  /**
   * Replicas a unit may use in all, reissues included (replication..64);
   * then the unit fails.
   * @default replication + 3, at most 64
   */
  maxAttempts?: number
  /**
   * Scheduling priority, an integer -100..100: higher first, first come
   * first served within a priority.
   * @default 0
   */
  priority?: number
  /**
   * What a unit's output is: its stdout (`stdout`) and the files it writes
   * under /output named in `files` (at most 64).
   * @default { stdout: true, files: [] }
   */
  result?: { stdout?: boolean, files?: string[] }
  /**
   * Bound on one unit's output, stdout and files together, in bytes (at most 64 MiB).
   * @default 16777216 (16 MiB)
   */
  maxOutputBytes?: number
  /**
   * Adaptive replication: a trusted provider (10 valid results in a row)
   * may validate a unit alone, below the quorum. Opt-in: with the default,
   * every unit needs `quorum` agreeing results. `job status` counts the
   * units validated this way (`soloValidUnits`).
   * @default false
   */
  adaptive?: boolean
  /**
   * What `job results` builds from the outputs besides the files.
   * @default none (nothing is assembled)
   */
  assemble?: 'mandelbrot-png'
}

/** The fields of a job that have a default (JobInput leaves them optional, JobSpec has them all). */
export type DefaultedJobField = 'requirements' | 'replication' | 'quorum' | 'deadlineMs' | 'maxAttempts' | 'priority' | 'result' | 'maxOutputBytes' | 'adaptive'

/** A job after validation (`validateJob`): a JobInput with every default applied. */
export interface JobSpec extends Omit<JobInput, DefaultedJobField> {
  /** as in JobInput, both limits given */
  requirements: { memoryMb: number, diskMb: number }
  /** as in JobInput */
  replication: number
  /** as in JobInput */
  quorum: number
  /** as in JobInput */
  deadlineMs: number
  /** as in JobInput */
  maxAttempts: number
  /** as in JobInput */
  priority: number
  /** as in JobInput, both fields given */
  result: { stdout: boolean, files: string[] }
  /** as in JobInput */
  maxOutputBytes: number
  /** as in JobInput */
  adaptive: boolean
}

/** One explicit unit of a job file. */
export interface UnitSpecInput {
  /**
   * The unit's arguments; the provider adds argv[0] = "app".
   * @default none (required)
   */
  args: string[]
  /**
   * Files the unit finds under /input by their names: paths relative to the
   * job file, or CIDs of shared files.
   * @default []
   */
  inputs?: string[]
  /**
   * The unit's relative cost; `priority` scheduling gives the fastest
   * providers the costliest units first.
   * @default 1
   */
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
  /**
   * units valid on one trusted provider's result alone, fewer than the
   * quorum (adaptive replication); absent from bootstraps before it was added
   */
  soloValidUnits?: number
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

/** A provider's machine, as its HELLO says and the bootstrap keeps it (checked and clamped). */
export interface ProviderHostInfo {
  cpuModel: string
  cores: number
  cpuMhz: number
  os: string
  memoryMb: number
  freeDiskMb: number
  network: string
  bandwidthBps: number
}

/** PROVIDERS answer entries. */
export interface ProviderInfo {
  peerId: string
  userSerialId?: number
  userid?: string
  state: ProviderState
  host: ProviderHostInfo
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
