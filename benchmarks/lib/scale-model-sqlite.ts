/**
 * The bootstrap's SQLite tables (bootstrap/tables) at a given size: the
 * whole table saved once, the writes one join makes, and a restart
 * (load + Election.restore). A temporary file in WAL mode, like the real one.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CentralTables } from '../../bootstrap/tables/index.js'
import { Election } from '../../bootstrap/election/index.js'
import { seededRandom } from './scale-model-peers.js'
import { round, summarize, type Summary } from './stats.js'
import type { SimulatedBootstrap } from './scale-model-bootstrap.js'

export interface SqliteCost {
  /** every subnet saved once (as after a burst of changes everywhere), per peer row */
  saveAllUsPerPeer: number
  /** one join's writes: userFor, nextSeq, saveSubnet and dropIndexExcept of the joiner's subnet */
  joinWriteUs: Summary | null
  joinWriteSample: number
  /** load() plus Election.restore() of the whole table, as at a bootstrap restart */
  restartMs: number
  fileBytes: number
}

export function sqliteCost (sim: SimulatedBootstrap, vsLimit: number, joinSample: number, seed = 7): SqliteCost {
  const dir = mkdtempSync(join(tmpdir(), 'peerhive-scale-model-'))
  const tables = new CentralTables(join(dir, 'central.db'))
  try {
    const subnets = sim.subnets()
    let rows = 0
    const t0 = performance.now()
    for (const s of subnets) {
      const records = sim.recordsOf(s)
      rows += records.size
      tables.saveSubnet(s.subnet, s, records)
    }
    const saveAllUsPerPeer = round((performance.now() - t0) * 1000 / Math.max(1, rows))

    const random = seededRandom(seed)
    const ids = sim.election.peerIds()
    const samples: number[] = []
    const n = Math.min(joinSample, ids.length)
    for (let i = 0; i < n; i++) {
      const id = ids[Math.floor(random() * ids.length)]
      const subnet = sim.election.candidate(id)?.subnet ?? ''
      const t = performance.now()
      tables.userFor(id)
      tables.nextSeq()
      const state = sim.election.subnet(subnet)
      tables.saveSubnet(subnet, state, sim.recordsOf(state))
      tables.dropIndexExcept(subnet, new Set(state?.centralClients ?? []))
      samples.push((performance.now() - t) * 1000)
    }

    const t1 = performance.now()
    const saved = tables.load()
    new Election({ limit: vsLimit }).restore(saved.subnets, saved.peers)
    const restartMs = round(performance.now() - t1)
    const fileBytes = readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0)
    return { saveAllUsPerPeer, joinWriteUs: summarize(samples), joinWriteSample: n, restartMs, fileBytes }
  } finally {
    tables.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
