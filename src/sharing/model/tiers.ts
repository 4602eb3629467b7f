/** The tiers a search asks, nearest first (protocols/search.md). */
export type SearchTier = 'local' | 'subnet' | 'remote' | 'dht'
export const SEARCH_TIERS: readonly SearchTier[] = ['local', 'subnet', 'remote', 'dht']
