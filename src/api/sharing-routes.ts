import { InvalidOptionError, MAX_SEARCH_HITS } from '../core/index.js'
import { parseCid } from '../sharing/model/manifest.js'
import { optionalInteger, optionalPath, requirePaths } from './fields.js'
import { SEARCH_TIERS, type GetOptions, type SearchOptions, type SearchResult, type SearchTier, type ShareOptions, type UnreachableTier } from '../sharing/index.js'
import type { Route } from './server.js'

/** What the sharing routes call on the node. */
export interface SharingApi {
  files: () => unknown
  search: (words: string[], opts: SearchOptions) => AsyncIterable<SearchResult>
  share: (paths: string[], opts: ShareOptions) => Promise<unknown>
  /** progress lines, then the result line */
  get: (cid: string, opts: Pick<GetOptions, 'outPath' | 'outDir' | 'overwrite' | 'signal'>) => AsyncIterable<unknown>
  unshare: (cid: string) => boolean
}

/** The last line of a `/v1/search` stream: how many results, and which tiers were asked. */
export interface SearchSummary {
  summary: { results: number, tiers: SearchTier[] }
}

/** A line of a `/v1/search` stream: an index that did not answer; the other tiers still do. */
export interface SearchUnreachable {
  unreachable: UnreachableTier
}

/**
 * The local API of files: list, share, unshare, search and get. Every body
 * field is checked here, so that a wrong body is a 400 naming the field.
 */
export function sharingRoutes (api: SharingApi): Record<string, Route> {
  return {
    'GET /v1/files': () => api.files(),
    // one line per result, an { unreachable } line per index that did not answer, then a SearchSummary line
    'POST /v1/search': (body: any, signal) => {
      const words = requireStrings(body?.words, 'words')
      const opts = {
        limit: optionalInteger(body?.limit, 'limit', 1, MAX_SEARCH_HITS),
        timeoutMs: optionalInteger(body?.timeoutMs, 'timeoutMs', 1, 10 * 60_000),
        exhaustive: optionalFlag(body?.exhaustive, 'exhaustive'),
        everyProvider: optionalFlag(body?.everyProvider, 'everyProvider'),
        tiers: optionalTiers(body?.tiers),
        signal
      }
      return searchLines(api, words, opts)
    },
    'POST /v1/share': async (body: any) => api.share(requirePaths(body?.paths, 'paths'), {
      title: optionalText(body?.title, 'title'),
      keywords: body?.keywords == null ? undefined : requireStrings(body.keywords, 'keywords', true),
      hidden: optionalFlag(body?.hidden, 'hidden')
    }),
    'POST /v1/get': (body: any, signal) => api.get(requireCid(body?.cid), {
      outPath: optionalPath(body?.outPath, 'outPath'),
      outDir: optionalPath(body?.outDir, 'outDir'),
      overwrite: optionalFlag(body?.overwrite, 'overwrite'),
      signal
    }),
    'POST /v1/unshare': (body: any) => ({ removed: api.unshare(requireStrings([body?.cid], 'cid')[0]) })
  }
}

async function * searchLines (api: SharingApi, words: string[], opts: SearchOptions): AsyncGenerator<SearchResult | SearchSummary | SearchUnreachable> {
  const tiers: SearchTier[] = []
  // reported while the search runs; passed on between its results
  const unreachable: UnreachableTier[] = []
  let results = 0
  for await (const r of api.search(words, { ...opts, onTier: tier => { tiers.push(tier) }, onUnreachable: u => { unreachable.push(u) } })) {
    yield * unreachable.splice(0).map(u => ({ unreachable: u }))
    results++
    yield r
  }
  yield * unreachable.splice(0).map(u => ({ unreachable: u }))
  yield { summary: { results, tiers } }
}

function requireStrings (value: unknown, what: string, emptyListOk = false): string[] {
  if (!Array.isArray(value) || (value.length === 0 && !emptyListOk) || value.some(v => typeof v !== 'string' || v === '')) {
    throw new InvalidOptionError(`${what} must be given as a list of non-empty text`)
  }
  return value
}

function optionalTiers (value: unknown): SearchTier[] | undefined {
  if (value == null) return undefined
  const tiers = requireStrings(value, 'tiers')
  const bad = tiers.find(t => !(SEARCH_TIERS as readonly string[]).includes(t))
  if (bad != null) throw new InvalidOptionError(`tiers: "${bad.slice(0, 40)}" is not a tier; the tiers are ${SEARCH_TIERS.join(', ')}`)
  return tiers as SearchTier[]
}

function requireCid (value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new InvalidOptionError('cid must be given as non-empty text')
  try {
    return parseCid(value).toString()
  } catch {
    throw new InvalidOptionError(`not a CID: ${JSON.stringify(value.slice(0, 100))}`)
  }
}

function optionalText (value: unknown, what: string): string | undefined {
  if (value == null) return undefined
  if (typeof value !== 'string') throw new InvalidOptionError(`${what} must be text`)
  return value
}

function optionalFlag (value: unknown, what: string): boolean | undefined {
  if (value == null) return undefined
  if (typeof value !== 'boolean') throw new InvalidOptionError(`${what} must be true or false`)
  return value
}
