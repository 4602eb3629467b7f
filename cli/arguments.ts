import { parseCid } from '../src/sharing/model/manifest.js'
import { UsageError } from './errors.js'

/** A CID given on the command line, refused in plain words (not the multiformats error) with exit 2. */
export function checkCid (text: string): void {
  try {
    parseCid(text)
  } catch {
    throw new UsageError(`not a CID: ${JSON.stringify(text)} (a CID looks like bafkrei…; search and share print them)`)
  }
}

/** A word as a POSIX shell reads it back, for commands printed for the user to run. */
export function shellQuote (word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`
}
