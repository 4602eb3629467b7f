import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const NODE_FILE = 'node.json'

/** What a running node writes to `<data>/node.json` so scripts and the CLI can find it. */
export interface NodeFile {
  peerId: string
  kind: 'bootstrap' | 'daemon'
  pid: number
  multiaddrs: string[]
  api: string
  metrics?: string
  /** the bootstrap's dashboard page, when it serves one */
  dashboard?: string
  startedAt: number
}

export async function writeNodeFile (dataDir: string, info: NodeFile): Promise<void> {
  const path = join(dataDir, NODE_FILE)
  await writeFile(path + '.tmp', JSON.stringify(info, null, 2) + '\n')
  await rename(path + '.tmp', path)
}

export async function readNodeFile (dataDir: string): Promise<NodeFile | undefined> {
  try {
    return JSON.parse(await readFile(join(dataDir, NODE_FILE), 'utf8'))
  } catch (err: any) {
    if (err.code === 'ENOENT' || err.name === 'SyntaxError') return undefined
    throw err
  }
}

export async function removeNodeFile (dataDir: string): Promise<void> {
  await rm(join(dataDir, NODE_FILE), { force: true })
}
