/**
 * The compute commands of the CLI, as real `peerhive` processes talking to
 * the local API of nodes that run in this process (a bootstrap, a provider,
 * a client with a data directory): exit codes, --json, the human output,
 * and `admin remove` run with the bootstrap's own data directory.
 */
import assert from 'node:assert/strict'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { appPath } from '../../src/compute/apps/index.js'
import { peerhive } from '../helpers/cli.js'
import { TestNetwork } from '../helpers/network.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import type { PeerhiveNode } from '../../src/index.js'

describe('integration: compute commands of the CLI', function () {
  this.timeout(120_000)
  const net = new TestNetwork()
  const tmp = tempDir('peerhive-compute-cli-')
  let provider: PeerhiveNode
  let clientData: string
  let jobFile: string

  before(async () => {
    await net.startBootstrap()
    provider = await net.addPeer(62, 1, { provider: true, cpus: 2, maxMemoryMb: 128 })
    clientData = join(tmp.path, 'client')
    const client = await net.addPeer(62, 2, { dataDir: clientData })
    await client.waitForPlacement(undefined, AbortSignal.timeout(10_000))
    await waitUntil('an active provider', async () => (await client.compute.providers()).some(p => p.state === 'active'), 30_000, 200)
    jobFile = join(tmp.path, 'job.json')
    writeFileSync(jobFile, JSON.stringify({
      name: 'cli mandelbrot',
      app: appPath('mandelbrot'),
      range: { from: 0, to: 32, step: 8, args: ['48', '32', '{from}', '{to}'] },
      assemble: 'mandelbrot-png'
    }))
  })

  after(async () => {
    await net.stop()
    tmp.cleanup()
  })

  it('job submit --wait --json prints {id} first, follows the job to its end and exits 0; status, jobs and results agree', async () => {
    const submitted = await peerhive(['job', 'submit', jobFile, '--wait', '--json', '--data', clientData])
    assert.equal(submitted.code, 0, submitted.stderr)
    const lines = submitted.stdout.trim().split('\n')
    assert.equal(lines.length, 2, `one line for the id, one for the final status: ${submitted.stdout}`)
    const { id } = JSON.parse(lines[0])
    const final = JSON.parse(lines[1])
    assert.equal(final.id, id)
    assert.equal(final.state, 'done')
    assert.equal(final.units, 4)

    const status = await peerhive(['job', 'status', final.id, '--data', clientData])
    assert.equal(status.code, 0, status.stderr)
    assert.match(status.stdout, /^state {6}done$/m)
    assert.match(status.stdout, /^progress {3}100\.0% {2}\(4 of 4 units valid\)/m)
    assert.match(status.stdout, /"cli mandelbrot"/)

    const jobs = await peerhive(['jobs', '--data', clientData])
    assert.equal(jobs.code, 0, jobs.stderr)
    assert.match(jobs.stdout, new RegExp(`^${final.id} +done +100% +4/4 +cli mandelbrot$`, 'm'))

    const outDir = join(tmp.path, 'out')
    const results = await peerhive(['job', 'results', final.id, '-o', outDir, '--data', clientData])
    assert.equal(results.code, 0, results.stderr)
    assert.match(results.stdout, /4 unit\(s\) written to .* \(results\.json, image\.png\)/)
    for (const f of ['unit-000000.stdout', 'unit-000003.stdout', 'results.json', 'image.png']) assert.ok(existsSync(join(outDir, f)), f)
  })

  it('an invalid job exits 2 with every problem; an unknown job exits 1; no node exits 3', async () => {
    const bad = join(tmp.path, 'bad.json')
    writeFileSync(bad, JSON.stringify({ app: 'nowhere.wasm', quorum: 4, replication: 2, maxOutputBytes: 0, units: [] }))
    const r = await peerhive(['job', 'submit', bad, '--data', clientData])
    assert.equal(r.code, 2, r.stdout + r.stderr)
    for (const field of ['replication', 'maxOutputBytes', 'units']) assert.match(r.stderr, new RegExp(`^ {2}- .*${field}`, 'm'), r.stderr)
    const missing = await peerhive(['job', 'submit', join(tmp.path, 'nope.json'), '--data', clientData])
    assert.equal(missing.code, 2)
    assert.match(missing.stderr, /cannot read the job file .*nope\.json: no such file/)

    const unknown = await peerhive(['job', 'status', 'no-such-job', '--data', clientData])
    assert.equal(unknown.code, 1)
    assert.match(unknown.stderr, /no-such-job/)

    const none = await peerhive(['jobs', '--data', join(tmp.path, 'nobody')])
    assert.equal(none.code, 3)
    const usage = await peerhive(['job', 'results', 'x', '--data', clientData])
    assert.equal(usage.code, 2, 'results without -o')
  })

  it('register prints the user_serial_id; providers shows the provider, human and --json', async () => {
    const reg = await peerhive(['register', '--user', 'carol', '--data', clientData])
    assert.equal(reg.code, 0, reg.stderr)
    assert.match(reg.stdout, /^user_serial_id \d+ {2}\(user carol\)$/m)

    const human = await peerhive(['providers', '--data', clientData])
    assert.equal(human.code, 0, human.stderr)
    assert.match(human.stdout, new RegExp(`^${provider.peerId} {2}(active|working)`, 'm'))
    assert.match(human.stdout, /donates {3}2 cpu\(s\), 128 MiB per unit, apps: any/)
    const json = JSON.parse((await peerhive(['providers', '--json', '--data', clientData])).stdout)
    assert.ok(json.some((p: any) => p.peerId === provider.peerId && p.cpus === 2 && p.maxMemoryMb === 128))
  })

  it('admin remove: refused from a plain daemon, done with the bootstrap\'s data directory', async () => {
    const refused = await peerhive(['admin', 'remove', provider.peerId, '--data', clientData])
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, /operator/)

    const bootstrapData = join(net.dataDir, 'bootstrap')
    const removed = await peerhive(['admin', 'remove', provider.peerId, '--ban', '--json', '--data', bootstrapData])
    assert.equal(removed.code, 0, removed.stderr)
    assert.equal(JSON.parse(removed.stdout).provider.state, 'banned')
    const list = JSON.parse((await peerhive(['providers', '--json', '--data', bootstrapData])).stdout)
    assert.equal(list.find((p: any) => p.peerId === provider.peerId)?.state, 'banned')
    const notPeer = await peerhive(['admin', 'remove', 'not-a-peer', '--data', bootstrapData])
    assert.equal(notPeer.code, 2)
  })
})
