import { createServer, type Server } from 'node:http'
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'
import { InvalidOptionError } from './errors.js'

/**
 * The node's Prometheus metrics. `requests` counts every request a peerhive
 * protocol handled, by protocol and outcome: that is how the central
 * server's load is measured.
 */
export class PeerhiveMetrics {
  readonly registry = new Registry()
  readonly requests: Counter<'protocol' | 'outcome'>
  readonly bytes: Counter<'protocol' | 'direction'>
  readonly published: Counter<'topic'>
  readonly pushed: Counter<'outcome'>
  readonly peers: Gauge<'role'>

  constructor () {
    collectDefaultMetrics({ register: this.registry, prefix: 'peerhive_' })
    this.requests = new Counter({
      name: 'peerhive_protocol_requests_total',
      help: 'Requests handled per peerhive protocol, by outcome (ok or an error code)',
      labelNames: ['protocol', 'outcome'],
      registers: [this.registry]
    })
    this.bytes = new Counter({
      name: 'peerhive_protocol_bytes_total',
      help: 'Message bytes per peerhive protocol, by direction (in or out)',
      labelNames: ['protocol', 'direction'],
      registers: [this.registry]
    })
    this.published = new Counter({
      name: 'peerhive_assignments_published_total',
      help: 'Subnet tables the bootstrap published on gossipsub',
      labelNames: ['topic'],
      registers: [this.registry]
    })
    this.pushed = new Counter({
      name: 'peerhive_assignments_pushed_total',
      help: 'Subnet tables the bootstrap pushed straight to a peer whose place changed, by outcome',
      labelNames: ['outcome'],
      registers: [this.registry]
    })
    this.peers = new Gauge({
      name: 'peerhive_peers',
      help: 'Peers in the bootstrap table, by role',
      labelNames: ['role'],
      registers: [this.registry]
    })
  }
}

export interface HostPort { host: string, port: number }

/** Parses HOST:PORT; loopback or any address the operator chooses, port 0 for a free one. */
export function parseHostPort (value: string, what: string): HostPort {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(value.trim())
  const port = m == null ? NaN : Number(m[2])
  if (m == null || port > 65535) throw new InvalidOptionError(`${what} must be HOST:PORT, for example 127.0.0.1:9464; got "${value}"`)
  return { host: m[1], port }
}

/** Serves GET /metrics. Resolves with the bound address once listening. */
export async function serveMetrics (metrics: PeerhiveMetrics, at: HostPort): Promise<{ server: Server, url: string }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end('only GET /metrics\n')
      return
    }
    metrics.registry.metrics().then(text => {
      res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text)
    }, err => {
      res.writeHead(500).end(String(err))
    })
  })
  await listen(server, at)
  const addr = server.address() as { address: string, port: number }
  return { server, url: `http://${formatHost(addr.address)}:${addr.port}/metrics` }
}

export async function listen (server: Server, at: HostPort): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(at.port, at.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

export async function closeServer (server: Server | undefined): Promise<void> {
  if (server == null || !server.listening) return
  server.closeAllConnections()
  await new Promise<void>(resolve => server.close(() => resolve()))
}

function formatHost (host: string): string {
  return host.includes(':') ? `[${host}]` : host
}
