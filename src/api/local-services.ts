import { closeServer, parseHostPort, serveMetrics, type PeerhiveMetrics } from '../core/index.js'
import { writeNodeFile, removeNodeFile, type NodeFile } from './node-file.js'
import { ApiServer, type Route } from './server.js'
import { loadOrCreateToken } from './token.js'
import type { Server } from 'node:http'

export interface LocalServicesInit {
  dataDir: string
  kind: NodeFile['kind']
  peerId: string
  multiaddrs: () => string[]
  metrics: PeerhiveMetrics
  /** HOST:PORT for Prometheus metrics; none when absent */
  metricsAt?: string
  /** the dashboard's URL, recorded in node.json (a bootstrap's, when it serves one) */
  dashboardUrl?: () => string | undefined
  /** port of the local API on 127.0.0.1; 0 picks a free one */
  apiPort?: number
  routes: Record<string, Route>
}

/** The local control API, the metrics endpoint and `<data>/node.json` of a long-running node. */
export class LocalServices {
  private api?: ApiServer
  private metricsServer?: Server
  apiUrl?: string
  metricsUrl?: string

  constructor (private readonly init: LocalServicesInit) {}

  async start (): Promise<void> {
    const { init } = this
    const metricsAt = init.metricsAt == null ? undefined : parseHostPort(init.metricsAt, '--metrics')
    this.api = new ApiServer(await loadOrCreateToken(init.dataDir))
    for (const [key, handler] of Object.entries(init.routes)) {
      const [method, path] = key.split(' ')
      this.api.route(method as 'GET' | 'POST', path, handler)
    }
    this.apiUrl = await this.api.start(init.apiPort ?? 0)
    if (metricsAt != null) {
      const served = await serveMetrics(init.metrics, metricsAt)
      this.metricsServer = served.server
      this.metricsUrl = served.url
    }
    await this.writeNodeFile()
  }

  /** Rewrites node.json (the addresses may change after start). */
  async writeNodeFile (): Promise<void> {
    await writeNodeFile(this.init.dataDir, {
      peerId: this.init.peerId,
      kind: this.init.kind,
      pid: process.pid,
      multiaddrs: this.init.multiaddrs(),
      api: this.apiUrl ?? '',
      metrics: this.metricsUrl,
      dashboard: this.init.dashboardUrl?.(),
      startedAt: Date.now()
    })
  }

  async stop (): Promise<void> {
    await removeNodeFile(this.init.dataDir)
    await this.api?.stop()
    await closeServer(this.metricsServer)
  }
}
