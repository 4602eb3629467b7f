import { RateLimiter } from '@libp2p/utils'
import { peerIdFromString } from '@libp2p/peer-id'
import { serveRequests, tryConsume, type PeerhiveMetrics } from '../../src/core/index.js'
import {
  JOBS_BOOTSTRAP_TIMEOUT_MS, JOBS_VERSION, JobsRequest, JobsResponse, MAX_JOBS_REQUEST_BYTES, MAX_JOBS_RESPONSE_BYTES, MAX_JOBS_STREAMS_PER_CONNECTION,
  MAX_WORK_REQUEST_BYTES, MAX_WORK_RESPONSE_BYTES, MAX_WORK_STREAMS_PER_CONNECTION, PROTOCOL_JOBS, PROTOCOL_WORK, WORK_BOOTSTRAP_TIMEOUT_MS,
  WORK_VERSION, WorkRequest, WorkResponse
} from '../../src/protocols/index.js'
import { DEFAULT_JOBS_REQUESTS_PER_PEER, DEFAULT_SWEEP_INTERVAL_MS, DEFAULT_WORK_REQUESTS_PER_PEER } from './constants.js'
import { JOBS_ANSWER_RESERVE, JOBS_ERRORS, WORK_ANSWER_RESERVE, WORK_ERRORS, fetched, fitList, jobId, jobsAnswer, json, resultsPage, workAnswer } from './answers.js'
import { registerMetrics } from './compute-metrics.js'
import { ComputeRefusal } from './errors.js'
import { GroupCommit } from './group-commit.js'
import { ComputeScheduler, type Caller, type ScheduleMode } from './scheduler.js'
import { ComputeStore } from './store.js'
import { helloFromWire, reportFromWire, unitToWire } from './wire.js'
import type { ProviderInfo } from '../../src/compute/index.js'
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

export interface ComputeServerInit {
  /**
   * Path of central.db
   * @default none (required)
   */
  databasePath: string
  /**
   * How units are handed out: `fcfs` or `priority` (BootstrapOptions.schedule).
   * @default 'fcfs'
   */
  schedule?: ScheduleMode
  /**
   * PeerIds allowed to remove and ban providers, besides the bootstrap's own
   * @default []
   */
  admins?: string[]
  /**
   * PeerIds refused at the connection level; the bootstrap's connection gater reads it, this server fills it
   * @default a new, empty Set
   */
  banned?: Set<string>
  /**
   * How often the sweep runs that times out late replicas and reissues units, in ms.
   * @default 250
   */
  sweepIntervalMs?: number
  /**
   * How long after a job's deadlineMs an unreported replica times out (BootstrapOptions.reportGraceMs).
   * @default 1000
   */
  reportGraceMs?: number
  /**
   * The retry_ms of a FETCH answer without units: when the provider should ask again.
   * @default 1000
   */
  retryMs?: number
  /**
   * Requests of /peerhive/work/1.0.0 one peer may make per 10 s before it is refused.
   * @default 2000 per 10 s
   */
  workRequestsPerPeer?: number
  /**
   * Requests of /peerhive/jobs/1.0.0 one peer may make per 10 s before it is refused.
   * @default 200 per 10 s
   */
  jobsRequestsPerPeer?: number
}

/** Refusals listed in a REPORT answer's message. */
const REFUSALS_LISTED = 20

/**
 * The bootstrap's handlers of /peerhive/work/1.0.0 (providers) and
 * /peerhive/jobs/1.0.0 (owners, users, the operator), around the work
 * manager. Also: a provider whose last connection closes loses its
 * replicas; a deadline sweep runs every 250 ms; removed providers are
 * disconnected and banned ones refused at the connection level.
 */
export class ComputeServer {
  readonly scheduler: ComputeScheduler
  readonly store: ComputeStore
  readonly banned: Set<string>
  private readonly admins: Set<string>
  private readonly workLimiter: RateLimiter
  private readonly jobsLimiter: RateLimiter
  private readonly commits: GroupCommit
  private readonly log: Logger
  private sweepTimer?: ReturnType<typeof setInterval>
  private running = false

  constructor (private readonly libp2p: Libp2p<any>, private readonly metrics: PeerhiveMetrics, private readonly init: ComputeServerInit) {
    this.log = libp2p.logger.forComponent('peerhive:compute')
    this.store = new ComputeStore(init.databasePath)
    try {
      this.scheduler = new ComputeScheduler(this.store, { mode: init.schedule, reportGraceMs: init.reportGraceMs, retryMs: init.retryMs })
    } catch (err) {
      this.store.close()
      throw err
    }
    this.banned = init.banned ?? new Set()
    this.admins = new Set(init.admins ?? [])
    this.workLimiter = new RateLimiter({ points: init.workRequestsPerPeer ?? DEFAULT_WORK_REQUESTS_PER_PEER, duration: 10 })
    this.jobsLimiter = new RateLimiter({ points: init.jobsRequestsPerPeer ?? DEFAULT_JOBS_REQUESTS_PER_PEER, duration: 10 })
    this.commits = new GroupCommit(fn => { this.scheduler.atomically(fn) }, err => err instanceof ComputeRefusal)
    registerMetrics(metrics, this.scheduler)
  }

  async start (): Promise<void> {
    for (const p of this.scheduler.bannedPeers()) this.banned.add(p)
    this.running = true
    await this.libp2p.handle(PROTOCOL_WORK, (stream: Stream, connection: Connection) => { void this.onWorkStream(stream, connection) }, {
      maxInboundStreams: MAX_WORK_STREAMS_PER_CONNECTION,
      maxOutboundStreams: 1
    })
    await this.libp2p.handle(PROTOCOL_JOBS, (stream: Stream, connection: Connection) => { void this.onJobsStream(stream, connection) }, {
      maxInboundStreams: MAX_JOBS_STREAMS_PER_CONNECTION,
      maxOutboundStreams: 1
    })
    this.libp2p.addEventListener('peer:disconnect', this.onDisconnect)
    this.libp2p.addEventListener('peer:identify', this.onIdentify)
    this.sweepTimer = setInterval(() => { this.sweep() }, this.init.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS)
  }

  async stop (): Promise<void> {
    if (!this.running) {
      this.store.close()
      return
    }
    this.running = false
    clearInterval(this.sweepTimer)
    this.libp2p.removeEventListener('peer:disconnect', this.onDisconnect)
    this.libp2p.removeEventListener('peer:identify', this.onIdentify)
    await this.libp2p.unhandle(PROTOCOL_WORK)
    await this.libp2p.unhandle(PROTOCOL_JOBS)
    // requests already queued are written before the database closes
    this.commits.flush()
    this.store.close()
  }

  /** Whether `peerId` is this bootstrap's operator: the bootstrap itself or an --admin peer. */
  isOperator (peerId: string): boolean {
    return peerId === this.libp2p.peerId.toString() || this.admins.has(peerId)
  }

  /**
   * Removes (or bans) a provider as its operator: its replicas are lost and
   * reissued, its connections closed; a banned PeerId is refused at the
   * connection level from now on.
   */
  async removeProvider (peer: string, ban: boolean, by: string = this.libp2p.peerId.toString()): Promise<ProviderInfo> {
    const info = await this.commits.run(() => this.scheduler.remove(peer, ban, { peerId: by, operator: this.isOperator(by) }))
    if (info.state === 'banned') this.banned.add(peer)
    try {
      await this.libp2p.hangUp(peerIdFromString(peer))
    } catch (err: any) {
      this.log('could not close the connections of %s - %e', peer, err)
    }
    return info
  }

  // ---------------------------------------------------------------- work

  private async onWorkStream (stream: Stream, connection: Connection): Promise<void> {
    const peerId = connection.remotePeer.toString()
    await serveRequests(stream, peerId, {
      protocol: PROTOCOL_WORK,
      request: WorkRequest,
      response: WorkResponse,
      maxInboundBytes: MAX_WORK_REQUEST_BYTES,
      timeoutMs: WORK_BOOTSTRAP_TIMEOUT_MS,
      outcomeOf: res => res.error === WorkResponse.Error.NONE ? 'ok' : res.error,
      badRequest: (err, tooLarge) => {
        // bad requests use up the peer's allowance too
        tryConsume(this.workLimiter, peerId)
        return workAnswer(tooLarge ? WorkResponse.Error.MESSAGE_TOO_LARGE : WorkResponse.Error.MALFORMED_MESSAGE,
          tooLarge ? `work request larger than ${MAX_WORK_REQUEST_BYTES} bytes or over a field's limit (${err.message})` : `not a WorkRequest: ${err.message}`)
      },
      metrics: this.metrics,
      log: this.log
    }, async req => await this.work(peerId, req))
  }

  private async work (peerId: string, req: WorkRequest): Promise<WorkResponse> {
    try {
      if (req.version !== WORK_VERSION) {
        return workAnswer(WorkResponse.Error.UNSUPPORTED_VERSION, `work version ${req.version} is not supported; this bootstrap speaks version ${WORK_VERSION}`)
      }
      if (!tryConsume(this.workLimiter, peerId)) return workAnswer(WorkResponse.Error.RATE_LIMITED, 'too many work requests from this peer; retry later', { retryMs: 1000 })
      if (!this.running) return workAnswer(WorkResponse.Error.INTERNAL, 'the bootstrap is stopping')
      const budget = MAX_WORK_RESPONSE_BYTES - WORK_ANSWER_RESERVE
      switch (req.kind) {
        case WorkRequest.Kind.HELLO: {
          const hello = helloFromWire(req)
          return await this.commits.run(() => {
            const info = this.scheduler.hello(peerId, hello)
            const got = req.maxUnits > 0 ? this.scheduler.fetch(peerId, req.maxUnits, budget) : undefined
            const warn = info.maxMemoryMb === 0 ? '; no memory cap is known (max_memory_mb and host.memory_mb are 0), so no job matches' : ''
            return workAnswer(WorkResponse.Error.NONE, `provider ${peerId} registered${info.userid != null ? ` as user ${info.userid}` : ''}` +
              `, ${info.cpus} cpus, ${info.maxMemoryMb} MiB per unit, ${info.apps.length === 0 ? 'any app' : `${info.apps.length} apps`}` +
              `, ${info.history.trusted ? 'trusted' : 'not trusted yet'}${warn}`, got == null ? {} : fetched(got))
          })
        }
        case WorkRequest.Kind.FETCH:
          return await this.commits.run(() => workAnswer(WorkResponse.Error.NONE, '', fetched(this.scheduler.fetch(peerId, req.maxUnits, budget))))
        case WorkRequest.Kind.REPORT: {
          const items = reportFromWire(req.results)
          return await this.commits.run(() => {
            const report = this.scheduler.report(peerId, items)
            let message = report.refused.length === 0
              ? ''
              : `${report.refused.length} of ${items.length} results not recorded: ${report.refused.slice(0, REFUSALS_LISTED).join('; ')}${report.refused.length > REFUSALS_LISTED ? '; ...' : ''}`
            let more = {}
            if (req.maxUnits > 0) {
              if (this.scheduler.hasSession(peerId)) {
                const got = this.scheduler.fetch(peerId, req.maxUnits, budget)
                more = { units: got.units.map(unitToWire), retryMs: got.retryMs, cancelled: [...report.cancelled, ...got.cancelled] }
              } else {
                message += `${message === '' ? '' : '; '}send HELLO to get units`
              }
            }
            return workAnswer(WorkResponse.Error.NONE, message, { accepted: report.accepted, cancelled: report.cancelled, ...more })
          })
        }
        default:
          return workAnswer(WorkResponse.Error.MALFORMED_MESSAGE, `unknown request kind ${String(req.kind)}`)
      }
    } catch (err: any) {
      if (err instanceof ComputeRefusal) return workAnswer(WORK_ERRORS[err.code] ?? WorkResponse.Error.INTERNAL, err.message)
      this.log.error('work request from %s failed - %e', peerId, err)
      return workAnswer(WorkResponse.Error.INTERNAL, 'internal error in the bootstrap')
    }
  }

  // ---------------------------------------------------------------- jobs

  private async onJobsStream (stream: Stream, connection: Connection): Promise<void> {
    const peerId = connection.remotePeer.toString()
    await serveRequests(stream, peerId, {
      protocol: PROTOCOL_JOBS,
      request: JobsRequest,
      response: JobsResponse,
      maxInboundBytes: MAX_JOBS_REQUEST_BYTES,
      timeoutMs: JOBS_BOOTSTRAP_TIMEOUT_MS,
      outcomeOf: res => res.error === JobsResponse.Error.NONE ? 'ok' : res.error,
      badRequest: (err, tooLarge) => {
        tryConsume(this.jobsLimiter, peerId)
        return jobsAnswer(tooLarge ? JobsResponse.Error.MESSAGE_TOO_LARGE : JobsResponse.Error.MALFORMED_MESSAGE,
          tooLarge ? `jobs request larger than ${MAX_JOBS_REQUEST_BYTES} bytes (${err.message})` : `not a JobsRequest: ${err.message}`)
      },
      metrics: this.metrics,
      log: this.log
    }, async req => await this.jobs(peerId, connection, req))
  }

  private async jobs (peerId: string, connection: Connection, req: JobsRequest): Promise<JobsResponse> {
    try {
      if (req.version !== JOBS_VERSION) {
        return jobsAnswer(JobsResponse.Error.UNSUPPORTED_VERSION, `jobs version ${req.version} is not supported; this bootstrap speaks version ${JOBS_VERSION}`)
      }
      if (!tryConsume(this.jobsLimiter, peerId)) return jobsAnswer(JobsResponse.Error.RATE_LIMITED, 'too many jobs requests from this peer; retry later')
      if (!this.running) return jobsAnswer(JobsResponse.Error.INTERNAL, 'the bootstrap is stopping')
      const caller: Caller = { peerId, operator: this.isOperator(peerId) }
      const s = this.scheduler
      switch (req.kind) {
        case JobsRequest.Kind.SUBMIT: {
          let raw: unknown
          try {
            raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(req.body))
          } catch (err: any) {
            return jobsAnswer(JobsResponse.Error.INVALID_JOB, `the body is not a JSON job: ${err.message}`)
          }
          const addrs = await this.addressesOf(connection.remotePeer, connection)
          const status = await this.commits.run(() => s.submit(peerId, raw, addrs))
          this.log('job %s of %s: %d units', status.id, peerId, status.units)
          return jobsAnswer(JobsResponse.Error.NONE, '', { body: json(status), jobId: status.id })
        }
        case JobsRequest.Kind.STATUS:
          return jobsAnswer(JobsResponse.Error.NONE, '', { body: json(s.status(jobId(req), caller)), jobId: req.jobId })
        case JobsRequest.Kind.CANCEL: {
          const id = jobId(req)
          const status = await this.commits.run(() => s.cancel(id, caller))
          return jobsAnswer(JobsResponse.Error.NONE, '', { body: json(status), jobId: id })
        }
        case JobsRequest.Kind.LIST:
          return jobsAnswer(JobsResponse.Error.NONE, '', { body: fitList(s.list(peerId), MAX_JOBS_RESPONSE_BYTES - JOBS_ANSWER_RESERVE) })
        case JobsRequest.Kind.RESULTS: {
          const page = resultsPage(req.body)
          const results = s.results(jobId(req), caller, { ...page, budgetBytes: MAX_JOBS_RESPONSE_BYTES - JOBS_ANSWER_RESERVE })
          return jobsAnswer(JobsResponse.Error.NONE, '', { body: json(results), jobId: req.jobId })
        }
        case JobsRequest.Kind.REGISTER: {
          const serial = await this.commits.run(() => s.register(peerId, req.user, req.email))
          return jobsAnswer(JobsResponse.Error.NONE, `peer ${peerId} is user ${req.user}`, { userSerialId: serial })
        }
        case JobsRequest.Kind.UNREGISTER: {
          const out = await this.commits.run(() => s.unregister(peerId))
          const message = `registration deleted${out.cancelledJobs.length > 0 ? `; ${out.cancelledJobs.length} running jobs cancelled` : ''}`
          return jobsAnswer(JobsResponse.Error.NONE, message, { body: json(out), userSerialId: out.userSerialId ?? 0 })
        }
        case JobsRequest.Kind.PROVIDERS:
          return jobsAnswer(JobsResponse.Error.NONE, '', { body: fitList(s.providerList(), MAX_JOBS_RESPONSE_BYTES - JOBS_ANSWER_RESERVE) })
        case JobsRequest.Kind.ADMIN_REMOVE: {
          if (!caller.operator) return jobsAnswer(JobsResponse.Error.FORBIDDEN, 'only the operator of this bootstrap may remove providers')
          try {
            peerIdFromString(req.peer)
          } catch {
            return jobsAnswer(JobsResponse.Error.MALFORMED_MESSAGE, `peer must be a PeerId, got ${JSON.stringify(req.peer.slice(0, 80))}`)
          }
          if (req.peer === this.libp2p.peerId.toString()) return jobsAnswer(JobsResponse.Error.FORBIDDEN, 'the bootstrap cannot remove itself')
          const info = await this.removeProvider(req.peer, req.ban, peerId)
          this.log('provider %s %s by %s', req.peer, info.state, peerId)
          return jobsAnswer(JobsResponse.Error.NONE, `provider ${req.peer} ${info.state}`, { body: json(info) })
        }
        default:
          return jobsAnswer(JobsResponse.Error.MALFORMED_MESSAGE, `unknown request kind ${String(req.kind)}`)
      }
    } catch (err: any) {
      if (err instanceof ComputeRefusal) return jobsAnswer(JOBS_ERRORS[err.code] ?? JobsResponse.Error.INTERNAL, err.message)
      this.log.error('jobs request from %s failed - %e', peerId, err)
      return jobsAnswer(JobsResponse.Error.INTERNAL, 'internal error in the bootstrap')
    }
  }

  // ---------------------------------------------------------------- events

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    const peerId = evt.detail.toString()
    try {
      this.scheduler.disconnected(peerId)
    } catch (err: any) {
      this.log.error('could not record the departure of %s - %e', peerId, err)
    }
  }

  /** A job owner's listen addresses, as identify learns them, go to the providers of its units. */
  private readonly onIdentify = (evt: CustomEvent<any>): void => {
    const peerId = evt.detail.peerId?.toString()
    if (peerId == null || !this.scheduler.ownsRunningJob(peerId)) return
    const addrs = (evt.detail.listenAddrs ?? []).map((a: any) => a.toString()).filter((a: string) => !a.includes('/p2p-circuit'))
    if (addrs.length === 0) return
    try {
      this.scheduler.setOwnerAddrs(peerId, addrs)
    } catch (err: any) {
      this.log.error('could not record the addresses of %s - %e', peerId, err)
    }
  }

  private sweep (): void {
    try {
      const n = this.scheduler.sweep()
      if (n > 0) this.log('%d replicas timed out', n)
    } catch (err: any) {
      this.log.error('deadline sweep failed - %e', err)
    }
  }

  /** Where providers reach a job's owner: its addresses in the peer store (identify), else the connection's. */
  private async addressesOf (peer: PeerId, connection: Connection): Promise<string[]> {
    try {
      const known = await this.libp2p.peerStore.get(peer)
      const addrs = known.addresses.map((a: any) => a.multiaddr.toString()).filter((a: string) => !a.includes('/p2p-circuit'))
      if (addrs.length > 0) return addrs.slice(0, 8)
    } catch {}
    return [connection.remoteAddr.toString()]
  }
}
