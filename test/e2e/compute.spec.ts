/**
 * Volunteer computing end to end, with real CLI processes only: a bootstrap,
 * six providers in two subnets and a client. A Mandelbrot job with quorum 2
 * runs while one provider returns wrong outputs and another is killed -9
 * mid-job; the image must still assemble byte-identical to one rendered
 * here, and the liar's record must show its invalid results.
 */
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { appPath } from '../../src/compute/apps/index.js'
import { mandelbrotJobSpec, referenceMandelbrotPng } from '../helpers/mandelbrot.js'
import { RunningCommand } from '../helpers/running-command.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import { Cluster, kill9, peerhive, peerhiveJson, type CliNode } from './cluster.js'
import type { JobStatus, ProviderInfo } from '../../src/compute/model/types.js'

const PORT = 4751
const SUBNETS = [120, 121]
// heavy enough (about a second a unit) that a provider can be caught holding work
const IMAGE = { width: 480, height: 320, rowsPerUnit: 16, maxIter: 100_000 }

describe('e2e: volunteer computing (6 providers in 2 subnets, quorum 2, a liar and a crash)', function () {
  this.timeout(180_000)
  const cluster = new Cluster(PORT)
  const tmp = tempDir('peerhive-e2e-compute-')
  const providers = new Map<string, CliNode>()
  let client: CliNode
  let jobId: string

  const providersJson = async (): Promise<ProviderInfo[]> => peerhiveJson(['providers', '--data', client.dataDir])

  before(async function () {
    this.timeout(120_000)
    await cluster.startBootstrap()
    const starts: Array<Promise<unknown>> = []
    for (const [s, subnet] of SUBNETS.entries()) {
      for (let h = 1; h <= 3; h++) {
        const name = `p${s}${h}`
        // p01 lies: every output it returns has one byte flipped (the daemon's fault-injection hook)
        const env = name === 'p01' ? { PEERHIVE_FAULT: 'wrong-output' } : {}
        starts.push(cluster.startDaemon(name, subnet, h, ['--provider', '--cpus', '1', '--max-memory', '128'], env).then(n => { providers.set(name, n) }))
      }
    }
    starts.push(cluster.startDaemon('client', SUBNETS[0], 50).then(n => { client = n }))
    await Promise.all(starts)
    await waitUntil('six active providers at the bootstrap', async () => {
      const list = await providersJson().catch(() => [])
      return list.filter(p => p.state === 'active' || p.state === 'working').length >= 6 ? list : undefined
    }, 60_000, 500)
  })

  after(async function () {
    if (this.currentTest?.state === 'failed') console.log(cluster.logs(40))
    await cluster.stopAll()
    tmp.cleanup()
  })

  it('register links the client PeerId to a user and prints its user_serial_id', async () => {
    const r = await peerhive(['register', '--user', 'alice', '--email', 'alice@example.org', '--json', '--data', client.dataDir])
    assert.equal(r.code, 0, r.stderr)
    const out = JSON.parse(r.stdout)
    assert.ok(Number.isInteger(out.userSerialId) && out.userSerialId > 0, r.stdout)
  })

  it('a malformed job is refused at submit with every problem listed', async () => {
    const bad = join(tmp.path, 'bad.json')
    writeFileSync(bad, JSON.stringify({ app: appPath('mandelbrot'), quorum: 3, replication: 2, deadlineMs: -1, units: [] }))
    const r = await peerhive(['job', 'submit', bad, '--data', client.dataDir])
    assert.equal(r.code, 2, `exit code for an invalid job: ${r.stdout}${r.stderr}`)
    for (const field of ['replication', 'deadlineMs', 'units']) assert.match(r.stderr, new RegExp(field), `the problem with ${field} is listed: ${r.stderr}`)
  })

  /** Writes a Mandelbrot job file for IMAGE; returns its path. */
  const writeJob = (name: string): string => {
    const jobFile = join(tmp.path, `${name}.json`)
    writeFileSync(jobFile, JSON.stringify(mandelbrotJobSpec(IMAGE, { name })))
    return jobFile
  }

  /** The image rendered here, once. */
  let reference: Buffer | undefined
  const referenceImage = async (): Promise<Buffer> => {
    reference ??= await referenceMandelbrotPng(IMAGE)
    return reference
  }

  const submitJob = async (name: string): Promise<string> => {
    const submitted = await peerhive(['job', 'submit', writeJob(name), '--json', '--data', client.dataDir])
    assert.equal(submitted.code, 0, submitted.stderr)
    const id = JSON.parse(submitted.stdout).id
    assert.ok(typeof id === 'string' && id.length > 0, submitted.stdout)
    return id
  }

  const waitFinished = async (id: string): Promise<JobStatus> => waitUntil(`job ${id} to finish`, async () => {
    const s: JobStatus = await peerhiveJson(['job', 'status', id, '--data', client.dataDir])
    return s.state === 'running' ? undefined : s
  }, 120_000, 500)

  const resultImage = async (id: string, dir: string): Promise<Buffer> => {
    const outDir = join(tmp.path, dir)
    const r = await peerhive(['job', 'results', id, '-o', outDir, '--data', client.dataDir])
    assert.equal(r.code, 0, r.stderr)
    return readFileSync(join(outDir, 'image.png'))
  }

  it('the Mandelbrot job completes despite a liar and a provider killed mid-job; the image is exact', async () => {
    jobId = await submitJob('e2e mandelbrot')

    // kill -9 an honest provider while it holds work
    const victim = await waitUntil('an honest provider with units in hand', async () => {
      const list = await providersJson()
      const busy = list.find(p => p.current > 0 && p.peerId !== providers.get('p01')?.peerId)
      return busy == null ? undefined : [...providers.entries()].find(([, n]) => n.peerId === busy.peerId)
    }, 30_000, 100)
    await kill9(victim[1])
    const killedId = victim[1].peerId

    const final = await waitFinished(jobId)
    assert.equal(final.state, 'done', `final status: ${JSON.stringify(final)}`)
    assert.equal(final.unitStates.valid, IMAGE.height / IMAGE.rowsPerUnit)
    assert.equal(final.progress, 1)
    assert.ok((await resultImage(jobId, 'results')).equals(await referenceImage()), 'the assembled image is the reference image, byte for byte')

    const list = await providersJson()
    const liar = list.find(p => p.peerId === providers.get('p01')?.peerId)
    assert.ok(liar != null, 'the liar is in the registry')
    assert.ok(liar.history.invalid > 0, `the liar's record shows invalid results: ${JSON.stringify(liar.history)}`)
    assert.equal(liar.history.valid, 0, 'none of its outputs was accepted')
    const killed = list.find(p => p.peerId === killedId)
    assert.ok(killed != null && killed.state === 'offline', `the killed provider is offline: ${JSON.stringify(killed)}`)
    assert.ok(killed.history.lost > 0, `its units in hand were lost and reissued: ${JSON.stringify(killed.history)}`)
    const honest = list.filter(p => p.peerId !== liar.peerId)
    assert.ok(honest.every(p => p.history.invalid === 0), 'no honest provider was marked invalid')
  })

  it('a kill -9 of the bootstrap mid-job loses nothing: job submit --wait rides out the restart, prints the id first, exits 0, and the image is exact', async () => {
    // the client follows the job across the crash, as a user would
    const waiting = RunningCommand.start(['job', 'submit', writeJob('e2e mandelbrot, bootstrap crash'), '--wait', '--json', '--data', client.dataDir])
    try {
      const first = await waitUntil('the job id on the first stdout line', () => waiting.lines()[0], 30_000, 100)
      const id: string = JSON.parse(first).id
      assert.ok(typeof id === 'string' && id.length > 0, first)
      const before = await waitUntil('some units valid, not all', async () => {
        const s: JobStatus = await peerhiveJson(['job', 'status', id, '--data', client.dataDir])
        return s.unitStates.valid > 0 && s.state === 'running' ? s : undefined
      }, 60_000, 100)
      await kill9(cluster.bootstrap)
      await cluster.startBootstrap()
      const after: JobStatus = await waitUntil('the restarted bootstrap to answer for the job', async () =>
        peerhiveJson(['job', 'status', id, '--data', client.dataDir]).catch(() => undefined), 30_000, 250)
      assert.ok(after.unitStates.valid >= before.unitStates.valid, `no validated unit was lost: ${before.unitStates.valid} before the crash, ${after.unitStates.valid} after`)

      const code = await waiting.exited
      assert.equal(code, 0, `job submit --wait exit code; stderr: ${waiting.stderr}`)
      const lines = waiting.lines()
      assert.equal(lines.length, 2, `the id, then the final status: ${waiting.stdout}`)
      const final: JobStatus = JSON.parse(lines[1])
      assert.equal(final.id, id)
      assert.equal(final.state, 'done', `final status: ${lines[1]}`)
      assert.ok((await resultImage(id, 'results-after-crash')).equals(await referenceImage()), 'the image is exact after the crash')
    } finally {
      waiting.kill()
    }
  })
})
