/** Between the protobuf messages of work.proto and the work manager's types; the checks of what a provider sends. */
import { isCid } from '../../src/compute/index.js'
import { ReplicaResult, type WorkRequest, type WorkUnit } from '../../src/protocols/index.js'
import { MAX_PROVIDER_APPS } from '../../src/protocols/index.js'
import { ComputeRefusal } from './errors.js'
import type { ProviderHello } from './model.js'
import type { Assignment, ReportItem, ReportOutcome } from './scheduler.js'

const NETWORKS = new Set(['loopback', 'lan', 'wan'])
/** Largest memory cap a provider may announce, MiB (a unit asks for at most 4096). */
const MAX_MEMORY_MB = 1024 * 1024
const MAX_CPUS = 4096

/** The provider's HELLO, checked and clamped. Refuses (MALFORMED_MESSAGE) an app that is not a CID. */
export function helloFromWire (req: WorkRequest): ProviderHello {
  const h = req.host
  const host = {
    cpuModel: text(h?.cpuModel, 128),
    cores: clamp(h?.cores, 0, MAX_CPUS),
    cpuMhz: clamp(h?.cpuMhz, 0, 100_000),
    os: text(h?.os, 128),
    memoryMb: clamp(h?.memoryMb, 0, 1024 * 1024 * 1024),
    freeDiskMb: clamp(h?.freeDiskMb, 0, Number.MAX_SAFE_INTEGER),
    network: NETWORKS.has(h?.network ?? '') ? h!.network : '',
    bandwidthBps: clamp(h?.bandwidthBps, 0, Number.MAX_SAFE_INTEGER)
  }
  if (req.apps.length > MAX_PROVIDER_APPS) throw new ComputeRefusal('MALFORMED_MESSAGE', `at most ${MAX_PROVIDER_APPS} apps`)
  const bad = req.apps.findIndex(a => !isCid(a))
  if (bad >= 0) throw new ComputeRefusal('MALFORMED_MESSAGE', `apps[${bad}] is not a CID: ${JSON.stringify(req.apps[bad].slice(0, 80))}`)
  // unset limits fall back to the host's: its cores, its memory (capped at what a unit may ask)
  const cpus = req.cpus > 0 ? Math.min(req.cpus, MAX_CPUS) : Math.max(1, host.cores)
  const maxMemoryMb = req.maxMemoryMb > 0 ? Math.min(req.maxMemoryMb, MAX_MEMORY_MB) : Math.min(host.memoryMb, 4096)
  return { host, cpus, maxMemoryMb, apps: [...new Set(req.apps)] }
}

const OUTCOMES: Record<ReplicaResult.Outcome, ReportOutcome> = {
  [ReplicaResult.Outcome.OK]: 'ok',
  [ReplicaResult.Outcome.FAILED]: 'failed',
  [ReplicaResult.Outcome.TIMEOUT]: 'timeout',
  [ReplicaResult.Outcome.MEMORY]: 'memory',
  [ReplicaResult.Outcome.OUTPUT]: 'output',
  [ReplicaResult.Outcome.ABANDONED]: 'abandoned'
}

export function reportFromWire (results: ReplicaResult[]): ReportItem[] {
  return results.map(r => ({
    replicaId: r.replicaId,
    outcome: OUTCOMES[r.outcome] ?? 'failed',
    ...(r.outputHash.byteLength > 0 ? { hash: r.outputHash } : {}),
    outputBytes: clamp(r.outputBytes, 0, Number.MAX_SAFE_INTEGER),
    wallMs: clamp(r.wallMs, 0, 2 ** 32 - 1),
    error: text(r.error, 1000)
  }))
}

export function unitToWire (a: Assignment): WorkUnit {
  return {
    replicaId: a.replicaId,
    jobId: a.jobId,
    unitIndex: a.unitIndex,
    appCid: a.app,
    args: a.args,
    inputs: a.inputs.map(i => ({ name: i.name, cid: i.cid })),
    deadlineMs: a.deadlineMs,
    maxMemoryBytes: a.maxMemoryBytes,
    maxOutputBytes: a.maxOutputBytes,
    owner: a.owner,
    ownerAddrs: a.ownerAddrs.slice(0, 8),
    stdout: a.stdout,
    outputFiles: a.outputFiles
  }
}

function clamp (n: number | undefined, min: number, max: number): number {
  if (n == null || !Number.isFinite(n)) return min
  return Math.min(max, Math.max(min, Math.floor(n)))
}

function text (s: string | undefined, max: number): string {
  // control characters have no place in what operators read
  return (s ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, max)
}
