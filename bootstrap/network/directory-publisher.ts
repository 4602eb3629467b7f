import { DIRECTORY_TOPIC, WIRE_VERSION, encodeDirectory, publishCounted, type PeerhiveMetrics } from '../../src/core/index.js'
import { DirectorySchedule, type DirectoryScheduleInit } from './directory-schedule.js'
import type { DirectoryEntry } from '../../src/protocols/index.js'
import type { Logger } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

/**
 * Publishes the directory of every virtual server on its topic when that
 * set (or an address in it) changes, again for new followers, and now and
 * then for followers that missed it. Searches then reach the other subnets'
 * virtual servers directly, without a request to the bootstrap. Only the
 * directory's followers receive it (gossipsub sends a topic to its
 * subscribers only); DirectorySchedule paces the sends so that their bytes
 * stay within a budget however large the network grows.
 */
export class DirectoryPublisher {
  private readonly schedule: DirectorySchedule
  private last = ''
  private bytes?: Uint8Array
  private timer?: ReturnType<typeof setTimeout>
  private running = false

  constructor (
    private readonly libp2p: Libp2p<any>,
    private readonly nextSeq: () => number,
    private readonly entries: () => DirectoryEntry[],
    private readonly metrics: PeerhiveMetrics,
    private readonly log: Logger,
    schedule: DirectoryScheduleInit = {}
  ) {
    this.schedule = new DirectorySchedule(schedule)
  }

  start (): void {
    this.running = true
    this.changed()
  }

  stop (): void {
    this.running = false
    clearTimeout(this.timer)
    this.timer = undefined
  }

  /** Something in the tables changed; publish if the directory did. */
  changed (): void {
    this.schedule.changed()
    this.arm()
  }

  /** A peer subscribed to the directory topic: it needs the current directory. */
  resend (): void {
    this.schedule.subscribed()
    this.arm()
  }

  private arm (): void {
    if (!this.running) return
    clearTimeout(this.timer)
    const wait = this.schedule.nextAt() - Date.now()
    if (!Number.isFinite(wait)) return
    this.timer = setTimeout(() => { void this.flush() }, Math.max(0, wait))
  }

  private async flush (): Promise<void> {
    this.timer = undefined
    const due = this.schedule.take()
    if (due == null) {
      this.arm()
      return
    }
    let fresh = false
    try {
      if (due.rebuild) {
        const servers = this.entries()
        const signature = JSON.stringify(servers)
        if (signature !== this.last) {
          this.bytes = encodeDirectory({ version: WIRE_VERSION, seq: this.nextSeq(), issuedAt: Date.now(), servers })
          this.last = signature
          fresh = true
        }
      }
    } catch (err: any) {
      this.log.error('could not encode the directory - %e', err)
    }
    const bytes = this.bytes
    if (bytes != null && (fresh || due.resend)) {
      const followers = await this.send(bytes)
      this.schedule.done({ fresh, cost: bytes.byteLength * followers })
    } else {
      this.schedule.done()
    }
    this.arm()
  }

  /** Publishes `bytes` to the directory's followers; returns how many there were. */
  private async send (bytes: Uint8Array): Promise<number> {
    try {
      return await publishCounted(this.libp2p.services.pubsub, DIRECTORY_TOPIC, bytes, 'directory', this.metrics)
    } catch (err: any) {
      this.log.error('could not publish the directory - %e', err)
      return 0
    }
  }
}
