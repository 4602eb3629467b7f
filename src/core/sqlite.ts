import { createRequire } from 'node:module'
import type { DatabaseSync } from 'node:sqlite'

const require = createRequire(import.meta.url)

/**
 * Opens (or creates) the SQLite database at `path` with the built-in
 * `node:sqlite`. It is required here on first use rather than imported: a
 * static import makes the whole module graph fail to load on Node < 22
 * (ERR_UNKNOWN_BUILTIN_MODULE) before src/supported-node.ts can say why.
 */
export function openDatabase (path: string): DatabaseSync {
  const sqlite = require('node:sqlite') as typeof import('node:sqlite')
  return new sqlite.DatabaseSync(path)
}
