import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import { openDatabase } from '../../src/core/index.js'
import { SCHEMA as CENTRAL_SCHEMA } from '../tables/schema.js'
import { COMPUTE_SCHEMA } from './schema.js'
import type { ProviderRt, ReplicaRt, UnitRt, JobRt } from './model.js'
import type { ExpandedUnit, ReplicaState, ResolvedInput, UnitState } from '../../src/compute/index.js'
import { jobRow, replicaRow, userRow, type JobRow, type ProviderRow, type ReplicaRow, type UnitRow, type UserRow } from './store-rows.js'

export type { JobRow, ProviderRow, ReplicaRow, UnitRow, UserRow }

/**
 * The work manager's SQLite tables in central.db (schema.ts). Its own
 * connection: WAL, synchronous = FULL (a commit is on disk before the
 * bootstrap answers), foreign keys on. Every statement is prepared once.
 * Callers group writes with begin/commit; the scheduler makes each request
 * (or each batch of requests) one transaction.
 */
export class ComputeStore {
  private readonly db: DatabaseSync
  private readonly st: Record<string, StatementSync> = {}
  private depth = 0

  constructor (readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
    this.db = openDatabase(path)
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;')
    // the users table belongs to bootstrap/tables; its schema is idempotent, so a store opened first creates it the same way
    this.db.exec(CENTRAL_SCHEMA)
    this.db.exec(COMPUTE_SCHEMA)
    this.addMissingColumns()
    this.prepare()
  }

  /** Columns added after a release: CREATE TABLE IF NOT EXISTS leaves an older database's tables as they were. */
  private addMissingColumns (): void {
    const columns = (this.db.prepare('PRAGMA table_info(jobs)').all() as Array<{ name: string }>).map(c => c.name)
    if (!columns.includes('solo_valid_units')) this.db.exec('ALTER TABLE jobs ADD COLUMN solo_valid_units INTEGER NOT NULL DEFAULT 0')
  }

  close (): void {
    if (this.db.isOpen) this.db.close()
  }

  get isOpen (): boolean {
    return this.db.isOpen
  }

  /** The durability settings in force on this connection (for operators and tests). */
  settings (): { journalMode: string, synchronous: number, foreignKeys: boolean } {
    const journal = this.db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }
    const sync = this.db.prepare('PRAGMA synchronous').get() as { synchronous: number }
    const fk = this.db.prepare('PRAGMA foreign_keys').get() as { foreign_keys: number }
    return { journalMode: journal.journal_mode, synchronous: Number(sync.synchronous), foreignKeys: Number(fk.foreign_keys) === 1 }
  }

  get inTransaction (): boolean {
    return this.depth > 0
  }

  begin (): void {
    if (this.depth++ === 0) this.db.exec('BEGIN IMMEDIATE')
  }

  commit (): void {
    if (this.depth === 0) return
    if (--this.depth === 0) this.db.exec('COMMIT')
  }

  /** Rolls the whole transaction back, however deeply begin() was nested. */
  rollback (): void {
    if (this.depth === 0) return
    this.depth = 0
    try {
      this.db.exec('ROLLBACK')
    } catch {
      // SQLite may already have rolled back (for example on a full disk)
    }
  }

  /** Runs `fn` in one transaction (joined to the current one when nested). */
  transaction<T> (fn: () => T): T {
    this.begin()
    let result: T
    try {
      result = fn()
    } catch (err) {
      this.rollback()
      throw err
    }
    this.commit()
    return result
  }

  // --- jobs and units ---

  insertJob (job: Omit<JobRow, 'seq' | 'finishedAt'>, units: Iterable<ExpandedUnit>, want: number): number {
    const res = this.st.insertJob.run(job.id, job.owner, job.name, job.app, job.appName, job.spec, job.priority, job.state, job.unitCount,
      job.submittedAt, job.unitStates, job.replicaStates, job.errors, job.ownerAddrs)
    const seq = Number(res.lastInsertRowid)
    const insert = this.st.insertUnit
    for (const u of units) insert.run(seq, u.index, JSON.stringify(u.args), JSON.stringify(u.inputs), u.cost, want)
    return seq
  }

  jobById (id: string): JobRow | undefined {
    const r = this.st.jobById.get(id) as any
    return r == null ? undefined : jobRow(r)
  }

  jobBySeq (seq: number): JobRow | undefined {
    const r = this.st.jobBySeq.get(seq) as any
    return r == null ? undefined : jobRow(r)
  }

  runningJobs (): JobRow[] {
    return (this.st.runningJobs.all() as any[]).map(jobRow)
  }

  jobsOf (owner: string, limit: number): JobRow[] {
    return (this.st.jobsOf.all(owner, limit) as any[]).map(jobRow)
  }

  writeJob (job: JobRt): void {
    this.st.writeJob.run(job.state, job.finishedAt ?? null, JSON.stringify(job.unitStates), JSON.stringify(job.replicaStates), job.soloValidUnits,
      JSON.stringify(job.errors), JSON.stringify(job.ownerAddrs), job.seq)
  }

  /** Rewrites the replica counts of a job that is no longer in memory. */
  setReplicaStates (seq: number, counts: Record<ReplicaState, number>): void {
    this.st.setReplicaStates.run(JSON.stringify(counts), seq)
  }

  /** Every unit of a job not decided yet, in unit order. */
  openUnits (seq: number): UnitRow[] {
    return (this.st.openUnits.all(seq) as any[]).map(r => ({
      index: Number(r.unit_index),
      state: r.state,
      cost: Number(r.cost),
      attempts: Number(r.attempts),
      want: Number(r.want),
      validHash: null,
      error: r.error ?? null
    }))
  }

  unitSpec (seq: number, index: number): { args: string[], inputs: ResolvedInput[] } {
    const r = this.st.unitSpec.get(seq, index) as { args: string, inputs: string } | undefined
    if (r == null) throw new Error(`unit ${index} of job ${seq} is not in the units table`)
    return { args: JSON.parse(r.args), inputs: JSON.parse(r.inputs) }
  }

  unit (seq: number, index: number): UnitRow | undefined {
    const r = this.st.unit.get(seq, index) as any
    if (r == null) return undefined
    return {
      index: Number(r.unit_index),
      state: r.state,
      cost: Number(r.cost),
      attempts: Number(r.attempts),
      want: Number(r.want),
      validHash: r.valid_hash == null ? null : new Uint8Array(r.valid_hash),
      error: r.error ?? null
    }
  }

  writeUnit (u: UnitRt, state: UnitState, validHash: Uint8Array | null, decidedAt: number | null): void {
    this.st.writeUnit.run(state, u.attempts, u.want, validHash, u.lastError ?? null, decidedAt, u.job.seq, u.index)
  }

  /** Ends every undecided unit of a job (it failed or was cancelled). */
  cancelOpenUnits (seq: number, now: number): void {
    this.st.cancelOpenUnits.run(now, seq)
  }

  /** Units from `from` (inclusive) to `to` (exclusive), in order, with their state and valid hash. */
  unitResults (seq: number, from: number, to: number): Array<{ index: number, state: UnitState, hash: Uint8Array | null }> {
    return (this.st.unitResults.all(seq, from, to) as any[]).map(r => ({
      index: Number(r.unit_index),
      state: r.state,
      hash: r.valid_hash == null ? null : new Uint8Array(r.valid_hash)
    }))
  }

  /** Providers of valid replicas of units from `from` to `to` (exclusive). */
  validHolders (seq: number, from: number, to: number): Array<{ index: number, provider: string }> {
    return (this.st.validHolders.all(seq, from, to) as any[]).map(r => ({ index: Number(r.unit_index), provider: r.provider }))
  }

  // --- replicas ---

  writeReplica (r: ReplicaRt): void {
    this.st.writeReplica.run(r.id, r.unit.job.seq, r.unit.index, r.provider, r.state, r.solo ? 1 : 0, r.assignedAt, r.deadlineAt,
      r.reportedAt ?? null, r.hash ?? null, r.outputBytes ?? null, r.wallMs ?? null, r.error ?? null)
  }

  /** A cancelled replica reported after all (its unit was valid by then): its verdict against the valid hash. */
  updateLateReplica (id: number, state: 'valid' | 'invalid', reportedAt: number, hash: Uint8Array, outputBytes: number | null, wallMs: number | null): void {
    this.st.updateLateReplica.run(state, reportedAt, hash, outputBytes, wallMs, id)
  }

  replica (id: number): ReplicaRow | undefined {
    const r = this.st.replica.get(id) as any
    return r == null ? undefined : replicaRow(r)
  }

  /** Every replica of a job, in id order. */
  replicasOf (seq: number): ReplicaRow[] {
    return (this.st.replicasOf.all(seq) as any[]).map(replicaRow)
  }

  /** Cancels every replica still assigned in a job. */
  cancelAssigned (seq: number): void {
    this.st.cancelAssigned.run(seq)
  }

  maxReplicaId (): number {
    const r = this.st.maxReplicaId.get() as { id: number | null }
    return Number(r.id ?? 0)
  }

  // --- providers ---

  providers (): ProviderRow[] {
    return (this.st.providers.all() as any[]).map(r => ({
      peerId: r.peer_id,
      host: r.host,
      cpus: Number(r.cpus),
      maxMemoryMb: Number(r.max_memory_mb),
      apps: r.apps,
      state: r.state,
      banned: r.banned === 1,
      valid: Number(r.valid),
      invalid: Number(r.invalid),
      failed: Number(r.failed),
      timedOut: Number(r.timed_out),
      lost: Number(r.lost),
      validStreak: Number(r.valid_streak),
      turnaroundSum: Number(r.turnaround_sum),
      turnaroundCount: Number(r.turnaround_count),
      firstSeen: Number(r.first_seen),
      lastSeen: Number(r.last_seen)
    }))
  }

  writeProvider (p: ProviderRt): void {
    this.st.writeProvider.run(p.peerId, JSON.stringify(p.host), p.cpus, p.maxMemoryMb, JSON.stringify(p.apps), p.state, p.state === 'banned' ? 1 : 0,
      p.valid, p.invalid, p.failed, p.timedOut, p.lost, p.validStreak, p.turnaroundSum, p.turnaroundCount, p.firstSeen, p.lastSeen)
  }

  /** Replaces the provider ↔ application links of one provider. */
  setProviderApps (peerId: string, apps: string[]): void {
    this.st.deleteProviderApps.run(peerId)
    for (const app of apps) this.st.insertProviderApp.run(peerId, app)
  }

  providerApps (peerId: string): string[] {
    return (this.st.providerApps.all(peerId) as Array<{ app_cid: string }>).map(r => r.app_cid)
  }

  /** Providers that accept an app (or every app). */
  providersOfApp (app: string): string[] {
    return (this.st.providersOfApp.all(app) as Array<{ peer_id: string }>).map(r => r.peer_id)
  }

  deleteProvider (peerId: string): void {
    this.st.deleteProvider.run(peerId)
  }

  markProvidersOffline (): void {
    this.st.providersOffline.run()
  }

  // --- users (the users table of bootstrap/tables) ---

  userByPeer (peerId: string): UserRow | undefined {
    const r = this.st.userByPeer.get(peerId) as any
    return r == null ? undefined : userRow(r)
  }

  userByName (userid: string): UserRow | undefined {
    const r = this.st.userByName.get(userid) as any
    return r == null ? undefined : userRow(r)
  }

  /** Makes sure a peer has a user row (userid = its PeerId until it registers a name). */
  ensureUser (peerId: string, now: number): void {
    this.st.ensureUser.run(peerId, peerId, now, now)
  }

  /** Links `peerId` to user `userid`: renames the peer's row, claims an unlinked row of that name, or creates one. */
  linkUser (peerId: string, userid: string, email: string, now: number): number {
    const mine = this.userByPeer(peerId)
    const named = this.userByName(userid)
    let serial: number
    if (mine != null && named != null && named.userSerialId !== mine.userSerialId) {
      // the name's row is unlinked (checked by the caller): the peer moves to it
      this.st.deleteUser.run(mine.userSerialId)
      this.st.claimUser.run(peerId, now, named.userSerialId)
      serial = named.userSerialId
    } else if (mine != null) {
      this.st.renameUser.run(userid, now, mine.userSerialId)
      serial = mine.userSerialId
    } else if (named != null) {
      this.st.claimUser.run(peerId, now, named.userSerialId)
      serial = named.userSerialId
    } else {
      serial = Number(this.st.insertUser.run(userid, peerId, now, now).lastInsertRowid)
    }
    this.st.setDetails.run(serial, email, now)
    return serial
  }

  deleteUser (serial: number): void {
    this.st.deleteDetails.run(serial)
    this.st.deleteUser.run(serial)
  }

  private prepare (): void {
    const p = (name: string, sql: string): void => { this.st[name] = this.db.prepare(sql) }
    p('insertJob', `INSERT INTO jobs (id, owner, name, app, app_name, spec, priority, state, unit_count, submitted_at, unit_states, replica_states, errors, owner_addrs)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    p('insertUnit', "INSERT INTO units (job_seq, unit_index, state, args, inputs, cost, attempts, want) VALUES (?, ?, 'pending', ?, ?, ?, 0, ?)")
    p('jobById', 'SELECT * FROM jobs WHERE id = ?')
    p('jobBySeq', 'SELECT * FROM jobs WHERE seq = ?')
    p('updateLateReplica', 'UPDATE replicas SET state = ?, reported_at = ?, hash = ?, output_bytes = ?, wall_ms = ? WHERE id = ?')
    p('runningJobs', "SELECT * FROM jobs WHERE state = 'running' ORDER BY seq")
    p('jobsOf', 'SELECT * FROM jobs WHERE owner = ? ORDER BY seq DESC LIMIT ?')
    p('writeJob', 'UPDATE jobs SET state = ?, finished_at = ?, unit_states = ?, replica_states = ?, solo_valid_units = ?, errors = ?, owner_addrs = ? WHERE seq = ?')
    p('setReplicaStates', 'UPDATE jobs SET replica_states = ? WHERE seq = ?')
    p('openUnits', "SELECT unit_index, state, cost, attempts, want, error FROM units WHERE job_seq = ? AND state IN ('pending', 'running') ORDER BY unit_index")
    p('unitSpec', 'SELECT args, inputs FROM units WHERE job_seq = ? AND unit_index = ?')
    p('unit', 'SELECT * FROM units WHERE job_seq = ? AND unit_index = ?')
    p('writeUnit', 'UPDATE units SET state = ?, attempts = ?, want = ?, valid_hash = ?, error = ?, decided_at = ? WHERE job_seq = ? AND unit_index = ?')
    p('cancelOpenUnits', "UPDATE units SET state = 'cancelled', want = 0, decided_at = ? WHERE job_seq = ? AND state IN ('pending', 'running')")
    p('unitResults', 'SELECT unit_index, state, valid_hash FROM units WHERE job_seq = ? AND unit_index >= ? AND unit_index < ? ORDER BY unit_index')
    p('validHolders', "SELECT unit_index, provider FROM replicas WHERE job_seq = ? AND unit_index >= ? AND unit_index < ? AND state = 'valid' ORDER BY unit_index, id")
    p('writeReplica', `INSERT INTO replicas (id, job_seq, unit_index, provider, state, solo, assigned_at, deadline_at, reported_at, hash, output_bytes, wall_ms, error)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET state = excluded.state, reported_at = excluded.reported_at, hash = excluded.hash,
        output_bytes = excluded.output_bytes, wall_ms = excluded.wall_ms, error = excluded.error`)
    p('replica', 'SELECT * FROM replicas WHERE id = ?')
    p('replicasOf', 'SELECT * FROM replicas WHERE job_seq = ? ORDER BY id')
    p('cancelAssigned', "UPDATE replicas SET state = 'cancelled' WHERE job_seq = ? AND state = 'assigned'")
    p('maxReplicaId', 'SELECT MAX(id) AS id FROM replicas')
    p('providers', 'SELECT * FROM providers')
    p('writeProvider', `INSERT INTO providers (peer_id, host, cpus, max_memory_mb, apps, state, banned, valid, invalid, failed, timed_out, lost, valid_streak,
        turnaround_sum, turnaround_count, first_seen, last_seen)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (peer_id) DO UPDATE SET host = excluded.host, cpus = excluded.cpus, max_memory_mb = excluded.max_memory_mb, apps = excluded.apps,
        state = excluded.state, banned = excluded.banned, valid = excluded.valid, invalid = excluded.invalid, failed = excluded.failed,
        timed_out = excluded.timed_out, lost = excluded.lost, valid_streak = excluded.valid_streak, turnaround_sum = excluded.turnaround_sum,
        turnaround_count = excluded.turnaround_count, last_seen = excluded.last_seen`)
    p('deleteProviderApps', 'DELETE FROM provider_apps WHERE peer_id = ?')
    p('insertProviderApp', 'INSERT OR IGNORE INTO provider_apps (peer_id, app_cid) VALUES (?, ?)')
    p('providerApps', 'SELECT app_cid FROM provider_apps WHERE peer_id = ? ORDER BY app_cid')
    p('providersOfApp', `SELECT peer_id FROM provider_apps WHERE app_cid = ?
      UNION SELECT peer_id FROM providers WHERE NOT EXISTS (SELECT 1 FROM provider_apps a WHERE a.peer_id = providers.peer_id) ORDER BY peer_id`)
    p('deleteProvider', 'DELETE FROM providers WHERE peer_id = ?')
    p('providersOffline', "UPDATE providers SET state = 'offline' WHERE state = 'active'")
    p('userByPeer', 'SELECT u.user_serial_id, u.userid, u.peer_id, d.email FROM users u LEFT JOIN user_details d ON d.user_serial_id = u.user_serial_id WHERE u.peer_id = ?')
    p('userByName', 'SELECT u.user_serial_id, u.userid, u.peer_id, d.email FROM users u LEFT JOIN user_details d ON d.user_serial_id = u.user_serial_id WHERE u.userid = ?')
    p('ensureUser', 'INSERT OR IGNORE INTO users (userid, peer_id, created_at, last_seen) VALUES (?, ?, ?, ?)')
    p('insertUser', 'INSERT INTO users (userid, peer_id, created_at, last_seen) VALUES (?, ?, ?, ?)')
    p('renameUser', 'UPDATE users SET userid = ?, last_seen = ? WHERE user_serial_id = ?')
    p('claimUser', 'UPDATE users SET peer_id = ?, last_seen = ? WHERE user_serial_id = ?')
    p('deleteUser', 'DELETE FROM users WHERE user_serial_id = ?')
    p('setDetails', 'INSERT INTO user_details (user_serial_id, email, registered_at) VALUES (?, ?, ?) ON CONFLICT (user_serial_id) DO UPDATE SET email = excluded.email, registered_at = excluded.registered_at')
    p('deleteDetails', 'DELETE FROM user_details WHERE user_serial_id = ?')
  }
}
