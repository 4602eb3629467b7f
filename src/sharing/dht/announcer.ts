/**
 * Keeps this node's files announced in the DHT (SHARE-2): a provider record
 * for each file's CID, and for each word of each file a signed keyword
 * record plus a provider record of the word's CID (see keys.ts). Changes are
 * published when `refresh()` is called; everything is re-announced every
 * `reannounceIntervalMs`, well before records expire; a withdrawn word gets
 * a signed tombstone that outranks its older records.
 */
import { createHash } from 'node:crypto'
import { TypedEventEmitter } from 'main-event'
import { KeywordRecord } from '../../pb/dht-records.js'
import { parseCid } from '../model/manifest.js'
import { deadline, mapUnordered } from './bounded.js'
import {
  DEFAULT_ANNOUNCE_CONCURRENCY, DEFAULT_MAX_WORDS, DEFAULT_OPERATION_TIMEOUT_MS, DEFAULT_REANNOUNCE_INTERVAL_MS,
  DEFAULT_RECORD_TTL_MS, DEFAULT_RETRY_MAX_MS, DEFAULT_RETRY_MIN_MS, MAX_RECORD_TTL_MS, MAX_WORDS_PER_FILE
} from './constants.js'
import { provideCid, putValue, type DhtHost } from './dht-ops.js'
import { NotAnnouncedError } from './errors.js'
import { keywordKey, wordCid } from './keys.js'
import { buildKeywordRecord, signKeywordRecord } from './record.js'
import { indexWords } from './words.js'
import type { IndexEntry } from '../model/types.js'
import type { AnnounceReport, DhtAnnouncerEvents, DhtAnnouncerInit } from './announcer-options.js'
import type { Logger } from '@libp2p/interface'
import type { SingleKadDHT } from '@libp2p/kad-dht'
import type { CID } from 'multiformats/cid'

interface WordState {
  /** digest of the last record the DHT accepted, times aside ('' for a tombstone); undefined if none was */
  published?: string
  /** expiry of the last accepted record with entries: stale copies may be served until then */
  liveUntil: number
  /** the word's provider record was announced and not cancelled since */
  provided: boolean
}

type Task = () => Promise<void>

export class DhtAnnouncer extends TypedEventEmitter<DhtAnnouncerEvents> {
  private readonly log: Logger
  private readonly interval: number
  private readonly ttl: number
  private readonly concurrency: number
  private readonly opTimeout: number
  private readonly retryMin: number
  private readonly retryMax: number
  private readonly maxWords: number
  private readonly maxWordsPerFile: number
  /** files whose provider record was attempted (kad-dht keeps re-providing those until cancelled), and whether it succeeded */
  private readonly files = new Map<string, boolean>()
  private readonly words = new Map<string, WordState>()
  private identity = { userSerialId: 0, userid: '' }
  private lastIssuedAt = 0
  private controller = new AbortController()
  private running = false
  private timer?: ReturnType<typeof setTimeout>
  private nextRoundAt = Infinity
  private retryMs = 0
  private chain: Promise<unknown> = Promise.resolve()
  private queuedFull?: Promise<AnnounceReport>
  private queuedRefresh?: Promise<AnnounceReport>
  /** the queued full round was asked for (announceAll), not only fired by the timer */
  private fullAsked = false
  /** counts schedule() calls, so a timer round knows whether a later round rescheduled */
  private timerGeneration = 0
  private lastReport?: AnnounceReport

  constructor (private readonly host: DhtHost, private readonly init: DhtAnnouncerInit) {
    super()
    this.log = host.logger.forComponent('peerhive:dht:announcer')
    this.interval = init.reannounceIntervalMs ?? DEFAULT_REANNOUNCE_INTERVAL_MS
    this.ttl = Math.min(init.recordTtlMs ?? DEFAULT_RECORD_TTL_MS, MAX_RECORD_TTL_MS)
    this.concurrency = init.concurrency ?? DEFAULT_ANNOUNCE_CONCURRENCY
    this.opTimeout = init.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS
    this.retryMin = init.retryMinMs ?? DEFAULT_RETRY_MIN_MS
    this.retryMax = init.retryMaxMs ?? DEFAULT_RETRY_MAX_MS
    this.maxWords = init.maxWords ?? DEFAULT_MAX_WORDS
    this.maxWordsPerFile = init.maxWordsPerFile ?? MAX_WORDS_PER_FILE
    if (this.interval >= this.ttl) this.log.error('re-announcing every %d ms lets records expire after %d ms', this.interval, this.ttl)
  }

  /** Starts announcing: a full round at once, then one every `reannounceIntervalMs`. */
  start (): void {
    if (this.running) return
    this.running = true
    this.controller = new AbortController()
    this.schedule(0)
  }

  /** Stops the schedule and aborts operations in flight. Records already stored stay until they expire. */
  async stop (): Promise<void> {
    this.running = false
    clearTimeout(this.timer)
    this.nextRoundAt = Infinity
    this.controller.abort(new NotAnnouncedError('the announcer stopped'))
    await this.chain
  }

  /** Publishes what changed since the last round (call it after share, unshare or a rescan). Calls made while a round runs are merged into one. */
  async refresh (): Promise<AnnounceReport> {
    return this.enqueue(false)
  }

  /**
   * Files this node may have announced in an earlier run and no longer
   * shares (the start-up purge): the next round cancels their provider
   * records and replaces the keyword records of their words, with a
   * tombstone where no file of this node is left under the word.
   */
  withdraw (entries: IndexEntry[]): void {
    const liveUntil = Date.now() + this.ttl
    for (const e of entries) {
      if (!this.files.has(e.cid)) this.files.set(e.cid, true)
      for (const word of indexWords(e, this.maxWordsPerFile)) {
        // a digest no record has: the word is published again, or tombstoned
        if (!this.words.has(word)) this.words.set(word, { published: 'earlier run', liveUntil, provided: true })
      }
    }
  }

  /** Re-announces everything now. */
  async announceAll (): Promise<AnnounceReport> {
    return this.enqueue(true)
  }

  /** @param timer the schedule's generation when a timer fired this round */
  private async enqueue (full: boolean, timer?: number): Promise<AnnounceReport> {
    // a round that has not started yet covers this call too (a full round covers a refresh)
    const queued = full ? this.queuedFull : (this.queuedFull ?? this.queuedRefresh)
    // a caller that joins a queued full round needs it to run
    if (timer == null && queued != null && queued === this.queuedFull) this.fullAsked = true
    if (queued != null) return queued
    const round = this.chain.then(async () => {
      if (full) this.queuedFull = undefined
      else this.queuedRefresh = undefined
      const asked = this.fullAsked
      if (full) this.fullAsked = false
      // a timer round that waited behind a round which set a new schedule is stale: that round did its work or will retry
      if (timer != null && timer !== this.timerGeneration && !asked && this.lastReport != null) return this.lastReport
      return this.runRound(full)
    })
    if (full) this.queuedFull = round
    else this.queuedRefresh = round
    this.chain = round.catch(() => {})
    return round
  }

  private schedule (ms: number): void {
    if (!this.running) return
    clearTimeout(this.timer)
    this.nextRoundAt = Date.now() + ms
    const generation = ++this.timerGeneration
    this.timer = setTimeout(() => { void this.enqueue(true, generation) }, ms)
    this.timer.unref?.()
  }

  /** Never rejects: the timer fires rounds that nobody awaits. */
  private async runRound (full: boolean): Promise<AnnounceReport> {
    let report: AnnounceReport
    try {
      report = await this.round(full)
    } catch (err) {
      this.log.error('announce round failed - %e', err)
      report = { full, provided: 0, published: 0, withdrawn: 0, failed: 1, noPeers: false, ms: 0 }
    }
    this.log('%s round: %d provided, %d published, %d withdrawn, %d failed%s in %d ms', full ? 'full' : 'change',
      report.provided, report.published, report.withdrawn, report.failed, report.noPeers ? ' (no DHT peers)' : '', report.ms)
    if (report.failed > 0 || report.noPeers) {
      this.retryMs = Math.min(this.retryMs === 0 ? this.retryMin : this.retryMs * 2, this.retryMax)
      if (full || Date.now() + this.retryMs < this.nextRoundAt) this.schedule(this.retryMs)
    } else if (full || this.retryMs > 0) {
      // a clean change round announced everything not yet announced: a retry still pending would only repeat it
      this.retryMs = 0
      this.schedule(this.interval)
    }
    this.lastReport = report
    this.safeDispatchEvent('announced', { detail: report })
    return report
  }

  private async round (full: boolean): Promise<AnnounceReport> {
    const started = Date.now()
    const report: AnnounceReport = { full, provided: 0, published: 0, withdrawn: 0, failed: 0, noPeers: false, ms: 0 }
    const done = (): AnnounceReport => ({ ...report, ms: Date.now() - started })
    if ((this.host.services.dht as Partial<SingleKadDHT>).routingTable?.size === 0) {
      report.noPeers = true
      return done()
    }
    let mine: IndexEntry[]
    try {
      mine = await this.ownEntries()
    } catch (err) {
      this.log.error('could not list the shared files - %e', err)
      report.failed++
      return done()
    }
    const tasks: Task[] = []
    const attempt = (what: string, op: (signal: AbortSignal) => Promise<void>): void => {
      tasks.push(async () => {
        try {
          await op(deadline(this.opTimeout, this.controller.signal))
        } catch (err) {
          report.failed++
          this.log.error('could not announce %s - %e', what, err)
        }
      })
    }
    this.planFiles(mine, full, report, attempt)
    this.planWords(mine, full, report, attempt)
    for await (const _ of mapUnordered(tasks, this.concurrency, async task => task())) { /* each task reports into `report` */ }
    return done()
  }

  /** This node's entries with a valid CID, one per CID, in CID order. */
  private async ownEntries (): Promise<IndexEntry[]> {
    const self = this.host.peerId.toString()
    const byCid = new Map<string, IndexEntry>()
    for (const e of await this.init.entries()) {
      if (e.provider !== self) continue
      try {
        parseCid(e.cid)
      } catch {
        continue
      }
      if (!byCid.has(e.cid)) byCid.set(e.cid, e)
    }
    const mine = [...byCid.values()].sort((a, b) => a.cid < b.cid ? -1 : a.cid > b.cid ? 1 : 0)
    if (mine.length > 0) this.identity = { userSerialId: mine[0].userSerialId, userid: mine[0].userid }
    return mine
  }

  private planFiles (mine: IndexEntry[], full: boolean, report: AnnounceReport, attempt: (what: string, op: (signal: AbortSignal) => Promise<void>) => void): void {
    const current = new Set(mine.map(e => e.cid))
    for (const cid of current) {
      if (!full && this.files.get(cid) === true) continue
      this.files.set(cid, false)
      attempt(`file ${cid}`, async signal => {
        await this.provide(parseCid(cid), signal)
        this.files.set(cid, true)
        report.provided++
      })
    }
    for (const cid of [...this.files.keys()]) {
      if (current.has(cid)) continue
      this.files.delete(cid)
      report.withdrawn++
      this.cancelReprovide(parseCid(cid))
    }
  }

  private planWords (mine: IndexEntry[], full: boolean, report: AnnounceReport, attempt: (what: string, op: (signal: AbortSignal) => Promise<void>) => void): void {
    const byWord = this.wordsOf(mine)
    const now = Date.now()
    for (const [word, entries] of byWord) {
      const state = this.words.get(word) ?? { liveUntil: 0, provided: false }
      this.words.set(word, state)
      const { record } = buildKeywordRecord({ word, entries, ...this.identity, issuedAt: 0, expiresAt: 0 })
      const digest = contentDigest(record)
      if (full || state.published !== digest) {
        attempt(`word "${word}"`, async signal => {
          await this.publish(word, entries, digest, signal)
          report.published++
        })
      }
      if (full || !state.provided) {
        attempt(`word "${word}" provider record`, async signal => {
          await this.provide(wordCid(word), signal)
          state.provided = true
          report.provided++
        })
      }
    }
    for (const [word, state] of [...this.words]) {
      if (byWord.has(word)) continue
      if (state.provided) {
        state.provided = false
        this.cancelReprovide(wordCid(word))
      }
      if (state.published === undefined || (state.published === '' && now >= state.liveUntil)) {
        // nothing of ours can still be served under this word
        this.words.delete(word)
        report.withdrawn++
      } else if (state.published !== '' || full) {
        attempt(`tombstone of word "${word}"`, async signal => {
          await this.publish(word, [], '', signal)
          report.published++
        })
      }
    }
  }

  /** Words to announce and the entries under each, at most `maxWords` words, in CID order of the files. */
  private wordsOf (mine: IndexEntry[]): Map<string, IndexEntry[]> {
    const byWord = new Map<string, IndexEntry[]>()
    let capped = false
    for (const e of mine) {
      for (const word of indexWords(e, this.maxWordsPerFile)) {
        let list = byWord.get(word)
        if (list == null) {
          if (byWord.size >= this.maxWords) {
            capped = true
            continue
          }
          list = []
          byWord.set(word, list)
        }
        list.push(e)
      }
    }
    if (capped) this.log('more than %d words; the rest are not announced', this.maxWords)
    return byWord
  }

  private async publish (word: string, entries: IndexEntry[], digest: string, signal: AbortSignal): Promise<void> {
    this.lastIssuedAt = Math.max(Date.now(), this.lastIssuedAt + 1)
    const issuedAt = this.lastIssuedAt
    const expiresAt = issuedAt + this.ttl
    const { record, omitted } = buildKeywordRecord({ word, entries, ...this.identity, issuedAt, expiresAt })
    if (omitted > 0) this.log('%d files left out of the record for "%s"', omitted, word)
    const value = await signKeywordRecord(this.init.privateKey, record)
    const stored = await putValue(this.host.services.dht, keywordKey(word, this.host.peerId), value, signal)
    if (stored === 0) throw new NotAnnouncedError(`no peer stored the record for "${word}"`)
    const state = this.words.get(word)
    if (state == null) return
    state.published = digest
    if (record.entries.length > 0) state.liveUntil = expiresAt
  }

  private async provide (cid: CID, signal: AbortSignal): Promise<void> {
    const sent = await provideCid(this.host.services.dht, cid, signal)
    if (sent === 0) throw new NotAnnouncedError(`no peer took the provider record for ${cid.toString()}`)
  }

  /** Stops kad-dht's own reprovider from announcing the CID again; records already out expire by themselves. */
  private cancelReprovide (cid: CID): void {
    this.host.services.dht.cancelReprovide(cid).catch(err => {
      this.log.error('could not cancel the provider record of %s - %e', cid.toString(), err)
    })
  }
}

/** Identifies a record's content, times aside, so an unchanged word is not re-published by a change round. */
function contentDigest (record: KeywordRecord): string {
  return createHash('sha256').update(KeywordRecord.encode({ ...record, issuedAt: 0, expiresAt: 0 })).digest('hex')
}
