/**
 * The job type a person writes. `JobInput` leaves out every field with a
 * default, and `node.compute.submit()` takes it; `JobSpec` (a validated
 * job, every default applied) still has them all. The type checks below are
 * compiled with the suite: a regression fails `npm run build`.
 */
import assert from 'node:assert/strict'
import { validateJob } from '../../src/compute/model/job-spec.js'
import type { ComputeClient, JobInput, JobSpec } from '../../src/index.js'

/** only the required fields */
const minimal: JobInput = { app: 'app.wasm', units: [{ args: ['1'] }] }
const withRange: JobInput = { app: 'app.wasm', range: { from: 0, to: 4, step: 1, args: ['{index}'] }, quorum: 2, requirements: { memoryMb: 128 }, result: { files: ['out.txt'] } }

// submit() accepts a JobInput as written
type SubmitJob = Parameters<ComputeClient['submit']>[0]
const accepted: SubmitJob[] = [minimal, withRange, 'job.json']

// @ts-expect-error a JobSpec is the validated job: its defaulted fields are all there
const incomplete: JobSpec = { app: 'app.wasm', units: [{ args: ['1'] }] }

describe('JobInput: the job a person writes', () => {
  it('validates with only its required fields, and gets every default', () => {
    const { job, problems } = validateJob(minimal, { resolved: false })
    assert.deepEqual(problems, [])
    const spec: JobSpec | undefined = job
    assert.equal(spec?.quorum, 1)
    assert.equal(spec?.adaptive, false)
    assert.deepEqual(spec?.requirements, { memoryMb: 64, diskMb: 64 })
    assert.equal(validateJob(withRange, { resolved: false }).job?.requirements.diskMb, 64)
    assert.equal(accepted.length, 3)
    assert.equal(incomplete.app, 'app.wasm')
  })
})
