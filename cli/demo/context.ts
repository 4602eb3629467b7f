import { sleep } from '../../src/core/index.js'
import type { DemoNetwork } from './network.js'
import type { Narrator } from './narrator.js'
import type { PreparedFile } from './sample-files.js'

/** What every step of the demo's script gets. */
export interface DemoContext {
  net: DemoNetwork
  say: Narrator
  /** aborted by Ctrl-C (or SIGTERM) during the script */
  signal: AbortSignal
  /** the demo's data folder: the nodes' data, the sample files, downloads, job results */
  dir: string
  /** absolute path of the PNG the job's image is written to */
  pngPath: string
  /** the sample files, once written (step 1); the peers share them as they start */
  files: PreparedFile[]
}

/** The peer from which the demo searches, downloads and submits its job. */
export const USER_PEER = '127.0.201.2'

/** Polls `check` every `everyMs` until it returns true; false after `timeoutMs`. */
export async function pollUntil (check: () => boolean | Promise<boolean>, timeoutMs: number, signal?: AbortSignal, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    signal?.throwIfAborted()
    if (await check()) return true
    if (Date.now() >= deadline) return false
    await sleep(everyMs, signal)
  }
}
