/** The rows of the work manager's tables (schema.ts) as the store (store.ts) returns them, and how each is read from SQLite. */
import type { ProviderHistory } from './model.js'
import type { JobState, ReplicaState, UnitState } from '../../src/compute/index.js'

export interface JobRow {
  seq: number
  id: string
  owner: string
  name: string
  app: string
  appName: string
  spec: string
  priority: number
  state: JobState
  unitCount: number
  submittedAt: number
  finishedAt: number | null
  unitStates: string
  replicaStates: string
  /** units valid on one trusted provider's result alone (JobStatus.soloValidUnits) */
  soloValidUnits: number
  errors: string
  ownerAddrs: string
}

export interface UnitRow {
  index: number
  state: UnitState
  cost: number
  attempts: number
  want: number
  validHash: Uint8Array | null
  error: string | null
}

export interface ReplicaRow {
  id: number
  jobSeq: number
  unitIndex: number
  provider: string
  state: ReplicaState
  solo: boolean
  assignedAt: number
  deadlineAt: number
  reportedAt: number | null
  hash: Uint8Array | null
  outputBytes: number | null
  wallMs: number | null
  error: string | null
}

export interface ProviderRow extends ProviderHistory {
  peerId: string
  host: string
  cpus: number
  maxMemoryMb: number
  apps: string
  state: string
  banned: boolean
}

export interface UserRow {
  userSerialId: number
  userid: string
  peerId: string | null
  email?: string
}

export function jobRow (r: any): JobRow {
  return {
    seq: Number(r.seq),
    id: r.id,
    owner: r.owner,
    name: r.name,
    app: r.app,
    appName: r.app_name,
    spec: r.spec,
    priority: Number(r.priority),
    state: r.state,
    unitCount: Number(r.unit_count),
    submittedAt: Number(r.submitted_at),
    finishedAt: r.finished_at == null ? null : Number(r.finished_at),
    unitStates: r.unit_states,
    replicaStates: r.replica_states,
    soloValidUnits: Number(r.solo_valid_units ?? 0),
    errors: r.errors,
    ownerAddrs: r.owner_addrs
  }
}

export function replicaRow (r: any): ReplicaRow {
  return {
    id: Number(r.id),
    jobSeq: Number(r.job_seq),
    unitIndex: Number(r.unit_index),
    provider: r.provider,
    state: r.state,
    solo: r.solo === 1,
    assignedAt: Number(r.assigned_at),
    deadlineAt: Number(r.deadline_at),
    reportedAt: r.reported_at == null ? null : Number(r.reported_at),
    hash: r.hash == null ? null : new Uint8Array(r.hash),
    outputBytes: r.output_bytes == null ? null : Number(r.output_bytes),
    wallMs: r.wall_ms == null ? null : Number(r.wall_ms),
    error: r.error ?? null
  }
}

export function userRow (r: any): UserRow {
  return { userSerialId: Number(r.user_serial_id), userid: r.userid, peerId: r.peer_id ?? null, ...(r.email == null ? {} : { email: r.email }) }
}
