/** The scheduler's options and the answers it gives (scheduler.ts). */
import type { JobLimits } from './model.js'
import type { ResolvedInput, ResolvedJob } from '../../src/compute/index.js'

export type ScheduleMode = 'fcfs' | 'priority'

export interface SchedulerOptions {
  /**
   * How units are handed out: `fcfs` or `priority`.
   * @default 'fcfs'
   */
  mode?: ScheduleMode
  /**
   * A replica times out this long after its job's deadlineMs.
   * @default 1000
   */
  reportGraceMs?: number
  /**
   * The retry_ms of a FETCH answer without units: when the provider should ask again.
   * @default 1000
   */
  retryMs?: number
  /**
   * Valid results in a row that make a provider trusted.
   * @default 10
   */
  trustStreak?: number
  /**
   * The clock (tests move it)
   * @default Date.now
   */
  now?: () => number
}

/** One unit handed to a provider: what a WorkUnit carries. */
export interface Assignment {
  replicaId: number
  jobId: string
  unitIndex: number
  app: string
  args: string[]
  inputs: ResolvedInput[]
  deadlineMs: number
  maxMemoryBytes: number
  maxOutputBytes: number
  owner: string
  ownerAddrs: string[]
  stdout: boolean
  outputFiles: string[]
}

export interface FetchAnswer {
  units: Assignment[]
  /** when no unit was given: ask again after this many ms */
  retryMs: number
  /** replicas this provider holds that were cancelled */
  cancelled: number[]
}

export type ReportOutcome = 'ok' | 'failed' | 'timeout' | 'memory' | 'output' | 'abandoned'

export interface ReportItem {
  replicaId: number
  outcome: ReportOutcome
  /** sha256 of the output's canonical encoding, 32 bytes (outcome ok) */
  hash?: Uint8Array
  outputBytes?: number
  wallMs?: number
  error?: string
}

export interface ReportAnswer {
  /** results recorded */
  accepted: number
  /** why the others were not */
  refused: string[]
  cancelled: number[]
}

export interface Caller {
  peerId: string
  /** the bootstrap itself or an --admin peer */
  operator: boolean
}

/** Counters for the metrics, monotonic. */
export interface SchedulerCounters {
  issued: number
  validUnits: number
  failedUnits: number
  validReplicas: number
  invalidReplicas: number
  failedReplicas: number
  timedOutReplicas: number
  lostReplicas: number
}

/** Bytes of a WorkUnit besides its args and inputs, with room for the owner's addresses. */
export const UNIT_OVERHEAD_BYTES = 1_024

export function limitsOf (job: ResolvedJob): JobLimits {
  return {
    requirements: { ...job.requirements },
    replication: job.replication,
    quorum: job.quorum,
    deadlineMs: job.deadlineMs,
    maxAttempts: job.maxAttempts,
    priority: job.priority,
    result: { stdout: job.result.stdout, files: [...job.result.files] },
    maxOutputBytes: job.maxOutputBytes,
    adaptive: job.adaptive,
    ...(job.assemble == null ? {} : { assemble: job.assemble })
  }
}
