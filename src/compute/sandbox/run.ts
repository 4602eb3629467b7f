/**
 * runUnit: one work unit in a fresh worker thread. The worker is what
 * makes the deadline enforceable: a wasm loop cannot be interrupted from
 * inside, but worker.terminate() stops it. The provider's own thread only
 * waits for one message.
 */
import { Worker } from 'node:worker_threads'
import { WORKER_OLD_GENERATION_MB, WORKER_STACK_MB, WORKER_YOUNG_GENERATION_MB } from './constants.js'
import {
  InvalidModuleError, SandboxAbortedError, SandboxMemoryError, SandboxOutputError, SandboxTimeoutError, SandboxTrapError
} from './errors.js'
import { checkOptions } from './options.js'
import type { RunUnitOptions, UnitResult, WorkerReply } from './types.js'

const WORKER_URL = new URL('./worker.js', import.meta.url)

function replyError (reply: Extract<WorkerReply, { kind: 'failed' }>, maxOutputBytes: number): Error {
  switch (reply.error) {
    case 'InvalidModuleError': return new InvalidModuleError(reply.message)
    case 'SandboxMemoryError': return new SandboxMemoryError(reply.message)
    case 'SandboxOutputError': return new SandboxOutputError(maxOutputBytes)
    default: return new SandboxTrapError(reply.message)
  }
}

function workerError (err: Error & { code?: string }): Error {
  if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') return new SandboxMemoryError(`the sandbox worker ran out of JS heap: ${err.message}`)
  return new SandboxTrapError(`the sandbox worker failed: ${err.message}`)
}

/**
 * Runs one unit. Resolves with its exit code and output, or rejects with
 * SandboxTimeoutError, SandboxMemoryError, SandboxOutputError,
 * SandboxTrapError, InvalidModuleError, an AbortError when `signal`
 * aborts, or InvalidOptionError for options outside the sandbox's bounds.
 */
export async function runUnit (opts: RunUnitOptions): Promise<UnitResult> {
  const job = checkOptions(opts)
  const { signal, timeoutMs, maxOutputBytes } = opts
  if (signal?.aborted === true) throw new SandboxAbortedError()

  return await new Promise<UnitResult>((resolve, reject) => {
    const worker = new Worker(WORKER_URL, {
      workerData: job,
      env: {},
      argv: [],
      execArgv: [],
      resourceLimits: {
        maxOldGenerationSizeMb: WORKER_OLD_GENERATION_MB,
        maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB,
        stackSizeMb: WORKER_STACK_MB
      }
    })
    let settled = false
    const settle = (outcome: () => void): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      void worker.terminate()
      outcome()
    }
    const timer = setTimeout(() => { settle(() => { reject(new SandboxTimeoutError(timeoutMs)) }) }, timeoutMs)
    const onAbort = (): void => { settle(() => { reject(new SandboxAbortedError()) }) }
    signal?.addEventListener('abort', onAbort, { once: true })

    worker.on('message', (reply: WorkerReply) => {
      settle(() => {
        if (reply.kind === 'failed') {
          reject(replyError(reply, maxOutputBytes))
          return
        }
        resolve({
          exitCode: reply.exitCode,
          stdout: reply.stdout,
          stderr: reply.stderr,
          files: Object.fromEntries(reply.files),
          ms: reply.ms,
          peakMemoryBytes: reply.peakMemoryBytes
        })
      })
    })
    worker.on('error', (err) => { settle(() => { reject(workerError(err)) }) })
    worker.on('exit', (code) => { settle(() => { reject(new SandboxTrapError(`the sandbox worker exited (code ${code}) without a result`)) }) })
  })
}
