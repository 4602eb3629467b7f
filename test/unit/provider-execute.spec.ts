/**
 * One work unit through the provider's runtime, without a network: the app
 * and inputs come from the cache (fetched by CID from local copies), the
 * unit runs in the real sandbox, and the result carries the outcome the
 * sandbox's error maps to, or the hash of the output the job asked for.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { copyFile, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { appPath } from '../../src/compute/apps/index.js'
import { hashHex, outputHash } from '../../src/compute/model/output-hash.js'
import { CidCache } from '../../src/compute/provider/index.js'
import { executeUnit, type ExecuteContext } from '../../src/compute/provider/execute.js'
import { runUnit } from '../../src/compute/sandbox/index.js'
import { buildManifest } from '../../src/sharing/index.js'
import { data, unit as watUnit } from '../fixtures/wasm/wat.js'
import { tempDir } from '../helpers/tmp-dir.js'
import type { WorkUnit } from '../../src/pb/work.js'

const OWNER = '12D3KooWQGwVZo8o4Xq3gNZ3Mxr7EXYmW3X8SGNR7Ju9sG3kHsGk'
const MiB = 1024 * 1024

/** reads /input/in.txt and writes "<it>!" to /output/out.txt; prints nothing */
const COPY_UNIT = `(local $fd i32) (local $n i32)
  (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 256) (i32.const 6) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 12)) (then (unreachable)))
  (local.set $fd (i32.load (i32.const 12)))
  (i32.store (i32.const 0) (i32.const 1024))
  (i32.store (i32.const 4) (i32.const 1024))
  (if (call $fd_read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)) (then (unreachable)))
  (local.set $n (i32.load (i32.const 8)))
  (i32.store8 (i32.add (i32.const 1024) (local.get $n)) (i32.const 33))
  (if (call $path_open (i32.const 4) (i32.const 0) (i32.const 272) (i32.const 7) (i32.const 9) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 12)) (then (unreachable)))
  (local.set $fd (i32.load (i32.const 12)))
  (i32.store (i32.const 0) (i32.const 1024))
  (i32.store (i32.const 4) (i32.add (local.get $n) (i32.const 1)))
  (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))`

describe('provider: running one unit', function () {
  this.timeout(30_000)
  const dir = tempDir('peerhive-provider-exec-')
  const sources = new Map<string, string>()
  let ctx: ExecuteContext
  let mandelbrot: string
  let copyApp: string
  let loopApp: string
  let oomApp: string
  let input: string
  let n = 0

  /** Makes `path` fetchable by its CID. */
  async function add (path: string): Promise<string> {
    const cid = (await buildManifest(path)).cid.toString()
    sources.set(cid, path)
    return cid
  }

  async function addBytes (name: string, bytes: Uint8Array): Promise<string> {
    const path = join(dir.path, name)
    await writeFile(path, bytes)
    return await add(path)
  }

  function unit (fields: Partial<WorkUnit>): WorkUnit {
    return {
      replicaId: ++n,
      jobId: 'job1',
      unitIndex: 0,
      appCid: mandelbrot,
      args: ['64', '8', '0', '8'],
      inputs: [],
      deadlineMs: 10_000,
      maxMemoryBytes: 64 * MiB,
      maxOutputBytes: 1 * MiB,
      owner: OWNER,
      ownerAddrs: [],
      stdout: true,
      outputFiles: [],
      ...fields
    }
  }

  const run = async (u: WorkUnit, signal = new AbortController().signal, over: Partial<ExecuteContext> = {}): ReturnType<typeof executeUnit> =>
    await executeUnit({ ...ctx, ...over }, u, performance.now(), signal)

  before(async () => {
    mandelbrot = await add(appPath('mandelbrot'))
    copyApp = await addBytes('copy.wasm', await watUnit(COPY_UNIT, { imports: ['path_open', 'fd_read'], extra: data(256, 'in.txt') + data(272, 'out.txt') }))
    loopApp = await addBytes('loop.wasm', await watUnit('(loop $l (br $l))'))
    // declares 4 MiB of memory: over a 2 MiB cap
    oomApp = await addBytes('big.wasm', await watUnit('(nop)', { memory: '64' }))
    input = await addBytes('in.txt', new TextEncoder().encode('peer'))
    const cache = new CidCache(join(dir.path, 'cache'), {
      maxBytes: 64 * MiB,
      fetch: async (cid, outPath) => {
        const source = sources.get(cid)
        if (source == null) throw Object.assign(new Error(`no provider has ${cid}`), { name: 'NotFoundError' })
        await copyFile(source, outPath)
      }
    })
    ctx = { cache, maxMemoryBytes: 512 * MiB, apps: new Set(), faults: {} }
  })

  after(() => { dir.cleanup() })

  it('runs mandelbrot with argv[0] = "app" and reports the hash of its stdout', async () => {
    const u = unit({})
    const { result, output } = await run(u)
    assert.equal(result.outcome, 'OK', result.error)
    assert.equal(result.replicaId, u.replicaId)
    assert.equal(result.outputBytes, 64 * 8 * 3)
    // the same band straight from the sandbox
    const direct = await runUnit({ wasm: await readFile(appPath('mandelbrot')), args: ['app', '64', '8', '0', '8'], timeoutMs: 10_000, maxMemoryBytes: 64 * MiB, maxOutputBytes: MiB })
    const expected = outputHash(direct.stdout, {}, { stdout: true, files: [] })
    assert.equal(hashHex(result.outputHash), hashHex(expected))
    assert.ok(output != null)
    assert.deepEqual(Buffer.from(output.stdout), Buffer.from(direct.stdout))
    assert.equal(output.jobId, 'job1')
    assert.equal(output.replicaId, u.replicaId)
    assert.deepEqual(output.outputHash, result.outputHash)
  })

  it('with the wrong-output fault, flips one byte before hashing', async () => {
    const honest = await run(unit({}))
    const liar = await run(unit({}), undefined, { faults: { wrongOutput: true } })
    assert.equal(liar.result.outcome, 'OK')
    assert.notEqual(hashHex(liar.result.outputHash), hashHex(honest.result.outputHash))
    const a = Buffer.from(honest.output?.stdout ?? [])
    const b = Buffer.from(liar.output?.stdout ?? [])
    assert.equal(a.length, b.length)
    assert.equal([...a].filter((x, i) => x !== b[i]).length, 1)
    assert.equal(hashHex(liar.result.outputHash), hashHex(outputHash(b, {}, { stdout: true, files: [] })), 'the hash is of the bytes it pushes')
  })

  it('gives the unit its inputs by name and returns only the files the job asks for', async () => {
    const u = unit({ appCid: copyApp, args: [], inputs: [{ name: 'in.txt', cid: input }], stdout: false, outputFiles: ['out.txt', 'never.txt'] })
    const { result, output } = await run(u)
    assert.equal(result.outcome, 'OK', result.error)
    assert.deepEqual(output?.files.map(f => [f.name, Buffer.from(f.data).toString()]), [['out.txt', 'peer!']])
    assert.equal(output?.stdout.byteLength, 0)
    const expected = outputHash(new Uint8Array(0), { 'out.txt': new TextEncoder().encode('peer!') }, { stdout: false, files: ['out.txt', 'never.txt'] })
    assert.equal(hashHex(result.outputHash), hashHex(expected))
    assert.equal(result.outputBytes, 5)
  })

  it('maps the sandbox errors to outcomes: FAILED, TIMEOUT, MEMORY, OUTPUT', async () => {
    const failed = await run(unit({ args: ['not-a-number'] }))
    assert.equal(failed.result.outcome, 'FAILED')
    assert.match(failed.result.error, /exited with code/)
    assert.equal(failed.output, undefined)

    const timeout = await run(unit({ appCid: loopApp, args: [], deadlineMs: 500 }))
    assert.equal(timeout.result.outcome, 'TIMEOUT')

    const memory = await run(unit({ appCid: oomApp, args: [], maxMemoryBytes: 2 * MiB }))
    assert.equal(memory.result.outcome, 'MEMORY', memory.result.error)

    const output = await run(unit({ maxOutputBytes: 100 }))
    assert.equal(output.result.outcome, 'OUTPUT')
  })

  it('refuses units that are not for it (ABANDONED) or cannot run anywhere (FAILED)', async () => {
    const notMine = await run(unit({}), undefined, { apps: new Set([copyApp]) })
    assert.equal(notMine.result.outcome, 'ABANDONED')
    const tooBig = await run(unit({ maxMemoryBytes: 1024 * MiB }))
    assert.equal(tooBig.result.outcome, 'ABANDONED')
    assert.match(tooBig.result.error, /512 MiB/)
    const badName = await run(unit({ inputs: [{ name: '../x', cid: input }] }))
    assert.equal(badName.result.outcome, 'FAILED')
    const badApp = await run(unit({ appCid: 'not-a-cid' }))
    assert.equal(badApp.result.outcome, 'FAILED')
    const badOwner = await run(unit({ owner: 'nobody' }))
    assert.equal(badOwner.result.outcome, 'FAILED')
    const missing = await run(unit({ inputs: [{ name: 'gone', cid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy' }] }))
    assert.equal(missing.result.outcome, 'FAILED')
    assert.match(missing.result.error, /could not get/)
  })

  it('stops a run when its signal aborts, with the abort reason', async () => {
    const controller = new AbortController()
    const running = run(unit({ appCid: loopApp, args: [], deadlineMs: 20_000 }), controller.signal)
    setTimeout(() => { controller.abort('cancelled') }, 300)
    const started = Date.now()
    await assert.rejects(running, (err: unknown) => err === 'cancelled')
    assert.ok(Date.now() - started < 5_000)
    assert.ok(existsSync(ctx.cache.dir))
  })
})
