import type { SkippedPath } from '../src/sharing/index.js'

/**
 * The one line that tells what a share left out and why, e.g.
 * "skipped 3 paths: 2 in a peerhive data directory (never shared), 1 hidden (use --hidden to include hidden files)";
 * undefined when nothing was skipped.
 */
export function skippedSummary (skipped: Array<Pick<SkippedPath, 'reason'>>): string | undefined {
  if (skipped.length === 0) return undefined
  const dataDir = skipped.filter(s => s.reason === 'data-directory').length
  const secret = skipped.filter(s => s.reason === 'secret').length
  const hidden = skipped.filter(s => s.reason === 'hidden').length
  const parts: string[] = []
  if (dataDir > 0) parts.push(`${dataDir} in a peerhive data directory (never shared)`)
  if (secret > 0) parts.push(`${secret} secret (a node's private key or API token under another name, never shared)`)
  if (hidden > 0) parts.push(`${hidden} hidden (use --hidden to include hidden files)`)
  return `skipped ${skipped.length} ${skipped.length === 1 ? 'path' : 'paths'}: ${parts.join(', ')}`
}
