import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { NoDaemonError, PeerhiveError } from '../core/errors.js'
import { readNodeFile } from './node-file.js'
import { TOKEN_FILE } from './token.js'

/**
 * An error the local API answered with: its name is the one the node gave
 * (InvalidOptionError, NotSharedError, FileExistsError...), so a caller
 * matches it by name as if the node's code had thrown it here.
 */
export class ApiError extends PeerhiveError {
  constructor (name: string, message: string) { super(message, name) }
}

/** Calls the local API of the node whose data directory is `dataDir`. */
export async function callApi (dataDir: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<any> {
  const res = await request(dataDir, method, path, body)
  return res.json()
}

/** How long a call may take in all, streamed answers included, unless told otherwise. */
export const API_TIMEOUT_MS = 10 * 60_000

/**
 * Calls a route that streams newline-delimited JSON, yielding each object as
 * it arrives. `timeoutMs: null` lets a stream run as long as the node sends
 * (following a job that takes hours).
 */
export async function * callApiLines (dataDir: string, path: string, body: unknown, opts: { timeoutMs?: number | null } = {}): AsyncGenerator<any> {
  const res = await request(dataDir, 'POST', path, body, opts.timeoutMs === undefined ? API_TIMEOUT_MS : opts.timeoutMs)
  const decoder = new TextDecoder()
  let buffered = ''
  for await (const chunk of res.body as any as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true })
    let nl
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      if (line.trim() === '') continue
      const item = JSON.parse(line)
      if (typeof item.error === 'string' && typeof item.message === 'string') throw new ApiError(item.error, item.message)
      yield item
    }
  }
}

async function request (dataDir: string, method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs: number | null = API_TIMEOUT_MS): Promise<Response> {
  const info = await readNodeFile(dataDir)
  const start = `start one with: peerhive daemon --data ${dataDir} --bootstrap <multiaddr>  (or peerhive bootstrap --data ${dataDir})`
  if (info == null) throw new NoDaemonError(`no peerhive node running with data directory ${dataDir}; ${start}`)
  let token: string
  try {
    token = (await readFile(join(dataDir, TOKEN_FILE), 'utf8')).trim()
  } catch {
    throw new NoDaemonError(`cannot read the API token in ${dataDir}; is this the node's data directory? ${start}`)
  }
  let res: Response
  try {
    res = await fetch(info.api + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body == null ? undefined : JSON.stringify(body),
      signal: timeoutMs == null ? undefined : AbortSignal.timeout(timeoutMs)
    })
  } catch {
    throw new NoDaemonError(`no peerhive node answers at ${info.api} (data directory ${dataDir}); it may have stopped. ${start}`)
  }
  if (!res.ok) {
    const json: any = await res.json().catch(() => ({}))
    throw new ApiError(typeof json.error === 'string' ? json.error : 'ApiError', json.message ?? `API answered ${res.status}`)
  }
  return res
}
