/**
 * The client side of volunteer computing without a network: resolving a job
 * (sharing its files, naming CID inputs, expanding ranges), remembering it,
 * writing results in unit order with the Mandelbrot assembly, and the
 * ComputeClient against a fake bootstrap on an in-memory stream pair.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { inflateSync } from 'node:zlib'
import { streamPair } from '@libp2p/utils'
import { answerRequest } from '../../src/core/index.js'
import { mandelbrotSize, type Assembler } from '../../src/compute/apps/index.js'
import { JobsRequest, JobsResponse } from '../../src/pb/jobs.js'
import {
  ComputeClient, InvalidJobError, JobNotFoundError, JobStore, resolveJob, unitBaseName, writeResults,
  type OwnedOutput, type UnitOutputData, type ValidateJob
} from '../../src/compute/client/index.js'
import { tempDir } from '../helpers/tmp-dir.js'
import type { JobResults, JobSpec, ResolvedJob } from '../../src/compute/model/types.js'

const CID_A = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
const CID_B = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'

const enc = new TextEncoder()

function baseSpec (over: Partial<JobSpec> = {}): JobSpec {
  return {
    app: 'app.wasm',
    requirements: { memoryMb: 64, diskMb: 1 },
    replication: 1,
    quorum: 1,
    deadlineMs: 60_000,
    maxAttempts: 3,
    priority: 0,
    result: { stdout: true, files: [] },
    maxOutputBytes: 1 << 20,
    adaptive: true,
    ...over
  }
}

/** A share stub: records the paths and answers a made-up CID per path. */
function sharer (): { shared: string[], share: (path: string) => Promise<{ cid: string }> } {
  const shared: string[] = []
  return {
    shared,
    share: async path => {
      shared.push(path)
      return { cid: `cid-of-${path.split('/').pop() ?? ''}` }
    }
  }
}

/** Width and height from a PNG's IHDR, and its pixel rows inflated. */
function readPng (png: Uint8Array): { width: number, height: number, raw: Uint8Array } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength)
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  const width = view.getUint32(16)
  const height = view.getUint32(20)
  const idatLength = view.getUint32(33)
  assert.equal(new TextDecoder().decode(png.subarray(37, 41)), 'IDAT')
  return { width, height, raw: inflateSync(png.subarray(41, 41 + idatLength)) }
}

describe('compute client: job resolution', () => {
  it('shares the app and path inputs (relative to the job file), keeps CID inputs with their shared name', async () => {
    const dir = tempDir()
    try {
      writeFileSync(join(dir.path, 'app.wasm'), 'app')
      mkdirSync(join(dir.path, 'data'))
      writeFileSync(join(dir.path, 'data', 'a.txt'), 'a')
      const s = sharer()
      const job = await resolveJob(baseSpec({
        units: [
          { args: ['1'], inputs: ['data/a.txt', CID_A], cost: 3 },
          { args: ['2'], inputs: ['data/a.txt', CID_B] }
        ]
      }), dir.path, { share: s.share, nameOf: async cid => cid === CID_A ? 'words.txt' : undefined })
      assert.equal(job.app, 'cid-of-app.wasm')
      assert.equal(job.appName, 'app.wasm')
      assert.deepEqual(job.units, [
        { args: ['1'], inputs: [{ name: 'a.txt', cid: 'cid-of-a.txt' }, { name: 'words.txt', cid: CID_A }], cost: 3 },
        { args: ['2'], inputs: [{ name: 'a.txt', cid: 'cid-of-a.txt' }, { name: CID_B, cid: CID_B }] }
      ])
      // each file is shared once, however many units use it
      assert.deepEqual(s.shared, [join(dir.path, 'app.wasm'), join(dir.path, 'data', 'a.txt')])
      assert.equal(job.replication, 1)
      assert.equal('range' in job, false)
    } finally {
      dir.cleanup()
    }
  })

  it('keeps a range whose inputs are shared by every unit, expands one whose inputs depend on the unit', async () => {
    const dir = tempDir()
    try {
      writeFileSync(join(dir.path, 'app.wasm'), 'app')
      for (const n of [0, 1, 2]) writeFileSync(join(dir.path, `part-${n}.txt`), `part ${n}`)
      writeFileSync(join(dir.path, 'common.txt'), 'c')
      const plain = await resolveJob(baseSpec({ range: { from: 0, to: 10, step: 4, args: ['{from}', '{to}'], inputs: ['common.txt'] } }), dir.path, { ...sharer(), nameOf: async () => undefined })
      assert.deepEqual(plain.range, { from: 0, to: 10, step: 4, args: ['{from}', '{to}'], inputs: [{ name: 'common.txt', cid: 'cid-of-common.txt' }] })
      assert.equal(plain.units, undefined)

      const perUnit = await resolveJob(baseSpec({ range: { from: 0, to: 10, step: 4, args: ['{index}', '{from}', '{to}'], inputs: ['part-{index}.txt', 'common.txt'] } }), dir.path, { ...sharer(), nameOf: async () => undefined })
      assert.equal(perUnit.range, undefined)
      assert.deepEqual(perUnit.units?.map(u => u.args), [['0', '0', '4'], ['1', '4', '8'], ['2', '8', '10']])
      assert.deepEqual(perUnit.units?.map(u => u.inputs.map(i => i.name)), [['part-0.txt', 'common.txt'], ['part-1.txt', 'common.txt'], ['part-2.txt', 'common.txt']])
    } finally {
      dir.cleanup()
    }
  })

  it('lists every problem at once: missing app, missing input, a folder, two inputs with one name', async () => {
    const dir = tempDir()
    try {
      mkdirSync(join(dir.path, 'folder'))
      mkdirSync(join(dir.path, 'x'))
      writeFileSync(join(dir.path, 'x', 'same.txt'), '1')
      writeFileSync(join(dir.path, 'same.txt'), '2')
      await assert.rejects(resolveJob(baseSpec({
        app: 'missing.wasm',
        units: [{ args: [], inputs: ['nothing.txt', 'folder'] }, { args: [], inputs: ['same.txt', 'x/same.txt'] }]
      }), dir.path, { ...sharer(), nameOf: async () => undefined }), (err: any) => {
        assert.equal(err.name, 'InvalidJobError')
        assert.equal(err.problems.length, 4, err.message)
        assert.match(err.problems[0], /^app: no such file .*missing\.wasm$/)
        assert.match(err.problems[1], /unit 0 input 0 \(nothing\.txt\): no such file/)
        assert.match(err.problems[2], /unit 0 input 1 \(folder\): .* is not a regular file/)
        assert.match(err.problems[3], /unit 1: two inputs are named same\.txt/)
        for (const p of err.problems) assert.ok(err.message.includes(p))
        return true
      })
    } finally {
      dir.cleanup()
    }
  })
})

describe('compute client: the local jobs folder', () => {
  it('remembers resolved jobs across restarts and refuses ids that are not names', async () => {
    const dir = tempDir()
    try {
      const job = { ...baseSpec(), app: CID_A, appName: 'app.wasm', range: { from: 0, to: 1, step: 1, args: [] } } as ResolvedJob
      await new JobStore(dir.path).save('job-1', job)
      // an outputs folder without a job.json is no job of ours
      mkdirSync(join(dir.path, 'jobs', 'stray', 'outputs'), { recursive: true })
      const again = new JobStore(dir.path)
      assert.equal(again.has('job-1'), false, 'nothing before load()')
      await again.load()
      assert.deepEqual(again.get('job-1'), job)
      assert.equal(again.has('job-2'), false)
      assert.deepEqual(again.ids(), ['job-1'])
      assert.equal(again.largestOutputBytes(), 1 << 20)
      assert.ok(existsSync(join(dir.path, 'jobs', 'job-1', 'job.json')))
      assert.equal(again.has('../job-1'), false)
      await assert.rejects(again.save('../escape', job), { name: 'InvalidOptionError' })
      // without a data directory, in memory only
      const memory = new JobStore()
      await memory.save('j', job)
      assert.equal(memory.has('j'), true)
    } finally {
      dir.cleanup()
    }
  })
})

describe('compute client: writing results', () => {
  const job = { ...baseSpec({ result: { stdout: true, files: ['out.txt', 'extra.bin'] } }), app: CID_A, appName: 'app.wasm', units: [{ args: [], inputs: [] }, { args: [], inputs: [] }, { args: [], inputs: [] }, { args: [], inputs: [] }] } as ResolvedJob

  it('writes the valid units in unit order, stdout and files, and results.json; fetches run ahead', async () => {
    const dir = tempDir()
    try {
      const results: JobResults = {
        id: 'j1',
        state: 'running',
        units: [
          { index: 3, state: 'valid', hash: 'dd', holders: [] },
          { index: 0, state: 'valid', hash: 'aa', holders: [] },
          { index: 2, state: 'running', holders: [] },
          { index: 1, state: 'valid', hash: 'bb', holders: [] }
        ]
      }
      const order: number[] = []
      let inFlight = 0
      let most = 0
      const summary = await writeResults(dir.path, job, results, async unit => {
        inFlight++
        most = Math.max(most, inFlight)
        // later units answer sooner: the writes must still come in unit order
        await new Promise(resolve => setTimeout(resolve, 30 - unit.index * 8))
        inFlight--
        const files = [{ name: 'out.txt', data: enc.encode(`file ${unit.index}`) }]
        if (unit.index === 3) files.push({ name: 'extra.bin', data: Uint8Array.of(unit.index) })
        files.push({ name: 'undeclared', data: enc.encode('not part of the output') })
        return { stdout: enc.encode(`stdout ${unit.index}`), files }
      }, { onUnit: entry => { order.push(entry.index) } })
      assert.deepEqual(order, [0, 1, 3])
      assert.ok(most > 1, 'outputs are fetched ahead of the one being written')
      assert.equal(summary.complete, false)
      assert.deepEqual(summary.missing, [{ index: 2, state: 'running' }])
      assert.equal(readFileSync(join(dir.path, 'unit-000000.stdout'), 'utf8'), 'stdout 0')
      assert.equal(readFileSync(join(dir.path, 'unit-000003', 'out.txt'), 'utf8'), 'file 3')
      assert.deepEqual([...readFileSync(join(dir.path, 'unit-000003', 'extra.bin'))], [3])
      assert.equal(existsSync(join(dir.path, 'unit-000000', 'extra.bin')), false)
      assert.equal(existsSync(join(dir.path, 'unit-000000', 'undeclared')), false)
      assert.equal(existsSync(join(dir.path, 'unit-000002.stdout')), false)
      assert.equal(readdirSync(dir.path).some(f => f.endsWith('.part')), false)
      const written = JSON.parse(readFileSync(join(dir.path, 'results.json'), 'utf8'))
      assert.deepEqual(written.units, [
        { index: 0, hash: 'aa', stdout: 'unit-000000.stdout', files: ['unit-000000/out.txt'] },
        { index: 1, hash: 'bb', stdout: 'unit-000001.stdout', files: ['unit-000001/out.txt'] },
        { index: 3, hash: 'dd', stdout: 'unit-000003.stdout', files: ['unit-000003/out.txt', 'unit-000003/extra.bin'] }
      ])
      assert.equal(written.outDir, undefined)
      assert.equal(written.image, undefined)
    } finally {
      dir.cleanup()
    }
  })

  it('names units with six digits', () => {
    assert.equal(unitBaseName(0), 'unit-000000')
    assert.equal(unitBaseName(99999), 'unit-099999')
  })

  it('refuses an output file name that would leave the folder', async () => {
    const dir = tempDir()
    try {
      const bad = { ...job, result: { stdout: false, files: ['../evil'] } }
      await assert.rejects(writeResults(dir.path, bad, { id: 'j', state: 'done', units: [] }, async () => ({ stdout: new Uint8Array(0), files: [] })), RangeError)
    } finally {
      dir.cleanup()
    }
  })

  it('assembles image.png from the Mandelbrot bands once every unit is valid', async () => {
    const dir = tempDir()
    try {
      const width = 8
      const height = 6
      const mjob = { ...baseSpec({ assemble: 'mandelbrot-png' }), app: CID_A, appName: 'mandelbrot.wasm', range: { from: 0, to: height, step: 4, args: [String(width), String(height), '{from}', '{to}'] } } as ResolvedJob
      assert.deepEqual(mandelbrotSize(mjob), { width, height })
      const band = (rows: number, value: number): Uint8Array => new Uint8Array(rows * width * 3).fill(value)
      const outputs: Record<number, UnitOutputData> = { 0: { stdout: band(4, 10), files: [] }, 1: { stdout: band(2, 20), files: [] } }
      const partial = await writeResults(dir.path, mjob, { id: 'm', state: 'running', units: [{ index: 0, state: 'valid', hash: '00', holders: [] }, { index: 1, state: 'pending', holders: [] }] }, async u => outputs[u.index])
      assert.equal(partial.image, undefined)
      assert.equal(existsSync(join(dir.path, 'image.png')), false)
      const summary = await writeResults(dir.path, mjob, { id: 'm', state: 'done', units: [{ index: 1, state: 'valid', hash: '01', holders: [] }, { index: 0, state: 'valid', hash: '00', holders: [] }] }, async u => outputs[u.index])
      // the full path, so a program can open it as is; results.json keeps the name within the folder
      assert.equal(summary.image, join(dir.path, 'image.png'))
      assert.equal(JSON.parse(readFileSync(join(dir.path, 'results.json'), 'utf8')).image, 'image.png')
      assert.equal(summary.complete, true)
      const png = readPng(readFileSync(summary.image))
      assert.equal(png.width, width)
      assert.equal(png.height, height)
      const rowBytes = width * 3 + 1
      assert.equal(png.raw.length, height * rowBytes)
      // rows 0-3 from unit 0, rows 4-5 from unit 1
      assert.equal(png.raw[1], 10)
      assert.equal(png.raw[3 * rowBytes + 1], 10)
      assert.equal(png.raw[4 * rowBytes + 1], 20)
    } finally {
      dir.cleanup()
    }
  })

  it('looks the job\'s assembly step up by name, so an application can bring its own', async () => {
    const dir = tempDir()
    try {
      const ajob = { ...baseSpec({ assemble: 'mandelbrot-png' }), app: CID_A, appName: 'mandelbrot.wasm', range: { from: 0, to: 2, step: 1, args: ['{from}'] } } as ResolvedJob
      const outputs: UnitOutputData[] = [{ stdout: Uint8Array.from([1, 2]), files: [] }, { stdout: Uint8Array.from([3]), files: [] }]
      const units = [{ index: 0, state: 'valid' as const, hash: '00', holders: [] }, { index: 1, state: 'valid' as const, hash: '01', holders: [] }]
      const joined: Assembler = { file: 'joined.bin', assemble: (_job, stdouts) => Uint8Array.from(stdouts.flatMap(b => [...b])) }
      const summary = await writeResults(dir.path, ajob, { id: 'a', state: 'done', units }, async u => outputs[u.index], { assemblers: { 'mandelbrot-png': joined } })
      assert.equal(summary.image, join(dir.path, 'joined.bin'))
      assert.deepEqual([...readFileSync(join(dir.path, 'joined.bin'))], [1, 2, 3])
      assert.equal(existsSync(join(dir.path, 'image.png')), false)
      await assert.rejects(writeResults(dir.path, ajob, { id: 'a', state: 'done', units }, async u => outputs[u.index], { assemblers: {} }), /no assembly step named "mandelbrot-png"/)
    } finally {
      dir.cleanup()
    }
  })

  it('takes the image size from the first explicit unit, and says so when it cannot', () => {
    assert.deepEqual(mandelbrotSize({ units: [{ args: ['640', '480', '0', '10'], inputs: [] }] }), { width: 640, height: 480 })
    assert.throws(() => mandelbrotSize({ range: { from: 0, to: 1, step: 1, args: ['{from}'] } }), /WIDTH and HEIGHT/)
  })
})

/**
 * A fake bootstrap behind a fake libp2p: every stream opened on its one
 * connection is a stream pair whose far end `handle` answers. The
 * connection has no muxer of libp2p's, so the stream is opened the plain way.
 */
function fakeNetwork (handle: (req: JobsRequest) => Partial<JobsResponse>): { libp2p: any, requests: JobsRequest[] } {
  const requests: JobsRequest[] = []
  const connection = {
    status: 'open',
    newStream: async () => {
      const [outbound, inbound] = await streamPair()
      void answerRequest(inbound, JobsRequest, JobsResponse, {
        maxInboundBytes: 1 << 20,
        signal: AbortSignal.timeout(5000),
        handle: req => {
          requests.push(req)
          return { version: 1, error: JobsResponse.Error.NONE, message: '', body: new Uint8Array(0), jobId: '', userSerialId: 0, ...handle(req) }
        },
        onBadRequest: err => ({ version: 1, error: JobsResponse.Error.MALFORMED_MESSAGE, message: err.message, body: new Uint8Array(0), jobId: '', userSerialId: 0 })
      }).catch(() => {})
      return outbound
    }
  }
  const libp2p = { dial: async () => connection }
  return { libp2p, requests }
}

const json = (value: unknown): Uint8Array<ArrayBuffer> => enc.encode(JSON.stringify(value)) as Uint8Array<ArrayBuffer>
const BOOTSTRAP = '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWLRPJAA5o6Z6gxVGqJ7NB6KfYZsxnyqHmgXo6qZ5TjaMP'
/** Accepts whatever has an app and a result: the real checks are the job-spec module's. */
const lenient: ValidateJob = raw => (raw as any)?.app == null ? { problems: ['app: required'] } : { job: raw as JobSpec, problems: [] }

describe('compute client: ComputeClient against a fake bootstrap', () => {
  it('submits a job file: lists its problems, else shares, sends the resolved job and remembers it', async () => {
    const dir = tempDir()
    try {
      writeFileSync(join(dir.path, 'app.wasm'), 'app')
      writeFileSync(join(dir.path, 'job.json'), JSON.stringify(baseSpec({ range: { from: 0, to: 4, step: 2, args: ['{from}'] } })))
      writeFileSync(join(dir.path, 'broken.json'), '{ "app": ')
      writeFileSync(join(dir.path, 'noapp.json'), '{}')
      const net = fakeNetwork(req => req.kind === JobsRequest.Kind.SUBMIT ? { jobId: 'job-42' } : {})
      const s = sharer()
      const client = new ComputeClient({ libp2p: net.libp2p, bootstrap: BOOTSTRAP, dataDir: join(dir.path, 'data'), validateJob: lenient, share: s.share })
      await assert.rejects(client.submit(join(dir.path, 'broken.json')), (err: any) => err instanceof InvalidJobError && /is not JSON/.test(err.problems[0]))
      await assert.rejects(client.submit(join(dir.path, 'missing.json')), (err: any) => err.name === 'InvalidJobError' && /no such file/.test(err.message))
      await assert.rejects(client.submit(join(dir.path, 'noapp.json')), (err: any) => err.name === 'InvalidJobError' && err.problems[0] === 'app: required')
      assert.equal(net.requests.length, 0, 'nothing invalid reaches the bootstrap')

      const id = await client.submit(join(dir.path, 'job.json'))
      assert.equal(id, 'job-42')
      assert.equal(net.requests.length, 1)
      const sent = JSON.parse(new TextDecoder().decode(net.requests[0].body))
      assert.equal(sent.app, 'cid-of-app.wasm')
      assert.equal(sent.appName, 'app.wasm')
      assert.deepEqual(JSON.parse(readFileSync(join(dir.path, 'data', 'jobs', 'job-42', 'job.json'), 'utf8')), sent)
      assert.equal(client.ownsJob('job-42'), true)
      assert.equal(client.ownsJob('job-43'), false)
      assert.deepEqual(client.resultSpec('job-42'), { stdout: true, files: [], maxOutputBytes: 1 << 20 })
      // a restarted node knows its jobs again
      const restarted = new ComputeClient({ libp2p: net.libp2p, bootstrap: BOOTSTRAP, dataDir: join(dir.path, 'data'), validateJob: lenient, share: s.share })
      await restarted.start()
      assert.equal(restarted.ownsJob('job-42'), true)
    } finally {
      dir.cleanup()
    }
  })

  it('checks with the job validator by default: every problem at once, defaults applied to what is sent', async () => {
    const dir = tempDir()
    try {
      writeFileSync(join(dir.path, 'app.wasm'), 'app')
      writeFileSync(join(dir.path, 'bad.json'), JSON.stringify({ app: 'app.wasm', quorum: 3, replication: 2, colour: 'red', range: { from: 0, to: 4, step: 0, args: [] } }))
      writeFileSync(join(dir.path, 'good.json'), JSON.stringify({ app: 'app.wasm', range: { from: 0, to: 4, step: 2, args: ['{from}', '{to}'] } }))
      const net = fakeNetwork(() => ({ jobId: 'job-7' }))
      const client = new ComputeClient({ libp2p: net.libp2p, bootstrap: BOOTSTRAP, share: async () => ({ cid: CID_A }) })
      await assert.rejects(client.submit(join(dir.path, 'bad.json')), (err: any) => {
        assert.equal(err.name, 'InvalidJobError')
        assert.ok(err.problems.length >= 3, err.message)
        assert.ok(err.problems.some((p: string) => p.includes('colour')), err.message)
        assert.ok(err.problems.some((p: string) => p.includes('replication')), err.message)
        assert.ok(err.problems.some((p: string) => p.includes('step')), err.message)
        return true
      })
      assert.equal(net.requests.length, 0)
      assert.equal(await client.submit(join(dir.path, 'good.json')), 'job-7')
      const sent = JSON.parse(new TextDecoder().decode(net.requests[0].body))
      assert.equal(sent.app, CID_A)
      assert.equal(sent.appName, 'app.wasm')
      assert.equal(sent.quorum, 1)
      assert.equal(typeof sent.deadlineMs, 'number')
    } finally {
      dir.cleanup()
    }
  })

  it('maps the bootstrap\'s refusals to named errors, INVALID_JOB with one problem a line', async () => {
    const net = fakeNetwork(req => req.kind === JobsRequest.Kind.SUBMIT
      ? { error: JobsResponse.Error.INVALID_JOB, message: 'quorum: 3 > replication 2\nmaxAttempts: below replication' }
      : { error: JobsResponse.Error.NOT_FOUND, message: 'no job nope' })
    const client = new ComputeClient({ libp2p: net.libp2p, bootstrap: BOOTSTRAP, validateJob: lenient, share: sharer().share })
    await assert.rejects(client.submit({ ...baseSpec(), app: CID_A }), (err: any) => {
      assert.equal(err.name, 'InvalidJobError')
      assert.deepEqual(err.problems, ['quorum: 3 > replication 2', 'maxAttempts: below replication'])
      return true
    })
    await assert.rejects(client.status('nope'), JobNotFoundError)
    await assert.rejects(client.status('../x'), { name: 'InvalidOptionError' })
  })

  it('watches a job until it is final, and registers', async () => {
    let polls = 0
    const net = fakeNetwork(req => {
      if (req.kind === JobsRequest.Kind.REGISTER) return { userSerialId: 7 }
      polls++
      return { body: json({ id: req.jobId, state: polls < 3 ? 'running' : 'done', progress: polls / 3 }) }
    })
    const client = new ComputeClient({ libp2p: net.libp2p, bootstrap: BOOTSTRAP, validateJob: lenient, share: sharer().share })
    const seen = []
    for await (const s of client.watch('j', { intervalMs: 10 })) seen.push(s.state)
    assert.deepEqual(seen, ['running', 'running', 'done'])
    assert.deepEqual(await client.register('alice', 'a@example.org'), { user: 'alice', userSerialId: 7 })
    const reg = net.requests.find(r => r.kind === JobsRequest.Kind.REGISTER)
    assert.equal(reg?.user, 'alice')
    assert.equal(reg?.email, 'a@example.org')
    await assert.rejects(client.register(' '), { name: 'InvalidOptionError' })
  })

  it('collects results from the inbox first, then from a holder, checking every hash', async () => {
    const dir = tempDir()
    try {
      const hashOf = (o: UnitOutputData): Uint8Array => Uint8Array.from(Buffer.from(Buffer.from(o.stdout).toString('hex').padEnd(4, '0').slice(0, 4), 'hex'))
      const output = (text: string): OwnedOutput => {
        const o = { stdout: enc.encode(text), files: [] }
        return { ...o, outputHash: hashOf(o) }
      }
      const hex = (text: string): string => Buffer.from(hashOf({ stdout: enc.encode(text), files: [] })).toString('hex')
      const net = fakeNetwork(req => ({
        body: json({
          id: req.jobId,
          state: 'done',
          units: [
            { index: 0, state: 'valid', hash: hex('u0'), holders: ['P1'] },
            { index: 1, state: 'valid', hash: hex('u1'), holders: ['LIAR', 'P2'] }
          ]
        })
      }))
      const asked: string[] = []
      const client = new ComputeClient({
        libp2p: net.libp2p,
        bootstrap: BOOTSTRAP,
        dataDir: dir.path,
        validateJob: lenient,
        share: sharer().share,
        hashOutput: hashOf,
        outputs: {
          lookup: (_job, unit) => unit === 0 ? output('u0') : undefined,
          fetchFrom: async (peer, _job, unit) => {
            asked.push(`${peer}:${unit}`)
            return peer === 'LIAR' ? { ...output('xx'), outputHash: hashOf(output('u1')) } : output(`u${unit}`)
          }
        }
      })
      await assert.rejects(client.results('j', join(dir.path, 'out')), /not submitted from this node/)
      await client.jobs.save('j', { ...baseSpec(), app: CID_A, appName: 'app.wasm', units: [{ args: [], inputs: [] }, { args: [], inputs: [] }] } as ResolvedJob)
      const summary = await client.results('j', join(dir.path, 'out'))
      assert.equal(summary.complete, true)
      assert.deepEqual(asked, ['LIAR:1', 'P2:1'], 'the inbox answers unit 0; a holder whose output does not hash right is passed over')
      assert.equal(readFileSync(join(dir.path, 'out', 'unit-000001.stdout'), 'utf8'), 'u1')
    } finally {
      dir.cleanup()
    }
  })
})
