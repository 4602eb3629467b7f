/**
 * The provider runtime on real libp2p nodes in one process, on loopback:
 *
 * - an owner node shares the mandelbrot app (ShareStore + TransferServer)
 *   and takes outputs (UnitOutputServer + OwnerInbox);
 * - providers fetch the app by CID from it over /peerhive/transfer/1.0.0,
 *   run units, PUSH outputs to it and keep them in their outbox;
 * - a small work server written here speaks /peerhive/work/1.0.0 with the
 *   real protobuf messages and plays the bootstrap: it hands out the units
 *   the test queues, records HELLOs and REPORTs, cancels and removes
 *   providers, and can be restarted.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { appPath } from '../../src/compute/apps/index.js'
import { hashHex, outputHash } from '../../src/compute/model/output-hash.js'
import { OwnerInbox, UnitOutputServer, fetchOutput, type OutputSpec } from '../../src/compute/outputs/index.js'
import { ComputeProvider, type UnitFinished } from '../../src/compute/provider/index.js'
import { QUEUED_UNITS } from '../../src/compute/provider/constants.js'
import { runUnit } from '../../src/compute/sandbox/index.js'
import { answerRequest, createStack } from '../../src/core/index.js'
import { PROTOCOL_WORK } from '../../src/protocols/index.js'
import { WorkRequest, WorkResponse, type ProviderHost, type ReplicaResult, type WorkUnit } from '../../src/pb/work.js'
import { ShareStore } from '../../src/sharing/index.js'
import { TransferServer, download } from '../../src/sharing/transfer/index.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import type { PrivateKey } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

const MiB = 1024 * 1024
const JOB = 'mandel-1'
const SPEC: OutputSpec = { stdout: true, files: [], maxOutputBytes: 4 * MiB }
/** the image: 64 x 32, four bands of 8 rows */
const BANDS = [0, 1, 2, 3].map(i => ['64', '32', String(i * 8), String(i * 8 + 8)])

async function startNode (ip: string, privateKey?: PrivateKey, port = 0): Promise<Libp2p<any>> {
  const node = await createStack({ privateKey: privateKey ?? await generateKeyPair('Ed25519'), listen: [`/ip4/${ip}/tcp/${port}`], isBootstrap: false, peerTimeoutMs: 30_000 })
  await node.start()
  return node
}

const addrsOf = (node: Libp2p<any>): string[] => node.getMultiaddrs().map(a => a.toString())

/** The bootstrap's side of /peerhive/work/1.0.0, reduced to what these tests drive. */
class TestWorkServer {
  node!: Libp2p<any>
  readonly hellos: Array<{ peer: string, host?: ProviderHost, cpus: number, maxMemoryMb: number, at: number }> = []
  readonly reports: Array<{ peer: string, results: ReplicaResult[], at: number }> = []
  readonly fetches: Array<{ peer: string, maxUnits: number }> = []
  /** units waiting to be handed out, per provider PeerId */
  readonly queued = new Map<string, WorkUnit[]>()
  /** replica ids to tell each provider are cancelled */
  readonly cancel = new Map<string, number[]>()
  readonly removed = new Set<string>()
  private registered = new Set<string>()
  private key!: PrivateKey
  private port = 0

  async start (): Promise<void> {
    this.key ??= await generateKeyPair('Ed25519')
    this.node = await startNode('127.0.0.1', this.key, this.port)
    this.port = Number(this.node.getMultiaddrs()[0].getComponents().find(c => c.name === 'tcp')?.value)
    await this.node.handle(PROTOCOL_WORK, (stream, connection) => {
      void answerRequest(stream, WorkRequest, WorkResponse, {
        maxInboundBytes: 64 * 1024,
        signal: AbortSignal.timeout(5_000),
        handle: req => this.answer(req, connection.remotePeer.toString()),
        onBadRequest: err => ({ ...none(), error: WorkResponse.Error.MALFORMED_MESSAGE, message: err.message })
      }).catch(() => {})
    }, { maxInboundStreams: 64 })
  }

  /** Stops, then starts again on the same key and port, having forgotten every session (as a restarted bootstrap). */
  async restart (downMs: number): Promise<void> {
    await this.node.stop()
    await new Promise(resolve => setTimeout(resolve, downMs))
    this.registered = new Set()
    await this.start()
  }

  addr (): string {
    return this.node.getMultiaddrs()[0].toString()
  }

  results (peer?: string): ReplicaResult[] {
    return this.reports.filter(r => peer == null || r.peer === peer).flatMap(r => r.results)
  }

  result (replicaId: number): ReplicaResult | undefined {
    return this.results().find(r => r.replicaId === replicaId)
  }

  give (peer: string, units: WorkUnit[]): void {
    this.queued.set(peer, [...(this.queued.get(peer) ?? []), ...units])
  }

  private answer (req: WorkRequest, peer: string): WorkResponse {
    if (this.removed.has(peer)) return { ...none(), error: WorkResponse.Error.REMOVED, message: 'removed by the operator' }
    const cancelled = this.cancel.get(peer) ?? []
    this.cancel.delete(peer)
    const res = { ...none(), cancelled }
    if (req.kind === WorkRequest.Kind.HELLO) {
      this.registered.add(peer)
      this.hellos.push({ peer, host: req.host, cpus: req.cpus, maxMemoryMb: req.maxMemoryMb, at: Date.now() })
      return res
    }
    if (!this.registered.has(peer)) return { ...res, error: WorkResponse.Error.NOT_REGISTERED, message: 'HELLO first' }
    if (req.kind === WorkRequest.Kind.REPORT) {
      this.reports.push({ peer, results: req.results, at: Date.now() })
      return { ...res, accepted: req.results.length }
    }
    this.fetches.push({ peer, maxUnits: req.maxUnits })
    const queue = this.queued.get(peer) ?? []
    const units = queue.splice(0, req.maxUnits)
    return units.length > 0 ? { ...res, units } : { ...res, retryMs: 100 }
  }
}

function none (): WorkResponse {
  return { version: 1, error: WorkResponse.Error.NONE, message: '', units: [], accepted: 0, retryMs: 0, cancelled: [] }
}

describe('provider runtime (real libp2p nodes, a work server on /peerhive/work/1.0.0)', function () {
  this.timeout(60_000)
  const dir = tempDir('peerhive-provider-it-')
  const work = new TestWorkServer()
  let owner: Libp2p<any>
  let ownerShares: ShareStore
  let ownerTransfer: TransferServer
  let ownerOutputs: UnitOutputServer
  let inbox: OwnerInbox
  let appCid: string
  let expected: string[]
  let nextReplica = 100
  const stops: Array<() => Promise<void>> = []

  interface Running { node: Libp2p<any>, provider: ComputeProvider, finished: UnitFinished[], events: string[] }

  /** A provider node on `ip`, with its own unit-output handler serving FETCHes from its outbox. */
  async function startProvider (ip: string, name: string, opts: Partial<ConstructorParameters<typeof ComputeProvider>[1]> = {}): Promise<Running> {
    const node = await startNode(ip)
    const provider = new ComputeProvider(node, {
      dataDir: join(dir.path, name),
      bootstrap: work.addr(),
      // the owner shares the app: fetch it from there, verified piece by piece
      fetchByCid: async (cid, outPath, signal) => download({ libp2p: node, cid, providers: [{ peerId: owner.peerId.toString(), addrs: addrsOf(owner) }], outPath, signal }),
      cpus: 4,
      maxMemoryMb: 256,
      reportDelayMs: 300,
      ...opts
    })
    const server = new UnitOutputServer(node, { outbox: provider.outbox })
    await server.start()
    const finished: UnitFinished[] = []
    const events: string[] = []
    provider.addEventListener('unit:finished', evt => { finished.push(evt.detail) })
    provider.addEventListener('bootstrap:error', evt => { events.push(`bootstrap:error ${evt.detail.error.name}: ${evt.detail.error.message}`) })
    for (const type of ['unit:started', 'output:delivered', 'output:kept', 'registered', 'removed'] as const) {
      provider.addEventListener(type, () => { events.push(type) })
    }
    await provider.start()
    stops.push(async () => {
      await provider.stop()
      await server.stop()
      await node.stop()
    })
    return { node, provider, finished, events }
  }

  function unitFor (args: string[], index: number, fields: Partial<WorkUnit> = {}): WorkUnit {
    return {
      replicaId: ++nextReplica,
      jobId: JOB,
      unitIndex: index,
      appCid,
      args,
      inputs: [],
      deadlineMs: 20_000,
      maxMemoryBytes: 64 * MiB,
      maxOutputBytes: SPEC.maxOutputBytes,
      owner: owner.peerId.toString(),
      ownerAddrs: addrsOf(owner),
      stdout: true,
      outputFiles: [],
      ...fields
    }
  }

  before(async () => {
    await work.start()
    owner = await startNode('127.0.0.1')
    ownerShares = new ShareStore(':memory:')
    const [shared] = await ownerShares.share([appPath('mandelbrot')])
    appCid = shared.cid
    ownerTransfer = new TransferServer(owner, ownerShares)
    await ownerTransfer.start()
    inbox = new OwnerInbox(join(dir.path, 'owner'), { libp2p: owner, resultSpec: () => SPEC })
    ownerOutputs = new UnitOutputServer(owner, {
      ownsJob: jobId => jobId === JOB,
      resultSpec: () => SPEC,
      accept: async output => inbox.put(output),
      maxOutputBytes: () => SPEC.maxOutputBytes
    })
    await ownerOutputs.start()
    // the bands as the sandbox renders them here, to check the providers' hashes against
    const wasm = await readFile(appPath('mandelbrot'))
    expected = await Promise.all(BANDS.map(async args => {
      const r = await runUnit({ wasm, args: ['app', ...args], timeoutMs: 10_000, maxMemoryBytes: 64 * MiB, maxOutputBytes: MiB })
      return hashHex(outputHash(r.stdout, {}, SPEC))
    }))
  })

  after(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {})
    await ownerOutputs?.stop()
    await ownerTransfer?.stop()
    await ownerShares?.close()
    await owner?.stop()
    await work.node?.stop()
    dir.cleanup()
  })

  let honest: Running

  it('says HELLO with its host info, fetches the app by CID from the owner, runs 4 units, pushes the outputs and reports the right hashes in batches', async () => {
    honest = await startProvider('127.0.3.1', 'honest')
    const peer = honest.node.peerId.toString()
    const hello = await waitUntil('a HELLO', () => work.hellos.find(h => h.peer === peer))
    assert.equal(hello.cpus, 4)
    assert.equal(hello.maxMemoryMb, 256)
    assert.ok(hello.host != null)
    assert.equal(hello.host.network, 'loopback')
    assert.ok(hello.host.cores >= 1)
    assert.ok(hello.host.cpuModel.length > 0)
    assert.match(hello.host.os, /^[a-z0-9]+-[a-z0-9]+ \S+/)
    assert.ok(hello.host.memoryMb > 0)
    assert.ok(hello.host.freeDiskMb > 0)
    assert.equal(hello.host.bandwidthBps, 0, 'nothing downloaded yet')

    const units = BANDS.map((args, i) => unitFor(args, i))
    work.give(peer, units)
    await waitUntil('4 results', () => work.results(peer).length >= 4, 30_000)

    for (const [i, u] of units.entries()) {
      const r = work.result(u.replicaId)
      assert.ok(r != null)
      assert.equal(r.outcome, 'OK', r.error)
      assert.equal(hashHex(r.outputHash), expected[i], `unit ${i}`)
      assert.equal(r.outputBytes, 64 * 8 * 3)
    }
    assert.ok(work.reports.filter(r => r.peer === peer).some(r => r.results.length >= 2), 'results share REPORTs')
    const asked = work.fetches.filter(f => f.peer === peer).map(f => f.maxUnits)
    assert.ok(asked.every(n => n <= 4 + QUEUED_UNITS), `it never asks for more than its free cores and ${QUEUED_UNITS} unit waiting: ${asked.join(', ')}`)
    assert.ok(asked.includes(4 + QUEUED_UNITS), 'an idle provider asks for a unit beyond its cores, to start it the moment a core frees')

    // the owner has every band, checked against its hash
    await waitUntil('4 outputs at the owner', async () => (await inbox.list(JOB)).size === 4)
    for (const [i] of units.entries()) {
      const o = await inbox.get(JOB, i, expected[i])
      assert.ok(o != null, `unit ${i} at the owner`)
      assert.equal(o.stdout.byteLength, 64 * 8 * 3)
    }
    assert.equal(honest.events.filter(e => e === 'output:delivered').length, 4)
    assert.deepEqual(honest.finished.map(f => f.outcome), ['OK', 'OK', 'OK', 'OK'])
    // and a copy stays in the outbox, delivered
    assert.deepEqual(honest.provider.status().outbox, { entries: 4, bytes: honest.provider.status().outbox.bytes, undelivered: 0 })
    // the app was fetched once, and the download measured
    assert.equal(honest.provider.status().cache.entries, 1)
    assert.ok(honest.provider.status().bandwidthBps > 0)
  })

  it('a provider with the wrong-output fault reports hashes that differ from the honest ones', async () => {
    const liar = await startProvider('127.0.4.1', 'liar', { faults: { wrongOutput: true } })
    const peer = liar.node.peerId.toString()
    const units = BANDS.map((args, i) => unitFor(args, i))
    await waitUntil('a HELLO', () => work.hellos.some(h => h.peer === peer))
    work.give(peer, units)
    await waitUntil('4 results from the liar', () => work.results(peer).length >= 4, 30_000)
    for (const [i, u] of units.entries()) {
      const r = work.result(u.replicaId)
      assert.equal(r?.outcome, 'OK')
      assert.notEqual(hashHex(r?.outputHash ?? new Uint8Array()), expected[i], `unit ${i}`)
    }
  })

  it('keeps the output when the owner is offline; the owner FETCHes it when back; a stranger may not', async () => {
    // an owner that is not running yet: its PeerId is known, its address is dead
    const key = await generateKeyPair('Ed25519')
    const absent = (await startNode('127.0.5.1', key))
    const absentId = absent.peerId.toString()
    await absent.stop()
    const peer = honest.node.peerId.toString()
    const u = unitFor(BANDS[2], 2, { jobId: 'offline-job', owner: absentId, ownerAddrs: ['/ip4/127.0.5.1/tcp/1'] })
    const kept = honest.events.filter(e => e === 'output:kept').length
    work.give(peer, [u])
    await waitUntil('the result', () => work.result(u.replicaId) != null, 30_000)
    assert.equal(hashHex(work.result(u.replicaId)?.outputHash ?? new Uint8Array()), expected[2], 'reported even though the owner is away')
    await waitUntil('the push to fail', () => honest.events.filter(e => e === 'output:kept').length > kept, 20_000)
    assert.ok(honest.provider.status().outbox.undelivered >= 1)

    // the owner comes back and asks the provider for it
    const back = await startNode('127.0.5.1', key)
    stops.push(async () => { await back.stop() })
    const backInbox = new OwnerInbox(join(dir.path, 'owner-back'), { libp2p: back, resultSpec: () => SPEC })
    const got = await backInbox.fetchFrom({ peerId: peer, addrs: addrsOf(honest.node) }, 'offline-job', 2, expected[2])
    assert.equal(got.replicaId, u.replicaId)
    assert.equal(await backInbox.has('offline-job', 2, expected[2]), true)
    assert.equal(honest.provider.status().outbox.undelivered, 0, 'fetched counts as delivered')

    // someone else asks for it: refused
    const stranger = await startNode('127.0.6.1')
    stops.push(async () => { await stranger.stop() })
    await assert.rejects(
      fetchOutput(stranger, { peerId: peer, addrs: addrsOf(honest.node) }, { jobId: 'offline-job', unitIndex: 2, outputHash: Buffer.from(expected[2], 'hex') }),
      (err: any) => err.name === 'OutputRefusedError' && err.code === 'FORBIDDEN'
    )
    await assert.rejects(
      fetchOutput(back, { peerId: peer, addrs: addrsOf(honest.node) }, { jobId: 'offline-job', unitIndex: 3, outputHash: Buffer.from(expected[2], 'hex') }),
      (err: any) => err.name === 'OutputRefusedError' && err.code === 'NOT_FOUND'
    )
  })

  it('pushes an undelivered output again, after a back-off, once its owner is back', async () => {
    const p = await startProvider('127.0.8.1', 'retrier', { pushRetryMs: 400 })
    const peer = p.node.peerId.toString()
    await waitUntil('a HELLO', () => work.hellos.some(h => h.peer === peer))
    // an owner whose address is known but who is not there yet
    const key = await generateKeyPair('Ed25519')
    const probe = await startNode('127.0.8.2', key)
    const port = Number(probe.getMultiaddrs()[0].getComponents().find(c => c.name === 'tcp')?.value)
    const ownerId = probe.peerId.toString()
    await probe.stop()
    const late = new OwnerInbox(join(dir.path, 'late-owner'), { resultSpec: () => SPEC })
    const u = unitFor(BANDS[1], 1, { jobId: 'late-job', owner: ownerId, ownerAddrs: [`/ip4/127.0.8.2/tcp/${port}`] })
    work.give(peer, [u])
    await waitUntil('the first push to fail', () => p.events.includes('output:kept'), 20_000)
    const back = await startNode('127.0.8.2', key, port)
    const server = new UnitOutputServer(back, { ownsJob: id => id === 'late-job', resultSpec: () => SPEC, accept: async o => late.put(o), maxOutputBytes: () => SPEC.maxOutputBytes })
    await server.start()
    stops.push(async () => { await server.stop(); await back.stop() })
    await waitUntil('the output to arrive', async () => late.has('late-job', 1, expected[1]), 20_000, 100)
    // the owner stores the output before its acknowledgement reaches the provider
    await waitUntil('the provider to see it delivered', () => p.events.includes('output:delivered'), 10_000, 20)
    assert.equal(p.provider.status().outbox.undelivered, 0)
  })

  it('aborts the run of a replica the bootstrap cancelled, and does not report it', async () => {
    const peer = honest.node.peerId.toString()
    // a band that takes far longer than the test
    const slow = unitFor(['4096', '4096', '2040', '2056', '1000000'], 9, { deadlineMs: 120_000 })
    work.give(peer, [slow])
    await waitUntil('the slow unit to run', () => honest.provider.status().running.some(r => r.replicaId === slow.replicaId && r.phase === 'running'), 20_000)
    const cancelledAt = Date.now()
    work.cancel.set(peer, [slow.replicaId])
    const done = await waitUntil('the cancelled unit to end', () => honest.finished.find(f => f.replicaId === slow.replicaId), 10_000, 20)
    assert.equal(done.outcome, 'CANCELLED')
    assert.ok(Date.now() - cancelledAt < 5_000)
    assert.equal(honest.provider.status().running.length, 0)
    await new Promise(resolve => setTimeout(resolve, 700))
    assert.equal(work.result(slow.replicaId), undefined, 'a cancelled replica is not reported')
  })

  it('loses no report when the bootstrap restarts: HELLO again, then the kept results', async () => {
    const peer = honest.node.peerId.toString()
    // a band of about 3 s: still running when the bootstrap goes away
    const u = unitFor(['256', '256', '96', '160', '500000'], 0, { jobId: 'restart-job', deadlineMs: 60_000 })
    const hellosBefore = work.hellos.filter(h => h.peer === peer).length
    work.give(peer, [u])
    await waitUntil('the unit to start', () => honest.provider.status().running.some(r => r.replicaId === u.replicaId), 20_000)
      .catch(err => { throw new Error(`${err.message}; status ${JSON.stringify(honest.provider.status())}; events ${honest.events.slice(-10).join(' | ')}; queued ${work.queued.get(peer)?.length}`) })
    // the bootstrap goes away while the unit runs, and comes back with no session
    const restartAt = Date.now()
    await work.restart(1_500)
    const r = await waitUntil('the result after the restart', () => work.result(u.replicaId), 30_000)
    assert.equal(r.outcome, 'OK')
    assert.ok(work.hellos.filter(h => h.peer === peer && h.at >= restartAt).length >= 1, 'it said HELLO again')
    assert.ok(work.hellos.filter(h => h.peer === peer).length > hellosBefore)
    const report = work.reports.find(x => x.results.some(y => y.replicaId === u.replicaId))
    const hello = work.hellos.find(h => h.peer === peer && h.at >= restartAt)
    assert.ok(report != null && hello != null && hello.at <= report.at, 'HELLO came before the REPORT')
    assert.ok(report.at >= restartAt + 1_500, 'the result was kept while the bootstrap was down')
    // the answer reaches the provider just after the work server recorded the report
    await waitUntil('no report left', () => honest.provider.status().pendingReports === 0, 5_000)
  })

  it('stops working when the bootstrap says REMOVED', async () => {
    const p = await startProvider('127.0.7.1', 'removed')
    const peer = p.node.peerId.toString()
    await waitUntil('a HELLO', () => work.hellos.some(h => h.peer === peer))
    work.removed.add(peer)
    await waitUntil('the removed event', () => p.events.includes('removed'), 10_000)
    assert.equal(p.provider.status().state, 'removed')
    const fetches = work.fetches.filter(f => f.peer === peer).length
    await new Promise(resolve => setTimeout(resolve, 500))
    assert.equal(work.fetches.filter(f => f.peer === peer).length, fetches, 'no FETCH after REMOVED')
  })
})
