/** The work and jobs handlers' answers (compute-server.ts): how each is built, cut to fit, and refused. */
import { JOBS_VERSION, JobsResponse, WORK_VERSION, WorkResponse, type JobsRequest } from '../../src/protocols/index.js'
import { ComputeRefusal, type RefusalCode } from './errors.js'
import { unitToWire } from './wire.js'

/** Room kept in a FETCH answer (and a jobs answer) for everything but its units (its entries). */
export const WORK_ANSWER_RESERVE = 64 * 1024
export const JOBS_ANSWER_RESERVE = 64 * 1024

/** The wire's error code of each refusal the work manager makes. */
export const WORK_ERRORS: Partial<Record<RefusalCode, WorkResponse.Error>> = {
  NOT_REGISTERED: WorkResponse.Error.NOT_REGISTERED,
  REMOVED: WorkResponse.Error.REMOVED,
  MALFORMED_MESSAGE: WorkResponse.Error.MALFORMED_MESSAGE,
  RATE_LIMITED: WorkResponse.Error.RATE_LIMITED
}

export const JOBS_ERRORS: Partial<Record<RefusalCode, JobsResponse.Error>> = {
  NOT_FOUND: JobsResponse.Error.NOT_FOUND,
  FORBIDDEN: JobsResponse.Error.FORBIDDEN,
  INVALID_JOB: JobsResponse.Error.INVALID_JOB,
  RATE_LIMITED: JobsResponse.Error.RATE_LIMITED,
  MALFORMED_MESSAGE: JobsResponse.Error.MALFORMED_MESSAGE
}

export function workAnswer (error: WorkResponse.Error, message: string, more: Partial<WorkResponse> = {}): WorkResponse {
  return { version: WORK_VERSION, error, message, units: [], accepted: 0, retryMs: 0, cancelled: [], ...more }
}

export function fetched (got: { units: Parameters<typeof unitToWire>[0][], retryMs: number, cancelled: number[] }): Partial<WorkResponse> {
  return { units: got.units.map(unitToWire), retryMs: got.retryMs, cancelled: got.cancelled }
}

export function jobsAnswer (error: JobsResponse.Error, message: string, more: Partial<JobsResponse> = {}): JobsResponse {
  return { version: JOBS_VERSION, error, message, body: new Uint8Array(0) as Uint8Array<ArrayBuffer>, jobId: '', userSerialId: 0, ...more }
}

export function json (value: unknown): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify(value)) as Uint8Array<ArrayBuffer>
}

/** A JSON list cut short to fit `maxBytes`. */
export function fitList (list: unknown[], maxBytes: number): Uint8Array<ArrayBuffer> {
  let n = list.length
  for (;;) {
    const bytes = json(n === list.length ? list : list.slice(0, n))
    if (bytes.byteLength <= maxBytes || n === 0) return bytes
    n = Math.floor(n * maxBytes / bytes.byteLength * 0.95)
  }
}

export function jobId (req: JobsRequest): string {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(req.jobId)) throw new ComputeRefusal('MALFORMED_MESSAGE', `job_id must name a job, got ${JSON.stringify(req.jobId.slice(0, 80))}`)
  return req.jobId
}

/** RESULTS may carry `{ "from": n, "limit": n }` to page through a large job. */
export function resultsPage (body: Uint8Array): { from?: number, limit?: number } {
  if (body.byteLength === 0) return {}
  let page: any
  try {
    page = JSON.parse(new TextDecoder().decode(body))
  } catch (err: any) {
    throw new ComputeRefusal('MALFORMED_MESSAGE', `a RESULTS body is { "from": n, "limit": n } in JSON: ${err.message}`)
  }
  const ok = (v: unknown): boolean => v === undefined || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)
  if (typeof page !== 'object' || page === null || !ok(page.from) || !ok(page.limit)) {
    throw new ComputeRefusal('MALFORMED_MESSAGE', 'a RESULTS body is { "from": n, "limit": n } with non-negative integers')
  }
  return { ...(page.from === undefined ? {} : { from: page.from }), ...(page.limit === undefined ? {} : { limit: page.limit }) }
}
