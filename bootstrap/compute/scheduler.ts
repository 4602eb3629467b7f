import { randomBytes } from 'node:crypto'
import { expandUnits, normalizeCid, validateJob } from '../../src/compute/index.js'
import {
  DEFAULT_REPORT_GRACE_MS, DEFAULT_RETRY_MS, ETA_SAMPLES, MAX_CANCEL_NOTICES, MAX_JOB_ERRORS, MAX_LISTED_JOBS,
  MAX_LISTED_PROVIDERS, MAX_REPLICAS_PER_PROVIDER, MAX_RESULT_UNITS, MAX_RUNNING_JOBS_PER_OWNER, TRUST_STREAK
} from './constants.js'
import { MAX_CANCELLED_PER_ANSWER, MAX_UNITS_PER_FETCH } from '../../src/protocols/index.js'
import { ComputeRefusal } from './errors.js'
import { emptyReplicaStates, emptyUnitStates, type JobLimits, type JobRt, type ProviderHello, type ProviderRt, type ReplicaRt, type UnitRt } from './model.js'
import { isScarce, median, providerLevel } from './priority.js'
import { quorumVerdict, replicasWanted } from './quorum.js'
import { checkEmail, checkUserName } from './registration.js'
import { UnitQueue } from './unit-queue.js'
import { jobStatus, jobStatusFromRow, providerInfo } from './views.js'
import type { ComputeStore, JobRow, UnitRow } from './store.js'
import type { ExpandedUnit, JobResults, JobStatus, ProviderInfo, ReplicaState, ResolvedInput, ResolvedJob, UnitState } from '../../src/compute/index.js'

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
const UNIT_OVERHEAD_BYTES = 1_024

/**
 * The work manager (WORK-5, WORK-8): jobs, units, replicas and providers,
 * with their state machines (compute.md). Scheduling decisions are made in
 * memory; every request's changes are written to SQLite in one transaction
 * before its answer goes out (the server may group several requests into one
 * transaction). No libp2p here: the server (compute-server.ts) feeds it.
 */
export class ComputeScheduler {
  readonly mode: ScheduleMode
  readonly counters: SchedulerCounters = { issued: 0, validUnits: 0, failedUnits: 0, validReplicas: 0, invalidReplicas: 0, failedReplicas: 0, timedOutReplicas: 0, lostReplicas: 0 }
  private readonly reportGraceMs: number
  private readonly retryMs: number
  private readonly trustStreak: number
  private readonly now: () => number
  /** running jobs by id */
  private readonly jobs = new Map<string, JobRt>()
  /** running jobs in hand-out order: priority, then submission */
  private order: JobRt[] = []
  private readonly providers = new Map<string, ProviderRt>()
  /** replicas assigned or reported, not final yet */
  private readonly live = new Map<number, ReplicaRt>()
  private nextReplicaId = 1
  private readonly dirtyProviders = new Set<ProviderRt>()
  private readonly dirtyReplicas = new Set<ReplicaRt>()
  private readonly dirtyUnits = new Map<UnitRt, { state: UnitState, hash: Uint8Array | null, at: number | null }>()
  private readonly dirtyJobs = new Set<JobRt>()
  private levelCache?: { at: number, median: number, demand: number, ready: number }

  constructor (private readonly store: ComputeStore, opts: SchedulerOptions = {}) {
    this.mode = opts.mode ?? 'fcfs'
    this.reportGraceMs = opts.reportGraceMs ?? DEFAULT_REPORT_GRACE_MS
    this.retryMs = opts.retryMs ?? DEFAULT_RETRY_MS
    this.trustStreak = opts.trustStreak ?? TRUST_STREAK
    this.now = opts.now ?? Date.now
    this.load(true)
    // replicas given a new deadline at start are written back, so a reload keeps it
    if (this.dirtyReplicas.size > 0) this.atomically(() => {})
  }

  // ---------------------------------------------------------------- providers

  /** HELLO: records (or updates) the provider and opens its session. */
  hello (peerId: string, hello: ProviderHello): ProviderInfo {
    const known = this.providers.get(peerId)
    if (known != null) this.refuseRemoved(known)
    return this.atomically(() => {
      const now = this.now()
      const p = known ?? this.newProvider(peerId, now)
      Object.assign(p, { host: { ...hello.host }, cpus: hello.cpus, maxMemoryMb: hello.maxMemoryMb, apps: [...hello.apps] })
      p.appKeys = new Set(hello.apps.map(normalizeCid))
      p.state = 'active'
      p.lastSeen = now
      this.providers.set(peerId, p)
      this.store.ensureUser(peerId, now)
      this.store.writeProvider(p)
      this.store.setProviderApps(peerId, [...p.appKeys])
      return this.info(p)
    })
  }

  /** FETCH: up to `maxUnits` units for this provider, with what it must know of cancelled replicas. */
  fetch (peerId: string, maxUnits: number, budgetBytes = Infinity): FetchAnswer {
    const p = this.session(peerId)
    return this.atomically(() => {
      const now = this.now()
      p.lastSeen = now
      p.lastAsk = Math.max(1, Math.min(maxUnits, MAX_UNITS_PER_FETCH))
      this.dirtyProviders.add(p)
      const room = Math.min(maxUnits, MAX_UNITS_PER_FETCH, MAX_REPLICAS_PER_PROVIDER - p.assigned.size)
      const units = room > 0 ? this.assign(p, room, budgetBytes, now) : []
      return { units, retryMs: units.length === 0 ? this.retryMs : 0, cancelled: this.takeNotices(p) }
    })
  }

  /** REPORT: records the outcomes of replicas this provider holds. */
  report (peerId: string, items: ReportItem[]): ReportAnswer {
    const p = this.providers.get(peerId)
    if (p == null) throw new ComputeRefusal('NOT_REGISTERED', 'this peer is not a provider here; send HELLO first')
    this.refuseRemoved(p)
    return this.atomically(() => {
      const now = this.now()
      p.lastSeen = now
      this.dirtyProviders.add(p)
      let accepted = 0
      const refused: string[] = []
      const seen = new Set<number>()
      for (const item of items) {
        let why: string | undefined
        if (seen.has(item.replicaId)) why = `replica ${item.replicaId} is reported twice`
        else why = this.record(p, item, now)
        seen.add(item.replicaId)
        if (why == null) accepted++
        else refused.push(why)
      }
      return { accepted, refused, cancelled: this.takeNotices(p) }
    })
  }

  /** The provider's last connection closed: its session ends and its replicas are lost (and reissued). */
  disconnected (peerId: string): void {
    const p = this.providers.get(peerId)
    if (p == null || (p.state !== 'active' && p.assigned.size === 0)) return
    this.atomically(() => {
      if (p.state === 'active') p.state = 'offline'
      this.dirtyProviders.add(p)
      this.loseAll(p, 'the provider disconnected')
    })
  }

  /**
   * ADMIN_REMOVE: the provider is removed (or banned): its replicas are lost
   * and reissued, and its work requests are refused from now on. A PeerId
   * never seen can be banned ahead of time.
   */
  remove (peerId: string, ban: boolean, caller: Caller): ProviderInfo {
    if (!caller.operator) throw new ComputeRefusal('FORBIDDEN', 'only the operator of this bootstrap may remove providers')
    const known = this.providers.get(peerId)
    if (known == null && !ban) throw new ComputeRefusal('NOT_FOUND', `no provider ${peerId} is known here (ban it to refuse it before it comes)`)
    return this.atomically(() => {
      const now = this.now()
      const p = known ?? this.newProvider(peerId, now)
      this.providers.set(peerId, p)
      p.state = ban || p.state === 'banned' ? 'banned' : 'removed'
      p.cancelNotices = []
      this.loseAll(p, ban ? 'the operator banned the provider' : 'the operator removed the provider')
      this.dirtyProviders.add(p)
      return this.info(p)
    })
  }

  /** PeerIds refused at the connection level. */
  bannedPeers (): string[] {
    return [...this.providers.values()].filter(p => p.state === 'banned').map(p => p.peerId)
  }

  /** Whether a provider may not do work (removed or banned). */
  isRemoved (peerId: string): boolean {
    const s = this.providers.get(peerId)?.state
    return s === 'removed' || s === 'banned'
  }

  /** Whether a provider said HELLO since this bootstrap started and is still connected (FETCH needs it). */
  hasSession (peerId: string): boolean {
    return this.providers.get(peerId)?.state === 'active'
  }

  /** Whether a peer holds replicas now. */
  holdsReplicas (peerId: string): boolean {
    return (this.providers.get(peerId)?.assigned.size ?? 0) > 0
  }

  /** The deadline sweep: assigned replicas past their deadline time out and are reissued. Returns how many. */
  sweep (): number {
    const now = this.now()
    const expired: ReplicaRt[] = []
    for (const r of this.live.values()) if (r.state === 'assigned' && r.deadlineAt <= now) expired.push(r)
    if (expired.length === 0) return 0
    this.atomically(() => {
      for (const r of expired) {
        if (r.state !== 'assigned') continue
        this.endReplica(r, 'timed_out', now, `no report within ${r.unit.job.spec.deadlineMs} ms`)
        this.settle(r.unit, now)
      }
    })
    return expired.length
  }

  providerList (): ProviderInfo[] {
    return [...this.providers.values()]
      .sort((a, b) => b.lastSeen - a.lastSeen || (a.peerId < b.peerId ? -1 : 1))
      .slice(0, MAX_LISTED_PROVIDERS)
      .map(p => this.info(p))
  }

  /** How many providers are in each state (for the metrics). */
  providerStates (): Record<ProviderInfo['state'], number> {
    const counts = { active: 0, working: 0, offline: 0, removed: 0, banned: 0 }
    for (const p of this.providers.values()) counts[p.state === 'active' && p.assigned.size > 0 ? 'working' : p.state]++
    return counts
  }

  get runningCount (): number {
    return this.jobs.size
  }

  provider (peerId: string): ProviderInfo | undefined {
    const p = this.providers.get(peerId)
    return p == null ? undefined : this.info(p)
  }

  // ---------------------------------------------------------------- jobs

  /** SUBMIT: checks the resolved job, stores it with its units, and queues them. */
  submit (owner: string, raw: unknown, ownerAddrs: string[] = []): JobStatus {
    const { job, problems } = validateJob(raw, { resolved: true })
    if (job == null) throw new ComputeRefusal('INVALID_JOB', problems.join('\n'))
    let running = 0
    for (const j of this.jobs.values()) if (j.owner === owner) running++
    if (running >= MAX_RUNNING_JOBS_PER_OWNER) throw new ComputeRefusal('RATE_LIMITED', `this peer has ${running} running jobs, the most one owner may have; wait for some to end`)
    const units = expandUnits(job)
    return this.atomically(() => {
      const now = this.now()
      const id = randomBytes(8).toString('hex')
      const spec = limitsOf(job)
      const name = job.name ?? job.appName
      const unitStates = { ...emptyUnitStates(), pending: units.length }
      const row = {
        id,
        owner,
        name,
        app: job.app,
        appName: job.appName,
        spec: JSON.stringify({ ...job, units: undefined }),
        priority: job.priority,
        state: 'running' as const,
        unitCount: units.length,
        submittedAt: now,
        unitStates: JSON.stringify(unitStates),
        replicaStates: JSON.stringify(emptyReplicaStates()),
        soloValidUnits: 0,
        errors: '[]',
        ownerAddrs: JSON.stringify(ownerAddrs.slice(0, 8))
      }
      const seq = this.store.insertJob(row, units, job.replication)
      const rt = this.jobFrom({ ...row, seq, finishedAt: null }, spec, this.freshOrder(units), [])
      this.jobs.set(id, rt)
      this.sortOrder()
      return jobStatus(rt, now)
    })
  }

  /** CANCEL: the owner ends a running job; its replicas out are cancelled. */
  cancel (jobId: string, caller: Caller): JobStatus {
    const job = this.jobs.get(jobId)
    if (job == null) {
      const row = this.readableRow(jobId, caller, true)
      return jobStatusFromRow(row)
    }
    if (job.owner !== caller.peerId) throw new ComputeRefusal('FORBIDDEN', `job ${jobId} belongs to another peer; only its owner may cancel it`)
    return this.atomically(() => {
      const now = this.now()
      this.finishJob(job, 'cancelled', now)
      return jobStatus(job, now)
    })
  }

  status (jobId: string, caller: Caller): JobStatus {
    const job = this.jobs.get(jobId)
    if (job != null) {
      this.checkReader(job.owner, jobId, caller)
      return jobStatus(job, this.now())
    }
    return jobStatusFromRow(this.readableRow(jobId, caller))
  }

  /** LIST: the caller's jobs, newest first. */
  list (owner: string): JobStatus[] {
    const now = this.now()
    return this.store.jobsOf(owner, MAX_LISTED_JOBS).map(row => {
      const job = this.jobs.get(row.id)
      return job != null ? jobStatus(job, now) : jobStatusFromRow(row)
    })
  }

  /**
   * RESULTS: each unit's state and, for valid units, the hash and the
   * providers that hold that output. From unit `from`, at most `limit`
   * units and about `budgetBytes` of JSON; `next` is the first unit left
   * out when the answer stops early.
   */
  results (jobId: string, caller: Caller, opts: { from?: number, limit?: number, budgetBytes?: number } = {}): JobResults & { next?: number } {
    const running = this.jobs.get(jobId)
    const row = running == null ? this.readableRow(jobId, caller) : undefined
    if (running != null) this.checkReader(running.owner, jobId, caller)
    const seq = running?.seq ?? row!.seq
    const count = running?.unitCount ?? row!.unitCount
    const from = Math.max(0, Math.floor(opts.from ?? 0))
    const to = Math.min(count, from + Math.max(1, Math.min(opts.limit ?? MAX_RESULT_UNITS, MAX_RESULT_UNITS)))
    const budget = opts.budgetBytes ?? Infinity
    const holders = new Map<number, string[]>()
    for (const h of this.store.validHolders(seq, from, to)) {
      const list = holders.get(h.index)
      if (list == null) holders.set(h.index, [h.provider])
      else list.push(h.provider)
    }
    const units: JobResults['units'] = []
    let bytes = 200
    let next: number | undefined
    for (const u of this.store.unitResults(seq, from, to)) {
      const entry = {
        index: u.index,
        state: u.state,
        ...(u.hash == null ? {} : { hash: Buffer.from(u.hash).toString('hex') }),
        holders: holders.get(u.index) ?? []
      }
      bytes += 60 + (entry.hash?.length ?? 0) + entry.holders.reduce((n, h) => n + h.length + 3, 0)
      if (bytes > budget && units.length > 0) {
        next = u.index
        break
      }
      units.push(entry)
    }
    if (next == null && to < count) next = to
    return { id: jobId, state: running?.state ?? row!.state, units, ...(next == null ? {} : { next }) }
  }

  /** Keeps the addresses providers are told for a running job's owner. */
  setOwnerAddrs (owner: string, addrs: string[]): void {
    const list = addrs.slice(0, 8)
    const changed = [...this.jobs.values()].filter(j => j.owner === owner && JSON.stringify(j.ownerAddrs) !== JSON.stringify(list))
    if (changed.length === 0) return
    this.atomically(() => {
      for (const j of changed) {
        j.ownerAddrs = list
        this.dirtyJobs.add(j)
      }
    })
  }

  /** Whether `peerId` owns a running job. */
  ownsRunningJob (peerId: string): boolean {
    for (const j of this.jobs.values()) if (j.owner === peerId) return true
    return false
  }

  runningJobs (): JobStatus[] {
    const now = this.now()
    return this.order.map(j => jobStatus(j, now))
  }

  // ---------------------------------------------------------------- users

  /** REGISTER: links the caller's PeerId to a user name (and email). Returns the user serial. */
  register (peerId: string, user: string, email: string): number {
    const name = checkUserName(user)
    const mail = checkEmail(email)
    const named = this.store.userByName(name)
    if (named?.peerId != null && named.peerId !== peerId) throw new ComputeRefusal('FORBIDDEN', `the user name "${name}" belongs to another peer`)
    return this.atomically(() => this.store.linkUser(peerId, name, mail, this.now()))
  }

  /**
   * UNREGISTER: deletes the caller's user row and its provider record (a
   * removed or banned provider's record stays) and cancels its running jobs.
   */
  unregister (peerId: string): { userSerialId?: number, cancelledJobs: string[] } {
    const user = this.store.userByPeer(peerId)
    const p = this.providers.get(peerId)
    const owned = [...this.jobs.values()].filter(j => j.owner === peerId)
    if (user == null && p == null && owned.length === 0) throw new ComputeRefusal('NOT_FOUND', 'this peer has no registration here')
    return this.atomically(() => {
      const now = this.now()
      for (const job of owned) this.finishJob(job, 'cancelled', now)
      if (p != null && p.state !== 'removed' && p.state !== 'banned') {
        this.loseAll(p, 'the provider unregistered')
        this.providers.delete(peerId)
        this.dirtyProviders.delete(p)
        this.store.deleteProvider(peerId)
      }
      if (user != null) this.store.deleteUser(user.userSerialId)
      return { ...(user == null ? {} : { userSerialId: user.userSerialId }), cancelledJobs: owned.map(j => j.id) }
    })
  }

  userOf (peerId: string): { userSerialId: number, userid: string, email?: string } | undefined {
    return this.store.userByPeer(peerId)
  }

  // ---------------------------------------------------------------- transactions

  /**
   * Runs `fn` and writes what it changed in one transaction (or as part of
   * the transaction already open). An unexpected error rolls everything back
   * and reloads the memory state from SQLite, so the two never disagree.
   */
  atomically<T> (fn: () => T): T {
    if (this.store.inTransaction) {
      const result = fn()
      this.flush()
      return result
    }
    this.store.begin()
    try {
      const result = fn()
      this.flush()
      this.store.commit()
      return result
    } catch (err) {
      this.store.rollback()
      this.reload()
      throw err
    }
  }

  /** Rebuilds the memory state from SQLite, keeping provider sessions. */
  reload (): void {
    const sessions = [...this.providers.values()].filter(p => p.state === 'active').map(p => [p.peerId, p.cancelNotices] as const)
    this.load(false)
    for (const [id, notices] of sessions) {
      const p = this.providers.get(id)
      if (p != null && p.state === 'offline') {
        p.state = 'active'
        p.cancelNotices = notices
      }
    }
  }

  // ---------------------------------------------------------------- internals

  private load (atStart: boolean): void {
    this.jobs.clear()
    this.order = []
    this.providers.clear()
    this.live.clear()
    this.dirtyProviders.clear()
    this.dirtyReplicas.clear()
    this.dirtyUnits.clear()
    this.dirtyJobs.clear()
    this.levelCache = undefined
    this.nextReplicaId = this.store.maxReplicaId() + 1
    const startedAt = this.now()
    if (atStart) this.store.markProvidersOffline()
    for (const row of this.store.providers()) {
      const { peerId, host, cpus, maxMemoryMb, apps: appsJson, state, banned, ...history } = row
      const p = this.newProvider(peerId, row.firstSeen)
      const apps = JSON.parse(appsJson) as string[]
      Object.assign(p, history, {
        host: JSON.parse(host),
        cpus,
        maxMemoryMb,
        apps,
        appKeys: new Set(apps.map(normalizeCid)),
        state: banned ? 'banned' : state === 'active' ? 'offline' : state
      })
      this.providers.set(p.peerId, p)
    }
    for (const row of this.store.runningJobs()) {
      const spec = limitsOf(JSON.parse(row.spec))
      const open = this.store.openUnits(row.seq)
      const fresh = this.freshOrder(open.filter(u => u.attempts === 0))
      const job = this.jobFrom(row, spec, fresh, open.filter(u => u.attempts > 0))
      for (const r of this.store.replicasOf(row.seq)) {
        const u = job.open.get(r.unitIndex)
        if (u == null) continue
        u.providers.add(r.provider)
        if (r.state !== 'assigned' && r.state !== 'reported') continue
        const replica: ReplicaRt = {
          id: r.id,
          unit: u,
          provider: r.provider,
          state: r.state,
          solo: r.solo,
          assignedAt: r.assignedAt,
          // the time this bootstrap was down is not the provider's: a replica out at the restart gets a whole deadline from now
          deadlineAt: atStart && r.state === 'assigned' ? Math.max(r.deadlineAt, startedAt + spec.deadlineMs + this.reportGraceMs) : r.deadlineAt,
          ...(r.reportedAt == null ? {} : { reportedAt: r.reportedAt }),
          ...(r.hash == null ? {} : { hash: r.hash, hashHex: Buffer.from(r.hash).toString('hex') }),
          ...(r.outputBytes == null ? {} : { outputBytes: r.outputBytes }),
          ...(r.wallMs == null ? {} : { wallMs: r.wallMs })
        }
        this.live.set(r.id, replica)
        if (replica.deadlineAt !== r.deadlineAt) this.dirtyReplicas.add(replica)
        if (r.state === 'assigned') {
          u.live.add(replica)
          this.providers.get(r.provider)?.assigned.add(replica)
        } else {
          u.reported.push(replica)
        }
      }
      this.jobs.set(job.id, job)
    }
    this.sortOrder()
  }

  private jobFrom (row: JobRow, spec: JobLimits, fresh: Uint32Array, touched: UnitRow[]): JobRt {
    const job: JobRt = {
      seq: row.seq,
      id: row.id,
      owner: row.owner,
      name: row.name,
      app: row.app,
      appKey: normalizeCid(row.app),
      appName: row.appName,
      spec,
      state: row.state,
      submittedAt: row.submittedAt,
      ...(row.finishedAt == null ? {} : { finishedAt: row.finishedAt }),
      unitCount: row.unitCount,
      unitStates: JSON.parse(row.unitStates),
      replicaStates: JSON.parse(row.replicaStates),
      soloValidUnits: row.soloValidUnits,
      queue: new UnitQueue(fresh),
      open: new Map(),
      errors: JSON.parse(row.errors),
      validTimes: [],
      lastTakenAt: row.submittedAt,
      ownerAddrs: JSON.parse(row.ownerAddrs)
    }
    for (const t of touched) {
      const u = this.newUnit(job, t.index, t.cost, t.want)
      u.state = t.state === 'pending' ? 'pending' : 'running'
      u.attempts = t.attempts
      if (t.error != null) u.lastError = t.error
      job.open.set(t.index, u)
      if (u.want > 0 && u.attempts < spec.maxAttempts) job.queue.addPartial(t.index)
    }
    return job
  }

  /** The order never-issued units are handed out in: unit order, or in priority mode the largest cost first. */
  private freshOrder (units: Array<Pick<ExpandedUnit, 'index' | 'cost'>>): Uint32Array {
    const sorted = this.mode === 'priority' ? [...units].sort((a, b) => b.cost - a.cost || a.index - b.index) : units
    const out = new Uint32Array(sorted.length)
    for (let i = 0; i < sorted.length; i++) out[i] = sorted[i].index
    return out
  }

  private sortOrder (): void {
    this.order = [...this.jobs.values()].sort((a, b) => b.spec.priority - a.spec.priority || a.seq - b.seq)
  }

  private newProvider (peerId: string, now: number): ProviderRt {
    return {
      peerId,
      host: { cpuModel: '', cores: 0, cpuMhz: 0, os: '', memoryMb: 0, freeDiskMb: 0, network: '', bandwidthBps: 0 },
      cpus: 0,
      maxMemoryMb: 0,
      apps: [],
      appKeys: new Set(),
      state: 'offline',
      valid: 0,
      invalid: 0,
      failed: 0,
      timedOut: 0,
      lost: 0,
      validStreak: 0,
      turnaroundSum: 0,
      turnaroundCount: 0,
      firstSeen: now,
      lastSeen: now,
      assigned: new Set(),
      cancelNotices: [],
      lastAsk: 1
    }
  }

  private newUnit (job: JobRt, index: number, cost: number, want: number): UnitRt {
    return { job, index, cost, state: 'pending', attempts: 0, want, live: new Set(), reported: [], providers: new Set() }
  }

  /** The provider of a FETCH: it must have said HELLO since this bootstrap started, and not be removed. */
  private session (peerId: string): ProviderRt {
    const p = this.providers.get(peerId)
    if (p != null) this.refuseRemoved(p)
    if (p == null || p.state !== 'active') throw new ComputeRefusal('NOT_REGISTERED', 'send HELLO before FETCH (after every reconnection)')
    return p
  }

  private refuseRemoved (p: ProviderRt): void {
    if (p.state === 'removed' || p.state === 'banned') throw new ComputeRefusal('REMOVED', `the operator ${p.state} this provider`)
  }

  private info (p: ProviderRt): ProviderInfo {
    return providerInfo(p, this.store.userByPeer(p.peerId), this.trustStreak)
  }

  private matches (p: ProviderRt, job: JobRt): boolean {
    const req = job.spec.requirements
    if (p.maxMemoryMb < req.memoryMb) return false
    // a provider that could not measure its free disk (0) is not held to it
    if (p.host.freeDiskMb > 0 && p.host.freeDiskMb < req.diskMb) return false
    return p.appKeys.size === 0 || p.appKeys.has(job.appKey)
  }

  /** Picks units for `p`: jobs by priority then submission; in a job, units wanting more replicas first, then new ones. */
  private assign (p: ProviderRt, room: number, budgetBytes: number, now: number): Assignment[] {
    let slow = false
    let onlyWaiting = false
    if (this.mode === 'priority') {
      const view = this.priorityView(now)
      slow = providerLevel(p) < view.median
      // while work is scarce, slower providers only get work nobody faster took for a while
      onlyWaiting = slow && isScarce(view.ready, view.demand)
    }
    const trusted = p.validStreak >= this.trustStreak
    const out: Array<Assignment & { size: number }> = []
    let bytes = 0
    let budgetHit = false
    const full = (): boolean => out.length >= room || budgetHit
    const give = (job: JobRt, u: UnitRt, solo: boolean): boolean => {
      const a = this.issue(job, u, p, solo, now, budgetBytes - bytes, out.length === 0)
      if (a == null) {
        budgetHit = true
        return false
      }
      out.push(a)
      bytes += a.size
      return true
    }
    for (const job of this.order) {
      if (full()) break
      if (!job.queue.hasWork() || !this.matches(p, job)) continue
      if (onlyWaiting && now - job.lastTakenAt < 2 * this.retryMs) continue
      const before = out.length
      job.queue.visitPartial(index => {
        const u = job.open.get(index)
        if (u == null) return false
        if (u.providers.has(p.peerId)) return true
        const solo = job.spec.adaptive && trusted && u.live.size === 0 && u.reported.length === 0
        if (!give(job, u, solo)) return true
        return u.want > 0 && u.attempts < job.spec.maxAttempts
      }, full)
      while (!full()) {
        const index = job.queue.takeFresh(slow)
        if (index === undefined) break
        const u = this.newUnit(job, index, 0, job.spec.replication)
        job.open.set(index, u)
        if (!give(job, u, job.spec.adaptive && trusted)) {
          job.open.delete(index)
          job.queue.untakeFresh(index, slow)
          break
        }
        if (u.want > 0) job.queue.addPartial(index)
      }
      if (out.length > before) job.lastTakenAt = now
    }
    return out.map(({ size, ...a }) => a)
  }

  /** Issues one replica of `u` to `p`; undefined when it does not fit the answer's remaining bytes. */
  private issue (job: JobRt, u: UnitRt, p: ProviderRt, solo: boolean, now: number, budget: number, first: boolean): (Assignment & { size: number }) | undefined {
    const spec = this.store.unitSpec(job.seq, u.index)
    let size = UNIT_OVERHEAD_BYTES + job.id.length + job.app.length
    for (const a of spec.args) size += Buffer.byteLength(a) + 3
    for (const i of spec.inputs) size += Buffer.byteLength(i.name) + i.cid.length + 8
    for (const f of job.spec.result.files) size += Buffer.byteLength(f) + 3
    if (!first && size > budget) return undefined
    const r: ReplicaRt = {
      id: this.nextReplicaId++,
      unit: u,
      provider: p.peerId,
      state: 'assigned',
      solo,
      assignedAt: now,
      deadlineAt: now + job.spec.deadlineMs + this.reportGraceMs
    }
    u.attempts++
    u.want = solo ? 0 : Math.max(0, u.want - 1)
    u.live.add(r)
    u.providers.add(p.peerId)
    if (u.state === 'pending') {
      u.state = 'running'
      job.unitStates.pending--
      job.unitStates.running++
    }
    p.assigned.add(r)
    this.live.set(r.id, r)
    job.replicaStates.assigned++
    this.counters.issued++
    this.dirtyReplicas.add(r)
    this.touchUnit(u)
    this.dirtyJobs.add(job)
    return {
      size,
      replicaId: r.id,
      jobId: job.id,
      unitIndex: u.index,
      app: job.app,
      args: spec.args,
      inputs: spec.inputs,
      deadlineMs: job.spec.deadlineMs,
      maxMemoryBytes: job.spec.requirements.memoryMb * 1024 * 1024,
      maxOutputBytes: job.spec.maxOutputBytes,
      owner: job.owner,
      ownerAddrs: job.ownerAddrs,
      stdout: job.spec.result.stdout,
      outputFiles: job.spec.result.files
    }
  }

  /** Records one result of a REPORT; returns why it was not recorded, if it was not. */
  private record (p: ProviderRt, item: ReportItem, now: number): string | undefined {
    const r = this.live.get(item.replicaId)
    if (r == null) return this.recordLate(p, item, now)
    if (r.provider !== p.peerId) return `replica ${item.replicaId} is not this provider's`
    if (r.state !== 'assigned') return `replica ${item.replicaId} was already reported`
    const u = r.unit
    if (item.outcome === 'ok') {
      if (item.hash?.byteLength !== 32) return `replica ${item.replicaId}: an OK result needs a 32-byte output_hash, got ${item.hash?.byteLength ?? 0} bytes`
      this.setState(r, 'reported')
      r.reportedAt = now
      r.hash = item.hash
      r.hashHex = Buffer.from(item.hash).toString('hex')
      r.outputBytes = item.outputBytes
      r.wallMs = item.wallMs
      u.live.delete(r)
      p.assigned.delete(r)
      u.reported.push(r)
    } else {
      const state: ReplicaState = item.outcome === 'timeout' ? 'timed_out' : item.outcome === 'abandoned' ? 'lost' : 'failed'
      const what = `${item.outcome}${item.error != null && item.error !== '' ? `: ${item.error}` : ''}`
      this.endReplica(r, state, now, what.slice(0, 1000), item.wallMs)
    }
    this.settle(u, now)
    return undefined
  }

  /**
   * A report for a replica no longer in memory. The one case recorded: a
   * replica cancelled because its unit became valid meanwhile, reported OK;
   * it is checked against the decided hash and counts for its provider.
   */
  private recordLate (p: ProviderRt, item: ReportItem, now: number): string | undefined {
    const row = this.store.replica(item.replicaId)
    if (row == null) return `replica ${item.replicaId} is unknown`
    if (row.provider !== p.peerId) return `replica ${item.replicaId} is not this provider's`
    if (row.state !== 'cancelled') return `replica ${item.replicaId} is already final (${row.state})`
    const unit = this.store.unit(row.jobSeq, row.unitIndex)
    if (unit?.state !== 'valid' || unit.validHash == null || item.outcome !== 'ok' || item.hash?.byteLength !== 32) {
      return `replica ${item.replicaId} was cancelled`
    }
    const valid = Buffer.from(unit.validHash).equals(Buffer.from(item.hash))
    const jobRow = this.store.jobBySeq(row.jobSeq)
    const job = this.jobs.get(jobRow?.id ?? '')
    // the replica moves from the job's cancelled count to its verdict's
    if (job != null) {
      job.replicaStates.cancelled--
      job.replicaStates[valid ? 'valid' : 'invalid']++
      this.dirtyJobs.add(job)
    } else if (jobRow != null) {
      const counts = JSON.parse(jobRow.replicaStates) as Record<ReplicaState, number>
      counts.cancelled--
      counts[valid ? 'valid' : 'invalid']++
      this.store.setReplicaStates(jobRow.seq, counts)
    }
    this.store.updateLateReplica(row.id, valid ? 'valid' : 'invalid', now, item.hash, item.outputBytes ?? null, item.wallMs ?? null)
    this.credit(p, valid, now - row.assignedAt)
    return undefined
  }

  /** A replica out ends without a result: failed, timed out, or lost; the unit wants another. */
  private endReplica (r: ReplicaRt, state: 'failed' | 'timed_out' | 'lost', now: number, error: string, wallMs?: number): void {
    const u = r.unit
    const job = u.job
    this.setState(r, state)
    r.reportedAt = now
    r.error = error
    if (wallMs != null) r.wallMs = wallMs
    u.live.delete(r)
    this.live.delete(r.id)
    const p = this.providers.get(r.provider)
    if (p != null) {
      p.assigned.delete(r)
      if (state === 'failed') p.failed++
      else if (state === 'timed_out') p.timedOut++
      else p.lost++
      this.dirtyProviders.add(p)
    }
    if (state === 'failed') this.counters.failedReplicas++
    else if (state === 'timed_out') this.counters.timedOutReplicas++
    else this.counters.lostReplicas++
    u.lastError = error
    // a trusted provider's single replica came to nothing: the unit goes back to a full quorum
    u.want = r.solo ? job.spec.replication : u.want + 1
    this.touchUnit(u)
  }

  /** Loses every replica a provider holds (disconnected, removed, unregistered). */
  private loseAll (p: ProviderRt, why: string): void {
    const now = this.now()
    for (const r of [...p.assigned]) {
      this.endReplica(r, 'lost', now, why)
      this.settle(r.unit, now)
    }
  }

  /** Decides what a unit needs after a change: valid, failed, or more replicas. */
  private settle (u: UnitRt, now: number): void {
    const job = u.job
    if (job.state !== 'running' || !job.open.has(u.index)) return
    const verdict = quorumVerdict(u.reported.map(r => ({ hash: r.hashHex ?? '', solo: r.solo })), job.spec.quorum)
    if (verdict.kind === 'valid') {
      if (verdict.solo) job.soloValidUnits++
      this.decideValid(u, verdict.hash, now)
      return
    }
    u.want = replicasWanted({ live: u.live.size, want: u.want, attempts: u.attempts, maxAttempts: job.spec.maxAttempts })
    if (u.want === 0 && u.live.size === 0) {
      this.decideFailed(u, now)
      return
    }
    if (u.want > 0) job.queue.addPartial(u.index)
    else job.queue.removePartial(u.index)
    this.touchUnit(u)
  }

  private decideValid (u: UnitRt, hashHex: string, now: number): void {
    const job = u.job
    let hash: Uint8Array | null = null
    for (const r of u.reported) {
      const valid = r.hashHex === hashHex
      if (valid) hash = r.hash ?? null
      this.setState(r, valid ? 'valid' : 'invalid')
      this.live.delete(r.id)
      const p = this.providers.get(r.provider)
      if (p != null) this.credit(p, valid, (r.reportedAt ?? now) - r.assignedAt)
      else this.counters[valid ? 'validReplicas' : 'invalidReplicas']++
    }
    for (const r of [...u.live]) this.cancelReplica(r)
    u.reported = []
    this.closeUnit(u, 'valid', hash, now)
    this.counters.validUnits++
    job.validTimes.push(now)
    if (job.validTimes.length > ETA_SAMPLES) job.validTimes.shift()
    if (job.unitStates.valid === job.unitCount) this.finishJob(job, 'done', now)
  }

  private decideFailed (u: UnitRt, now: number): void {
    const job = u.job
    const error = u.lastError ?? `no ${job.spec.quorum} results agreed within ${job.spec.maxAttempts} replicas`
    u.lastError = error
    // reported replicas without a quorum get no verdict: they stay reported
    for (const r of u.reported) this.live.delete(r.id)
    u.reported = []
    this.closeUnit(u, 'failed', null, now)
    this.counters.failedUnits++
    if (job.errors.length < MAX_JOB_ERRORS) job.errors.push({ unit: u.index, error })
    this.finishJob(job, 'failed', now)
  }

  /** Counts a verdict on one of `p`'s replicas in its history. */
  private credit (p: ProviderRt, valid: boolean, turnaroundMs: number): void {
    if (valid) {
      p.valid++
      p.validStreak++
      p.turnaroundSum += Math.max(0, turnaroundMs)
      p.turnaroundCount++
      this.counters.validReplicas++
    } else {
      p.invalid++
      p.validStreak = 0
      this.counters.invalidReplicas++
    }
    this.dirtyProviders.add(p)
  }

  private cancelReplica (r: ReplicaRt): void {
    this.setState(r, 'cancelled')
    r.unit.live.delete(r)
    this.live.delete(r.id)
    const p = this.providers.get(r.provider)
    if (p != null) {
      p.assigned.delete(r)
      if (p.cancelNotices.length < MAX_CANCEL_NOTICES) p.cancelNotices.push(r.id)
    }
  }

  /** A unit leaves memory decided (valid, failed, cancelled). */
  private closeUnit (u: UnitRt, state: UnitState, hash: Uint8Array | null, now: number): void {
    const job = u.job
    job.unitStates[u.state]--
    job.unitStates[state]++
    job.open.delete(u.index)
    job.queue.removePartial(u.index)
    this.dirtyUnits.set(u, { state, hash, at: now })
    this.dirtyJobs.add(job)
  }

  /** Ends a running job: every undecided unit is cancelled, with its replicas out. */
  private finishJob (job: JobRt, state: 'done' | 'failed' | 'cancelled', now: number): void {
    if (job.state !== 'running') return
    job.state = state
    job.finishedAt = now
    for (const u of [...job.open.values()]) {
      for (const r of [...u.live]) this.cancelReplica(r)
      for (const r of u.reported) this.live.delete(r.id)
      u.reported = []
      this.closeUnit(u, 'cancelled', null, now)
    }
    // units never handed out
    job.unitStates.cancelled += job.unitStates.pending + job.unitStates.running
    job.unitStates.pending = 0
    job.unitStates.running = 0
    this.store.cancelOpenUnits(job.seq, now)
    job.queue.clear()
    this.jobs.delete(job.id)
    this.sortOrder()
    this.dirtyJobs.add(job)
  }

  private setState (r: ReplicaRt, state: ReplicaState): void {
    const counts = r.unit.job.replicaStates
    counts[r.state]--
    counts[state]++
    r.state = state
    this.dirtyReplicas.add(r)
    this.dirtyJobs.add(r.unit.job)
  }

  private touchUnit (u: UnitRt): void {
    if (!this.dirtyUnits.has(u)) this.dirtyUnits.set(u, { state: u.state, hash: null, at: null })
  }

  private takeNotices (p: ProviderRt): number[] {
    if (p.cancelNotices.length === 0) return []
    return p.cancelNotices.splice(0, MAX_CANCELLED_PER_ANSWER)
  }

  /** Median level of the active providers, their demand and the ready work; recomputed at most every 500 ms. */
  private priorityView (now: number): { median: number, demand: number, ready: number } {
    if (this.levelCache != null && now - this.levelCache.at < 500) return this.levelCache
    const levels: number[] = []
    let demand = 0
    for (const p of this.providers.values()) {
      if (p.state !== 'active') continue
      levels.push(providerLevel(p))
      demand += p.lastAsk
    }
    let ready = 0
    for (const j of this.order) ready += j.queue.freshLeft * j.spec.replication + j.queue.partialCount
    this.levelCache = { at: now, median: median(levels), demand, ready }
    return this.levelCache
  }

  /** Writes what changed since the last flush. */
  private flush (): void {
    for (const p of this.dirtyProviders) this.store.writeProvider(p)
    for (const r of this.dirtyReplicas) this.store.writeReplica(r)
    for (const [u, final] of this.dirtyUnits) {
      if (final.at != null) this.store.writeUnit(u, final.state, final.hash, final.at)
      else this.store.writeUnit(u, u.state, null, null)
    }
    for (const j of this.dirtyJobs) this.store.writeJob(j)
    this.dirtyProviders.clear()
    this.dirtyReplicas.clear()
    this.dirtyUnits.clear()
    this.dirtyJobs.clear()
  }

  private checkReader (owner: string, jobId: string, caller: Caller): void {
    if (owner !== caller.peerId && !caller.operator) throw new ComputeRefusal('FORBIDDEN', `job ${jobId} belongs to another peer`)
  }

  /** The row of a job the caller may read (its owner, or the operator; with `ownerOnly` the owner alone). */
  private readableRow (jobId: string, caller: Caller, ownerOnly = false): JobRow {
    const row = this.store.jobById(jobId)
    if (row == null) throw new ComputeRefusal('NOT_FOUND', `no job ${jobId}`)
    if (ownerOnly ? row.owner !== caller.peerId : (row.owner !== caller.peerId && !caller.operator)) {
      throw new ComputeRefusal('FORBIDDEN', `job ${jobId} belongs to another peer`)
    }
    return row
  }
}

function limitsOf (job: ResolvedJob): JobLimits {
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
