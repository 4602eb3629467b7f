import { mapChanges, shortId, type MapChange } from './changes.js'
import type { DashboardJob, DashboardSnapshot, JobStatus, MapEvent, MapSubnet, ProtocolLoad, ProviderInfo, ProviderState } from './types.js'

/** What the dashboard reads from the bootstrap (and the one thing it does: remove a provider). */
export interface DashboardSource {
  readonly peerId: string
  addresses: () => string[]
  uptimeMs: () => number
  /** the virtual-server table */
  subnets: () => MapSubnet[]
  /** providers, most recently seen first */
  providers: () => ProviderInfo[]
  providerStates: () => Record<ProviderState, number>
  runningJobs: () => JobStatus[]
  /** any job's status, running or not; undefined when unknown */
  job: (id: string) => JobStatus | undefined
  /** units validated since the bootstrap started */
  validUnits: () => number
  /** the values of peerhive_protocol_requests_total, one per {protocol, outcome} */
  requestCounts: () => Promise<Array<{ labels: Partial<Record<string, string | number>>, value: number }>>
  /** the operator's remove (or ban) */
  removeProvider: (peer: string, ban: boolean) => Promise<ProviderInfo>
}

export interface CollectorOptions {
  /** ms between two samples of rates and throughput; @default 1000 */
  sampleMs?: number
  /** ms between two looks at the virtual-server table, so a failover shows at once; @default 250 */
  lookMs?: number
  /** samples kept per series; @default 60 */
  history?: number
  /** events kept and sent; @default 50 */
  events?: number
  /** providers sent; @default 200 */
  providers?: number
  /** running jobs sent; @default 30 */
  runningJobs?: number
  /** ended jobs kept and sent; @default 10 */
  endedJobs?: number
  /** peers drawn on the map before whole subnets are left off; @default 2000 */
  mapPeers?: number
  now?: () => number
}

interface JobTrack { lastValid: number, samples: number[] }

/**
 * Watches the bootstrap for the dashboard: samples the request counters and
 * the jobs once a second (rates and throughput), looks at the
 * virtual-server table four times a second (events: elections, failovers,
 * joins), and hands a snapshot to its listeners after every sample and
 * after every change of the table.
 */
export class DashboardCollector {
  private readonly opts: Required<Omit<CollectorOptions, 'now'>>
  private readonly now: () => number
  private readonly listeners = new Set<(snapshot: DashboardSnapshot) => void>()
  private readonly events: MapEvent[] = []
  private nextEventId = 1
  private subnetsSeen: MapSubnet[] = []
  private subnetsKey = '[]'
  private readonly requestTotals = new Map<string, number>()
  private loads: ProtocolLoad[] = []
  private lastSampleAt: number
  private lastValidUnits = 0
  private readonly throughput: number[] = []
  private readonly jobTracks = new Map<string, JobTrack>()
  private running = new Map<string, JobStatus>()
  private ended: DashboardJob[] = []
  private providerStatesSeen = new Map<string, ProviderState>()
  private sampleTimer?: ReturnType<typeof setInterval>
  private lookTimer?: ReturnType<typeof setInterval>
  private sampling?: Promise<void>
  private latest?: DashboardSnapshot
  /** false until the first sample: what exists then is not news */
  private sampled = false

  constructor (readonly source: DashboardSource, opts: CollectorOptions = {}) {
    this.opts = {
      sampleMs: opts.sampleMs ?? 1_000,
      lookMs: opts.lookMs ?? 250,
      history: opts.history ?? 60,
      events: opts.events ?? 50,
      providers: opts.providers ?? 200,
      runningJobs: opts.runningJobs ?? 30,
      endedJobs: opts.endedJobs ?? 10,
      mapPeers: opts.mapPeers ?? 2_000
    }
    this.now = opts.now ?? Date.now
    this.lastSampleAt = this.now()
  }

  start (): void {
    this.lastSampleAt = this.now()
    this.lastValidUnits = this.source.validUnits()
    this.look()
    this.sampleTimer = setInterval(() => { void this.sample() }, this.opts.sampleMs)
    this.lookTimer = setInterval(() => { this.look() }, this.opts.lookMs)
  }

  async stop (): Promise<void> {
    clearInterval(this.sampleTimer)
    clearInterval(this.lookTimer)
    this.sampleTimer = undefined
    this.lookTimer = undefined
    await this.sampling
    this.listeners.clear()
  }

  /** Calls `listener` with every new snapshot; returns the function that stops that. */
  subscribe (listener: (snapshot: DashboardSnapshot) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  /** The latest snapshot (built now if none was yet). */
  snapshot (): DashboardSnapshot {
    this.latest ??= this.build()
    return this.latest
  }

  /** Samples rates, throughput, providers and jobs, then tells the listeners. One sample at a time. */
  async sample (): Promise<void> {
    if (this.sampling != null) return this.sampling
    this.sampling = this.takeSample().finally(() => { this.sampling = undefined })
    return this.sampling
  }

  /** Tells the listeners at once what changed among providers and on the map (after an action), without a rate sample. */
  refresh (): void {
    if (this.sampled) this.sampleProviders()
    if (!this.look()) this.publish()
  }

  /** Looks at the virtual-server table; when it changed, records what changed and tells the listeners. */
  look (): boolean {
    const subnets = this.source.subnets()
    const key = JSON.stringify(subnets)
    if (key === this.subnetsKey) return false
    this.record(mapChanges(this.subnetsSeen, subnets))
    this.subnetsSeen = subnets
    this.subnetsKey = key
    this.publish()
    return true
  }

  private async takeSample (): Promise<void> {
    const counts = await this.source.requestCounts()
    const now = this.now()
    const seconds = Math.max(0.001, (now - this.lastSampleAt) / 1_000)
    this.lastSampleAt = now

    const byProtocol = new Map<string, { total: number, errors: number }>()
    for (const { labels, value } of counts) {
      const protocol = String(labels.protocol ?? 'unknown')
      const entry = byProtocol.get(protocol) ?? { total: 0, errors: 0 }
      entry.total += value
      if (labels.outcome !== 'ok') entry.errors += value
      byProtocol.set(protocol, entry)
    }
    const previous = new Map(this.loads.map(l => [l.protocol, l]))
    this.loads = [...byProtocol].map(([protocol, { total, errors }]) => {
      const rate = Math.max(0, total - (this.requestTotals.get(protocol) ?? 0)) / seconds
      this.requestTotals.set(protocol, total)
      return { protocol, total, errors, rate: round(rate), samples: this.pushed(previous.get(protocol)?.samples ?? [], round(rate)) }
    }).sort((a, b) => b.total - a.total || (a.protocol < b.protocol ? -1 : 1))

    const validUnits = this.source.validUnits()
    this.throughput.splice(0, this.throughput.length, ...this.pushed(this.throughput, round(Math.max(0, validUnits - this.lastValidUnits) / seconds)))
    this.lastValidUnits = validUnits

    this.sampleJobs(seconds)
    this.sampleProviders()
    this.sampled = true
    this.look()
    this.publish()
  }

  private sampleJobs (seconds: number): void {
    const running = new Map(this.source.runningJobs().map(j => [j.id, j]))
    for (const [id, job] of running) {
      const track = this.jobTracks.get(id)
      if (track == null) {
        this.jobTracks.set(id, { lastValid: job.unitStates.valid, samples: [] })
        if (this.sampled) this.record([{ kind: 'job', peers: [job.owner], text: `job ${jobName(job)} submitted: ${job.units} unit(s)` }])
        continue
      }
      track.samples = this.pushed(track.samples, round(Math.max(0, job.unitStates.valid - track.lastValid) / seconds))
      track.lastValid = job.unitStates.valid
    }
    for (const [id, before] of this.running) {
      if (running.has(id)) continue
      const final = this.source.job(id) ?? before
      const samples = this.jobTracks.get(id)?.samples ?? []
      this.jobTracks.delete(id)
      this.ended = [{ ...final, throughput: samples }, ...this.ended].slice(0, this.opts.endedJobs)
      this.record([{ kind: 'job', peers: [final.owner], text: `job ${jobName(final)} ${final.state}: ${final.unitStates.valid}/${final.units} unit(s) valid` }])
    }
    this.running = running
  }

  private sampleProviders (): void {
    const states = new Map<string, ProviderState>()
    const changes: MapChange[] = []
    for (const p of this.source.providers()) {
      const state = p.state === 'working' ? 'active' : p.state
      states.set(p.peerId, state)
      const before = this.providerStatesSeen.get(p.peerId)
      if (!this.sampled || before === state) continue
      if (before == null && state === 'active') changes.push({ kind: 'provider', peers: [p.peerId], text: `provider ${shortId(p.peerId)} came: ${p.cpus} cpu(s), ${p.host.cpuModel}` })
      else if (before != null || state !== 'offline') changes.push({ kind: 'provider', peers: [p.peerId], text: `provider ${shortId(p.peerId)} is ${state === 'active' ? 'back' : state}` })
    }
    this.providerStatesSeen = states
    this.record(changes)
  }

  private record (changes: MapChange[]): void {
    if (changes.length === 0) return
    const at = this.now()
    for (const c of changes) this.events.push({ id: this.nextEventId++, at, ...c })
    if (this.events.length > this.opts.events) this.events.splice(0, this.events.length - this.opts.events)
  }

  private publish (): void {
    this.latest = this.build()
    for (const listener of this.listeners) {
      try {
        listener(this.latest)
      } catch {}
    }
  }

  private build (): DashboardSnapshot {
    const source = this.source
    const providers = source.providers()
    const states = source.providerStates()
    const sorted = [...this.subnetsSeen].sort((a, b) => a.subnet.localeCompare(b.subnet, 'en', { numeric: true }))
    const counts = { peers: 0, virtualServers: 0, members: 0, centralClients: 0 }
    const shown: MapSubnet[] = []
    for (const s of sorted) {
      const members = s.virtualServers.reduce((n, v) => n + v.members.length, 0)
      const peers = s.virtualServers.length + members + s.centralClients.length
      counts.peers += peers
      counts.virtualServers += s.virtualServers.length
      counts.members += members
      counts.centralClients += s.centralClients.length
      if (shown.length === 0 || counts.peers <= this.opts.mapPeers) shown.push(s)
    }
    const running = [...this.running.values()].slice(0, this.opts.runningJobs).map(j => ({ ...j, throughput: this.jobTracks.get(j.id)?.samples ?? [] }))
    return {
      at: this.now(),
      bootstrap: { peerId: source.peerId, addresses: source.addresses(), uptimeMs: source.uptimeMs() },
      network: { subnets: shown, subnetsLeftOff: sorted.length - shown.length, ...counts },
      providers: { list: providers.slice(0, this.opts.providers), total: providers.length, states },
      jobs: { list: [...running, ...this.ended], throughput: [...this.throughput], validUnits: this.lastValidUnits },
      load: { sampleMs: this.opts.sampleMs, protocols: this.loads },
      events: [...this.events]
    }
  }

  private pushed (series: number[], value: number): number[] {
    const next = [...series, value]
    return next.length > this.opts.history ? next.slice(next.length - this.opts.history) : next
  }
}

function round (n: number): number {
  return Math.round(n * 100) / 100
}

function jobName (job: JobStatus): string {
  return job.name === '' ? job.id : `"${job.name}"`
}
