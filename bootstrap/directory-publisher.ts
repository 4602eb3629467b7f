import { DIRECTORY_TOPIC, WIRE_VERSION, encodeDirectory, type PeerhiveMetrics } from '../src/core/index.js'
import { Republisher } from './republisher.js'
import type { DirectoryEntry } from '../src/pb/assignment.js'
import type { Logger } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

/** changes within this long are published as one directory: the set of virtual servers changes in bursts while peers arrive */
const DEBOUNCE_MS = 1_000

/**
 * Publishes the directory of every virtual server on its topic whenever
 * that set (or an address in it) changes. Searches then reach the other
 * subnets' virtual servers directly, without a request to the bootstrap.
 */
export class DirectoryPublisher {
  private readonly republisher: Republisher
  private last = ''
  private timer?: ReturnType<typeof setTimeout>
  private resendTimer?: ReturnType<typeof setTimeout>

  constructor (
    private readonly libp2p: Libp2p<any>,
    private readonly nextSeq: () => number,
    private readonly entries: () => DirectoryEntry[],
    private readonly metrics: PeerhiveMetrics,
    private readonly log: Logger
  ) {
    this.republisher = new Republisher(async (_key, bytes) => this.send(bytes))
  }

  start (): void {
    this.republisher.start()
    this.changed()
  }

  stop (): void {
    clearTimeout(this.timer)
    clearTimeout(this.resendTimer)
    this.republisher.stop()
  }

  /** Something in the tables changed; publish if the directory did. */
  changed (): void {
    if (this.timer != null) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      const servers = this.entries()
      const signature = JSON.stringify(servers)
      if (signature === this.last) return
      this.last = signature
      try {
        const bytes = encodeDirectory({ version: WIRE_VERSION, seq: this.nextSeq(), issuedAt: Date.now(), servers })
        this.republisher.published('directory', bytes)
        void this.send(bytes)
      } catch (err: any) {
        this.log.error('could not publish the directory - %e', err)
      }
    }, DEBOUNCE_MS)
  }

  /**
   * A peer subscribed to the directory topic: send the current directory
   * again soon. Subscriptions come in bursts, and every send goes to every
   * subscriber, so one send covers all the subscriptions of a second.
   */
  resend (): void {
    if (this.resendTimer != null) return
    this.resendTimer = setTimeout(() => {
      this.resendTimer = undefined
      void this.republisher.resend('directory')
    }, DEBOUNCE_MS)
  }

  private async send (bytes: Uint8Array): Promise<void> {
    try {
      const pubsub = this.libp2p.services.pubsub
      const recipients = pubsub.getSubscribers(DIRECTORY_TOPIC).length
      await pubsub.publish(DIRECTORY_TOPIC, bytes)
      this.metrics.published.inc({ topic: 'directory' })
      this.metrics.bytes.inc({ protocol: 'gossipsub:directory', direction: 'out' }, bytes.byteLength * recipients)
    } catch (err: any) {
      this.log.error('could not publish the directory - %e', err)
    }
  }
}
