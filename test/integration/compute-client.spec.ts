/**
 * Volunteer computing in one process: a bootstrap, two providers in two
 * subnets and a client node, all built with createBootstrap/createNode. A
 * small Mandelbrot job with quorum 2 runs to the end; its results come back
 * in unit order and assemble into the image a local run renders. Also the
 * client's local API routes, cancel, and the refusal of an invalid job.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { inflateSync } from 'node:zlib'
import { callApi, callApiLines } from '../../src/api/index.js'
import { appPath } from '../../src/compute/apps/index.js'
import { mandelbrotJobSpec, referenceMandelbrotPng } from '../helpers/mandelbrot.js'
import { TestNetwork } from '../helpers/network.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import type { PeerhiveNode } from '../../src/index.js'
import type { JobStatus } from '../../src/compute/model/types.js'

const IMAGE = { width: 64, height: 48, rowsPerUnit: 16, maxIter: 64 }

function mandelbrotJob (over: Record<string, unknown> = {}): Record<string, unknown> {
  return mandelbrotJobSpec(IMAGE, { name: 'integration mandelbrot', maxAttempts: 6, ...over })
}


describe('integration: compute client (bootstrap, 2 providers, a client)', function () {
  this.timeout(120_000)
  const net = new TestNetwork()
  const tmp = tempDir('peerhive-compute-client-')
  let client: PeerhiveNode
  let clientData: string

  before(async function () {
    if (!existsSync(appPath('mandelbrot'))) throw new Error(`${appPath('mandelbrot')} is missing: run node scripts/build-apps.js`)
    await net.startBootstrap()
    await net.addPeer(60, 1, { provider: true, cpus: 1, maxMemoryMb: 128 })
    await net.addPeer(61, 1, { provider: true, cpus: 1, maxMemoryMb: 128 })
    clientData = join(tmp.path, 'client')
    client = await net.addPeer(60, 50, { dataDir: clientData })
    await client.waitForPlacement(undefined, AbortSignal.timeout(10_000))
    await waitUntil('two active providers at the bootstrap', async () => {
      const list = await client.compute.providers()
      return list.filter(p => p.state === 'active' || p.state === 'working').length >= 2 ? list : undefined
    }, 30_000, 200)
  })

  after(async () => {
    await net.stop()
    tmp.cleanup()
  })

  it('refuses an invalid job before it reaches the bootstrap, listing every problem', async () => {
    const file = join(tmp.path, 'bad.json')
    writeFileSync(file, JSON.stringify(mandelbrotJob({ quorum: 3, replication: 2, deadlineMs: -1, app: 'no-such-app.wasm' })))
    await assert.rejects(client.compute.submit(file), (err: any) => {
      assert.equal(err.name, 'InvalidJobError')
      for (const field of ['replication', 'deadlineMs']) assert.ok(err.problems.some((p: string) => p.includes(field)), err.message)
      return true
    })
    assert.deepEqual(await client.compute.list(), [])
  })

  it('runs a Mandelbrot job with quorum 2 and writes its results in unit order, with the image', async () => {
    const file = join(tmp.path, 'mandelbrot.json')
    writeFileSync(file, JSON.stringify(mandelbrotJob()))
    const id = await client.compute.submit(file)
    assert.ok(existsSync(join(clientData, 'jobs', id, 'job.json')), 'the job is remembered in the jobs folder')

    const seen: JobStatus[] = []
    for await (const status of client.compute.watch(id, { intervalMs: 200, signal: AbortSignal.timeout(90_000) })) seen.push(status)
    const final = seen[seen.length - 1]
    assert.equal(final.state, 'done', JSON.stringify(final))
    assert.equal(final.units, IMAGE.height / IMAGE.rowsPerUnit)
    assert.equal(final.unitStates.valid, final.units)
    assert.equal(final.progress, 1)
    assert.ok(seen.every((s, i) => i === 0 || s.progress >= seen[i - 1].progress), 'progress never goes back')

    const outDir = join(tmp.path, 'results')
    const order: number[] = []
    const summary = await client.compute.results(id, outDir, { onUnit: entry => { order.push(entry.index) } })
    assert.deepEqual(order, [0, 1, 2])
    assert.equal(summary.complete, true)
    assert.equal(summary.image, join(outDir, 'image.png'))
    assert.ok(existsSync(summary.image), 'the image is where results() says')
    const written = JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8'))
    assert.equal(written.image, 'image.png')
    assert.deepEqual(written.units.map((u: any) => u.index), [0, 1, 2])
    for (const u of written.units) {
      assert.equal(u.stdout, `unit-00000${u.index as number}.stdout`)
      assert.match(u.hash, /^[0-9a-f]{64}$/)
      assert.equal(readFileSync(join(outDir, u.stdout)).length, IMAGE.width * 3 * IMAGE.rowsPerUnit)
    }
    const png = readFileSync(join(outDir, 'image.png'))
    assert.equal(png.readUInt32BE(16), IMAGE.width)
    assert.equal(png.readUInt32BE(20), IMAGE.height)
    assert.equal(inflateSync(png.subarray(41, 41 + png.readUInt32BE(33))).length, IMAGE.height * (IMAGE.width * 3 + 1))
    assert.ok(png.equals(await referenceMandelbrotPng(IMAGE)), 'the image is the one a local run renders, byte for byte')

    // the providers pushed the outputs to the owner: they are in its inbox
    for (const u of written.units) assert.equal(await client.inbox.has(id, u.index, u.hash), true)
    const listed = await client.compute.list()
    assert.ok(listed.some(j => j.id === id && j.state === 'done'))
  })

  it('shares path inputs at submit and names a CID input by the file name the index knows', async () => {
    writeFileSync(join(tmp.path, 'a.txt'), 'the cat\nthe hat\n')
    writeFileSync(join(tmp.path, 'b.txt'), 'hello world')
    // c.txt is shared by a provider, not by the client: the client only knows its CID
    const elsewhere = join(tmp.path, 'elsewhere')
    mkdirSync(elsewhere)
    writeFileSync(join(elsewhere, 'c.txt'), 'Hello again')
    // net.nodes[0] is the client's virtual server: it answers searches with its own files
    const [shared] = await net.nodes[0].share([join(elsewhere, 'c.txt')])
    const file = join(tmp.path, 'words.json')
    writeFileSync(file, JSON.stringify({
      name: 'word count',
      app: appPath('wordcount'),
      units: [{ args: [], inputs: ['a.txt'] }, { args: [], inputs: ['b.txt', shared.cid] }],
      replication: 2,
      quorum: 2
    }))
    const id = await client.compute.submit(file)
    const job = client.compute.jobs.get(id)
    assert.deepEqual(job?.units?.[1].inputs.map(i => i.name), ['b.txt', 'c.txt'])
    assert.ok(client.shares.list().some(f => f.filename === 'a.txt'), 'the client shares its inputs where they lie')
    const final = await client.compute.wait(id, { intervalMs: 200, signal: AbortSignal.timeout(60_000) })
    assert.equal(final.state, 'done', JSON.stringify(final))
    const outDir = join(tmp.path, 'words')
    const summary = await client.compute.results(id, outDir)
    assert.equal(summary.image, undefined)
    assert.equal(readFileSync(join(outDir, 'unit-000000.stdout'), 'utf8'), 'cat\t1\nhat\t1\nthe\t2\n')
    assert.equal(readFileSync(join(outDir, 'unit-000001.stdout'), 'utf8'), 'again\t1\nhello\t2\nworld\t1\n')
  })

  it('fetches outputs the inbox does not hold from the providers that kept them', async () => {
    const file = join(tmp.path, 'refetch.json')
    writeFileSync(file, JSON.stringify(mandelbrotJob({ name: 'refetch' })))
    const id = await client.compute.submit(file)
    const final = await client.compute.wait(id, { intervalMs: 200, signal: AbortSignal.timeout(60_000) })
    assert.equal(final.state, 'done')
    // as if the owner had been offline when the providers pushed
    await client.inbox.removeJob(id)
    assert.equal(existsSync(join(clientData, 'jobs', id, 'outputs')), false)
    const outDir = join(tmp.path, 'refetched')
    const summary = await client.compute.results(id, outDir)
    assert.equal(summary.complete, true)
    assert.ok(readFileSync(join(outDir, 'image.png')).equals(await referenceMandelbrotPng(IMAGE)))
    // fetched outputs are kept again
    for (const u of summary.units) assert.equal(await client.inbox.has(id, u.index, u.hash), true)
  })

  it('serves jobs through the local API: submit, status, watch lines, results lines, jobs', async () => {
    const file = join(tmp.path, 'api-job.json')
    writeFileSync(file, JSON.stringify(mandelbrotJob({ name: 'through the API', replication: 1, quorum: 1 })))
    const { id } = await callApi(clientData, 'POST', '/v1/jobs/submit', { path: file })
    assert.equal(typeof id, 'string')
    let last: any
    for await (const line of callApiLines(clientData, '/v1/jobs/watch', { id, intervalMs: 100 })) last = line
    assert.equal(last.state, 'done')
    const status = await callApi(clientData, 'POST', '/v1/jobs/status', { id })
    assert.equal(status.name, 'through the API')
    const lines = []
    for await (const line of callApiLines(clientData, '/v1/jobs/results', { id, outDir: join(tmp.path, 'api-results') })) lines.push(line)
    assert.deepEqual(lines.filter(l => l.unit != null).map(l => l.unit.index), [0, 1, 2])
    assert.equal(lines[lines.length - 1].result.complete, true)
    assert.ok(existsSync(join(tmp.path, 'api-results', 'image.png')))
    const jobs = await callApi(clientData, 'GET', '/v1/jobs')
    assert.ok(jobs.some((j: any) => j.id === id))
    await assert.rejects(callApi(clientData, 'POST', '/v1/jobs/status', { id: 'no-such-job' }), { name: 'JobNotFoundError' })
    await assert.rejects(callApi(clientData, 'POST', '/v1/jobs/submit', { path: join(tmp.path, 'missing.json') }), { name: 'InvalidJobError' })
  })

  it('cancels a running job', async () => {
    const file = join(tmp.path, 'slow.json')
    // many heavy units: still running when the cancel arrives
    writeFileSync(file, JSON.stringify(mandelbrotJob({
      name: 'to cancel',
      range: { from: 0, to: 400, step: 1, args: ['400', '400', '{from}', '{to}', '100000'] },
      assemble: undefined
    })))
    const id = await client.compute.submit(file)
    await client.compute.cancel(id)
    const final = await client.compute.wait(id, { intervalMs: 100, signal: AbortSignal.timeout(20_000) })
    assert.equal(final.state, 'cancelled')
  })

  it('registers the client\'s PeerId with a user', async () => {
    const { userSerialId } = await client.compute.register('alice', 'alice@example.org')
    assert.ok(Number.isInteger(userSerialId) && userSerialId > 0)
  })
})
