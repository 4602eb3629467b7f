import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { InvalidOptionError, sleep } from '../../core/index.js'
import { JobsRequest } from '../../pb/jobs.js'
import { validateJob } from '../model/job-spec.js'
import { outputHash } from '../model/output-hash.js'
import { BOOTSTRAP_UNREACHABLE_MS, withBootstrapRetry, type RetryInfo } from './bootstrap-retry.js'
import { InvalidJobError, OutputUnavailableError } from './errors.js'
import { JobStore, checkJobId } from './job-store.js'
import { bodyJson, callJobs, jsonBody } from './jobs-rpc.js'
import { resolveJob } from './resolve-job.js'
import { writeResults, type ResultsSummary, type UnitOutputData, type UnitResultEntry } from './write-results.js'
import type { JobInput, JobResults, JobSpec, JobState, JobStatus, ProviderInfo, ResolvedJob } from '../model/types.js'
import type { Libp2p } from 'libp2p'

/** The job-file checker (src/compute/model/job-spec.ts): every problem of a job, or the job as checked. */
export type ValidateJob = (raw: unknown, opts: { resolved: boolean }) => { job?: JobSpec | ResolvedJob, problems: string[] }

/** A unit output as the owner keeps or fetches it (a UnitOutput message). */
export interface OwnedOutput extends UnitOutputData {
  outputHash: Uint8Array
}

/** Where finished outputs come from: the owner's inbox first, then the providers that kept a copy. */
export interface OutputSource {
  /** the output of unit `unitIndex` of job `jobId` with this hash, if a provider pushed it here */
  lookup: (jobId: string, unitIndex: number, hash: Uint8Array) => Promise<OwnedOutput | undefined> | OwnedOutput | undefined
  /** asks provider `peer` for that output (FETCH of /peerhive/unit-output/1.0.0) */
  fetchFrom: (peer: string, jobId: string, unitIndex: number, hash: Uint8Array, signal?: AbortSignal) => Promise<OwnedOutput>
}

export interface ComputeClientInit {
  /**
   * A started libp2p node connected to (or able to dial) the bootstrap.
   * @default none (required)
   */
  libp2p: Libp2p<any>
  /**
   * The bootstrap's multiaddr, ending with /p2p/<its PeerId>
   * @default none (required)
   */
  bootstrap: string | Multiaddr
  /**
   * The node's data directory: jobs are remembered in <data>/jobs/<id>/job.json; in memory without it
   * @default none (jobs are remembered in memory only)
   */
  dataDir?: string
  /**
   * Checks a job file before it is resolved and submitted.
   * @default validateJob of src/compute/model/job-spec.ts
   */
  validateJob?: ValidateJob
  /**
   * Shares a file where it lies, for providers to fetch by CID
   * @default none (required)
   */
  share: (path: string) => Promise<{ cid: string }>
  /**
   * File name of a CID, when known here or in the index
   * @default none (names are not looked up)
   */
  nameOf?: (cid: string) => Promise<string | undefined>
  /**
   * Whether the node's index is fully at its virtual server (so providers can find what was just shared)
   * @default none (submit does not wait for the index)
   */
  indexSynced?: () => boolean
  /**
   * Where unit outputs come from: the owner's inbox, and fetching from the providers that hold a copy.
   * @default none (results() cannot fetch outputs)
   */
  outputs?: OutputSource
  /**
   * Sha256 of an output's canonical encoding, to check what arrives.
   * @default outputHash of src/compute/model/output-hash.ts
   */
  hashOutput?: (output: UnitOutputData, result: ResolvedJob['result']) => Uint8Array
  /**
   * How long watch() and results() keep retrying, with back-off, while the
   * bootstrap is unreachable (a restart), before they throw
   * BootstrapUnreachableError. Each call can set its own.
   * @default 120000 (BOOTSTRAP_UNREACHABLE_MS)
   */
  unreachableMs?: number
}

/** What a long-running call is told while the bootstrap is unreachable. */
export interface RetryOptions {
  /**
   * Give up (BootstrapUnreachableError) once the bootstrap has been unreachable this long, in ms.
   * @default the client's unreachableMs (120000)
   */
  unreachableMs?: number
  /**
   * Told before each wait for a retry while the bootstrap is unreachable.
   * @default none
   */
  onRetry?: (info: RetryInfo) => void
}

export interface WatchOptions extends RetryOptions {
  /**
   * Time between two STATUS requests.
   * @default 500
   */
  intervalMs?: number
  /**
   * Aborting it ends the watch.
   * @default none
   */
  signal?: AbortSignal
}

export interface ResultsOptions extends RetryOptions {
  /**
   * Aborting it stops fetching and writing outputs.
   * @default none
   */
  signal?: AbortSignal
  /**
   * Told after each unit is written, in unit order
   * @default none
   */
  onUnit?: (entry: UnitResultEntry, written: number, total: number) => void
}

/** What ADMIN_REMOVE answers: the provider's record after the removal, when the bootstrap sends it. */
export interface AdminRemoveResult {
  peer: string
  ban: boolean
  message: string
  provider?: ProviderInfo
}

export const FINAL_STATES: readonly JobState[] = ['done', 'failed', 'cancelled']
/** How long a submit waits for freshly shared files to reach the index before sending the job anyway. */
const INDEX_WAIT_MS = 5_000

/**
 * The client side of volunteer computing (protocols/jobs.md): submits jobs
 * to the bootstrap, follows them, and collects their outputs in unit order:
 * the owner's node is the one big "virtual client" of WORK-10.
 */
export class ComputeClient {
  readonly jobs: JobStore
  private readonly bootstrap: Multiaddr

  constructor (private readonly init: ComputeClientInit) {
    this.bootstrap = typeof init.bootstrap === 'string' ? multiaddr(init.bootstrap) : init.bootstrap
    this.jobs = new JobStore(init.dataDir)
  }

  /**
   * Checks a job (a job file's path, or the job itself), shares its app and
   * input files, submits it and remembers it. Returns the job's id. Paths in
   * the job are relative to `baseDir` (default: the job file's folder, or
   * the current folder for a job given as an object). Throws InvalidJobError
   * listing every problem. A job object is checked at run time as well,
   * so one parsed from JSON may be passed with a cast.
   */
  async submit (jobFilePathOrSpec: string | JobInput, baseDir?: string, opts: { signal?: AbortSignal } = {}): Promise<string> {
    return (await this.submitWork(jobFilePathOrSpec, baseDir, opts.signal)).id
  }

  private async submitWork (jobFilePathOrSpec: string | JobInput, baseDir: string | undefined, signal?: AbortSignal): Promise<{ id: string, job: ResolvedJob }> {
    let raw: unknown = jobFilePathOrSpec
    if (typeof jobFilePathOrSpec === 'string') {
      const path = resolve(jobFilePathOrSpec)
      let text: string
      try {
        text = await readFile(path, 'utf8')
      } catch (err: any) {
        throw new InvalidJobError([`cannot read the job file ${path}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`])
      }
      try {
        raw = JSON.parse(text)
      } catch (err: any) {
        throw new InvalidJobError([`${path} is not JSON: ${err.message}`])
      }
      baseDir ??= dirname(path)
    }
    const validate = this.init.validateJob ?? validateJob
    const checked = validate(raw, { resolved: false })
    if (checked.problems.length > 0 || checked.job == null) throw new InvalidJobError(checked.problems)
    const before = new Set<string>()
    const job = await resolveJob(checked.job as JobSpec, baseDir ?? process.cwd(), {
      share: async path => {
        const shared = await this.init.share(path)
        before.add(shared.cid)
        return shared
      },
      nameOf: async cid => this.init.nameOf?.(cid)
    })
    const again = validate(job, { resolved: true })
    if (again.problems.length > 0) throw new InvalidJobError(again.problems)
    if (before.size > 0) await this.waitForIndex(signal)
    const res = await callJobs(this.init.libp2p, this.bootstrap, { kind: JobsRequest.Kind.SUBMIT, body: jsonBody(job) }, signal)
    const id = checkJobId(res.jobId)
    await this.jobs.save(id, job)
    return { id, job }
  }

  /** Gives the index a moment to carry freshly shared files to the virtual server, so providers find them. */
  private async waitForIndex (signal?: AbortSignal): Promise<void> {
    if (this.init.indexSynced == null) return
    const deadline = Date.now() + INDEX_WAIT_MS
    while (!this.init.indexSynced() && Date.now() < deadline && signal?.aborted !== true) {
      await new Promise(resolve => setTimeout(resolve, 50))
    }
  }

  /** The job's state, its units by state, progress and ETA. */
  async status (id: string, signal?: AbortSignal): Promise<JobStatus> {
    const res = await callJobs(this.init.libp2p, this.bootstrap, { kind: JobsRequest.Kind.STATUS, jobId: checkJobId(id) }, signal)
    return bodyJson<JobStatus>(res, 'job status')
  }

  /** The jobs this node's PeerId submitted, as the bootstrap knows them. */
  async list (signal?: AbortSignal): Promise<JobStatus[]> {
    const res = await callJobs(this.init.libp2p, this.bootstrap, { kind: JobsRequest.Kind.LIST }, signal)
    return bodyJson<JobStatus[]>(res, 'job list')
  }

  /** Cancels a job of this node's. Answers its status after the cancel when the bootstrap sends it. */
  async cancel (id: string, signal?: AbortSignal): Promise<JobStatus | undefined> {
    const res = await callJobs(this.init.libp2p, this.bootstrap, { kind: JobsRequest.Kind.CANCEL, jobId: checkJobId(id) }, signal)
    return res.body.byteLength > 0 ? bodyJson<JobStatus>(res, 'job status') : undefined
  }

  /** Links this node's PeerId to a user (WORK-1). Answers the user's serial id. */
  async register (user: string, email = '', signal?: AbortSignal): Promise<{ user: string, userSerialId: number }> {
    if (typeof user !== 'string' || user.trim() === '') throw new InvalidOptionError('a user name is required (--user NAME)')
    const res = await callJobs(this.init.libp2p, this.bootstrap, { kind: JobsRequest.Kind.REGISTER, user: user.trim(), email }, signal)
    return { user: user.trim(), userSerialId: res.userSerialId }
  }

  /** Deletes this node's provider registration; its running jobs are cancelled. */
  async unregister (signal?: AbortSignal): Promise<{ message: string, cancelledJobs: string[] }> {
    const res = await callJobs(this.init.libp2p, this.bootstrap, { kind: JobsRequest.Kind.UNREGISTER }, signal)
    const body = res.body.byteLength > 0 ? bodyJson<{ cancelledJobs?: string[] }>(res, 'unregister answer') : {}
    return { message: res.message, cancelledJobs: Array.isArray(body.cancelledJobs) ? body.cancelledJobs : [] }
  }

  /** Every provider the bootstrap knows: registration, host, state and history. */
  async providers (signal?: AbortSignal): Promise<ProviderInfo[]> {
    const res = await callJobs(this.init.libp2p, this.bootstrap, { kind: JobsRequest.Kind.PROVIDERS }, signal)
    return bodyJson<ProviderInfo[]>(res, 'provider list')
  }

  /** Removes (and with `ban`, bans) a provider; only a PeerId in the bootstrap's admin list may. */
  async adminRemove (peer: string, ban = false, signal?: AbortSignal): Promise<AdminRemoveResult> {
    if (typeof peer !== 'string' || peer === '') throw new InvalidOptionError('the PeerId of the provider to remove is required')
    const res = await callJobs(this.init.libp2p, this.bootstrap, { kind: JobsRequest.Kind.ADMIN_REMOVE, peer, ban }, signal)
    const provider = res.body.byteLength > 0 ? bodyJson<ProviderInfo>(res, 'provider record') : undefined
    return { peer, ban, message: res.message, ...(provider == null ? {} : { provider }) }
  }

  /**
   * The job's status every `intervalMs` until it is done, failed or
   * cancelled (the last one yielded is final). A bootstrap that goes away
   * (a restart) is asked again with back-off; only one unreachable for
   * `unreachableMs` ends the watch, with BootstrapUnreachableError.
   */
  async * watch (id: string, opts: WatchOptions = {}): AsyncGenerator<JobStatus> {
    const intervalMs = opts.intervalMs ?? 500
    const retry = this.retryOptions(id, opts)
    while (true) {
      const status = await withBootstrapRetry(async () => this.status(id, opts.signal), retry)
      yield status
      if (FINAL_STATES.includes(status.state)) return
      await sleep(intervalMs, opts.signal)
    }
  }

  /** Resolves with the job's final status. */
  async wait (id: string, opts: WatchOptions = {}): Promise<JobStatus> {
    let last: JobStatus | undefined
    for await (const status of this.watch(id, opts)) last = status
    return last as JobStatus
  }

  /**
   * Writes the outputs of every valid unit into `outDir` in unit order (see
   * writeResults), taking each from this node's inbox or, when a provider
   * could not deliver it, fetching it from a provider that kept it. Every
   * output is checked against the hash the quorum agreed on. The list of
   * results is asked again while the bootstrap is unreachable, as in watch().
   */
  async results (id: string, outDir: string, opts: ResultsOptions = {}): Promise<ResultsSummary> {
    checkJobId(id)
    const job = this.jobs.get(id)
    if (job == null) {
      throw new InvalidOptionError(`job ${id} was not submitted from this node (no ${this.jobs.folder(id) ?? 'record'} of it); only its owner can collect its results`)
    }
    const retry = this.retryOptions(id, opts)
    const results = await withBootstrapRetry(async () => this.resultList(id, opts.signal), retry)
    return writeResults(resolve(outDir), job, results, async unit => this.output(id, job, unit, opts.signal), { signal: opts.signal, onUnit: opts.onUnit })
  }

  /**
   * RESULTS of every unit of a job: the bootstrap answers in pages that fit
   * its response limit (`next` names the first unit of the next page).
   */
  async resultList (id: string, signal?: AbortSignal): Promise<JobResults> {
    checkJobId(id)
    let all: JobResults | undefined
    let from = 0
    for (;;) {
      const res = await callJobs(this.init.libp2p, this.bootstrap, { kind: JobsRequest.Kind.RESULTS, jobId: id, body: jsonBody({ from }) }, signal)
      const page = bodyJson<JobResults & { next?: number }>(res, 'results')
      if (all == null) all = { id: page.id, state: page.state, units: [] }
      all.state = page.state
      all.units.push(...page.units)
      if (page.next == null) return all
      if (!Number.isSafeInteger(page.next) || page.next <= from) throw new OutputUnavailableError(`the bootstrap sent a bad results page (next ${String(page.next)} after ${from})`)
      from = page.next
    }
  }

  private async output (jobId: string, job: ResolvedJob, unit: { index: number, hash: string, holders: string[] }, signal?: AbortSignal): Promise<UnitOutputData> {
    const hash = hexBytes(unit.hash)
    const matches = (output: OwnedOutput | undefined): output is OwnedOutput => {
      if (output == null) return false
      const hashOutput = this.init.hashOutput ?? ((o: UnitOutputData, result: ResolvedJob['result']) => outputHash(o.stdout, o.files, result))
      return sameBytes(hashOutput(output, job.result), hash)
    }
    const source = this.init.outputs
    if (source == null) throw new OutputUnavailableError('this node keeps no unit outputs')
    const kept = await source.lookup(jobId, unit.index, hash)
    if (matches(kept)) return kept
    const errors: string[] = []
    for (const peer of unit.holders) {
      signal?.throwIfAborted()
      try {
        const fetched = await source.fetchFrom(peer, jobId, unit.index, hash, signal)
        if (matches(fetched)) return fetched
        errors.push(`${peer}: the output does not match the agreed hash`)
      } catch (err: any) {
        errors.push(`${peer}: ${err.message}`)
      }
    }
    throw new OutputUnavailableError(`the output of unit ${unit.index} of job ${jobId} is not in this node's inbox and no provider holding it answered${errors.length > 0 ? ` (${errors.join('; ')})` : ' (none is known)'}`)
  }

  private retryOptions (id: string, opts: RetryOptions & { signal?: AbortSignal }): Parameters<typeof withBootstrapRetry>[1] {
    return {
      unreachableMs: opts.unreachableMs ?? this.init.unreachableMs ?? BOOTSTRAP_UNREACHABLE_MS,
      signal: opts.signal,
      onRetry: opts.onRetry,
      giveUpNote: `job ${id} is still known to it`
    }
  }

  /** Reads the jobs this node submitted before (the jobs folder). */
  async start (): Promise<void> {
    await this.jobs.load()
  }

  /**
   * Whether this node owns job `jobId` (it is in the jobs folder). An output
   * a provider pushes before the SUBMIT answer has come back is refused; the
   * provider keeps it, and `results` fetches it from there.
   */
  ownsJob (jobId: string): boolean {
    return this.jobs.has(jobId)
  }

  /** What an output of job `jobId` must contain, when this node owns the job. */
  resultSpec (jobId: string): { stdout: boolean, files: string[], maxOutputBytes: number } | undefined {
    const job = this.jobs.get(jobId)
    return job == null ? undefined : { stdout: job.result.stdout, files: job.result.files, maxOutputBytes: job.maxOutputBytes }
  }
}

function hexBytes (hex: string): Uint8Array {
  if (!/^([0-9a-f]{2})+$/i.test(hex)) throw new OutputUnavailableError(`the bootstrap sent a malformed output hash: ${hex}`)
  return Uint8Array.from(Buffer.from(hex, 'hex'))
}

function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}
