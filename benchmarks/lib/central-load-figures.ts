/**
 * What the "central-load" benchmark reports about one search phase: why a
 * search missed, why the bootstrap was asked, which search requests went out,
 * and where the members' indexes stood. Pure functions of the outcomes the
 * workers sent back.
 */
import { countBy } from './stats.js'
import type { MemberDiagnosis, SearchOutcome } from './central-load-worker.js'

export type Kind = 'subnet' | 'remote'
export interface PlannedSearch { n: number, searcher: number, kind: Kind, target: number, filename: string }
export type Outcome = SearchOutcome & { n: number, kind: Kind, filename: string, target: number, failed?: string }

export function missCause (o: Outcome, indexed: Set<number>): string {
  if (o.failed != null) return 'the search call failed'
  if (o.dials.some(d => d.to === 'own-virtual-server' && !d.ok)) return 'the searcher\'s own virtual server did not answer'
  if (!indexed.has(o.target)) return 'the target\'s index was not at its virtual server / the bootstrap'
  if (o.error != null) return 'the search threw'
  return 'other'
}

/**
 * Why the bootstrap was asked, per search: from the search requests each
 * search sent (the worker watches them) and the product's
 * rules (src/sharing/search.ts): a virtual server or central client without
 * the directory asks the bootstrap for it first (a member asks its virtual
 * server, which routes for it); otherwise the central index is asked only
 * when no network tier (its virtual server, the other virtual servers)
 * returned anything.
 */
export function whyCentral (ran: Outcome[], measured: number, indexed: Set<number>): Record<string, any> {
  const asked = ran.filter(o => o.dials.some(d => d.to === 'bootstrap'))
  const cause = (o: Outcome): string => {
    if (o.role !== 'member' && !o.hadDirectory) return 'no directory yet: asked the bootstrap for it (and the central index) first'
    if (o.role === 'central-client') return 'central client: no virtual server, its searches go to the central index'
    if (o.dials.some(d => d.to === 'own-virtual-server' && !d.ok)) return 'its own virtual server did not answer the member, and no other virtual server had the file'
    if (!indexed.has(o.target)) return 'the target\'s index was not yet at its virtual server when the phase began (its pushes were still failing), so no virtual server found it'
    return 'nothing found at the virtual servers (other reason)'
  }
  return {
    searchesThatAskedTheBootstrap: asked.length,
    bootstrapRequestsSent: ran.reduce((n, o) => n + o.dials.filter(d => d.to === 'bootstrap').length, 0),
    measuredRequests: measured,
    byCause: Object.fromEntries(countBy(asked, cause)),
    bySearcherRole: Object.fromEntries(countBy(asked, o => o.role)),
    byKind: Object.fromEntries(countBy(asked, o => o.kind)),
    rule: 'src/sharing/search.ts: local files, then the own virtual server (a failed ask is swallowed), then the other virtual servers from the directory (or, without a directory, the bootstrap first), then the central index only if no network tier returned anything'
  }
}

export function dialFigures (ran: Array<Pick<SearchOutcome, 'dials'>>): Record<string, any> {
  const out: Record<string, any> = {}
  for (const to of ['own-virtual-server', 'other-virtual-server', 'bootstrap', 'forwarded'] as const) {
    const ds = ran.flatMap(o => o.dials.filter(d => d.to === to))
    out[to] = { answered: ds.filter(d => d.ok).length, failed: ds.filter(d => !d.ok).length, errors: Object.fromEntries(countBy(ds.filter(d => !d.ok), d => d.error ?? '?')) }
  }
  out.what = 'search requests the product sent during the phase (on a new stream or a session\'s; benchmarks/lib/search-requests.ts), by destination; "forwarded": the routed servers a searcher\'s virtual server asked for it (the product\'s onForwarded); "failed": no answer in time'
  return out
}

export function diagnosisFigures (diag: MemberDiagnosis[]): Record<string, any> {
  const group = (xs: MemberDiagnosis[]): Record<string, any> => ({
    members: xs.length,
    withAConnectionToTheirVirtualServer: xs.filter(d => d.connectionsToVirtualServer > 0).length,
    withItsAddressesInTheirPeerStore: xs.filter(d => d.virtualServerAddrsInPeerStore > 0).length,
    withItsAddressesInTheDirectory: xs.filter(d => d.virtualServerAddrsInDirectory > 0).length
  })
  const unsynced = diag.filter(d => !d.synced)
  return {
    summary: { members: diag.length, indexAtVirtualServer: diag.length - unsynced.length, indexNotAtVirtualServer: unsynced.length },
    indexAtVirtualServer: group(diag.filter(d => d.synced)),
    indexNotAtVirtualServer: {
      ...group(unsynced),
      dialByPeerIdNow: Object.fromEntries(countBy(unsynced, d => d.dialByPeerId ?? 'not tried'))
    },
    when: 'after the search phase; a member\'s index is "at its virtual server" when node.sharing.indexSynced() is true; dialByPeerIdNow = libp2p.dial(PeerId of its virtual server), 3 s limit, for the members whose index is not there'
  }
}

/** A search that could not run: nothing found, nothing asked. */
export function emptyOutcome (idx: number): SearchOutcome {
  return { idx, role: '?', hadDirectory: false, directorySize: null, found: false, totalMs: NaN, results: 0, tiers: {}, networkResults: 0, dials: [] }
}
