import { watch, type FSWatcher } from 'node:fs'
import type { ShareStore } from './share-store.js'
import type { SkippedPath } from './share-policy.js'

export interface FolderWatcherInit {
  /**
   * Share hidden files and folders too (`--hidden`).
   * @default false
   */
  hidden?: boolean
  /**
   * Quiet time after a change before the folders are rescanned.
   * @default 500
   */
  debounceMs?: number
  /**
   * Period of the full rescan that catches what fs.watch missed.
   * @default 30_000
   */
  rescanMs?: number
}

/**
 * Keeps shared files current: folders given with `--share` stay shared (new
 * files are picked up), and every shared file that changed or went away is
 * re-indexed, including while the node was down. fs.watch gives quick
 * notice; a slow periodic rescan covers what it misses.
 */
export class FolderWatcher {
  private readonly watchers: FSWatcher[] = []
  private timer?: ReturnType<typeof setTimeout>
  private interval?: ReturnType<typeof setInterval>
  private running: Promise<void> = Promise.resolve()
  /** what the share at start left out of the folders, and why */
  skippedAtStart: SkippedPath[] = []

  constructor (
    private readonly store: ShareStore,
    private readonly folders: string[],
    private readonly onError: (err: Error) => void,
    private readonly init: FolderWatcherInit = {}
  ) {}

  async start (): Promise<void> {
    // files deleted or changed while the node was down
    await this.store.rescan()
    this.interval = setInterval(() => { this.schedule() }, this.init.rescanMs ?? 30_000)
    if (this.folders.length === 0) return
    this.skippedAtStart = (await this.store.shareReport(this.folders, { hidden: this.init.hidden })).skipped
    for (const folder of this.folders) {
      try {
        const w = watch(folder, { recursive: true }, () => { this.schedule() })
        w.on('error', err => { this.onError(err) })
        this.watchers.push(w)
      } catch (err: any) {
        this.onError(err)
      }
    }
  }

  async stop (): Promise<void> {
    for (const w of this.watchers) w.close()
    clearTimeout(this.timer)
    clearInterval(this.interval)
    await this.running
  }

  private schedule (): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      // one pass at a time: changes during a pass schedule the next one
      this.running = this.running.then(async () => {
        // a data directory created since (a node started in a shared folder): its files leave the index, not only the transfers
        await this.store.purgeForbidden()
        await this.store.rescan()
        if (this.folders.length > 0) await this.store.share(this.folders, { hidden: this.init.hidden })
      }).catch(err => { this.onError(err) })
    }, this.init.debounceMs ?? 500)
  }
}
