import { DatabaseSync } from 'node:sqlite'
import { Manifest, ShareStore, buildManifest } from '../../src/sharing/index.js'

/**
 * Saves a shares.db row the way a version without the share policy did: any
 * path at all (a key in a data directory, say). Answers the file's CID.
 */
export async function saveAsOlderVersion (dbPath: string, path: string, meta: { title?: string, keywords?: string[] } = {}): Promise<string> {
  const { manifest, cid, mtimeMs } = await buildManifest(path)
  // the store creates the table; the old version wrote its rows like this
  await new ShareStore(dbPath).close()
  const db = new DatabaseSync(dbPath)
  db.prepare('INSERT OR REPLACE INTO shared_files (cid, path, filename, directory, size, title, keywords, mtime_ms, manifest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
    .run(cid.toString(), path, path.split('/').pop()!, '', manifest.size, meta.title ?? '', JSON.stringify(meta.keywords ?? []), mtimeMs, Manifest.encode(manifest))
  db.close()
  return cid.toString()
}
