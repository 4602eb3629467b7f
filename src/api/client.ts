import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { NoDaemonError } from '../core/errors.js'
import { readNodeFile } from './node-file.js'
import { TOKEN_FILE } from './token.js'

/** Calls the local API of the node whose data directory is `dataDir`. */
export async function callApi (dataDir: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<any> {
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
      signal: AbortSignal.timeout(30_000)
    })
  } catch {
    throw new NoDaemonError(`no peerhive node answers at ${info.api} (data directory ${dataDir}); it may have stopped. ${start}`)
  }
  const json: any = await res.json().catch(() => ({}))
  if (!res.ok) {
    const err = new Error(json.message ?? `API answered ${res.status}`)
    err.name = json.error ?? 'ApiError'
    throw err
  }
  return json
}
