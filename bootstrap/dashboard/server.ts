import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { peerIdFromString } from '@libp2p/peer-id'
import { InvalidOptionError, closeServer, listen, type HostPort } from '../../src/core/index.js'
import { allowedHosts, hostAllowed, tokenMatches } from '../../src/api/index.js'
import { DEFAULT_ASSETS_DIR, loadAssets, type Asset } from './assets.js'
import type { DashboardCollector } from './collector.js'
import type { DashboardSnapshot } from './types.js'

export interface DashboardServerInit {
  /** where to listen */
  at: HostPort
  /** the bootstrap's local API token: POST actions need `Authorization: Bearer <token>` */
  token: string
  collector: DashboardCollector
  /** the built page; @default dist/dashboard */
  assetsDir?: string
  /** open /events streams at once; @default 32 */
  maxClients?: number
  /** a stream whose unsent data grows past this is closed (a client that does not read); @default 4 MiB */
  maxBufferedBytes?: number
  log?: (format: string, ...args: unknown[]) => void
}

const MAX_BODY_BYTES = 1_024
const BODY_TIMEOUT_MS = 5_000
/** SSE comment lines keep proxies from closing a quiet stream */
const KEEPALIVE_MS = 15_000

/** Every answer's security headers. The page loads nothing but its own script and style sheet. */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin'
}

const REMOVE_ROUTE = /^\/api\/providers\/([^/]{1,128})\/remove$/

/**
 * The operator's dashboard over HTTP: the page (GET /, /app.js, /app.css),
 * a live stream of snapshots (GET /events, server-sent events), the latest
 * snapshot (GET /api/snapshot), and the one action (POST
 * /api/providers/:peer/remove with {ban}), which needs the local API token.
 * Reading needs no token: bind it where only the operator reaches.
 */
export class DashboardServer {
  private server?: Server
  private assets?: Map<string, Asset>
  private readonly clients = new Set<ServerResponse>()
  private unsubscribe?: () => void
  private keepalive?: ReturnType<typeof setInterval>
  private allowedHosts?: Set<string>
  url?: string

  constructor (private readonly init: DashboardServerInit) {}

  get clientCount (): number {
    return this.clients.size
  }

  async start (): Promise<string> {
    this.assets = await loadAssets(this.init.assetsDir ?? DEFAULT_ASSETS_DIR)
    if (this.assets == null) this.init.log?.('the dashboard page is not built (npm run build); serving a notice')
    const server = createServer({ headersTimeout: 10_000, requestTimeout: 10_000, keepAliveTimeout: 5_000 }, (req, res) => { void this.serve(req, res) })
    server.maxHeadersCount = 50
    server.maxConnections = (this.init.maxClients ?? 32) + 16
    // idle sockets go; an open /events stream is never idle (a snapshot every second)
    server.setTimeout(60_000, socket => { socket.destroy() })
    await listen(server, this.init.at)
    this.server = server
    const addr = server.address() as { address: string, port: number }
    const host = addr.address.includes(':') ? `[${addr.address}]` : addr.address
    this.url = `http://${host}:${addr.port}/`
    this.allowedHosts = allowedHosts(this.init.at.host, addr.address, addr.port)
    this.unsubscribe = this.init.collector.subscribe(snapshot => { this.broadcast(snapshot) })
    this.keepalive = setInterval(() => { for (const res of this.clients) this.write(res, ': keepalive\n\n') }, KEEPALIVE_MS)
    return this.url
  }

  async stop (): Promise<void> {
    this.unsubscribe?.()
    clearInterval(this.keepalive)
    for (const res of this.clients) res.end()
    this.clients.clear()
    await closeServer(this.server)
  }

  private async serve (req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v)
    // a page of another site that a DNS name points at this address gets nothing (DNS rebinding)
    if (!hostAllowed(this.allowedHosts, req.headers.host)) {
      this.reply(res, 421, { error: 'MisdirectedRequest', message: 'this dashboard answers only requests for its own address' })
      return
    }
    const path = (req.url ?? '/').split('?')[0]
    try {
      const remove = REMOVE_ROUTE.exec(path)
      if (remove != null) {
        const peer = decodePart(remove[1])
        if (peer == null) this.reply(res, 400, { error: 'BadRequest', message: `malformed percent-encoding in ${JSON.stringify(path.slice(0, 200))}` })
        else if (req.method === 'POST') await this.remove(req, res, peer)
        else {
          res.setHeader('allow', 'POST')
          this.reply(res, 405, { error: 'MethodNotAllowed', message: `${path} takes POST` })
        }
        return
      }
      if (req.method === 'GET' || req.method === 'HEAD') {
        if (path === '/events') this.openStream(req, res)
        else if (path === '/api/snapshot') this.reply(res, 200, this.init.collector.snapshot())
        else this.serveAsset(req, res, path)
        return
      }
      res.setHeader('allow', 'GET, HEAD')
      this.reply(res, 405, { error: 'MethodNotAllowed', message: `only GET here, and POST /api/providers/PEER/remove; not ${req.method ?? ''} ${path}` })
    } catch (err: any) {
      this.init.log?.('dashboard request %s %s failed - %s', req.method, path, err.message)
      if (!res.headersSent) this.reply(res, 500, { error: err.name ?? 'Error', message: err.message })
      else res.destroy()
    }
  }

  private serveAsset (req: IncomingMessage, res: ServerResponse, path: string): void {
    if (this.assets == null) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('The dashboard page was not built. Run `npm run build` in the peerhive folder, then restart the bootstrap.\n')
      return
    }
    const asset = this.assets.get(path)
    if (asset == null) {
      this.reply(res, 404, { error: 'NotFound', message: `no page ${path}` })
      return
    }
    const headers = { 'content-type': asset.type, 'cache-control': 'no-cache', etag: asset.etag }
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, headers).end()
      return
    }
    res.writeHead(200, { ...headers, 'content-length': asset.body.byteLength })
    res.end(req.method === 'HEAD' ? undefined : asset.body)
  }

  private openStream (req: IncomingMessage, res: ServerResponse): void {
    if (this.clients.size >= (this.init.maxClients ?? 32)) {
      res.setHeader('retry-after', '10')
      this.reply(res, 503, { error: 'TooManyClients', message: `the dashboard serves at most ${this.init.maxClients ?? 32} live pages at once` })
      return
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' })
    if (req.method === 'HEAD') {
      res.end()
      return
    }
    this.clients.add(res)
    res.once('close', () => { this.clients.delete(res) })
    res.flushHeaders()
    this.write(res, `retry: 2000\n\n${event(this.init.collector.snapshot())}`)
  }

  private broadcast (snapshot: DashboardSnapshot): void {
    if (this.clients.size === 0) return
    const text = event(snapshot)
    for (const res of this.clients) this.write(res, text)
  }

  private write (res: ServerResponse, text: string): void {
    if (res.writableLength > (this.init.maxBufferedBytes ?? 4 * 1024 * 1024)) {
      this.init.log?.('closing a dashboard stream whose client does not read')
      this.clients.delete(res)
      res.destroy()
      return
    }
    res.write(text)
  }

  private async remove (req: IncomingMessage, res: ServerResponse, peer: string): Promise<void> {
    if (!tokenMatches(this.init.token, req.headers.authorization)) {
      res.setHeader('www-authenticate', 'Bearer realm="peerhive dashboard"')
      this.reply(res, 401, { error: 'Unauthorized', message: 'this action needs the operator\'s token: Authorization: Bearer <the api.token in the bootstrap\'s data directory>' })
      return
    }
    const origin = req.headers.origin
    if (origin != null && this.allowedHosts != null && !this.allowedHosts.has(hostOf(origin))) {
      this.reply(res, 403, { error: 'Forbidden', message: 'the request comes from another site' })
      return
    }
    let body: any
    try {
      body = await readBody(req)
    } catch (err: any) {
      this.reply(res, 400, { error: 'BadRequest', message: err.message })
      return
    }
    try {
      peerIdFromString(peer)
    } catch {
      this.reply(res, 400, { error: 'BadRequest', message: `not a PeerId: ${JSON.stringify(peer.slice(0, 80))}` })
      return
    }
    if (peer === this.init.collector.source.peerId) {
      this.reply(res, 400, { error: 'BadRequest', message: 'the bootstrap cannot remove itself' })
      return
    }
    const ban = body?.ban === true
    try {
      const provider = await this.init.collector.source.removeProvider(peer, ban)
      this.init.log?.('the operator %s provider %s from the dashboard', ban ? 'banned' : 'removed', peer)
      this.reply(res, 200, { peer, ban, provider })
      this.init.collector.refresh()
    } catch (err: any) {
      const status = err.code === 'NOT_FOUND' ? 404 : err.code === 'FORBIDDEN' ? 403 : 500
      this.reply(res, status, { error: err.code ?? err.name ?? 'Error', message: err.message })
    }
  }

  private reply (res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body) + '\n')
  }
}

function event (snapshot: DashboardSnapshot): string {
  return `event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`
}

/** A percent-encoded path part, decoded; undefined when the encoding is malformed (a bad request, not a server error). */
function decodePart (part: string): string | undefined {
  try {
    return decodeURIComponent(part)
  } catch {
    return undefined
  }
}

function hostOf (origin: string): string {
  try {
    return new URL(origin).host.toLowerCase()
  } catch {
    return ''
  }
}

async function readBody (req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  const timer = setTimeout(() => { req.destroy(new Error('the request body took too long')) }, BODY_TIMEOUT_MS)
  try {
    for await (const chunk of req) {
      size += chunk.length
      if (size > MAX_BODY_BYTES) throw new InvalidOptionError(`the body is larger than ${MAX_BODY_BYTES} bytes`)
      chunks.push(chunk)
    }
  } finally {
    clearTimeout(timer)
  }
  const text = Buffer.concat(chunks).toString('utf8').trim()
  if (text === '') return {}
  try {
    return JSON.parse(text)
  } catch {
    throw new InvalidOptionError('the body must be JSON, for example {"ban": true}')
  }
}
