import assert from 'node:assert/strict'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { JOB_DEFAULTS, JOB_LIMITS, expandUnits, normalizeCid, substitute, unitCount, validateJob } from '../../src/compute/model/job-spec.js'
import type { ResolvedJob } from '../../src/compute/model/types.js'

async function cidOf (text: string): Promise<string> {
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(text))).toString()
}

/** Asserts that every pattern matches one of the problems (and says which are missing). */
function hasProblems (problems: string[], ...patterns: RegExp[]): void {
  const missing = patterns.filter(re => !problems.some(p => re.test(p)))
  assert.deepEqual(missing, [], `problems listed:\n  ${problems.join('\n  ')}`)
}

describe('job spec: validateJob', () => {
  let APP: string
  let IN1: string
  let IN2: string
  before(async () => {
    APP = await cidOf('app')
    IN1 = await cidOf('in1')
    IN2 = await cidOf('in2')
  })

  it('applies the defaults to a minimal job file', () => {
    const { job, problems } = validateJob({ app: 'app.wasm', units: [{ args: ['1'] }] }, { resolved: false })
    assert.deepEqual(problems, [])
    assert.deepEqual(job, {
      app: 'app.wasm',
      units: [{ args: ['1'], cost: 1 }],
      requirements: { memoryMb: 64, diskMb: 64 },
      replication: 1,
      quorum: 1,
      deadlineMs: 600_000,
      maxAttempts: 4,
      priority: 0,
      result: { stdout: true, files: [] },
      maxOutputBytes: 16 * 1024 * 1024,
      adaptive: false
    })
  })

  it('leaves adaptive replication off unless a job asks for it: quorum means quorum', () => {
    assert.equal(JOB_DEFAULTS.adaptive, false)
    assert.equal(validateJob({ app: 'a.wasm', quorum: 2, units: [{ args: [] }] }, { resolved: false }).job?.adaptive, false)
    assert.equal(validateJob({ app: 'a.wasm', quorum: 2, adaptive: true, units: [{ args: [] }] }, { resolved: false }).job?.adaptive, true)
  })

  it('defaults replication to the quorum and maxAttempts to replication + 3', () => {
    const { job } = validateJob({ app: 'a.wasm', quorum: 3, units: [{ args: [] }] }, { resolved: false })
    assert.equal(job?.replication, 3)
    assert.equal(job?.maxAttempts, 6)
    const capped = validateJob({ app: 'a.wasm', replication: 16, quorum: 2, units: [{ args: [] }] }, { resolved: false })
    assert.equal(capped.job?.maxAttempts, 19)
  })

  it('accepts the example of compute.md', () => {
    const { job, problems } = validateJob({
      name: 'mandelbrot 1024x768',
      app: 'dist/apps/mandelbrot.wasm',
      range: { from: 0, to: 768, step: 64, args: ['1024', '768', '{from}', '{to}'] },
      requirements: { memoryMb: 64, diskMb: 1 },
      replication: 2,
      quorum: 2,
      deadlineMs: 60000,
      maxAttempts: 6,
      priority: 0,
      result: { stdout: true, files: [] },
      maxOutputBytes: 16777216,
      adaptive: true,
      assemble: 'mandelbrot-png'
    }, { resolved: false })
    assert.deepEqual(problems, [])
    assert.equal(job?.range?.step, 64)
    assert.equal(unitCount(job!), 12)
  })

  it('lists every problem of a bad job at once', () => {
    const { job, problems } = validateJob({
      name: 'x'.repeat(201),
      app: 42,
      units: [{ args: ['ok'] }],
      range: { from: 0, to: 10, step: 1, args: ['{from}'] },
      requirements: { memoryMb: 0, diskMb: 70000, cpu: 2 },
      replication: 1,
      quorum: 2,
      deadlineMs: 50,
      maxAttempts: 65,
      priority: 101,
      result: { stdout: 'yes', files: ['a/b', '..', 'ok', 'ok', 7] },
      maxOutputBytes: 65 * 1024 * 1024,
      adaptive: 'no',
      assemble: 'gif',
      colour: 'blue'
    }, { resolved: false })
    assert.equal(job, undefined)
    hasProblems(problems,
      /^name is 201 characters long; at most 200$/,
      /^app must be a non-empty string, got the number 42$/,
      /^a job has either units or range, not both$/,
      /^requirements\.memoryMb \(0\) must be from 1 to 4096$/,
      /^requirements\.diskMb \(70000\) must be from 0 to 65536$/,
      /^requirements\.cpu is not a known field/,
      /^replication \(1\) must be at least quorum \(2\)$/,
      /^deadlineMs \(50\) must be from 100 to 86400000$/,
      /^maxAttempts \(65\) must be from 1 to 64$/,
      /^priority \(101\) must be from -100 to 100$/,
      /^result\.stdout must be true or false/,
      /^result\.files\[0\] \("a\/b"\) must be a plain file name/,
      /^result\.files\[1\] \("\.\."\) must be a plain file name/,
      /^result\.files\[3\] \("ok"\) is listed twice$/,
      /^result\.files\[4\] must be a string, got the number 7$/,
      /^maxOutputBytes \(68157440\) must be from 1 to 67108864$/,
      /^adaptive must be true or false/,
      /^assemble must be one of "mandelbrot-png"/,
      /^colour is not a known field/
    )
    assert.equal(problems.length, 19, problems.join('\n'))
  })

  it('wants units or range, and units within bounds', () => {
    hasProblems(validateJob({ app: 'a.wasm' }, { resolved: false }).problems, /needs units \(a list\) or range/)
    hasProblems(validateJob({ app: 'a.wasm', units: [] }, { resolved: false }).problems, /units is empty/)
    hasProblems(validateJob({ app: 'a.wasm', units: 'many' }, { resolved: false }).problems, /units must be a list/)
    const tooMany = Array.from({ length: JOB_LIMITS.maxUnits + 1 }, () => ({ args: [] }))
    hasProblems(validateJob({ app: 'a.wasm', units: tooMany }, { resolved: false }).problems, /units has 100001 units; at most 100000/)
    const { problems } = validateJob({
      app: 'a.wasm',
      units: [
        7,
        { args: 'x' },
        { args: [1, 'a\0b'], cost: -1, weight: 2 },
        { args: Array.from({ length: 257 }, () => 'x') },
        { args: ['x'.repeat(70_000)] },
        { args: [], inputs: 'in.txt' },
        { args: [], inputs: ['a/in.txt', 'b/in.txt', '', 3] }
      ]
    }, { resolved: false })
    hasProblems(problems,
      /^units\[0\] must be an object/,
      /^units\[1\]\.args must be a list of strings/,
      /^units\[2\]\.args\[0\] must be a string, got the number 1$/,
      /^units\[2\]\.args\[1\] contains a NUL character$/,
      /^units\[2\]\.cost must be a number from 0/,
      /^units\[2\]\.weight is not a known field/,
      /^units\[3\]\.args has 257 arguments; at most 256$/,
      /^units\[4\]\.args take 70005 bytes .*at most 65536$/,
      /^units\[5\]\.inputs must be a list/,
      /^units\[6\]\.inputs\[1\] has the same name \("in\.txt"\) as units\[6\]\.inputs\[0\]/,
      /^units\[6\]\.inputs\[2\] must be a path or CID/,
      /^units\[6\]\.inputs\[3\] must be a path or CID, got the number 3$/
    )
  })

  it('checks a range: integers, order, step, count, placeholders', () => {
    const check = (range: unknown): string[] => validateJob({ app: 'a.wasm', range }, { resolved: false }).problems
    hasProblems(check({ from: 0.5, to: 'ten', args: ['{from}'] }),
      /^range\.from must be an integer, got the number 0\.5$/,
      /^range\.to must be an integer/,
      /^range\.step is missing$/)
    hasProblems(check({ from: 10, to: 0, step: 1, args: ['{from}'] }), /^range\.from \(10\) must not be above range\.to \(0\)$/)
    hasProblems(check({ from: 0, to: 10, step: 0, args: ['{from}'] }), /^range\.step \(0\) must be at least 1$/)
    hasProblems(check({ from: 5, to: 5, step: 1, args: ['{from}'] }), /gives no unit/)
    hasProblems(check({ from: 0, to: 200_001, step: 2, args: ['{from}'] }), /gives 100001 units; at most 100000/)
    hasProblems(check({ from: 0, to: 10, step: 1 }), /^range\.args is missing/)
    hasProblems(check({ from: 0, to: 10, step: 1, args: ['{start}', '{index}'] }), /unknown placeholder \{start\}/)
    hasProblems(check({ from: 0, to: 10, step: 1, args: ['same'] }), /use none of \{from\}, \{to\}, \{index\}/)
    hasProblems(check({ from: 0, to: 10, step: 1, args: ['{from}'], extra: 1 }), /^range\.extra is not a known field/)
    // placeholders in inputs count, and a single unit needs none
    assert.deepEqual(check({ from: 0, to: 10, step: 1, args: [], inputs: ['part-{index}.txt'] }), [])
    assert.deepEqual(check({ from: 0, to: 1, step: 1, args: ['all'] }), [])
  })

  it('refuses a result with no output', () => {
    hasProblems(validateJob({ app: 'a.wasm', units: [{ args: [] }], result: { stdout: false } }, { resolved: false }).problems, /result names no output/)
    assert.deepEqual(validateJob({ app: 'a.wasm', units: [{ args: [] }], result: { stdout: false, files: ['out.png'] } }, { resolved: false }).problems, [])
  })

  it('is not fooled by non-objects', () => {
    for (const bad of [null, 7, 'job', [], true]) {
      const { job, problems } = validateJob(bad, { resolved: false })
      assert.equal(job, undefined)
      assert.match(problems[0], /a job must be a JSON object/)
    }
  })

  it('resolved: the app is a CID and inputs are { name, cid } with plain, unique names', () => {
    const good = validateJob({ app: APP, appName: 'm.wasm', units: [{ args: [], inputs: [{ name: 'a.txt', cid: IN1 }, { name: 'b.txt', cid: IN2 }] }] }, { resolved: true })
    assert.deepEqual(good.problems, [])
    assert.equal(good.job?.appName, 'm.wasm')
    assert.equal(validateJob({ app: APP, units: [{ args: [] }] }, { resolved: true }).job?.appName, APP)

    const { problems } = validateJob({
      app: 'dist/apps/m.wasm',
      units: [
        { args: [], inputs: ['a.txt'] },
        { args: [], inputs: [{ name: '../etc/passwd', cid: IN1 }, { name: 'b', cid: 'not-a-cid' }, { name: 'c', cid: IN1, size: 3 }] },
        { args: [], inputs: [{ name: 'x', cid: IN1 }, { name: 'x', cid: IN2 }] }
      ]
    }, { resolved: true })
    hasProblems(problems,
      /^app must be a CID in a submitted job/,
      /^units\[0\]\.inputs\[0\] must be an object \{ name, cid \}/,
      /^units\[1\]\.inputs\[0\]\.name \("\.\.\/etc\/passwd"\) must be a plain file name/,
      /^units\[1\]\.inputs\[1\]\.cid must be a CID/,
      /^units\[1\]\.inputs\[2\]\.size is not a known field/,
      /^units\[2\]\.inputs\[1\] has the same name \("x"\)/
    )
    // appName is not a field of a job file
    hasProblems(validateJob({ app: 'a.wasm', appName: 'a', units: [{ args: [] }] }, { resolved: false }).problems, /^appName is not a known field/)
  })

  it('cuts a huge list of problems short, saying how many were left out', () => {
    const units = Array.from({ length: 5000 }, () => ({ args: [1] }))
    const { problems } = validateJob({ app: 'a.wasm', units }, { resolved: false })
    assert.equal(problems.length, JOB_LIMITS.maxProblems + 1)
    assert.match(problems[problems.length - 1], /and 4000 more problems/)
  })
})

describe('job spec: expandUnits', () => {
  it('expands a range with {from} {to} {index}, the last unit capped at to', async () => {
    const app = await cidOf('app')
    const { job } = validateJob({ app, range: { from: 10, to: 35, step: 10, args: ['{from}-{to}', '#{index}', '{other'] } }, { resolved: true })
    assert.ok(job != null)
    const units = expandUnits(job)
    assert.deepEqual(units, [
      { index: 0, args: ['10-20', '#0', '{other'], inputs: [], cost: 10 },
      { index: 1, args: ['20-30', '#1', '{other'], inputs: [], cost: 10 },
      { index: 2, args: ['30-35', '#2', '{other'], inputs: [], cost: 5 }
    ])
  })

  it('fills range inputs, and keeps explicit units as given', async () => {
    const app = await cidOf('app')
    const input = await cidOf('in')
    const ranged = { app, appName: 'a', range: { from: 0, to: 2, step: 1, args: ['{index}'], inputs: [{ name: 'part-{index}.txt', cid: input }] } }
    const { job, problems } = validateJob(ranged, { resolved: true })
    assert.deepEqual(problems, [])
    assert.deepEqual(expandUnits(job!).map(u => u.inputs), [[{ name: 'part-0.txt', cid: input }], [{ name: 'part-1.txt', cid: input }]])

    const listed = validateJob({ app, units: [{ args: ['a'], cost: 5 }, { args: ['b'], inputs: [{ name: 'x', cid: input }] }] }, { resolved: true }).job as ResolvedJob
    assert.deepEqual(expandUnits(listed), [
      { index: 0, args: ['a'], inputs: [], cost: 5 },
      { index: 1, args: ['b'], inputs: [{ name: 'x', cid: input }], cost: 1 }
    ])
  })

  it('substitutes every occurrence and normalizes CIDs', async () => {
    assert.equal(substitute('{from}{from}{to}{index}', { from: 1, to: 2, index: 3 }), '1123')
    const v1 = await cidOf('x')
    assert.equal(normalizeCid(v1), v1)
    assert.equal(normalizeCid('not a cid'), 'not a cid')
  })
})
