/**
 * One work unit, from its WorkUnit to its result: check it, get its app and
 * inputs (from the cache, or fetched by CID), run it in the sandbox, and
 * build its output and the output's hash.
 */
import { readFile } from 'node:fs/promises'
import { peerIdFromString } from '@libp2p/peer-id'
import { ReplicaResult, type WorkUnit } from '../../pb/work.js'
import { parseCid } from '../../sharing/index.js'
import { runUnit, MAX_FILE_NAME_BYTES, MAX_OUTPUT_BYTES } from '../sandbox/index.js'
import { outputBytes, outputHash } from '../model/output-hash.js'
import { MAX_UNIT_OUTPUT_BYTES } from '../outputs/index.js'
import { MIN_RUN_MS } from './constants.js'
import { MAX_RESULT_ERROR_CHARS } from '../../protocols/index.js'
import type { CachedFile, CidCache } from './cache.js'
import type { UnitOutput } from '../../pb/unit-output.js'

/** Test hooks for Byzantine providers. Never set them on a real provider. */
export interface ProviderFaults {
  /** flip one byte of every output before it is hashed and pushed, so this provider's hashes never agree with honest ones */
  wrongOutput?: boolean
}

export interface ExecuteContext {
  cache: CidCache
  /** the provider's memory cap per unit, bytes */
  maxMemoryBytes: number
  /** app CIDs accepted; empty: any */
  apps: Set<string>
  faults: ProviderFaults
  /** told when the unit moves from fetching its files to running */
  onPhase?: (phase: 'running') => void
}

export interface Execution {
  result: ReplicaResult
  /** the output, when the unit succeeded */
  output?: UnitOutput
}

/** Default output bound when a unit does not carry one (compute.md's default). */
const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024

/**
 * Runs `unit` received at `receivedAt` (performance.now()). Resolves with its
 * result whatever the unit did; rejects only with the abort reason when
 * `signal` aborts (the unit was cancelled, or the provider is stopping).
 */
export async function executeUnit (ctx: ExecuteContext, unit: WorkUnit, receivedAt: number, signal: AbortSignal): Promise<Execution> {
  const fail = (outcome: ReplicaResult.Outcome, error: string, wallMs = 0): Execution => ({ result: result(unit, outcome, error, wallMs) })
  const refused = checkUnit(ctx, unit)
  if (refused != null) return fail(refused.outcome, refused.error)

  const elapsed = (): number => performance.now() - receivedAt
  const deadline = AbortSignal.timeout(Math.max(1, Math.floor(unit.deadlineMs - elapsed())))
  const fetchSignal = AbortSignal.any([signal, deadline])
  const held: CachedFile[] = []
  try {
    let wasm: Uint8Array
    const inputs: Record<string, Uint8Array> = {}
    try {
      const app = await ctx.cache.acquire(unit.appCid, fetchSignal)
      held.push(app)
      const settled = await Promise.allSettled(unit.inputs.map(async input => ctx.cache.acquire(input.cid, fetchSignal)))
      const files: CachedFile[] = []
      for (const s of settled) if (s.status === 'fulfilled') held.push(s.value)
      for (const s of settled) {
        if (s.status === 'rejected') throw s.reason
        files.push(s.value)
      }
      wasm = await readFile(app.path)
      for (let i = 0; i < files.length; i++) inputs[unit.inputs[i].name] = await readFile(files[i].path)
    } catch (err: any) {
      if (signal.aborted) throw signal.reason
      if (deadline.aborted) return fail(ReplicaResult.Outcome.TIMEOUT, `the app and inputs were not fetched within the deadline of ${unit.deadlineMs} ms`)
      return fail(ReplicaResult.Outcome.FAILED, `could not get the app or an input: ${err.message}`)
    }

    const timeoutMs = Math.floor(unit.deadlineMs - elapsed())
    if (timeoutMs < MIN_RUN_MS) return fail(ReplicaResult.Outcome.TIMEOUT, `fetching the app and inputs left ${Math.max(0, timeoutMs)} ms of the ${unit.deadlineMs} ms deadline`)
    const maxOutputBytes = outputBound(unit)
    ctx.onPhase?.('running')
    const started = performance.now()
    let run
    try {
      run = await runUnit({
        wasm,
        args: ['app', ...unit.args],
        inputs,
        timeoutMs,
        maxMemoryBytes: unit.maxMemoryBytes > 0 ? unit.maxMemoryBytes : ctx.maxMemoryBytes,
        maxOutputBytes,
        signal
      })
    } catch (err: any) {
      if (signal.aborted) throw signal.reason
      return fail(outcomeOf(err), err.message ?? String(err), performance.now() - started)
    }
    const wallMs = performance.now() - started
    if (run.exitCode !== 0) {
      const stderr = new TextDecoder().decode(run.stderr.subarray(Math.max(0, run.stderr.byteLength - 120))).trim()
      return fail(ReplicaResult.Outcome.FAILED, `the unit exited with code ${run.exitCode}${stderr === '' ? '' : `: ${stderr}`}`, wallMs)
    }

    const spec = { stdout: unit.stdout, files: unit.outputFiles }
    let stdout = unit.stdout ? run.stdout : new Uint8Array(0)
    let files = unit.outputFiles.filter(name => run.files[name] != null).map(name => ({ name, data: run.files[name] }))
    if (ctx.faults.wrongOutput === true) ({ stdout, files } = corrupt(stdout, files, spec))
    const hash = outputHash(stdout, files, spec)
    const output: UnitOutput = {
      jobId: unit.jobId,
      unitIndex: unit.unitIndex,
      replicaId: unit.replicaId,
      outputHash: hash as Uint8Array<ArrayBuffer>,
      stdout: stdout as Uint8Array<ArrayBuffer>,
      files: files as Array<{ name: string, data: Uint8Array<ArrayBuffer> }>
    }
    return {
      result: { ...result(unit, ReplicaResult.Outcome.OK, '', wallMs), outputHash: output.outputHash, outputBytes: outputBytes(stdout, files, spec) },
      output
    }
  } finally {
    for (const f of held) f.release()
  }
}

/** What a unit's sandbox error means for its result. */
export function outcomeOf (err: { name?: string }): ReplicaResult.Outcome {
  switch (err.name) {
    case 'SandboxTimeoutError': return ReplicaResult.Outcome.TIMEOUT
    case 'SandboxMemoryError': return ReplicaResult.Outcome.MEMORY
    case 'SandboxOutputError': return ReplicaResult.Outcome.OUTPUT
    default: return ReplicaResult.Outcome.FAILED
  }
}

/** A result without output. */
export function result (unit: WorkUnit, outcome: ReplicaResult.Outcome, error: string, wallMs: number): ReplicaResult {
  return {
    replicaId: unit.replicaId,
    outcome,
    outputHash: new Uint8Array(0),
    outputBytes: 0,
    wallMs: Math.max(0, Math.min(0xffffffff, Math.round(wallMs))),
    error: error.length > MAX_RESULT_ERROR_CHARS ? error.slice(0, MAX_RESULT_ERROR_CHARS - 1) + '…' : error
  }
}

function outputBound (unit: WorkUnit): number {
  const asked = unit.maxOutputBytes > 0 ? unit.maxOutputBytes : DEFAULT_MAX_OUTPUT_BYTES
  return Math.min(asked, MAX_UNIT_OUTPUT_BYTES, MAX_OUTPUT_BYTES)
}

/** Why this provider will not run `unit`: ABANDONED when it is not for this provider, FAILED when it cannot run anywhere. */
function checkUnit (ctx: ExecuteContext, unit: WorkUnit): { outcome: ReplicaResult.Outcome, error: string } | undefined {
  const failed = (error: string): { outcome: ReplicaResult.Outcome, error: string } => ({ outcome: ReplicaResult.Outcome.FAILED, error })
  const abandoned = (error: string): { outcome: ReplicaResult.Outcome, error: string } => ({ outcome: ReplicaResult.Outcome.ABANDONED, error })
  if (unit.deadlineMs <= 0) return failed('the unit has no deadline')
  if (!isCid(unit.appCid)) return failed('the app is not a CID')
  const names = new Set<string>()
  for (const input of unit.inputs) {
    if (!isPlainName(input.name)) return failed(`input name ${JSON.stringify(input.name.slice(0, 40))} is not a plain file name`)
    if (names.has(input.name)) return failed(`input name ${JSON.stringify(input.name.slice(0, 40))} appears twice`)
    names.add(input.name)
    if (!isCid(input.cid)) return failed(`input ${JSON.stringify(input.name.slice(0, 40))} is not a CID`)
  }
  try {
    peerIdFromString(unit.owner)
  } catch {
    return failed('the owner is not a PeerId')
  }
  if (ctx.apps.size > 0 && !ctx.apps.has(unit.appCid)) return abandoned('this provider does not run this app')
  if (unit.maxMemoryBytes > ctx.maxMemoryBytes) {
    return abandoned(`the unit needs ${Math.ceil(unit.maxMemoryBytes / 1048576)} MiB of memory; this provider caps units at ${Math.floor(ctx.maxMemoryBytes / 1048576)} MiB`)
  }
  return undefined
}

function isCid (text: string): boolean {
  try {
    parseCid(text)
    return true
  } catch {
    return false
  }
}

function isPlainName (name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0') &&
    Buffer.byteLength(name) <= MAX_FILE_NAME_BYTES
}

/**
 * The wrong-output fault: one byte of the output flips. An empty output
 * gains a byte instead (in stdout, or as the first result file), so the
 * hash differs whenever the job returns anything at all.
 */
function corrupt (stdout: Uint8Array, files: Array<{ name: string, data: Uint8Array }>, spec: { stdout: boolean, files: string[] }): { stdout: Uint8Array, files: Array<{ name: string, data: Uint8Array }> } {
  const flip = (data: Uint8Array): Uint8Array => {
    const copy = Uint8Array.from(data)
    copy[0] ^= 0x01
    return copy
  }
  if (stdout.byteLength > 0) return { stdout: flip(stdout), files }
  const i = files.findIndex(f => f.data.byteLength > 0)
  if (i >= 0) return { stdout, files: files.map((f, j) => j === i ? { name: f.name, data: flip(f.data) } : f) }
  if (spec.stdout) return { stdout: Uint8Array.of(0x01), files }
  if (spec.files.length > 0) {
    const name = spec.files[0]
    return { stdout, files: [{ name, data: Uint8Array.of(0x01) }, ...files.filter(f => f.name !== name)] }
  }
  return { stdout, files }
}
