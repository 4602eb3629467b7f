/**
 * The provider runtime against the real bootstrap (its work manager on
 * /peerhive/work/1.0.0), with full nodes in one process: an owner that
 * shares the app, two honest providers and one with the wrong-output fault
 * (PEERHIVE_FAULT), in four subnets.
 *
 * - the liar's hashes never match, the quorum decides on the honest ones,
 *   and every valid output sits in the owner's inbox;
 * - a replica the owner cancels stops running on its provider;
 * - an output whose owner went offline stays in the provider's outbox, and
 *   the owner, back, collects it by FETCH; a stranger may not.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { appPath } from '../../src/compute/apps/index.js'
import { hashHex, outputHash } from '../../src/compute/model/output-hash.js'
import { fetchOutput } from '../../src/compute/outputs/index.js'
import { runUnit } from '../../src/compute/sandbox/index.js'
import { TestNetwork } from '../helpers/network.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import type { UnitFinished } from '../../src/compute/provider/index.js'
import type { JobInput, PeerhiveNode } from '../../src/index.js'

const MiB = 1024 * 1024
/** 64 x 32 in four bands of 8 rows */
const BANDS = [0, 8, 16, 24].map(from => ['64', '32', String(from), String(from + 8), '64'])

function job (over: Partial<JobInput> = {}): JobInput {
  return {
    name: 'provider test',
    app: appPath('mandelbrot'),
    range: { from: 0, to: 32, step: 8, args: ['64', '32', '{from}', '{to}', '64'] },
    requirements: { memoryMb: 64, diskMb: 1 },
    replication: 2,
    quorum: 2,
    deadlineMs: 30_000,
    maxAttempts: 8,
    result: { stdout: true, files: [] },
    adaptive: false,
    ...over
  }
}

describe('provider runtime with the real bootstrap', function () {
  this.timeout(120_000)
  const net = new TestNetwork()
  const tmp = tempDir('peerhive-provider-boot-')
  const ownerDir = join(tmp.path, 'owner')
  let owner: PeerhiveNode
  let liar: PeerhiveNode
  let honest: PeerhiveNode[] = []
  let expected: string[]
  const finished = new Map<string, UnitFinished[]>()

  function track (node: PeerhiveNode): void {
    const list: UnitFinished[] = []
    finished.set(node.libp2p.peerId.toString(), list)
    node.provider?.addEventListener('unit:finished', evt => { list.push(evt.detail) })
  }
  const finishedBy = (node: PeerhiveNode): UnitFinished[] => finished.get(node.libp2p.peerId.toString()) ?? []

  async function activeProviders (n: number): Promise<void> {
    await waitUntil(`${n} active providers`, async () => {
      const list = await owner.compute.providers()
      return list.filter(p => p.state === 'active' || p.state === 'working').length >= n
    }, 30_000, 200)
  }

  before(async () => {
    const wasm = readFileSync(appPath('mandelbrot'))
    expected = await Promise.all(BANDS.map(async args => {
      const r = await runUnit({ wasm, args: ['app', ...args], timeoutMs: 10_000, maxMemoryBytes: 64 * MiB, maxOutputBytes: MiB })
      return hashHex(outputHash(r.stdout, {}, { stdout: true, files: [] }))
    }))
    await net.startBootstrap()
    owner = await net.addPeer(80, 1, { dataDir: ownerDir })
    await owner.waitForPlacement(undefined, AbortSignal.timeout(10_000))
    // the liar comes first, so that it gets work before the honest ones arrive
    process.env.PEERHIVE_FAULT = 'wrong-output'
    try {
      liar = await net.addPeer(81, 1, { provider: true, cpus: 4, maxMemoryMb: 128 })
    } finally {
      delete process.env.PEERHIVE_FAULT
    }
    track(liar)
    await activeProviders(1)
  })

  after(async () => {
    await net.stop()
    tmp.cleanup()
  })

  it('a wrong-output provider is outvoted: the quorum takes the honest hashes, delivered to the owner', async () => {
    const id = await owner.compute.submit(job())
    await waitUntil('the liar to take units', () => finishedBy(liar).length > 0, 30_000)
    for (const subnet of [82, 83]) {
      const node = await net.addPeer(subnet, 1, { provider: true, cpus: 2, maxMemoryMb: 128 })
      track(node)
      honest.push(node)
    }
    const final = await owner.compute.wait(id, { intervalMs: 200, signal: AbortSignal.timeout(90_000) })
    assert.equal(final.state, 'done', JSON.stringify(final))

    const results = await owner.compute.resultList(id)
    assert.deepEqual(results.units.map(u => u.hash), expected, 'the valid hashes are the honest ones')
    for (const f of finishedBy(liar)) {
      if (f.outcome !== 'OK') continue
      assert.ok(!expected.includes(f.outputHash ?? ''), `the liar's hash of unit ${f.unitIndex} matches an honest one`)
    }
    for (const node of honest) {
      for (const f of finishedBy(node).filter(f => f.outcome === 'OK')) assert.equal(f.outputHash, expected[f.unitIndex])
    }
    const providers = await owner.compute.providers()
    const liarInfo = providers.find(p => p.peerId === liar.libp2p.peerId.toString())
    assert.ok(liarInfo != null && liarInfo.history.invalid >= 1 && liarInfo.history.valid === 0, JSON.stringify(liarInfo?.history))
    for (const [i, u] of results.units.entries()) {
      assert.equal(await owner.inbox.has(id, u.index, expected[i]), true, `unit ${i} is in the owner's inbox`)
    }
    // the liar leaves: it would only slow the next tests down
    await liar.stop()
  })

  it('a replica its owner cancels stops running on its provider', async () => {
    // one heavy unit: it runs far longer than the test
    const id = await owner.compute.submit(job({
      name: 'to cancel',
      range: { from: 0, to: 1, step: 1, args: ['2048', '2048', '1016', '1032', '1000000'] },
      replication: 1,
      quorum: 1,
      deadlineMs: 600_000,
      maxAttempts: 1
    }))
    const running = await waitUntil('the unit to run', () => {
      for (const node of honest) {
        const r = node.provider?.status().running.find(x => x.jobId === id && x.phase === 'running')
        if (r != null) return { node, replicaId: r.replicaId }
      }
      return undefined
    }, 30_000, 50)
    const cancelledAt = Date.now()
    await owner.compute.cancel(id)
    // the provider is busy, yet asks the bootstrap every 5 s: the cancellation reaches it
    const done = await waitUntil('the run to stop', () => finishedBy(running.node).find(f => f.replicaId === running.replicaId), 15_000, 50)
    assert.equal(done.outcome, 'CANCELLED')
    assert.ok(Date.now() - cancelledAt < 10_000, `stopped ${Date.now() - cancelledAt} ms after the cancel`)
    assert.equal(running.node.provider?.status().running.length, 0)
  })

  it('keeps an output while its owner is offline; the owner, back, collects it; a stranger may not', async () => {
    // a band of a few seconds, so that the owner is gone before it ends
    const id = await owner.compute.submit(job({
      name: 'owner away',
      range: { from: 0, to: 1, step: 1, args: ['256', '256', '96', '160', '500000'] },
      replication: 1,
      quorum: 1,
      maxAttempts: 2,
      deadlineMs: 60_000
    }))
    const ownerId = owner.libp2p.peerId.toString()
    await owner.stop()
    const holder = await waitUntil('a provider to keep it', () => honest.find(n => (n.provider?.outbox.undelivered() ?? []).some(e => e.jobId === id)), 60_000, 100)
    const entry = holder.provider?.outbox.undelivered().find(e => e.jobId === id)
    assert.equal(entry?.owner, ownerId)

    // the owner comes back with the same identity and data
    owner = await net.addPeer(80, 1, { dataDir: ownerDir })
    assert.equal(owner.libp2p.peerId.toString(), ownerId)
    await owner.waitForPlacement(undefined, AbortSignal.timeout(10_000))
    const final = await owner.compute.wait(id, { intervalMs: 200, signal: AbortSignal.timeout(30_000) })
    assert.equal(final.state, 'done')
    const summary = await owner.compute.results(id, join(tmp.path, 'away-results'))
    assert.equal(summary.complete, true)
    assert.equal(await owner.inbox.has(id, 0, entry?.hash ?? ''), true, 'fetched into the inbox')

    // a stranger asks the holder for it
    const stranger = await net.addPeer(84, 1)
    await assert.rejects(
      fetchOutput(stranger.libp2p, { peerId: holder.libp2p.peerId.toString(), addrs: holder.libp2p.getMultiaddrs().map(a => a.toString()) },
        { jobId: id, unitIndex: 0, outputHash: Buffer.from(entry?.hash ?? '', 'hex') }),
      (err: any) => err.name === 'OutputRefusedError' && err.code === 'FORBIDDEN'
    )
  })
})
