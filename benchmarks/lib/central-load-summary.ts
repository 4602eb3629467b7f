/** The top of the "central-load" result: the figures asked for, per mode (the details follow in modes), and the run's notes. */
import { round, type Summary } from './stats.js'

export function summary (modes: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = {}
  for (const [name, m] of Object.entries(modes) as Array<[string, any]>) {
    const sp = m.searchPhase
    if (sp == null) continue
    out[name] = {
      vsLimit: m.vsLimit,
      searches: sp.searches,
      found: sp.found,
      misses: sp.misses,
      bootstrap: {
        searchRequests: sp.bootstrap.searchRequests,
        searchBytesIn: sp.bootstrap.searchBytesIn,
        searchBytesOut: sp.bootstrap.searchBytesOut,
        searchBytes: sp.bootstrap.searchBytes,
        socketBytes: sp.bootstrap.socketBytes,
        cpuSeconds: sp.bootstrap.cpuSeconds
      },
      perSearch: sp.perSearch,
      bootstrapAskedBecause: sp.whyTheBootstrapWasAsked.byCause,
      virtualServerSearchRequests: sp.virtualServersServed.searchRequests,
      targetTiers: sp.targetTiers,
      targetTiersByKind: sp.targetTiersByKind,
      latencyToTargetMs: { p50: sp.latencyMs.toTarget?.p50 ?? null, p99: sp.latencyMs.toTarget?.p99 ?? null },
      latencyToTargetByKindMs: Object.fromEntries(Object.entries(sp.latencyMs.toTargetByKind as Record<string, Summary | null>).map(([k, v]) => [k, { p50: v?.p50 ?? null, p99: v?.p99 ?? null }])),
      wholeSearchMs: { p50: sp.latencyMs.wholeSearch?.p50 ?? null, p99: sp.latencyMs.wholeSearch?.p99 ?? null },
      searchPhaseSeconds: sp.seconds,
      paced: pacedSummary(m.pacedSearchPhase),
      readinessAtSearchStart: m.setup?.readinessBeforeSearch ?? null,
      calmBeforeSearch: m.setup?.calmDown?.calm === true
    }
  }
  return out
}

function pacedSummary (sp: any): Record<string, any> | null {
  if (sp == null) return null
  return {
    startsPerSec: sp.pacing.startsPerSec,
    startedLate: sp.pacing.startedLate,
    found: sp.found,
    bootstrapSearchRequests: sp.bootstrap.searchRequests,
    latencyToTargetMs: { p50: sp.latencyMs.toTarget?.p50 ?? null, p99: sp.latencyMs.toTarget?.p99 ?? null },
    latencyToTargetByKindMs: Object.fromEntries(Object.entries(sp.latencyMs.toTargetByKind as Record<string, Summary | null>).map(([k, v]) => [k, { p50: v?.p50 ?? null, p99: v?.p99 ?? null }]))
  }
}

/** The notes every run gets, and the ones its figures call for. */
export function addNotes (result: Record<string, any>, notes: string[], setup: { workers: number, peers: number }): void {
  const m = result.machine
  notes.push(`${m.cpus} CPUs shared by the bootstrap, ${setup.workers} workers hosting ${setup.peers} peers, the echo server and this process: latencies include CPU contention`)
  notes.push('modes run one after the other (off, then on), each with a fresh bootstrap and fresh peers; the same seeded workload in both')
  notes.push('search bytes are the protobuf message bytes the bootstrap counts for /peerhive/search/1.0.0 (without Noise/Yamux framing); socket bytes are exact TCP payload counts of the bootstrap process (socket-counter preload) and include its background traffic (pings, gossipsub heartbeats and republished tables, DHT), hence the idle-adjusted figure')
  for (const name of Object.keys(result.modes)) {
    const sp = result.modes[name].searchPhase
    if (sp == null) continue
    if (sp.misses > 0) notes.push(`mode ${name}: ${sp.misses} of ${sp.searches} searches did not find their target (see modes.${name}.searchPhase.missList)`)
    if (sp.searchesWithoutDirectory > 0) notes.push(`mode ${name}: ${sp.searchesWithoutDirectory} searches by a virtual server or central client started before it held the directory, so each asked the bootstrap first`)
    if (sp.tableStable !== true) notes.push(`mode ${name}: the bootstrap's table changed during the search phase`)
    const log = result.modes[name].productLog
    const indexedMs = result.modes[name].setup?.msFromFirstArrival?.indexed
    if (log != null && (log.indexPushFailed > 0 || log.virtualServerFirstDialFailed > 0)) {
      notes.push(`mode ${name}: while the network started, ${log.indexPushFailed} index pushes and ${log.virtualServerFirstDialFailed} first dials of members to their virtual server failed (${Object.keys({ ...log.indexPushErrors, ...log.virtualServerFirstDialErrors }).join('; ')}); every index was at its virtual server or the bootstrap ${indexedMs != null ? `${round(indexedMs / 1000, 1)} s` : 'not within the wait'} after the first arrival, and searches made before that miss files and fall back to the central index (see whyTheBootstrapWasAsked)`)
    }
    const why = sp.whyTheBootstrapWasAsked
    if (why.bootstrapRequestsSent !== why.measuredRequests) notes.push(`mode ${name}: the bootstrap counted ${why.measuredRequests} search requests; the searchers sent it ${why.bootstrapRequestsSent}`)
  }
  const on = result.modes.on?.searchPhase
  if (on != null && on.bootstrap.searchRequests > 0) {
    const causes = Object.entries(on.whyTheBootstrapWasAsked.byCause as Record<string, number>).map(([k, v]) => `${v}: ${k}`).join('; ')
    notes.push(`with virtual servers on, the bootstrap still handled ${on.bootstrap.searchRequests} search requests (${on.whyTheBootstrapWasAsked.searchesThatAskedTheBootstrap} searches asked it). Why: ${causes}`)
  }
  const diag = result.modes.on?.memberDiagnosis
  if (diag != null && diag.summary.indexNotAtVirtualServer > 0) {
    const u = diag.indexNotAtVirtualServer
    notes.push(`with virtual servers on, ${u.members} of ${diag.summary.members} members never got their index to their virtual server: ${u.withAConnectionToTheirVirtualServer} of them had a connection to it, ${u.withItsAddressesInTheirPeerStore} had its addresses in their peer store, ${u.withItsAddressesInTheDirectory} could have read them in the directory; a dial by PeerId now gives ${JSON.stringify(u.dialByPeerIdNow)}`)
  }
}
