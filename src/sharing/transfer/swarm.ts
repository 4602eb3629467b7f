import {
  BUSY_BACKOFF_MS, MAX_BUSY_ANSWERS, MAX_BUSY_BACKOFF_MS, MAX_PIECES_PER_REQUEST, MAX_LANES, MAX_PROVIDER_FAILURES, MAX_UNREACHABLE_RETRY_MS, PIPELINE_DEPTH, UNREACHABLE_RETRY_MS
} from './constants.js'
import { pause } from '../../core/index.js'
import { PieceStream } from './client.js'
import { hasDirectConnection } from './direct-connection.js'
import { BadDataError, TransferRefusedError } from './errors.js'
import { PieceQueue } from './piece-queue.js'
import { verifyPiece } from './verify.js'
import { ErrorCode } from './wire.js'
import type { PartFile } from './part-file.js'
import type { Candidate } from './providers.js'
import type { ProviderReport } from './types.js'
import type { Manifest } from '../model/manifest.js'
import type { Logger } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface SwarmInit {
  libp2p: Libp2p<any>
  cid: string
  manifest: Manifest
  part: PartFile
  providers: Candidate[]
  signal: AbortSignal
  streamsPerProvider: number
  batchBytes: number
  pieceTimeoutMs: number
  /** how long a provider may stay unreachable before it is given up */
  unreachableMs: number
  /** after each verified piece is written */
  onPiece: (provider: string, index: number) => void
  log: Logger
}

/** One provider's part in the download. */
interface Source extends Candidate {
  active: boolean
  /** request lanes still running */
  lanes: number
  /** transport failures in a row, and BUSY answers in a row, of its last lane */
  failures: number
  busy: number
  /** when its current run of transport failures began */
  unreachableSince?: number
  /** aborts this provider's streams when it is dropped */
  controller: AbortController
}

/**
 * Fetches the missing pieces of one file from several providers at once.
 * Each provider runs a few request lanes; each lane pulls the next batch
 * from the shared queue when it has room, so faster providers take more.
 * Every piece is verified before it is written. A provider that sends a bad
 * piece is dropped and its unfinished pieces go back to the queue for the
 * others.
 */
export class Swarm {
  readonly queue: PieceQueue
  private readonly sources: Source[]
  private readonly batch: number
  /** request lanes per provider */
  private readonly lanes: number
  /** aborts every stream still open once the last piece is in (a stalled provider must not hold up the end) */
  private readonly finished = new AbortController()

  constructor (private readonly init: SwarmInit) {
    this.queue = new PieceQueue(init.manifest.pieces.length, i => init.part.has(i))
    this.lanes = Math.max(1, Math.min(init.streamsPerProvider, Math.floor(MAX_LANES / Math.max(1, init.providers.length))))
    this.sources = init.providers.map(c => ({ ...c, active: true, lanes: this.lanes, failures: 0, busy: 0, controller: new AbortController() }))
    this.batch = Math.min(MAX_PIECES_PER_REQUEST, Math.max(1, Math.floor(init.batchBytes / Math.max(1, init.manifest.pieceSize))))
  }

  /** Runs until every piece is in, every provider is gone, or the signal aborts. Returns whether every piece is in. */
  async run (): Promise<boolean> {
    const onAbort = (): void => { this.queue.wake() }
    this.init.signal.addEventListener('abort', onAbort, { once: true })
    try {
      await Promise.all(this.sources.flatMap(s => Array.from({ length: this.lanes }, async () => this.lane(s))))
    } finally {
      this.init.signal.removeEventListener('abort', onAbort)
      for (const s of this.sources) s.controller.abort()
    }
    return this.queue.complete
  }

  /**
   * One request lane: a stream to the provider with up to PIPELINE_DEPTH
   * batches asked for, the next asked for as soon as one is read. With no
   * work to take, the stream is closed, and opened again when work appears.
   */
  private async lane (source: Source): Promise<void> {
    const id = source.report.peerId
    let stream: PieceStream | undefined
    const pending: number[][] = []
    /** this lane's end is already counted in source.lanes */
    let counted = false
    while (source.active && !this.queue.complete && !this.init.signal.aborted) {
      // a lane that started on a relayed connection moves to a direct one once there is one (a hole punch that
      // finished after the download began): it asks the relayed stream for no more, and opens its next on the direct one
      const leaving = stream?.relayed === true && hasDirectConnection(this.init.libp2p, source.peerId)
      try {
        while (!leaving && pending.length < PIPELINE_DEPTH) {
          const batch = this.queue.take(id, this.batch)
          if (batch.length === 0) break
          pending.push(batch)
          stream ??= await PieceStream.open(this.init.libp2p, source.peerId, {
            pieceSize: this.init.manifest.pieceSize,
            maxOutstanding: PIPELINE_DEPTH * this.batch,
            signal: AbortSignal.any([this.init.signal, source.controller.signal, this.finished.signal]),
            pieceTimeoutMs: this.init.pieceTimeoutMs
          })
          await stream.request(this.init.cid, batch)
        }
        if (pending.length === 0) {
          await stream?.close()
          stream = undefined
          if (!leaving) await this.queue.changed(250)
          continue
        }
        const batch = pending[0]
        for (const index of batch) await this.accept(source, index, await (stream as PieceStream).read(index))
        pending.shift()
        source.failures = 0
        source.busy = 0
        source.unreachableSince = undefined
      } catch (err: any) {
        stream?.abort(err)
        stream = undefined
        for (const batch of pending.splice(0)) this.queue.release(id, batch.filter(i => !this.queue.isDone(i)))
        if (isTransient(err) && source.lanes > 1 && source.active && !this.queue.complete && !this.init.signal.aborted) {
          // counted before any await: lanes that fail together (a dropped connection) leave one, which retries
          source.lanes--
          counted = true
          this.init.log('request to %p failed; one lane fewer (%d left) - %e', source.peerId, source.lanes, err)
          break
        }
        if (!await this.failed(source, err)) break
      }
    }
    if (!counted) source.lanes--
    // stopped with requests outstanding (the end game, a drop, an abort): their answers are not wanted
    for (const batch of pending) this.queue.release(id, batch.filter(i => !this.queue.isDone(i)))
    if (pending.length === 0) await stream?.close()
    else stream?.abort(new Error('the download no longer needs these pieces'))
  }

  /** Verifies a piece and writes it, unless another copy already made it. */
  private async accept (source: Source, index: number, data: Uint8ArrayList): Promise<void> {
    if (this.queue.isDone(index)) return
    if (!verifyPiece(this.init.manifest, index, data)) {
      throw new BadDataError(`piece ${index} does not match the manifest`)
    }
    if (this.queue.isDone(index)) return
    await this.init.part.write(index, data)
    if (!this.queue.finish(index)) return
    if (this.queue.complete) this.finished.abort(new Error('every piece is in'))
    source.report.pieces++
    if (source.report.outcome === 'unused') source.report.outcome = 'supplied'
    this.init.onPiece(source.report.peerId, index)
  }

  /**
   * Decides what a failed request of a provider's last lane means for the
   * provider (the others stop at a transient failure: a provider that cannot
   * take this many streams simply ends up with fewer lanes). Returns false
   * when the lane should stop.
   */
  private async failed (source: Source, err: any): Promise<boolean> {
    if (this.init.signal.aborted || !source.active || this.queue.complete) return false
    const log = this.init.log
    if (err instanceof BadDataError) {
      log('dropping %p: %s', source.peerId, err.message)
      this.drop(source, 'lied', err.message)
    } else if (err instanceof TransferRefusedError && err.code === ErrorCode.NOT_FOUND) {
      this.drop(source, 'not-found', err.message)
    } else if (err instanceof TransferRefusedError && err.code === ErrorCode.CHANGED) {
      this.drop(source, 'changed', err.message)
    } else if (err instanceof TransferRefusedError && err.code === ErrorCode.BUSY) {
      source.busy++
      if (source.busy > MAX_BUSY_ANSWERS) this.drop(source, 'busy', err.message)
      else await pause(Math.min(MAX_BUSY_BACKOFF_MS, BUSY_BACKOFF_MS * 2 ** Math.min(source.busy - 1, 8)), this.init.signal)
    } else {
      source.failures++
      source.unreachableSince ??= Date.now()
      const downMs = Date.now() - source.unreachableSince
      log('request to %p failed (%d in a row, for %d ms) - %e', source.peerId, source.failures, downMs, err)
      if (source.failures >= MAX_PROVIDER_FAILURES && downMs >= this.init.unreachableMs) {
        this.drop(source, 'failed', `unreachable for ${Math.round(downMs / 1000)} s: ${String(err?.message ?? err)}`)
      } else {
        // it may be restarting: ask again after a pause, until the bound
        const backoff = Math.min(MAX_UNREACHABLE_RETRY_MS, UNREACHABLE_RETRY_MS * 2 ** Math.min(source.failures - 1, 8)) * (0.75 + Math.random() * 0.5)
        const wait = Math.max(0, Math.min(MAX_UNREACHABLE_RETRY_MS, backoff, this.init.unreachableMs - downMs))
        await pause(wait, AbortSignal.any([this.init.signal, source.controller.signal, this.finished.signal]))
      }
    }
    return source.active
  }

  private drop (source: Source, outcome: ProviderReport['outcome'], detail: string): void {
    if (!source.active) return
    source.active = false
    source.report.outcome = outcome
    source.report.detail = detail
    source.controller.abort(new Error(`provider dropped: ${outcome}`))
    this.queue.wake()
  }
}

/** A failure of the link or the stream, not an answer: the provider may do better on fewer streams, or later. */
function isTransient (err: unknown): boolean {
  return !(err instanceof BadDataError) && !(err instanceof TransferRefusedError && err.code !== ErrorCode.BUSY)
}
