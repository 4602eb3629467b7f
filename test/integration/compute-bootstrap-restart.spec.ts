/**
 * Clients ride out a bootstrap restart: a bootstrap (in this process, on a
 * fixed port and data directory) is stopped and started again while
 * `peerhive job submit --wait` (a real CLI process talking to a client node
 * of this process) and `node.compute.watch()` follow jobs, and while
 * `node.compute.results()` collects outputs. They must carry on and end
 * well; only a bootstrap down for longer than the bound makes them give up,
 * naming the job and how to follow it later.
 *
 * No provider runs until the restarts are over, so no job can end early:
 * every step waits for a condition, never for time to pass.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { appPath } from '../../src/compute/apps/index.js'
import { peerhive } from '../helpers/cli.js'
import { TestNetwork } from '../helpers/network.js'
import { RunningCommand } from '../helpers/running-command.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import type { JobStatus, PeerhiveNode, RetryInfo } from '../../src/index.js'

const PORT = 4787
const SUBNET = 64

describe('integration: clients ride out a bootstrap restart', function () {
  this.timeout(120_000)
  const net = new TestNetwork()
  const tmp = tempDir('peerhive-restart-client-')
  const listen = [`/ip4/127.0.0.1/tcp/${PORT}`]
  const running: RunningCommand[] = []
  let client: PeerhiveNode
  let clientData: string
  let jobFile: string
  let abandonedId: string
  let doneId: string

  const stopBootstrap = async (): Promise<void> => { await net.bootstrap.stop() }
  const restartBootstrap = async (): Promise<void> => { await net.startBootstrap({ listen }) }
  const submitWait = (extra: string[] = []): RunningCommand => {
    const r = RunningCommand.start(['job', 'submit', jobFile, '--wait', '--json', '--data', clientData, ...extra])
    running.push(r)
    return r
  }
  /** the id on the first stdout line, which must come while the job still runs */
  const firstLineId = async (r: RunningCommand): Promise<string> => {
    const line = await waitUntil('the job id on the first line', () => r.lines()[0], 30_000)
    const { id } = JSON.parse(line)
    assert.ok(typeof id === 'string' && id !== '', line)
    return id
  }

  before(async () => {
    await net.startBootstrap({ listen })
    clientData = join(tmp.path, 'client')
    client = await net.addPeer(SUBNET, 2, { dataDir: clientData })
    await client.waitForPlacement(undefined, AbortSignal.timeout(10_000))
    jobFile = join(tmp.path, 'job.json')
    writeFileSync(jobFile, JSON.stringify({
      name: 'restart mandelbrot',
      app: appPath('mandelbrot'),
      range: { from: 0, to: 32, step: 16, args: ['48', '32', '{from}', '{to}'] },
      assemble: 'mandelbrot-png'
    }))
  })

  afterEach(function () {
    if (this.currentTest?.state === 'failed') for (const r of running) console.error(`stdout: ${r.stdout}\nstderr: ${r.stderr}`)
  })

  after(async () => {
    for (const r of running) r.kill()
    await net.stop()
    tmp.cleanup()
  })

  it('job submit --wait (without --json: the id alone on the first line) gives up (exit 1) once the bootstrap has been down past --give-up-after, naming the job and the command to follow it', async () => {
    const r = RunningCommand.start(['job', 'submit', jobFile, '--wait', '--give-up-after', '1000', '--data', clientData])
    running.push(r)
    abandonedId = await waitUntil('the job id on the first line', () => r.lines()[0], 30_000)
    assert.match(abandonedId, /^[A-Za-z0-9_-]+$/, 'the first line is the id alone')
    await stopBootstrap()
    const code = await r.exited
    await restartBootstrap()
    assert.equal(code, 1, r.stderr)
    assert.equal(r.lines()[0], abandonedId)
    assert.match(r.stderr, /the bootstrap is unreachable/)
    assert.ok(r.stderr.includes(`peerhive: the bootstrap has been unreachable for `), r.stderr)
    assert.ok(r.stderr.includes(`job ${abandonedId} is still known to it — follow it later with: peerhive job status ${abandonedId} --data ${clientData} --wait`), r.stderr)
  })

  it('job submit --wait (CLI) and node.compute.watch() (library) follow their jobs across a bootstrap restart, and end done', async () => {
    const cli = submitWait()
    doneId = await firstLineId(cli)
    const libId = await client.compute.submit(jobFile)
    const retries: RetryInfo[] = []
    const seen: JobStatus[] = []
    const watching = (async () => {
      for await (const s of client.compute.watch(libId, { intervalMs: 100, onRetry: info => { retries.push(info) } })) seen.push(s)
    })()
    await waitUntil('the library watch to see the job running', () => seen.length > 0)

    await stopBootstrap()
    await waitUntil('the CLI to report the bootstrap unreachable', () => cli.stderr.includes('the bootstrap is unreachable'), 30_000)
    await waitUntil('the library watch to retry', () => retries.length > 0, 30_000)
    const seenWhileDown = seen.length
    await restartBootstrap()
    await waitUntil('the library watch to hear from the restarted bootstrap', () => seen.length > seenWhileDown, 30_000)

    // only now can the jobs run
    await net.addPeer(SUBNET, 1, { provider: true, cpus: 2, maxMemoryMb: 128 })
    const code = await cli.exited
    assert.equal(code, 0, cli.stderr)
    const lines = cli.lines()
    assert.equal(lines.length, 2, cli.stdout)
    const final = JSON.parse(lines[1])
    assert.equal(final.id, doneId)
    assert.equal(final.state, 'done')
    assert.match(cli.stderr, /the bootstrap answers again/)

    await watching
    assert.equal(seen.at(-1)?.state, 'done')
    assert.equal(seen.at(-1)?.id, libId)
    assert.ok(retries.every(r => r.error instanceof Error && r.retryInMs > 0 && r.retryInMs <= 5_000), JSON.stringify(retries.map(r => [r.retryInMs, String(r.error)])))
  })

  it('the command of the give-up message follows the abandoned job to its end', async () => {
    const r = await peerhive(['job', 'status', abandonedId, '--data', clientData, '--wait', '--json', '--give-up-after', '60000'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(JSON.parse(r.stdout).state, 'done')
  })

  it('node.compute.results() rides out a bootstrap restart and writes every unit', async () => {
    await stopBootstrap()
    const retries: RetryInfo[] = []
    const collecting = client.compute.results(doneId, join(tmp.path, 'results'), { onRetry: info => { retries.push(info) } })
    await waitUntil('results to retry', () => retries.length > 0, 30_000)
    await restartBootstrap()
    const summary = await collecting
    assert.equal(summary.complete, true)
    assert.equal(summary.units.length, 2)
  })

  it('node.compute.results() throws BootstrapUnreachableError naming the job once the bound has passed; one-shot commands say the bootstrap did not answer', async () => {
    await stopBootstrap()
    try {
      for (const args of [['jobs'], ['job', 'status', doneId], ['job', 'cancel', doneId]]) {
        const r = await peerhive([...args, '--data', clientData])
        assert.equal(r.code, 1, r.stderr)
        assert.match(r.stderr, /^peerhive: the bootstrap did not answer \(.+\); is it running\? Jobs are kept: try again once it is back$/m)
      }
      await assert.rejects(client.compute.results(doneId, join(tmp.path, 'results-2'), { unreachableMs: 500 }), (err: any) => {
        assert.equal(err.name, 'BootstrapUnreachableError')
        assert.ok(err.unreachableForMs >= 500, String(err.unreachableForMs))
        assert.match(err.message, new RegExp(`job ${doneId}`))
        return true
      })
    } finally {
      await restartBootstrap()
    }
  })
})
