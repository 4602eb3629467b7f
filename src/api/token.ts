import { randomBytes, timingSafeEqual } from 'node:crypto'
import { readFile, writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { TOKEN_FILE } from '../core/constants.js'
import { bearerToken } from './http-guard.js'

export { TOKEN_FILE }

/** The local API's token, kept in the data directory (mode 0600) so only this user's CLI can use the API. */
export async function loadOrCreateToken (dataDir: string): Promise<string> {
  const path = join(dataDir, TOKEN_FILE)
  try {
    const token = (await readFile(path, 'utf8')).trim()
    if (token.length >= 32) return token
  } catch (err: any) {
    if (err.code !== 'ENOENT') throw err
  }
  await mkdir(dataDir, { recursive: true })
  const token = randomBytes(32).toString('hex')
  await writeFile(path, token + '\n', { mode: 0o600 })
  return token
}

export function tokenMatches (expected: string, header: string | undefined): boolean {
  const given = bearerToken(header)
  if (given == null) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}
