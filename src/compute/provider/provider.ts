/**
 * The provider runtime (WORK-2, WORK-5..WORK-7): says HELLO to the
 * bootstrap with its host info, pulls work units when it has free cores,
 * runs them in the sandbox, delivers each output to the job's owner,
 * keeps a copy in its outbox, and reports the output hashes to the
 * bootstrap in batches. Nothing it reports is lost when the bootstrap
 * restarts: reports wait, with back-off, until the bootstrap takes them.
 */
import { join } from 'node:path'
import { TypedEventEmitter } from 'main-event'
import { WorkRequest, WorkResponse, type ReplicaResult } from '../../pb/work.js'
import { WakeablePause } from '../../core/sleep.js'
import { Outbox } from '../outputs/index.js'
import { CidCache } from './cache.js'
import {
  BACKOFF_INITIAL_MS, BACKOFF_MAX_MS, BANDWIDTH_WINDOW, CACHE_DIR, DEFAULT_CACHE_MAX_BYTES, DEFAULT_HELLO_INTERVAL_MS,
  DEFAULT_POLL_INTERVAL_MS, DEFAULT_REPORT_DELAY_MS, DEFAULT_RETRY_MS, MAX_RETRY_MS,
  MIN_RETRY_MS, OUTBOX_DIR, PUSH_RETRY_BASE_MS, QUEUED_UNITS
} from './constants.js'
import { MAX_RESULTS_PER_REPORT, MAX_UNITS_PER_FETCH, MAX_WORK_REQUEST_BYTES } from '../../protocols/index.js'
import { ProviderRemovedError, WorkRefusedError } from './errors.js'
import { BandwidthMeter, probeProviderHost, type NetworkType } from './host.js'
import { bootstrapTarget, providerResources } from './provider-options.js'
import { resultBytes, workExchange } from './work-client.js'
import { OutputDelivery, type UnitRef } from './output-delivery.js'
import { UnitRunner } from './unit-runner.js'

export type { UnitRef }
export type { ComputeProviderEvents, ComputeProviderInit, ProviderState, ProviderStatus, RunningUnit, UnitFinished, UnitOutcome } from './provider-types.js'
import type { ComputeProviderEvents, ComputeProviderInit, ProviderState, ProviderStatus } from './provider-types.js'
import type { Logger, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'

export class ComputeProvider extends TypedEventEmitter<ComputeProviderEvents> {
  readonly outbox: Outbox
  readonly cache: CidCache
  readonly cpus: number
  readonly maxMemoryMb: number
  readonly apps: string[]
  private readonly bootstrapAddr: Multiaddr
  private readonly bootstrapId: PeerId
  private readonly network: NetworkType
  private readonly log: Logger
  private readonly bandwidth = new BandwidthMeter(BANDWIDTH_WINDOW)
  private readonly helloIntervalMs: number
  private readonly reportDelayMs: number
  private readonly pollIntervalMs: number
  private readonly delivery: OutputDelivery
  private readonly units: UnitRunner

  private state: ProviderState = 'stopped'
  private registered = false
  private controller?: AbortController
  private loopDone?: Promise<void>
  private reports: ReplicaResult[] = []
  private oldestReportAt = 0
  private nextHelloAt = 0
  private nextFetchAt = 0
  private nextPollAt = 0
  private lastHelloAt = 0
  private delayMs = BACKOFF_INITIAL_MS
  private readonly pauser = new WakeablePause()
  private lastError?: string

  constructor (private readonly libp2p: Libp2p<any>, private readonly init: ComputeProviderInit) {
    super()
    const target = bootstrapTarget(init.bootstrap)
    this.bootstrapAddr = target.addr
    this.bootstrapId = target.id
    this.network = target.network
    const resources = providerResources(init)
    this.cpus = resources.cpus
    this.maxMemoryMb = resources.maxMemoryMb
    this.apps = resources.apps
    this.helloIntervalMs = init.helloIntervalMs ?? DEFAULT_HELLO_INTERVAL_MS
    this.reportDelayMs = init.reportDelayMs ?? DEFAULT_REPORT_DELAY_MS
    this.pollIntervalMs = init.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS
    this.log = libp2p.logger.forComponent('peerhive:provider')
    this.outbox = init.outbox ?? new Outbox(join(init.dataDir, OUTBOX_DIR))
    this.delivery = new OutputDelivery({
      libp2p,
      outbox: this.outbox,
      log: this.log,
      deliverToSelf: init.deliverToSelf,
      pushRetryMs: init.pushRetryMs ?? PUSH_RETRY_BASE_MS,
      signal: () => this.controller?.signal,
      onDelivered: (unit, owner) => { this.safeDispatch('output:delivered', { ...unit, owner }) },
      onKept: (unit, owner, error) => { this.safeDispatch('output:kept', { ...unit, owner, error }) }
    })
    this.cache = new CidCache(join(init.dataDir, CACHE_DIR), {
      fetch: init.fetchByCid,
      maxBytes: init.cacheMaxBytes ?? DEFAULT_CACHE_MAX_BYTES,
      onDownload: (bytes, ms, res) => { if (!this.localCopy(res)) this.bandwidth.record(bytes, ms) }
    })
    this.units = new UnitRunner({
      cpus: this.cpus,
      maxMemoryMb: this.maxMemoryMb,
      apps: this.apps,
      faults: { ...(init.faults ?? {}) },
      cache: this.cache,
      delivery: this.delivery,
      log: this.log,
      accepting: () => this.controller != null,
      reporting: () => this.state !== 'removed',
      onResult: r => { this.addReport(r) },
      onFreed: () => {
        // other units may finish soon: wait a moment, so that one REPORT and one FETCH serve them all
        this.nextFetchAt = Math.max(this.nextFetchAt, Date.now() + this.reportDelayMs)
        this.wake()
      },
      onStarted: unit => { this.safeDispatch('unit:started', unit) },
      onFinished: finished => { this.safeDispatch('unit:finished', finished) }
    })
  }

  /** Opens the outbox and the cache, then starts the work loop. */
  async start (): Promise<void> {
    if (this.controller != null) return
    await this.outbox.open()
    await this.cache.open()
    this.controller = new AbortController()
    this.state = 'connecting'
    this.registered = false
    this.libp2p.addEventListener('peer:disconnect', this.onDisconnect)
    this.loopDone = this.loop(this.controller.signal)
  }

  /**
   * Stops taking work. Units still running are given up (ABANDONED), and
   * the results not yet reported get one last REPORT attempt (2 s).
   * Outputs stay in the outbox.
   */
  async stop (): Promise<void> {
    const controller = this.controller
    if (controller == null) return
    this.controller = undefined
    this.libp2p.removeEventListener('peer:disconnect', this.onDisconnect)
    controller.abort()
    this.wake()
    await this.loopDone
    this.units.abandonAll()
    await this.units.settled()
    if (this.state !== 'removed' && this.reports.length > 0) {
      try {
        await this.report(AbortSignal.timeout(2_000))
      } catch (err: any) {
        this.log('could not report %d results before stopping - %e', this.reports.length, err)
      }
    }
    if (this.state !== 'removed') this.state = 'stopped'
  }

  status (): ProviderStatus {
    return {
      state: this.state,
      cpus: this.cpus,
      maxMemoryMb: this.maxMemoryMb,
      apps: [...this.apps],
      running: this.units.runningUnits(),
      queued: this.units.queued,
      pendingReports: this.reports.length,
      finished: this.units.finishedCounts(),
      outbox: this.outbox.stats(),
      cache: this.cache.stats(),
      network: this.network,
      bandwidthBps: this.bandwidth.bytesPerSecond(),
      lastError: this.lastError
    }
  }

  /** Units running or waiting for a core. */
  get busy (): number {
    return this.units.running + this.units.queued
  }

  // --- the work loop: one exchange with the bootstrap at a time ---

  private async loop (signal: AbortSignal): Promise<void> {
    while (!signal.aborted && !this.isRemoved()) {
      try {
        const now = Date.now()
        if (!this.registered || now >= this.nextHelloAt) {
          await this.hello(signal)
        } else if (this.reportDue(now)) {
          await this.report(signal)
        } else if ((this.freeSlots() > 0 && now >= this.nextFetchAt) || (this.units.running > 0 && now >= this.nextPollAt)) {
          // free cores ask for work; busy ones still ask now and then, to learn which replicas were cancelled
          await this.fetch(signal)
        } else {
          if (now >= this.delivery.nextRetryAt) this.delivery.retry()
          await this.sleep(this.nextWake(now) - now, signal)
          continue
        }
        this.delayMs = BACKOFF_INITIAL_MS
      } catch (err: any) {
        if (signal.aborted || this.isRemoved()) break
        if (err.name === 'WorkRefusedError' && err.code === 'NOT_REGISTERED' && Date.now() - this.lastHelloAt > 1_000) {
          // the bootstrap forgot the session (it restarted): HELLO again at once (right after a HELLO, back off instead)
          this.registered = false
          continue
        }
        this.registered = false
        this.state = 'connecting'
        this.lastError = err.message
        this.log('exchange with the bootstrap failed, retrying in %d ms - %e', this.delayMs, err)
        this.safeDispatch('bootstrap:error', { error: err })
        const delay = Math.round(this.delayMs * (0.75 + Math.random() * 0.5))
        this.delayMs = Math.min(BACKOFF_MAX_MS, this.delayMs * 2)
        await this.sleep(delay, signal)
      }
    }
  }

  private async hello (signal: AbortSignal): Promise<void> {
    const host = await probeProviderHost(this.init.dataDir, this.network, this.bandwidth.bytesPerSecond())
    // a HELLO may ask for units too (the bootstrap may answer it like a FETCH)
    const want = Date.now() >= this.nextFetchAt ? this.openSlots() : 0
    const res = await this.call({ kind: WorkRequest.Kind.HELLO, host, cpus: this.cpus, maxMemoryMb: this.maxMemoryMb, apps: this.apps, maxUnits: want }, signal)
    const first = !this.registered
    this.lastHelloAt = Date.now()
    this.registered = true
    this.state = 'registered'
    this.lastError = undefined
    this.nextHelloAt = Date.now() + this.helloIntervalMs
    this.takeUnits(res, want, false)
    void this.outbox.prune().catch(err => { this.log.error('pruning the outbox failed - %e', err) })
    if (first) {
      this.log('registered with the bootstrap (%d cpus, %d MiB per unit, network %s)', this.cpus, this.maxMemoryMb, this.network)
      this.safeDispatch('registered', { network: this.network })
    }
  }

  /** FETCH for the free cores; with none free, a FETCH of 0 units only collects cancellations. */
  private async fetch (signal: AbortSignal): Promise<void> {
    const want = Date.now() >= this.nextFetchAt ? this.freeSlots() : 0
    const res = await this.call({ kind: WorkRequest.Kind.FETCH, maxUnits: want }, signal)
    this.takeUnits(res, want, true)
  }

  /**
   * Queues the units of an answer that asked for `want`, and sets when to
   * ask again. `plain`: the answer is a FETCH's; a HELLO or REPORT answer
   * without units or retry_ms came from a bootstrap that does not hand out
   * units there, and changes nothing.
   */
  private takeUnits (res: WorkResponse, want: number, plain: boolean): void {
    if (want <= 0 || (!plain && res.units.length === 0 && res.retryMs === 0)) return
    const now = Date.now()
    if (res.units.length === 0) {
      this.nextFetchAt = now + clamp(res.retryMs > 0 ? res.retryMs : DEFAULT_RETRY_MS, MIN_RETRY_MS, MAX_RETRY_MS)
      return
    }
    this.nextFetchAt = res.units.length < want ? now + clamp(res.retryMs, 0, MAX_RETRY_MS) : now
    this.units.take(res.units)
  }

  /** Sends up to 256 results (within the request size limit); they leave the queue once the bootstrap answered. */
  private async report (signal: AbortSignal): Promise<void> {
    const batch: ReplicaResult[] = []
    let bytes = 64
    for (const r of this.reports) {
      const n = resultBytes(r)
      if (batch.length >= MAX_RESULTS_PER_REPORT || bytes + n > MAX_WORK_REQUEST_BYTES - 256) break
      batch.push(r)
      bytes += n
    }
    if (batch.length === 0) return
    // a REPORT may ask for units too, when it is time to
    const want = this.controller != null && Date.now() >= this.nextFetchAt ? this.freeSlots() : 0
    let res: WorkResponse
    try {
      res = await this.call({ kind: WorkRequest.Kind.REPORT, results: batch, maxUnits: want }, signal)
    } catch (err: any) {
      if (err.name === 'WorkRefusedError' && (err.code === 'MALFORMED_MESSAGE' || err.code === 'MESSAGE_TOO_LARGE' || err.code === 'UNSUPPORTED_VERSION')) {
        // the bootstrap will never take these: dropping them is the only way to report the others
        this.log.error('the bootstrap refused a report of %d results; they are dropped - %e', batch.length, err)
        this.dropReports(batch)
        return
      }
      throw err
    }
    this.dropReports(batch)
    this.log('reported %d results, %d recorded', batch.length, res.accepted)
    this.safeDispatch('report', { results: batch.length, accepted: res.accepted })
    this.takeUnits(res, want, false)
  }

  private dropReports (batch: ReplicaResult[]): void {
    const sent = new Set(batch)
    this.reports = this.reports.filter(r => !sent.has(r))
    this.oldestReportAt = this.reports.length > 0 ? Date.now() : 0
  }

  /** One exchange; handles what every answer may carry (cancelled replicas, REMOVED). */
  private async call (request: Partial<WorkRequest>, signal: AbortSignal): Promise<WorkResponse> {
    const res = await workExchange(this.libp2p, this.bootstrapAddr, request, signal)
    this.nextPollAt = Date.now() + this.pollIntervalMs
    if (res.cancelled.length > 0) this.units.cancel(res.cancelled)
    if (res.error === WorkResponse.Error.REMOVED) {
      this.onRemoved(res.message)
      throw new ProviderRemovedError(res.message)
    }
    if (res.error !== WorkResponse.Error.NONE) throw new WorkRefusedError(res.error, res.message)
    return res
  }

  private reportDue (now: number): boolean {
    if (this.reports.length === 0) return false
    if (this.reports.length >= MAX_RESULTS_PER_REPORT) return true
    if (now - this.oldestReportAt >= this.reportDelayMs) return true
    // about to ask for work: report first, so the bootstrap sees the cores as free
    return this.freeSlots() > 0 && now >= this.nextFetchAt
  }

  private nextWake (now: number): number {
    let at = Math.min(this.nextHelloAt, this.delivery.nextRetryAt)
    if (this.freeSlots() > 0) at = Math.min(at, this.nextFetchAt)
    if (this.units.running > 0) at = Math.min(at, this.nextPollAt)
    if (this.reports.length > 0) at = Math.min(at, this.oldestReportAt + this.reportDelayMs)
    return Math.max(now + 1, at)
  }

  /** Room for new units, once registered (at most one FETCH's worth). */
  private freeSlots (): number {
    return this.state === 'registered' ? this.openSlots() : 0
  }

  /** Cores free, plus QUEUED_UNITS waiting beyond them: a core never idles through a REPORT and FETCH round trip. */
  private openSlots (): number {
    return Math.min(MAX_UNITS_PER_FETCH, Math.max(0, this.cpus + QUEUED_UNITS - this.busy))
  }

  // --- results to report ---

  private addReport (r: ReplicaResult): void {
    if (this.reports.length === 0) this.oldestReportAt = Date.now()
    this.reports.push(r)
    this.wake()
  }

  private onRemoved (message: string): void {
    if (this.state === 'removed') return
    this.state = 'removed'
    this.registered = false
    this.log.error('the bootstrap removed this provider: %s', message)
    this.units.abandonAll()
    this.reports = []
    this.safeDispatch('removed', { message })
  }

  // --- helpers ---

  /** (a method, so that TypeScript does not narrow the state across awaits) */
  private isRemoved (): boolean {
    return this.state === 'removed'
  }

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    if (!evt.detail.equals(this.bootstrapId) || this.state !== 'registered') return
    // HELLO again as soon as the bootstrap can be reached
    this.registered = false
    this.state = 'connecting'
    this.wake()
  }

  /** Whether a fetch result says the file was copied from this node's own shares (no network involved). */
  private localCopy (res: unknown): boolean {
    const sources = (res as { sources?: unknown } | undefined)?.sources
    const self = this.libp2p.peerId.toString()
    return Array.isArray(sources) && sources.length > 0 && sources.every(s => s === self)
  }

  private async sleep (ms: number, signal: AbortSignal): Promise<void> {
    await this.pauser.pause(ms, signal)
  }

  private wake (): void {
    this.pauser.wake()
  }

  private safeDispatch<K extends keyof ComputeProviderEvents> (type: K, detail: ComputeProviderEvents[K]['detail']): void {
    try {
      this.safeDispatchEvent(type, { detail })
    } catch (err: any) {
      this.log.error('a %s listener threw - %e', type, err)
    }
  }
}

function clamp (n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n))
}
