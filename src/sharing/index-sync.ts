import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import {
  DIAL_TIMEOUT_MS, INDEX_BATCH, INDEX_TIMEOUT_MS, MAX_INDEX_ACK_BYTES, PROTOCOL_INDEX, WIRE_VERSION, openRequestChannel, requestResponse
} from '../core/index.js'
import { IndexAck, IndexError, IndexUpdate } from '../pb/file-index.js'
import { toWire } from './wire.js'
import type { ShareStore } from './share-store.js'
import { indexEntryOf, type FileMeta, type IndexEntry, type ShareChange } from './model/types.js'
import type { Logger, PeerId } from '@libp2p/interface'
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
 * How often an idle, synced node checks that its target still holds its
 * index (one empty change). A virtual server drops a member's entries when
 * the table stops listing it; a member that left and came back under the
 * same server sees no change of target, and would otherwise never resend.
 */
const CHECK_EVERY_MS = 120_000

export interface IndexSyncOptions {
  /**
   * How often an idle, synced node checks that its target still holds its index (ms).
   * @default 120000
   */
  checkEveryMs?: number
}

/**
 * Keeps this node's file index at the node that holds it for the subnet: a
 * member's virtual server, or the bootstrap for a central client. A full
 * snapshot goes first (after a join, a failover, an error), then only the
 * changes. Updates are sent one at a time, in order. A failed update is
 * retried, with back-off, until the target acknowledges it; the node never
 * gives up while it has a target.
 *
 * A target that lost its connection to this node may have restarted with
 * the same PeerId and an empty index. Once connected again, the node sends
 * an empty change: the target answers SNAPSHOT_NEEDED (or, from an older
 * target, a `held` count that does not match), and a snapshot follows. The
 * same check runs now and then while nothing changes.
 */
export class IndexSync {
  private target?: string
  private targetAddrs: string[] = []
  private synced = false
  /** send an empty change to learn whether the target still holds our index */
  private check = false
  /** the target may have lost our index (it disconnected): not synced until the check says otherwise */
  private suspect = false
  private pending: ShareChange = { added: [], removed: [] }
  private chain: Promise<void> = Promise.resolve()
  private retryMs = RETRY_MIN_MS
  private retryTimer?: ReturnType<typeof setTimeout>
  private checkTimer?: ReturnType<typeof setTimeout>
  private readonly checkEveryMs: number
  /** aborted when the target changes, so an update to the old target does not hold up the new one */
  private controller = new AbortController()
  private stopped = false
  private sending = false

  constructor (
    private readonly libp2p: Libp2p<any>,
    private readonly shares: ShareStore,
    private readonly owner: () => { userSerialId: number, userid: string },
    private readonly log: Logger,
    opts: IndexSyncOptions = {}
  ) {
    this.checkEveryMs = opts.checkEveryMs ?? CHECK_EVERY_MS
    shares.addEventListener('change', this.onChange)
    libp2p.addEventListener('peer:disconnect', this.onDisconnect)
  }

  stop (): void {
    this.stopped = true
    clearTimeout(this.retryTimer)
    clearTimeout(this.checkTimer)
    this.controller.abort()
    this.shares.removeEventListener('change', this.onChange)
    this.libp2p.removeEventListener('peer:disconnect', this.onDisconnect)
  }

  /** Where the index must be: the virtual server's or the bootstrap's PeerId, or nowhere (this node holds its group's index itself). */
  setTarget (target: string | undefined, addrs: string[] = []): void {
    if (target === this.target) {
      // the same target at new addresses (it restarted on another port): dial those next time
      if (addrs.length > 0) this.targetAddrs = addrs
      return
    }
    this.controller.abort()
    this.controller = new AbortController()
    this.target = target
    this.targetAddrs = addrs
    this.synced = false
    this.check = false
    this.suspect = false
    this.retryMs = RETRY_MIN_MS
    clearTimeout(this.retryTimer)
    clearTimeout(this.checkTimer)
    this.kick()
  }

  /** Resolves once everything queued so far has been sent (or has failed). */
  async idle (): Promise<void> {
    await this.chain
  }

  isSynced (): boolean {
    return this.synced && !this.suspect && !this.sending && this.pending.added.length === 0 && this.pending.removed.length === 0
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

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    if (this.target == null || evt.detail.toString() !== this.target || !this.synced) return
    this.check = true
    this.suspect = true
    // give a restarting target a moment; the retry back-off covers a longer absence
    this.retryLater(RETRY_MIN_MS)
  }

  private kick (): void {
    this.chain = this.chain.then(async () => { await this.sync() })
  }

  private retryLater (ms: number): void {
    clearTimeout(this.retryTimer)
    this.retryTimer = setTimeout(() => { this.kick() }, ms)
  }

  /** After a successful exchange: check again once the node has been quiet for a while. */
  private checkLater (target: string): void {
    clearTimeout(this.checkTimer)
    this.checkTimer = setTimeout(() => {
      if (this.stopped || target !== this.target || !this.synced) return
      this.check = true
      this.kick()
    }, jittered(this.checkEveryMs))
  }

  private async sync (): Promise<void> {
    const target = this.target
    if (this.stopped || target == null) return
    const signal = this.controller.signal
    // a mere check does not make the index unsynced
    this.sending = !this.synced || this.pending.added.length > 0 || this.pending.removed.length > 0
    try {
      if (!this.synced) {
        await this.sendSnapshot(target, signal)
      } else if (this.pending.added.length > 0 || this.pending.removed.length > 0 || this.check) {
        const { added, removed } = this.pending
        this.pending = { added: [], removed: [] }
        const checking = this.check
        this.check = false
        const held = await this.sendAll(target, false, added.map(f => this.entry(f)), removed, signal)
        // `held` is what the target keeps for us: fewer or more than we share means it lost (part of) our index
        if (checking && held !== distinctCids(this.shares.list())) throw new SnapshotNeededError(`the target holds ${held} entries of this node's index`)
        this.suspect = false
      }
      this.retryMs = RETRY_MIN_MS
      this.checkLater(target)
    } catch (err: any) {
      if (this.stopped || target !== this.target) return
      this.synced = false
      if (err.name === 'SnapshotNeededError' || (err instanceof IndexRejectedError && err.code === IndexError.SNAPSHOT_NEEDED)) {
        // not a failure: the target just needs the whole index, at once
        this.log('%s needs a snapshot of this node\'s index - %s', target, err.message)
        this.kick()
        return
      }
      const delay = jittered(this.retryMs)
      this.log('index update to %s failed, retrying in %d ms - %e', target, delay, err)
      this.retryLater(delay)
      this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2)
    } finally {
      this.sending = false
    }
  }

  private async sendSnapshot (target: string, signal: AbortSignal): Promise<void> {
    this.pending = { added: [], removed: [] }
    this.check = false
    await this.sendAll(target, true, this.shares.list().map(f => this.entry(f)), [], signal)
    this.synced = true
    this.suspect = false
  }

  /** Sends a change in as many bounded messages as it needs; only the first may reset. Returns the entries the target holds after the last. */
  private async sendAll (target: string, reset: boolean, added: IndexEntry[], removed: string[], aborted: AbortSignal): Promise<number> {
    const messages: IndexUpdate[] = []
    // removals first: a CID removed and shared again must end up present
    for (let i = 0; i < removed.length; i += INDEX_BATCH) messages.push({ version: WIRE_VERSION, reset: false, added: [], removed: removed.slice(i, i + INDEX_BATCH) })
    for (let i = 0; i < added.length; i += INDEX_BATCH) messages.push({ version: WIRE_VERSION, reset: false, added: added.slice(i, i + INDEX_BATCH).map(toWire), removed: [] })
    if (messages.length === 0) messages.push({ version: WIRE_VERSION, reset: false, added: [], removed: [] })
    messages[0].reset = reset
    const peer = peerIdFromString(target)
    if (this.targetAddrs.length > 0) {
      // the table told us where the virtual server is; the peer store may not know yet
      await this.libp2p.peerStore.merge(peer, { multiaddrs: this.targetAddrs.map(a => multiaddr(a).decapsulateCode(421)) })
    }
    let held = 0
    for (const update of messages) {
      // a first connection on its own deadline: a loaded target's handshake can outlast the exchange's
      if (this.libp2p.getConnections(peer).length === 0) {
        await this.libp2p.dial(peer, { signal: AbortSignal.any([aborted, AbortSignal.timeout(DIAL_TIMEOUT_MS)]) })
      }
      const signal = AbortSignal.any([aborted, AbortSignal.timeout(INDEX_TIMEOUT_MS)])
      const channel = await openRequestChannel(this.libp2p, peer, PROTOCOL_INDEX, MAX_INDEX_ACK_BYTES, { signal })
      const ack = await requestResponse(channel, update, IndexUpdate, IndexAck, { maxInboundBytes: MAX_INDEX_ACK_BYTES, signal })
      if (ack.error !== IndexError.NONE) throw new IndexRejectedError(ack.error, ack.message)
      held = ack.held
    }
    return held
  }

  private entry (f: FileMeta): IndexEntry {
    const { userSerialId, userid } = this.owner()
    return indexEntryOf(f, this.libp2p.peerId.toString(), userSerialId, userid)
  }
}

class SnapshotNeededError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'SnapshotNeededError'
  }
}

function distinctCids (files: FileMeta[]): number {
  return new Set(files.map(f => f.cid)).size
}

/** Members that failed together (their virtual server was down) must not retry together. */
function jittered (ms: number): number {
  return Math.round(ms * (0.75 + Math.random() * 0.5))
}
