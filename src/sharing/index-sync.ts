import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import {
  INDEX_BATCH, INDEX_TIMEOUT_MS, MAX_INDEX_ACK_BYTES, PROTOCOL_INDEX, WIRE_VERSION, requestResponse
} from '../core/index.js'
import { IndexAck, IndexError, IndexUpdate } from '../pb/index.js'
import { toWire } from './wire.js'
import type { ShareStore } from './share-store.js'
import { indexEntryOf, type FileMeta, type IndexEntry, type ShareChange } from './types.js'
import type { Logger } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

export class IndexRejectedError extends Error {
  constructor (readonly code: string, message: string) {
    super(`index update refused (${code}): ${message}`)
    this.name = 'IndexRejectedError'
  }
}

const RETRY_MIN_MS = 500
const RETRY_MAX_MS = 10_000

/**
 * Keeps this node's file index at the node that holds it for the subnet: a
 * member's virtual server, or the bootstrap for a central client. A full
 * snapshot goes first (after a join, a failover, an error), then only the
 * changes. Updates are sent one at a time, in order.
 */
export class IndexSync {
  private target?: string
  private targetAddrs: string[] = []
  private synced = false
  private pending: ShareChange = { added: [], removed: [] }
  private chain: Promise<void> = Promise.resolve()
  private retryMs = RETRY_MIN_MS
  private retryTimer?: ReturnType<typeof setTimeout>
  private stopped = false
  private sending = false

  constructor (
    private readonly libp2p: Libp2p<any>,
    private readonly shares: ShareStore,
    private readonly owner: () => { userSerialId: number, userid: string },
    private readonly log: Logger
  ) {
    shares.addEventListener('change', this.onChange)
  }

  stop (): void {
    this.stopped = true
    clearTimeout(this.retryTimer)
    this.shares.removeEventListener('change', this.onChange)
  }

  /** Where the index must be: the virtual server's or the bootstrap's PeerId, or nowhere (this node holds its group's index itself). */
  setTarget (target: string | undefined, addrs: string[] = []): void {
    if (target === this.target) return
    this.target = target
    this.targetAddrs = addrs
    this.synced = false
    this.kick()
  }

  /** Resolves once everything queued so far has been sent (or has failed). */
  async idle (): Promise<void> {
    await this.chain
  }

  isSynced (): boolean {
    return this.synced && !this.sending && this.pending.added.length === 0 && this.pending.removed.length === 0
  }

  private readonly onChange = (evt: CustomEvent<ShareChange>): void => {
    // with no target (this node holds its group's index itself), the next target gets a full snapshot anyway
    if (this.target == null) return
    const removed = new Set(evt.detail.removed)
    const added = new Set(evt.detail.added.map(f => f.cid))
    this.pending = {
      added: [...this.pending.added.filter(f => !removed.has(f.cid) && !added.has(f.cid)), ...evt.detail.added],
      removed: [...this.pending.removed.filter(cid => !added.has(cid)), ...evt.detail.removed]
    }
    this.kick()
  }

  private kick (): void {
    this.chain = this.chain.then(async () => { await this.sync() })
  }

  private async sync (): Promise<void> {
    const target = this.target
    if (this.stopped || target == null) return
    this.sending = true
    try {
      if (!this.synced) {
        this.pending = { added: [], removed: [] }
        await this.sendAll(target, true, this.shares.list().map(f => this.entry(f)), [])
        this.synced = true
      } else if (this.pending.added.length > 0 || this.pending.removed.length > 0) {
        const { added, removed } = this.pending
        this.pending = { added: [], removed: [] }
        await this.sendAll(target, false, added.map(f => this.entry(f)), removed)
      }
      this.retryMs = RETRY_MIN_MS
    } catch (err: any) {
      if (this.stopped || target !== this.target) return
      this.log('index update to %s failed, retrying in %d ms - %e', target, this.retryMs, err)
      this.synced = false
      clearTimeout(this.retryTimer)
      this.retryTimer = setTimeout(() => { this.kick() }, this.retryMs)
      this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2)
    } finally {
      this.sending = false
    }
  }

  /** Sends a change in as many bounded messages as it needs; only the first may reset. */
  private async sendAll (target: string, reset: boolean, added: IndexEntry[], removed: string[]): Promise<void> {
    const messages: IndexUpdate[] = []
    // removals first: a CID removed and shared again must end up present
    for (let i = 0; i < removed.length; i += INDEX_BATCH) messages.push({ version: WIRE_VERSION, reset: false, added: [], removed: removed.slice(i, i + INDEX_BATCH) })
    for (let i = 0; i < added.length; i += INDEX_BATCH) messages.push({ version: WIRE_VERSION, reset: false, added: added.slice(i, i + INDEX_BATCH).map(toWire), removed: [] })
    if (messages.length === 0) messages.push({ version: WIRE_VERSION, reset: false, added: [], removed: [] })
    messages[0].reset = reset
    if (this.targetAddrs.length > 0) {
      // the table told us where the virtual server is; the peer store may not know yet
      await this.libp2p.peerStore.merge(peerIdFromString(target), { multiaddrs: this.targetAddrs.map(a => multiaddr(a).decapsulateCode(421)) })
    }
    for (const update of messages) {
      const signal = AbortSignal.timeout(INDEX_TIMEOUT_MS)
      const stream = await this.libp2p.dialProtocol(peerIdFromString(target), PROTOCOL_INDEX, { signal })
      const ack = await requestResponse(stream, update, IndexUpdate, IndexAck, { maxInboundBytes: MAX_INDEX_ACK_BYTES, signal })
      if (ack.error !== IndexError.NONE) throw new IndexRejectedError(ack.error, ack.message)
    }
  }

  private entry (f: FileMeta): IndexEntry {
    const { userSerialId, userid } = this.owner()
    return indexEntryOf(f, this.libp2p.peerId.toString(), userSerialId, userid)
  }
}
