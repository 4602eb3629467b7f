import { parseHostPort, type HostPort } from '../../src/core/index.js'
import { DashboardCollector, type CollectorOptions, type DashboardSource } from './collector.js'
import { DashboardServer } from './server.js'

export interface DashboardInit {
  /**
   * HOST:PORT (or its parsed form) to serve the page on; port 0 picks a free one.
   * @default none (required)
   */
  at: string | HostPort
  /**
   * The bootstrap's local API token, which the operator's actions need.
   * @default none (required)
   */
  token: string
  /**
   * The built page.
   * @default dist/dashboard
   */
  assetsDir?: string
  /**
   * Live pages (open /events streams) at once.
   * @default 32
   */
  maxClients?: number
  /**
   * How often the collector samples, and how much it keeps.
   * @default {} (the collector's defaults)
   */
  collector?: CollectorOptions
  /**
   * Where the dashboard logs.
   * @default none (silent)
   */
  log?: (format: string, ...args: unknown[]) => void
}

/** The bootstrap's dashboard: a collector that watches the bootstrap, and the HTTP server that shows it. */
export class Dashboard {
  readonly collector: DashboardCollector
  private readonly server: DashboardServer

  constructor (source: DashboardSource, init: DashboardInit) {
    const at = typeof init.at === 'string' ? parseHostPort(init.at, '--dashboard') : init.at
    this.collector = new DashboardCollector(source, init.collector)
    this.server = new DashboardServer({ at, token: init.token, collector: this.collector, assetsDir: init.assetsDir, maxClients: init.maxClients, log: init.log })
  }

  /** The page's URL, once started. */
  get url (): string | undefined {
    return this.server.url
  }

  /** Live pages connected now. */
  get clientCount (): number {
    return this.server.clientCount
  }

  async start (): Promise<string> {
    const url = await this.server.start()
    this.collector.start()
    return url
  }

  async stop (): Promise<void> {
    await this.collector.stop()
    await this.server.stop()
  }
}
