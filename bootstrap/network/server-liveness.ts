/**
 * The bootstrap's failure detection, by role (issue 9). A virtual server
 * that hangs must be replaced within the failure-detection time (NET-8), so
 * the bootstrap pings each one every half of it and drops one that does not
 * answer within the other half. Members and central clients hold no one
 * else's index: libp2p's connection monitor checks them at the slower
 * member pace (memberTimeoutMs). Pinging all 1,000 peers of a network every
 * 5 s cost the bootstrap and the peers 200 pings a second, and a member
 * whose host stalled for 5 s lost its place and joined again, which loaded
 * the stalled host further.
 */
import type { Logger, PeerId } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

export class ServerLiveness {
  private timer?: ReturnType<typeof setInterval>
  private readonly inFlight = new Set<string>()
  private controller = new AbortController()
  private readonly halfMs: number

  constructor (
    private readonly libp2p: Libp2p<any>,
    /** the virtual servers now */
    private readonly servers: () => PeerId[],
    peerTimeoutMs: number,
    private readonly log: Logger
  ) {
    this.halfMs = Math.max(250, Math.floor(peerTimeoutMs / 2))
  }

  start (): void {
    if (this.timer != null) return
    this.controller = new AbortController()
    this.timer = setInterval(() => { this.check() }, this.halfMs)
  }

  stop (): void {
    clearInterval(this.timer)
    this.timer = undefined
    this.controller.abort()
    this.inFlight.clear()
  }

  private check (): void {
    for (const server of this.servers()) {
      const id = server.toString()
      if (this.inFlight.has(id) || this.libp2p.getConnections(server).length === 0) continue
      this.inFlight.add(id)
      void this.ping(server).finally(() => { this.inFlight.delete(id) })
    }
  }

  private async ping (server: PeerId): Promise<void> {
    const stopped = this.controller.signal
    try {
      await this.libp2p.services.ping.ping(server, { signal: AbortSignal.any([stopped, AbortSignal.timeout(this.halfMs)]) })
    } catch (err: any) {
      if (stopped.aborted) return
      this.log('virtual server %p did not answer a ping within %d ms; dropping it - %e', server, this.halfMs, err)
      for (const connection of this.libp2p.getConnections(server)) connection.abort(err)
    }
  }
}
