import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { closeServer, listen } from '../core/metrics.js'
import { InvalidOptionError } from '../core/errors.js'
import { allowedHosts, hostAllowed } from './http-guard.js'
import { tokenMatches } from './token.js'

/** A route gets the request's JSON body and a signal that aborts when the caller goes away. */
export type Route = (body: unknown, signal: AbortSignal) => Promise<unknown> | unknown

const MAX_BODY_BYTES = 64 * 1024

/** HTTP status of a route's error, by the error's name; 500 for the others. */
const STATUS_BY_ERROR = new Map<string, number>([
  ['InvalidOptionError', 400],
  ['SyntaxError', 400],
  ['InvalidJobError', 400],
  // the bootstrap refused the request as malformed (a user name, an email)
  ['MalformedMessageError', 400],
  ['JobNotFoundError', 404],
  ['ForbiddenError', 403],
  ['FileExistsError', 409],
  ['RateLimitedError', 429]
])

/** HTTP status of a system error, by its code: a path in the request that does not fit, a peer that cannot be reached. */
const STATUS_BY_CODE = new Map<string, number>([
  ['ENOENT', 400],
  ['ENOTDIR', 400],
  ['EISDIR', 400],
  ['ENAMETOOLONG', 400],
  ['EACCES', 403],
  ['EPERM', 403],
  ['EEXIST', 409],
  // the node could not reach what the request needs (the bootstrap)
  ['ECONNREFUSED', 502],
  ['ECONNRESET', 502],
  ['ETIMEDOUT', 504]
])

/**
 * The local control API: JSON over HTTP on 127.0.0.1, every request needs
 * `Authorization: Bearer <token>` and a Host header that names this server
 * (127.0.0.1:PORT or localhost:PORT). Routes are keyed "METHOD /path".
 */
export class ApiServer {
  private server?: Server
  private readonly routes = new Map<string, Route>()
  private allowedHosts?: Set<string>

  constructor (private readonly token: string) {}

  route (method: 'GET' | 'POST', path: string, handler: Route): void {
    this.routes.set(`${method} ${path}`, handler)
  }

  async start (port = 0): Promise<string> {
    this.server = createServer((req, res) => { void this.serve(req, res) })
    await listen(this.server, { host: '127.0.0.1', port })
    const addr = this.server.address() as { port: number }
    this.allowedHosts = allowedHosts('127.0.0.1', '127.0.0.1', addr.port)
    return `http://127.0.0.1:${addr.port}`
  }

  async stop (): Promise<void> {
    await closeServer(this.server)
  }

  private async serve (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body) + '\n')
    }
    // a web page whose DNS name was pointed at 127.0.0.1 sends its own name (DNS rebinding)
    if (this.allowedHosts == null || !hostAllowed(this.allowedHosts, req.headers.host)) {
      reply(421, { error: 'MisdirectedRequest', message: 'the local API answers only requests for its own address (Host: 127.0.0.1:PORT or localhost:PORT)' })
      return
    }
    if (!tokenMatches(this.token, req.headers.authorization)) {
      reply(401, { error: 'Unauthorized', message: 'missing or wrong API token (see api.token in the data directory)' })
      return
    }
    const path = (req.url ?? '/').split('?')[0]
    const route = this.routes.get(`${req.method ?? 'GET'} ${path}`)
    if (route == null) {
      reply(404, { error: 'NotFound', message: `no route ${req.method ?? ''} ${path}` })
      return
    }
    // a caller that goes away (Ctrl-C on `peerhive get`) stops the work it asked for
    const gone = new AbortController()
    res.once('close', () => { if (!res.writableFinished) gone.abort(new Error('the caller went away')) })
    try {
      const body = req.method === 'POST' ? await readJson(req) : undefined
      const result = await route(body, gone.signal)
      if (isAsyncIterable(result)) await streamLines(res, result)
      else reply(200, result)
    } catch (err: any) {
      if (res.headersSent) {
        // a stream already started: the error becomes its last line
        res.end(JSON.stringify({ error: err.name ?? 'Error', message: err.message }) + '\n')
        return
      }
      reply(STATUS_BY_ERROR.get(err.name) ?? STATUS_BY_CODE.get(err.code) ?? 500, { error: err.name ?? 'Error', message: err.message })
    }
  }
}

async function readJson (req: IncomingMessage): Promise<unknown> {
  let size = 0
  const chunks: Buffer[] = []
  for await (const chunk of req) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) throw new InvalidOptionError(`request body over ${MAX_BODY_BYTES} bytes`)
    chunks.push(chunk)
  }
  return chunks.length === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

function isAsyncIterable (value: unknown): value is AsyncIterable<unknown> {
  return value != null && typeof (value as any)[Symbol.asyncIterator] === 'function'
}

/**
 * How long a stream's status waits for its first line: a refusal comes at
 * once, real work may take long to say anything, and HTTP clients give up
 * on headers after a while (fetch: 300 s).
 */
const FIRST_LINE_WAIT_MS = 60_000

/**
 * Streams one JSON object per line as the route produces them (newline-delimited JSON).
 * The status waits for the first line (up to FIRST_LINE_WAIT_MS), so that a
 * request the route refuses at once (a bad id, a path that does not fit) gets
 * a 4xx, not a 200 with an error line; after that wait it goes out anyway, so
 * that a long quiet search does not outlast the client's wait for headers.
 */
async function streamLines (res: ServerResponse, items: AsyncIterable<unknown>): Promise<void> {
  const it = items[Symbol.asyncIterator]()
  let pending = it.next()
  let timer: ReturnType<typeof setTimeout> | undefined
  const waited = new Promise<'waited'>(resolve => { timer = setTimeout(() => { resolve('waited') }, FIRST_LINE_WAIT_MS) })
  try {
    await Promise.race([pending, waited])
  } finally {
    clearTimeout(timer)
  }
  res.writeHead(200, { 'content-type': 'application/x-ndjson' })
  for (let next = await pending; next.done !== true; next = await pending) {
    if (!res.write(JSON.stringify(next.value) + '\n')) await new Promise(resolve => res.once('drain', resolve))
    pending = it.next()
  }
  res.end()
}
