/**
 * The files the demo's peers share: short texts shipped in
 * examples/demo-files/ (each shared by one peer, with a title and keywords),
 * and one generated binary data set that three peers of two other subnets
 * share, so a download can draw from several sources at once.
 */
import { randomBytes } from 'node:crypto'
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface SampleFile {
  /** file name, as shared */
  file: string
  title: string
  keywords: string[]
  /** the labels (loopback addresses) of the peers that share it */
  sharers: string[]
}

/** A sample file written to disk, ready to share. */
export interface PreparedFile extends SampleFile {
  path: string
  bytes: number
}

/**
 * The word the demo searches for. It is in the names of files shared by the
 * searching peer itself, by its own subnet and by both other subnets.
 */
export const SEARCH_WORD = 'river'

/** The shipped texts and who shares them (see network.ts for the peers). */
export const SAMPLE_TEXTS: SampleFile[] = [
  { file: 'river-crossing.txt', title: 'The River Crossing', keywords: ['river', 'ferry', 'story'], sharers: ['127.0.201.2'] },
  { file: 'mill-by-the-river.txt', title: 'The Mill by the River', keywords: ['river', 'mill', 'story'], sharers: ['127.0.201.3'] },
  { file: 'orchard-letters.txt', title: 'Letters from the Orchard', keywords: ['orchard', 'letters'], sharers: ['127.0.201.4'] },
  { file: 'river-ballad.txt', title: 'A Ballad of the Slow River', keywords: ['river', 'song', 'poem'], sharers: ['127.0.202.2'] },
  { file: 'lighthouse-keeper.txt', title: 'The Lighthouse Keeper\'s Log', keywords: ['sea', 'lighthouse', 'log'], sharers: ['127.0.202.3'] },
  { file: 'river-delta-notes.txt', title: 'Field Notes from the River Delta', keywords: ['river', 'delta', 'birds'], sharers: ['127.0.202.4'] },
  { file: 'winter-almanac.txt', title: 'A Winter Almanac', keywords: ['almanac', 'winter'], sharers: ['127.0.203.2'] },
  { file: 'river-source.txt', title: 'At the Source of the River', keywords: ['river', 'mountain', 'travel'], sharers: ['127.0.203.3'] },
  { file: 'star-charts.txt', title: 'Notes on Star Charts', keywords: ['stars', 'sky', 'maps'], sharers: ['127.0.203.4'] }
]

/** The word that finds the data set, which only other subnets share. */
export const DATASET_WORD = 'soundings'

/** The data set: random bytes (32 pieces of 1 MiB), the same file at three peers of two subnets. */
export const DATASET: SampleFile & { bytes: number } = {
  file: 'lake-survey-soundings.bin',
  title: 'Lake survey soundings',
  keywords: ['survey', 'soundings', 'dataset'],
  sharers: ['127.0.202.3', '127.0.203.2', '127.0.203.3'],
  bytes: 32 * 1024 * 1024
}

/**
 * Where the texts ship: examples/demo-files at the package root. This file
 * compiles to <root>/dist/cli/demo/sample-files.js.
 */
export const SHIPPED_DIR = fileURLToPath(new URL('../../../examples/demo-files/', import.meta.url))

/**
 * Writes every sample file under `dir`, one folder per sharing peer as on
 * real machines (the data set once; its sharers share the same copy). A text
 * missing from the package is replaced by a generated one.
 */
export async function prepareSampleFiles (dir: string): Promise<PreparedFile[]> {
  const prepared: PreparedFile[] = []
  for (const sample of SAMPLE_TEXTS) {
    const folder = join(dir, sample.sharers[0])
    await mkdir(folder, { recursive: true })
    const path = join(folder, sample.file)
    const shipped = join(SHIPPED_DIR, sample.file)
    try {
      await copyFile(shipped, path)
    } catch {
      await writeFile(path, `${sample.title}\n\nA sample text of the peerhive demo about ${sample.keywords.join(', ')}.\n`)
    }
    prepared.push({ ...sample, path, bytes: (await readFile(path)).byteLength })
  }
  const folder = join(dir, 'dataset')
  await mkdir(folder, { recursive: true })
  const path = join(folder, DATASET.file)
  await writeFile(path, randomBytes(DATASET.bytes))
  prepared.push({ ...DATASET, path })
  return prepared
}
