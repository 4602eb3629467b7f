/** Checks of a UnitOutput message against its job's result spec, shared by the handler and the owner's client. */
import { createHash } from 'node:crypto'
import { OUTPUT_HASH_BYTES, outputHash, sameHash, type ResultSpec } from '../model/output-hash.js'
import { MAX_JOB_ID_LENGTH, MAX_OUTPUT_FILES } from './constants.js'
import { InvalidJobIdError } from './errors.js'
import type { UnitOutput } from '../../pb/unit-output.js'

/** What a node knows of a job's outputs: the result spec and the output bound. */
export interface OutputSpec extends ResultSpec {
  /** stdout plus the returned files, in bytes (compute.md `maxOutputBytes`) */
  maxOutputBytes: number
}

/** Why an output was refused: it breaks the message rules, or it is over the job's output bound. */
export interface OutputProblem {
  tooLarge: boolean
  message: string
}

/**
 * The first reason `output` cannot be an output of a job with `spec`, or
 * undefined. Does not look at the hash: see `hashMatches`.
 */
export function outputProblem (output: UnitOutput, spec: OutputSpec): OutputProblem | undefined {
  const message = malformation(output, spec)
  if (message != null) return { tooLarge: false, message }
  const bytes = output.files.reduce((n, f) => n + f.data.byteLength, output.stdout.byteLength)
  if (bytes > spec.maxOutputBytes) return { tooLarge: true, message: `the output has ${bytes} bytes, over the job's bound of ${spec.maxOutputBytes}` }
  return undefined
}

function malformation (output: UnitOutput, spec: OutputSpec): string | undefined {
  const jobProblem = jobIdProblem(output.jobId)
  if (jobProblem != null) return jobProblem
  if (output.outputHash.byteLength !== OUTPUT_HASH_BYTES) return `output_hash must be ${OUTPUT_HASH_BYTES} bytes, got ${output.outputHash.byteLength}`
  if (!spec.stdout && output.stdout.byteLength > 0) return 'the job does not return stdout, but the output carries some'
  if (output.files.length > MAX_OUTPUT_FILES) return `more than ${MAX_OUTPUT_FILES} output files`
  const wanted = new Set(spec.files)
  const seen = new Set<string>()
  for (const f of output.files) {
    if (!wanted.has(f.name)) return `file "${clip(f.name)}" is not one of the job's result files`
    if (seen.has(f.name)) return `file "${clip(f.name)}" appears twice`
    seen.add(f.name)
  }
  return undefined
}

/** Whether the output's bytes hash to the hash it claims, under `spec`. */
export function hashMatches (output: UnitOutput, spec: OutputSpec): boolean {
  return sameHash(outputHash(output.stdout, output.files, spec), output.outputHash)
}

/** Why `jobId` is not a usable job id, or undefined. */
export function jobIdProblem (jobId: string): string | undefined {
  if (jobId.length === 0) return 'job_id is empty'
  if (jobId.length > MAX_JOB_ID_LENGTH) return `job_id is longer than ${MAX_JOB_ID_LENGTH} characters`
  return undefined
}

/**
 * The folder name a job's files use on disk: the id itself when it is made
 * of letters, digits, '-' and '_'; otherwise a name derived from its hash, so
 * that no id can reach outside the folder.
 */
export function jobDirName (jobId: string): string {
  const problem = jobIdProblem(jobId)
  if (problem != null) throw new InvalidJobIdError(problem)
  if (/^[A-Za-z0-9_-]+$/.test(jobId)) return jobId
  return 'x-' + createHash('sha256').update(jobId).digest('hex').slice(0, 40)
}

function clip (s: string): string {
  return s.length > 64 ? s.slice(0, 64) + '…' : s
}
