import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InvalidOptionError } from '../../core/index.js'
import type { ResolvedJob } from '../types.js'

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
 * are its own and what each should contain. A node without a data directory
 * keeps them in memory.
 */
export class JobStore {
  private readonly jobs = new Map<string, ResolvedJob>()

  constructor (private readonly dataDir?: string) {}

  /** Folder of job `id`, or undefined without a data directory. */
  folder (id: string): string | undefined {
    return this.dataDir == null ? undefined : join(this.dataDir, JOBS_DIR, checkJobId(id))
  }

  async save (id: string, job: ResolvedJob): Promise<void> {
    checkJobId(id)
    this.jobs.set(id, job)
    const dir = this.folder(id)
    if (dir == null) return
    await mkdir(dir, { recursive: true })
    const path = join(dir, JOB_FILE)
    await writeFile(path + '.tmp', JSON.stringify(job, null, 2) + '\n')
    await rename(path + '.tmp', path)
  }

  /** The resolved job `id`, when this node submitted it. */
  async get (id: string): Promise<ResolvedJob | undefined> {
    if (!isJobId(id)) return undefined
    const known = this.jobs.get(id)
    if (known != null) return known
    const dir = this.folder(id)
    if (dir == null) return undefined
    try {
      const job = JSON.parse(await readFile(join(dir, JOB_FILE), 'utf8')) as ResolvedJob
      this.jobs.set(id, job)
      return job
    } catch {
      return undefined
    }
  }

  async has (id: string): Promise<boolean> {
    return (await this.get(id)) != null
  }

  /** Ids of every job remembered here. */
  async ids (): Promise<string[]> {
    const ids = new Set(this.jobs.keys())
    if (this.dataDir != null) {
      const entries = await readdir(join(this.dataDir, JOBS_DIR), { withFileTypes: true }).catch(() => [])
      for (const e of entries) if (e.isDirectory() && isJobId(e.name)) ids.add(e.name)
    }
    return [...ids]
  }
}
