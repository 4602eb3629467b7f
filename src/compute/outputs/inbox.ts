/**
 * The owner's inbox: the outputs providers delivered for the owner's jobs,
 * one file per (job, unit, hash):
 *
 *   <dataDir>/jobs/<jobId>/outputs/<unitIndex>-<hashhex>.bin   (an encoded UnitOutput)
 *
 * Replicas that agree share one file. A unit keeps at most a few different
 * outputs (8 by default), so a provider that makes up outputs cannot fill
 * the owner's disk; the valid one can always be fetched again from a
 * provider that holds it (`fetchFrom`).
 */
import { readFile, readdir, rm } from 'node:fs/promises'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { UnitOutput } from '../../pb/unit-output.js'
import { hashHex } from '../model/output-hash.js'
import { hashMatches, jobDirName, outputProblem, type OutputSpec } from './check.js'
import { fetchOutput, type OutputPeer } from './client.js'
import { DEFAULT_MAX_VARIANTS_PER_UNIT } from './constants.js'
import { BadOutputError } from './errors.js'
import { writeAtomic } from './outbox.js'
import type { PeerId } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

export interface OwnerInboxInit {
  /** needed by `fetchFrom` */
  libp2p?: Libp2p<any>
  /** the result spec of one of this node's jobs; `put` and `fetchFrom` check outputs against it */
  resultSpec?: (jobId: string) => OutputSpec | undefined
  /** different outputs kept per unit; @default 8 */
  maxVariantsPerUnit?: number
}

/** What `put` did: stored a new output, found it already there, or refused it (the unit has too many different outputs). */
export type PutOutcome = 'stored' | 'duplicate' | 'full'

export class OwnerInbox {
  /** per job: unit index -> hashes held (loaded from disk on first use) */
  private readonly known = new Map<string, Promise<Map<number, Set<string>>>>()
  private readonly maxVariants: number

  constructor (readonly dataDir: string, private readonly init: OwnerInboxInit = {}) {
    this.maxVariants = init.maxVariantsPerUnit ?? DEFAULT_MAX_VARIANTS_PER_UNIT
  }

  /** The folder of a job's outputs. */
  outputsDir (jobId: string): string {
    return join(this.dataDir, 'jobs', jobDirName(jobId), 'outputs')
  }

  /** The file of one output. */
  outputPath (jobId: string, unitIndex: number, hash: Uint8Array | string): string {
    return join(this.outputsDir(jobId), `${unitIndex}-${typeof hash === 'string' ? hash : hashHex(hash)}.bin`)
  }

  /**
   * Stores an output. The caller has checked it (the unit-output handler
   * does); with a `resultSpec` it is checked again here, and a bad one
   * throws BadOutputError.
   */
  async put (output: UnitOutput): Promise<PutOutcome> {
    const spec = this.init.resultSpec?.(output.jobId)
    if (spec != null) check(output, spec)
    const units = await this.units(output.jobId)
    const hash = hashHex(output.outputHash)
    let hashes = units.get(output.unitIndex)
    if (hashes?.has(hash) === true) return 'duplicate'
    if (hashes != null && hashes.size >= this.maxVariants) return 'full'
    if (hashes == null) {
      hashes = new Set()
      units.set(output.unitIndex, hashes)
    }
    // claimed before the write, so concurrent puts of one unit cannot pass the bound together
    hashes.add(hash)
    try {
      await mkdir(this.outputsDir(output.jobId), { recursive: true })
      await writeAtomic(this.outputPath(output.jobId, output.unitIndex, hash), UnitOutput.encode(output))
    } catch (err) {
      hashes.delete(hash)
      throw err
    }
    return 'stored'
  }

  /** The stored output of (job, unit, hash), or undefined. */
  async get (jobId: string, unitIndex: number, hash: Uint8Array | string): Promise<UnitOutput | undefined> {
    if (!await this.has(jobId, unitIndex, hash)) return undefined
    try {
      return UnitOutput.decode(await readFile(this.outputPath(jobId, unitIndex, hash)))
    } catch (err: any) {
      if (err.code === 'ENOENT') return undefined
      throw err
    }
  }

  /** `get`, under the name the job client's OutputSource uses. */
  async lookup (jobId: string, unitIndex: number, hash: Uint8Array | string): Promise<UnitOutput | undefined> {
    return await this.get(jobId, unitIndex, hash)
  }

  async has (jobId: string, unitIndex: number, hash: Uint8Array | string): Promise<boolean> {
    const hex = typeof hash === 'string' ? hash : hashHex(hash)
    return (await this.units(jobId)).get(unitIndex)?.has(hex) === true
  }

  /** The hashes (hex) held for one unit. */
  async hashes (jobId: string, unitIndex: number): Promise<string[]> {
    return [...((await this.units(jobId)).get(unitIndex) ?? [])]
  }

  /** Every unit of a job with the hashes (hex) held for it. */
  async list (jobId: string): Promise<Map<number, string[]>> {
    const out = new Map<number, string[]>()
    for (const [unit, hashes] of await this.units(jobId)) if (hashes.size > 0) out.set(unit, [...hashes])
    return out
  }

  /** Keeps only the output `hash` of a unit (once the unit is valid, the others are of no use). */
  async keepOnly (jobId: string, unitIndex: number, hash: Uint8Array | string): Promise<void> {
    const hex = typeof hash === 'string' ? hash : hashHex(hash)
    const hashes = (await this.units(jobId)).get(unitIndex)
    for (const h of [...(hashes ?? [])]) {
      if (h === hex) continue
      hashes?.delete(h)
      await rm(this.outputPath(jobId, unitIndex, h), { force: true })
    }
  }

  /** Deletes every output of a job. */
  async removeJob (jobId: string): Promise<void> {
    this.known.delete(jobId)
    await rm(this.outputsDir(jobId), { recursive: true, force: true })
  }

  /**
   * FETCHes an output from a provider that kept it, checks it (the one
   * asked for, well formed, hashing to `hash` under the job's result spec)
   * and stores it. Resolves with the output.
   */
  async fetchFrom (peer: string | PeerId | OutputPeer, jobId: string, unitIndex: number, hash: Uint8Array | string,
    options: AbortSignal | { signal?: AbortSignal, spec?: OutputSpec } = {}): Promise<UnitOutput> {
    const opts = options instanceof AbortSignal ? { signal: options } : options
    const libp2p = this.init.libp2p
    if (libp2p == null) throw new TypeError('OwnerInbox.fetchFrom needs the libp2p node (init.libp2p)')
    const spec = opts.spec ?? this.init.resultSpec?.(jobId)
    if (spec == null) throw new TypeError(`no result spec for job ${jobId}: cannot verify its outputs`)
    const target: OutputPeer = typeof peer === 'string' || !('peerId' in peer) ? { peerId: peer } : peer
    const outputHash = typeof hash === 'string' ? Uint8Array.from(Buffer.from(hash, 'hex')) : hash
    const output = await fetchOutput(libp2p, target, { jobId, unitIndex, outputHash }, { signal: opts.signal, spec })
    const outcome = await this.put(output)
    if (outcome === 'full') {
      // the one asked for is the one that counts: make room for it
      await this.keepOnly(jobId, unitIndex, outputHash)
      await this.put(output)
    }
    return output
  }

  private async units (jobId: string): Promise<Map<number, Set<string>>> {
    let units = this.known.get(jobId)
    if (units == null) {
      units = this.scan(jobId)
      this.known.set(jobId, units)
      units.catch(() => { this.known.delete(jobId) })
    }
    return await units
  }

  private async scan (jobId: string): Promise<Map<number, Set<string>>> {
    const units = new Map<number, Set<string>>()
    let names: string[]
    try {
      names = await readdir(this.outputsDir(jobId))
    } catch (err: any) {
      if (err.code === 'ENOENT') return units
      throw err
    }
    for (const name of names) {
      const m = /^(\d+)-([0-9a-f]{64})\.bin$/.exec(name)
      if (m == null) continue
      const unit = Number(m[1])
      let hashes = units.get(unit)
      if (hashes == null) {
        hashes = new Set()
        units.set(unit, hashes)
      }
      hashes.add(m[2])
    }
    return units
  }
}

function check (output: UnitOutput, spec: OutputSpec): void {
  const problem = outputProblem(output, spec)
  if (problem != null) throw new BadOutputError(problem.message)
  if (!hashMatches(output, spec)) throw new BadOutputError('the output does not hash to its output_hash')
}
