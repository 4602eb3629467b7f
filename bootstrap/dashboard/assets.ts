import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Where `npm run build` puts the page (scripts/build-dashboard.js): dist/dashboard, beside dist/bootstrap. */
export const DEFAULT_ASSETS_DIR = fileURLToPath(new URL('../../dashboard/', import.meta.url))

/** The page's files: the HTML, its one script and its one style sheet. */
export const ASSET_FILES: Record<string, string> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/app.css': 'app.css'
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8'
}

export interface Asset { body: Buffer, type: string, etag: string }

/** Reads the built page into memory (a few tens of KB). Resolves with undefined when it was not built. */
export async function loadAssets (dir: string): Promise<Map<string, Asset> | undefined> {
  const assets = new Map<string, Asset>()
  for (const [path, file] of Object.entries(ASSET_FILES)) {
    let body: Buffer
    try {
      body = await readFile(join(dir, file))
    } catch (err: any) {
      if (err.code === 'ENOENT') return undefined
      throw err
    }
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`
    assets.set(path, { body, type: TYPES[file.slice(file.lastIndexOf('.') + 1)], etag })
  }
  assets.set('/index.html', assets.get('/')!)
  return assets
}
