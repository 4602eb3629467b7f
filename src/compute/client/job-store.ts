import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InvalidOptionError } from '../../core/index.js'
import type { ResolvedJob } from '../model/types.js'

/** Folder under the data directory where the jobs this node submitted are remembered. */
export const JOBS_DIR = 'jobs'
export const JOB_FILE = 'job.json'

const JOB_ID = /^[A-Za-z0-9_-]{1,128}$/

/** Whether `id` can name a job (and a folder): what the bootstrap hands out. */
export function isJobId (id: unknown): id is string {
  return typeof id === 'string' && JOB_ID.test(id)
}

export function checkJobId (id: unknown): string {
  if (!isJobId(id)) throw new InvalidOptionError(`not a job id: ${JSON.stringify(id)}`)
  return id
}

/**
 * The jobs this node owns: `<data>/jobs/<id>/job.json` holds each resolved
 * job as it was submitted, so the node knows after a restart which outputs
 * are its own and what each should contain. `load()` reads them all at
 * start; after that every question is answered from memory (the unit-output
 * handler asks on every PUSH). A node without a data directory keeps its
 * jobs in memory only.
 */
export class JobStore {
  private readonly jobs = new Map<string, ResolvedJob>()

  constructor (private readonly dataDir?: string) {}

  /** Reads every job.json of the jobs folder; unreadable ones are skipped (and reported). */
  async load (onSkip?: (id: string, err: Error) => void): Promise<void> {
    if (this.dataDir == null) return
    const entries = await readdir(join(this.dataDir, JOBS_DIR), { withFileTypes: true }).catch(() => [])
    for (const e of entries) {
      if (!e.isDirectory() || !isJobId(e.name) || this.jobs.has(e.name)) continue
      try {
        this.jobs.set(e.name, JSON.parse(await readFile(join(this.dataDir, JOBS_DIR, e.name, JOB_FILE), 'utf8')) as ResolvedJob)
      } catch (err: any) {
        // an outputs folder without job.json (an interrupted submit) is no job of ours
        if (err.code !== 'ENOENT') onSkip?.(e.name, err)
      }
    }
  }

  /** Folder of job `id`, or undefined without a data directory. */
  folder (id: string): string | undefined {
    return this.dataDir == null ? undefined : join(this.dataDir, JOBS_DIR, checkJobId(id))
  }

  async save (id: string, job: ResolvedJob): Promise<void> {
    checkJobId(id)
    const dir = this.folder(id)
    if (dir != null) {
      await mkdir(dir, { recursive: true })
      const path = join(dir, JOB_FILE)
      await writeFile(path + '.tmp', JSON.stringify(job, null, 2) + '\n')
      await rename(path + '.tmp', path)
    }
    this.jobs.set(id, job)
  }

  /** The resolved job `id`, when this node submitted it. */
  get (id: string): ResolvedJob | undefined {
    return this.jobs.get(id)
  }

  has (id: string): boolean {
    return this.jobs.has(id)
  }

  /** Ids of every job remembered here. */
  ids (): string[] {
    return [...this.jobs.keys()]
  }

  /** The largest `maxOutputBytes` of the jobs remembered here (0 without jobs). */
  largestOutputBytes (): number {
    let largest = 0
    for (const job of this.jobs.values()) largest = Math.max(largest, job.maxOutputBytes)
    return largest
  }
}
