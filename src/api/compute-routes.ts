import { pushable } from 'it-pushable'
import { InvalidOptionError } from '../core/index.js'
import { optionalPath, requirePath } from './fields.js'
import type { ComputeClient, RetryInfo } from '../compute/index.js'
import type { Route } from './server.js'

/**
 * The local API of volunteer computing on a peer daemon: submit and follow
 * jobs, collect results, register, list providers, and the operator's
 * ADMIN_REMOVE. `watch` and `results` stream newline-delimited JSON; while
 * the bootstrap is unreachable they add `{ retrying }` lines and keep going
 * (for `unreachableMs`, default 2 min).
 */
export function computeRoutes (compute: ComputeClient): Record<string, Route> {
  return {
    // body: { path } of a job file on this machine, or { spec, baseDir }
    'POST /v1/jobs/submit': async (body: any, signal) => {
      const path = optionalPath(body?.path, 'path')
      const baseDir = optionalPath(body?.baseDir, 'baseDir')
      if (path != null) return { id: await compute.submit(path, baseDir, { signal }) }
      if (body?.spec == null || typeof body.spec !== 'object' || Array.isArray(body.spec)) throw new InvalidOptionError('give the job file as path, or the job itself as spec')
      return { id: await compute.submit(body.spec, baseDir, { signal }) }
    },
    'GET /v1/jobs': async (_body, signal) => compute.list(signal),
    'POST /v1/jobs/status': async (body: any, signal) => compute.status(requireText(body?.id, 'id'), signal),
    'POST /v1/jobs/cancel': async (body: any, signal) => ({ id: body?.id, status: await compute.cancel(requireText(body?.id, 'id'), signal) ?? null }),
    // one line per status, every intervalMs, until the job is final
    'POST /v1/jobs/watch': (body: any, signal) => {
      const lines = pushable<unknown>({ objectMode: true })
      const watching = compute.watch(requireText(body?.id, 'id'), {
        intervalMs: optionalInterval(body?.intervalMs),
        unreachableMs: optionalUnreachable(body?.unreachableMs),
        signal,
        onRetry: info => { lines.push(retryingLine(info)) }
      })
      void (async () => {
        for await (const status of watching) lines.push(status)
      })().then(() => { lines.end() }, err => { lines.end(err) })
      return lines
    },
    // { unit, written, total } lines as units are written, then { result }
    'POST /v1/jobs/results': (body: any, signal) => {
      const lines = pushable<unknown>({ objectMode: true })
      compute.results(requireText(body?.id, 'id'), requirePath(body?.outDir, 'outDir'), {
        signal,
        unreachableMs: optionalUnreachable(body?.unreachableMs),
        onRetry: info => { lines.push(retryingLine(info)) },
        onUnit: (unit, written, total) => { lines.push({ unit, written, total }) }
      }).then(result => { lines.push({ result }); lines.end() }, err => { lines.end(err) })
      return lines
    },
    'POST /v1/register': async (body: any, signal) => compute.register(requireText(body?.user, 'user'), optionalText(body?.email, 'email') ?? '', signal),
    'POST /v1/unregister': async (_body, signal) => compute.unregister(signal),
    'GET /v1/providers': async (_body, signal) => compute.providers(signal),
    'POST /v1/admin/remove': async (body: any, signal) => compute.adminRemove(requireText(body?.peer, 'peer'), body?.ban === true, signal)
  }
}

function requireText (value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new InvalidOptionError(`${what} must be given as non-empty text`)
  return value
}

function optionalText (value: unknown, what: string): string | undefined {
  if (value == null || value === '') return undefined
  return requireText(value, what)
}

/** The line a stream carries while the bootstrap is unreachable: why, for how long, and when the next try is. */
function retryingLine (info: RetryInfo): { retrying: { message: string, unreachableForMs: number, retryInMs: number, attempt: number } } {
  return { retrying: { message: info.error.message, unreachableForMs: info.unreachableForMs, retryInMs: info.retryInMs, attempt: info.attempt } }
}

function optionalUnreachable (value: unknown): number | undefined {
  if (value == null) return undefined
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new InvalidOptionError('unreachableMs must be a whole number of ms, 0 or more')
  return value
}

function optionalInterval (value: unknown): number | undefined {
  if (value == null) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 50 || value > 60_000) throw new InvalidOptionError('intervalMs must be a number of ms in 50..60000')
  return value
}
