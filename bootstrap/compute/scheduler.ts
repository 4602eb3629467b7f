import { randomBytes } from 'node:crypto'
import { expandUnits, normalizeCid, validateJob } from '../../src/compute/index.js'
import { MAX_LISTED_JOBS, MAX_LISTED_PROVIDERS, MAX_REPLICAS_PER_PROVIDER, MAX_RESULT_UNITS, MAX_RUNNING_JOBS_PER_OWNER } from './constants.js'
import { MAX_UNITS_PER_FETCH } from '../../src/protocols/index.js'
import { ComputeRefusal } from './errors.js'
import { emptyReplicaStates, emptyUnitStates, type ProviderHello, type ReplicaRt } from './model.js'
import { checkEmail, checkUserName } from './registration.js'
import { jobStatus, jobStatusFromRow } from './views.js'
import type { ComputeStore } from './store.js'
import type { JobResults, JobStatus, ProviderInfo } from '../../src/compute/index.js'
import { limitsOf } from './scheduler-types.js'
import type { SchedulerOptions, FetchAnswer, ReportItem, ReportAnswer, Caller } from './scheduler-types.js'
import { SchedulerAssignment } from './scheduler-assignment.js'

export type { ScheduleMode, SchedulerOptions, Assignment, FetchAnswer, ReportOutcome, ReportItem, ReportAnswer, Caller, SchedulerCounters } from './scheduler-types.js'

/**
 * The work manager (WORK-5, WORK-8): jobs, units, replicas and providers,
 * with their state machines (compute.md). Scheduling decisions are made in
 * memory; every request's changes are written to SQLite in one transaction
 * before its answer goes out (the server may group several requests into one
 * transaction). No libp2p here: the server (compute-server.ts) feeds it.
 */
export class ComputeScheduler extends SchedulerAssignment {
  constructor (store: ComputeStore, opts: SchedulerOptions = {}) {
    super(store, opts)
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
}
