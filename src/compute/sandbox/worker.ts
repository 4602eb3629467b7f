/**
 * The sandbox worker's main script: one unit per worker. It prepares the
 * module, runs it against our WASI host and posts one reply. runUnit kills
 * the worker at the deadline, so nothing here needs a timer.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { OutputLimitExceeded } from './output-budget.js'
import { prepareModule } from './prepare-module.js'
import type { FailureName, WorkerJob, WorkerReply } from './types.js'
import { ProcExit, WasiHost } from './wasi-host.js'
import { GROW_FAILED_EXPORT } from './wasm-grow-hook.js'

function failed (error: FailureName, message: string): WorkerReply {
  return { kind: 'failed', error, message }
}

function describe (err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err)
}

/** prepareModule's errors keep their class; anything else it throws means malformed bytes */
function preparationFailure (err: unknown): WorkerReply {
  const name = (err as Error)?.name
  if (name === 'SandboxMemoryError' || name === 'InvalidModuleError') return failed(name, (err as Error).message)
  return failed('InvalidModuleError', `the module could not be read: ${describe(err)}`)
}

async function run (job: WorkerJob): Promise<WorkerReply> {
  const started = performance.now()
  let bytes: Uint8Array
  try {
    bytes = prepareModule(job.wasm, job.maxMemoryBytes).bytes
  } catch (err) {
    return preparationFailure(err)
  }
  let module: WebAssembly.Module
  try {
    module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>)
  } catch (err) {
    return failed('InvalidModuleError', `the module does not compile: ${describe(err)}`)
  }

  const host = new WasiHost(job)
  let instance: WebAssembly.Instance
  try {
    instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: host.imports() })
  } catch (err) {
    if (err instanceof WebAssembly.LinkError) return failed('InvalidModuleError', `the module does not link: ${describe(err)}`)
    return failed('SandboxTrapError', `the module trapped while instantiating: ${describe(err)}`)
  }
  host.memory.attach(instance.exports.memory as WebAssembly.Memory)

  let error: unknown
  try {
    (instance.exports._start as () => void)()
  } catch (err) {
    error = err
  }

  const stop = host.stopped
  if (stop instanceof OutputLimitExceeded) return failed('SandboxOutputError', 'output past the bound')
  const exitCode = stop instanceof ProcExit ? stop.code : 0
  const trapped = error !== undefined && !(error instanceof ProcExit)
  const growFailed = (instance.exports[GROW_FAILED_EXPORT] as WebAssembly.Global | undefined)?.value === 1
  if ((trapped || exitCode !== 0) && growFailed) {
    return failed('SandboxMemoryError', `the unit ended abnormally after its memory could not grow past the cap of ${job.maxMemoryBytes} bytes${trapped ? ` (${describe(error)})` : ''}`)
  }
  if (trapped) return failed('SandboxTrapError', `the unit trapped: ${describe(error)}`)

  const out = host.results()
  return {
    kind: 'done',
    exitCode,
    ...out,
    ms: performance.now() - started,
    peakMemoryBytes: host.memory.byteLength
  }
}

const reply = await run(workerData as WorkerJob)
const transfer = reply.kind === 'done'
  ? [reply.stdout.buffer, reply.stderr.buffer, ...reply.files.map(([, b]) => b.buffer)] as ArrayBuffer[]
  : []
parentPort?.postMessage(reply, transfer)
