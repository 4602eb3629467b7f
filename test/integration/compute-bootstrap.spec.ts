import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { createBootstrap, type Bootstrap } from '../../bootstrap/index.js'
import { WIRE_VERSION, requestResponse } from '../../src/core/index.js'
import { PROTOCOL_JOBS, PROTOCOL_WORK } from '../../src/protocols/index.js'
import { JobsRequest, JobsResponse } from '../../src/pb/jobs.js'
import { ReplicaResult, WorkRequest, WorkResponse, type WorkUnit } from '../../src/pb/work.js'
import { cidOf } from '../helpers/compute-scheduler.js'
import { frame, rawClient, varint } from '../helpers/raw-join.js'
import { answer, counterSum, rawRequest } from '../helpers/raw-request.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import type { JobResults, JobStatus, ProviderInfo } from '../../src/compute/model/types.js'
import type { Libp2p } from 'libp2p'

const HOST = { cpuModel: 'test cpu', cores: 4, cpuMhz: 2400, os: 'linux-x64 6.1', memoryMb: 8192, freeDiskMb: 50_000, network: 'loopback', bandwidthBps: 0 }

function hashOf (text: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(text).digest()) as Uint8Array<ArrayBuffer>
}

function ok (unit: WorkUnit): ReplicaResult {
  return { replicaId: unit.replicaId, outcome: ReplicaResult.Outcome.OK, outputHash: hashOf(unit.args.join(' ')), outputBytes: 3, wallMs: 1, error: '' }
}

function body<T> (res: JobsResponse): T {
  return JSON.parse(new TextDecoder().decode(res.body)) as T
}

describe('compute on the bootstrap: /peerhive/work and /peerhive/jobs between real libp2p nodes', function () {
  this.timeout(60_000)
  const dir = tempDir()
  const nodes: Libp2p<any>[] = []
  let bootstrap: Bootstrap
  let target: string
  let admin: Libp2p<any>
  let owner: Libp2p<any>
  let app: string
  let testNo = 0

  async function node (ip: string): Promise<Libp2p<any>> {
    const n = await rawClient(ip)
    nodes.push(n)
    return n
  }

  async function work (from: Libp2p<any>, req: Partial<WorkRequest>): Promise<WorkResponse> {
    const signal = AbortSignal.timeout(10_000)
    const stream = await from.dialProtocol(multiaddr(target), PROTOCOL_WORK, { signal })
    const full: WorkRequest = { version: WIRE_VERSION, kind: WorkRequest.Kind.FETCH, cpus: 2, maxMemoryMb: 1024, apps: [], maxUnits: 0, results: [], ...req }
    return requestResponse(stream, full, WorkRequest, WorkResponse, { maxInboundBytes: 1024 * 1024, signal })
  }

  async function jobs (from: Libp2p<any>, req: Partial<JobsRequest>): Promise<JobsResponse> {
    const signal = AbortSignal.timeout(10_000)
    const stream = await from.dialProtocol(multiaddr(target), PROTOCOL_JOBS, { signal })
    const full: JobsRequest = { version: WIRE_VERSION, kind: JobsRequest.Kind.LIST, body: new Uint8Array(0) as Uint8Array<ArrayBuffer>, jobId: '', user: '', email: '', peer: '', ban: false, ...req }
    return requestResponse(stream, full, JobsRequest, JobsResponse, { maxInboundBytes: 4 * 1024 * 1024, signal })
  }

  async function submit (job: Record<string, unknown>): Promise<JobStatus> {
    const res = await jobs(owner, { kind: JobsRequest.Kind.SUBMIT, body: new TextEncoder().encode(JSON.stringify(job)) as Uint8Array<ArrayBuffer> })
    assert.equal(res.error, JobsResponse.Error.NONE, res.message)
    assert.match(res.jobId, /^[0-9a-f]{16}$/)
    return body<JobStatus>(res)
  }

  async function status (id: string, from = owner): Promise<JobStatus> {
    const res = await jobs(from, { kind: JobsRequest.Kind.STATUS, jobId: id })
    assert.equal(res.error, JobsResponse.Error.NONE, res.message)
    return body<JobStatus>(res)
  }

  async function hello (provider: Libp2p<any>, more: Partial<WorkRequest> = {}): Promise<WorkResponse> {
    const res = await work(provider, { kind: WorkRequest.Kind.HELLO, host: HOST, apps: [app], ...more })
    assert.equal(res.error, WorkResponse.Error.NONE, res.message)
    return res
  }

  async function startBootstrap (): Promise<void> {
    bootstrap = await createBootstrap({
      dataDir: join(dir.path, 'bootstrap'),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      admins: [admin.peerId.toString()],
      reportGraceMs: 100
    })
    target = bootstrap.multiaddrs()[0]
  }

  before(async () => {
    app = await cidOf('integration app')
    admin = await node('127.0.41.9')
    owner = await node('127.0.41.1')
    await startBootstrap()
    // the owner talks to the bootstrap first, so identify has told it the owner's listen address
    assert.equal((await jobs(owner, { kind: JobsRequest.Kind.LIST })).error, JobsResponse.Error.NONE)
    await waitUntil('the bootstrap to know the owner\'s listen address', async () => (await bootstrap.libp2p.peerStore.get(owner.peerId)).addresses.length > 0)
  })

  // each test has an app of its own, which its providers accept alone: a job a failed test leaves running does not reach the next test
  beforeEach(async () => {
    app = await cidOf(`integration app ${++testNo}`)
  })

  after(async () => {
    await Promise.allSettled(nodes.map(async n => n.stop()))
    await bootstrap?.stop().catch(() => {})
    dir.cleanup()
  })

  it('runs a job end to end: SUBMIT, HELLO with FETCH, FETCH, REPORT, STATUS, RESULTS', async () => {
    const p1 = await node('127.0.41.2')
    const p2 = await node('127.0.42.2')
    const job = await submit({ app, appName: 'app.wasm', range: { from: 0, to: 3, step: 1, args: ['n={index}'] }, quorum: 2, deadlineMs: 30_000, result: { stdout: true, files: ['out.txt'] } })
    assert.equal(job.state, 'running')
    assert.equal(job.units, 3)

    const first = await hello(p1, { maxUnits: 64 })
    assert.match(first.message, /registered/)
    assert.equal(first.units.length, 3)
    const u = first.units[0]
    assert.equal(u.jobId, job.id)
    assert.equal(u.appCid, app)
    assert.deepEqual(u.args, ['n=0'])
    assert.equal(u.owner, owner.peerId.toString())
    assert.ok(u.ownerAddrs.some(a => a.startsWith('/ip4/127.0.41.1/tcp/')), `owner addresses ${u.ownerAddrs.join(' ')}`)
    assert.equal(u.deadlineMs, 30_000)
    assert.equal(u.maxMemoryBytes, 64 * 1024 * 1024)
    assert.equal(u.maxOutputBytes, 16 * 1024 * 1024)
    assert.equal(u.stdout, true)
    assert.deepEqual(u.outputFiles, ['out.txt'])

    await hello(p2)
    const second = await work(p2, { kind: WorkRequest.Kind.FETCH, maxUnits: 64 })
    assert.equal(second.error, WorkResponse.Error.NONE)
    assert.deepEqual(second.units.map(w => w.unitIndex), [0, 1, 2])
    const empty = await work(p2, { kind: WorkRequest.Kind.FETCH, maxUnits: 64 })
    assert.equal(empty.units.length, 0)
    assert.ok(empty.retryMs > 0)

    const r1 = await work(p1, { kind: WorkRequest.Kind.REPORT, results: first.units.map(ok) })
    assert.equal(r1.accepted, 3)
    assert.equal((await status(job.id)).replicaStates.reported, 3)
    const r2 = await work(p2, { kind: WorkRequest.Kind.REPORT, results: second.units.map(ok) })
    assert.equal(r2.accepted, 3)

    const done = await status(job.id)
    assert.equal(done.state, 'done')
    assert.equal(done.progress, 1)
    assert.equal(done.replicaStates.valid, 6)
    const res = await jobs(owner, { kind: JobsRequest.Kind.RESULTS, jobId: job.id })
    const results = body<JobResults>(res)
    assert.equal(results.units.length, 3)
    assert.equal(results.units[2].hash, Buffer.from(hashOf('n=2')).toString('hex'))
    assert.deepEqual([...results.units[2].holders].sort(), [p1.peerId.toString(), p2.peerId.toString()].sort())

    const list = body<JobStatus[]>(await jobs(owner, { kind: JobsRequest.Kind.LIST }))
    assert.ok(list.some(j => j.id === job.id))
    const providers = body<ProviderInfo[]>(await jobs(owner, { kind: JobsRequest.Kind.PROVIDERS }))
    const info = providers.find(p => p.peerId === p1.peerId.toString())
    assert.equal(info?.host.cpuModel, 'test cpu')
    assert.equal(info?.history.valid, 3)
    assert.equal(info?.state, 'active')

    const requests = await counterSum(bootstrap.metrics.requests, { protocol: PROTOCOL_WORK, outcome: 'ok' })
    assert.ok(requests >= 6, `work requests counted ok: ${requests}`)
    const metrics = await bootstrap.metrics.registry.metrics()
    assert.match(metrics, /peerhive_compute_units_total\{state="valid"\} [1-9]/)
  })

  it('refuses a FETCH before HELLO, and jobs requests of others', async () => {
    const p = await node('127.0.41.3')
    const stranger = await node('127.0.43.1')
    const res = await work(p, { kind: WorkRequest.Kind.FETCH, maxUnits: 4 })
    assert.equal(res.error, WorkResponse.Error.NOT_REGISTERED)
    assert.match(res.message, /HELLO/)
    const job = await submit({ app, appName: 'a', units: [{ args: ['x'] }] })
    for (const kind of [JobsRequest.Kind.STATUS, JobsRequest.Kind.RESULTS, JobsRequest.Kind.CANCEL]) {
      const r = await jobs(stranger, { kind, jobId: job.id })
      assert.equal(r.error, JobsResponse.Error.FORBIDDEN, `${kind}: ${r.message}`)
    }
    assert.equal((await jobs(owner, { kind: JobsRequest.Kind.STATUS, jobId: '0000000000000000' })).error, JobsResponse.Error.NOT_FOUND)
    assert.equal((await jobs(owner, { kind: JobsRequest.Kind.STATUS, jobId: '../x' })).error, JobsResponse.Error.MALFORMED_MESSAGE)
    // the operator may read it
    assert.equal((await jobs(admin, { kind: JobsRequest.Kind.STATUS, jobId: job.id })).error, JobsResponse.Error.NONE)
    const cancelled = await jobs(owner, { kind: JobsRequest.Kind.CANCEL, jobId: job.id })
    assert.equal(body<JobStatus>(cancelled).state, 'cancelled')
  })

  it('tells a provider which of its replicas were cancelled', async () => {
    const p = await node('127.0.41.4')
    const job = await submit({ app, appName: 'a', units: [{ args: ['a'] }, { args: ['b'] }] })
    const got = await hello(p, { maxUnits: 2 })
    assert.equal(got.units.length, 2)
    await jobs(owner, { kind: JobsRequest.Kind.CANCEL, jobId: job.id })
    const next = await work(p, { kind: WorkRequest.Kind.FETCH, maxUnits: 1 })
    assert.deepEqual([...next.cancelled].sort((a, b) => a - b), got.units.map(u => u.replicaId).sort((a, b) => a - b))
    const late = await work(p, { kind: WorkRequest.Kind.REPORT, results: got.units.map(ok) })
    assert.equal(late.accepted, 0)
    assert.match(late.message, /2 of 2 results not recorded/)
  })

  it('registers and unregisters users; a taken name is refused', async () => {
    const other = await node('127.0.43.2')
    const reg = await jobs(owner, { kind: JobsRequest.Kind.REGISTER, user: 'alice', email: 'alice@example.org' })
    assert.equal(reg.error, JobsResponse.Error.NONE, reg.message)
    assert.ok(reg.userSerialId > 0)
    const taken = await jobs(other, { kind: JobsRequest.Kind.REGISTER, user: 'alice' })
    assert.equal(taken.error, JobsResponse.Error.FORBIDDEN)
    assert.match(taken.message, /belongs to another peer/)
    const bad = await jobs(other, { kind: JobsRequest.Kind.REGISTER, user: 'no spaces allowed' })
    assert.equal(bad.error, JobsResponse.Error.MALFORMED_MESSAGE)

    const job = await submit({ app, appName: 'a', units: [{ args: ['r'] }] })
    const un = await jobs(owner, { kind: JobsRequest.Kind.UNREGISTER })
    assert.equal(un.error, JobsResponse.Error.NONE, un.message)
    assert.equal(un.userSerialId, reg.userSerialId)
    assert.ok(body<{ cancelledJobs: string[] }>(un).cancelledJobs.includes(job.id))
    assert.equal((await status(job.id)).state, 'cancelled')
    assert.equal((await jobs(other, { kind: JobsRequest.Kind.REGISTER, user: 'alice' })).error, JobsResponse.Error.NONE)
  })

  it('loses the replicas of a provider that goes away and reissues them at once', async () => {
    const leaving = await node('127.0.44.1')
    const staying = await node('127.0.44.2')
    const job = await submit({ app, appName: 'a', units: [{ args: ['l1'] }, { args: ['l2'] }] })
    assert.equal((await hello(leaving, { maxUnits: 8 })).units.length, 2)
    await hello(staying)
    await leaving.stop()
    await waitUntil('the replicas to be lost', async () => (await status(job.id)).replicaStates.lost === 2)
    const got = await work(staying, { kind: WorkRequest.Kind.FETCH, maxUnits: 8 })
    assert.deepEqual(got.units.map(u => u.unitIndex), [0, 1])
    await work(staying, { kind: WorkRequest.Kind.REPORT, results: got.units.map(ok) })
    assert.equal((await status(job.id)).state, 'done')
  })

  it('times out a replica that is never reported and reissues it', async () => {
    const silent = await node('127.0.45.1')
    const helper = await node('127.0.45.2')
    const job = await submit({ app, appName: 'a', units: [{ args: ['t'] }], deadlineMs: 1000 })
    assert.equal((await hello(silent, { maxUnits: 1 })).units.length, 1)
    await hello(helper)
    await waitUntil('the replica to time out', async () => (await status(job.id)).replicaStates.timed_out === 1, 5_000)
    const got = await work(helper, { kind: WorkRequest.Kind.FETCH, maxUnits: 1 })
    assert.equal(got.units.length, 1)
    await work(helper, { kind: WorkRequest.Kind.REPORT, results: got.units.map(ok) })
    assert.equal((await status(job.id)).state, 'done')
  })

  it('lets only the operator remove and ban providers; a banned peer cannot connect', async () => {
    const removed = await node('127.0.46.1')
    const banned = await node('127.0.46.2')
    const stranger = await node('127.0.46.3')
    await hello(removed)
    await hello(banned)
    const forbidden = await jobs(stranger, { kind: JobsRequest.Kind.ADMIN_REMOVE, peer: removed.peerId.toString() })
    assert.equal(forbidden.error, JobsResponse.Error.FORBIDDEN)
    assert.equal((await jobs(admin, { kind: JobsRequest.Kind.ADMIN_REMOVE, peer: 'not-a-peer-id' })).error, JobsResponse.Error.MALFORMED_MESSAGE)

    const job = await submit({ app, appName: 'a', units: [{ args: ['rm'] }] })
    assert.equal((await work(removed, { kind: WorkRequest.Kind.FETCH, maxUnits: 1 })).units.length, 1)
    const rm = await jobs(admin, { kind: JobsRequest.Kind.ADMIN_REMOVE, peer: removed.peerId.toString() })
    assert.equal(rm.error, JobsResponse.Error.NONE, rm.message)
    assert.equal(body<ProviderInfo>(rm).state, 'removed')
    assert.equal((await status(job.id)).replicaStates.lost, 1)
    // its connection was closed; it may come back, but gets REMOVED
    const again = await work(removed, { kind: WorkRequest.Kind.FETCH, maxUnits: 1 })
    assert.equal(again.error, WorkResponse.Error.REMOVED)
    assert.equal((await work(removed, { kind: WorkRequest.Kind.HELLO, host: HOST })).error, WorkResponse.Error.REMOVED)

    const ban = await jobs(admin, { kind: JobsRequest.Kind.ADMIN_REMOVE, peer: banned.peerId.toString(), ban: true })
    assert.equal(body<ProviderInfo>(ban).state, 'banned')
    await assert.rejects(work(banned, { kind: WorkRequest.Kind.FETCH, maxUnits: 1 }))
    assert.equal(bootstrap.libp2p.getConnections(banned.peerId).length, 0)
    const providers = body<ProviderInfo[]>(await jobs(owner, { kind: JobsRequest.Kind.PROVIDERS }))
    assert.equal(providers.find(p => p.peerId === banned.peerId.toString())?.state, 'banned')
    await jobs(owner, { kind: JobsRequest.Kind.CANCEL, jobId: job.id })
  })

  it('answers hostile input with clear errors and keeps serving', async () => {
    const hostile = await node('127.0.47.1')
    const send = async (protocol: string, bytes: Uint8Array, codec: typeof WorkResponse | typeof JobsResponse): Promise<any> =>
      answer(await rawRequest(hostile, target, protocol, bytes, codec as any))

    // larger than 64 KiB
    const huge = await send(PROTOCOL_WORK, frame(new Uint8Array(70 * 1024)), WorkResponse)
    assert.equal(huge.error, WorkResponse.Error.MESSAGE_TOO_LARGE)
    // a length prefix that never ends
    const prefix = await send(PROTOCOL_WORK, new Uint8Array(12).fill(0xff), WorkResponse)
    assert.equal(prefix.error, WorkResponse.Error.MESSAGE_TOO_LARGE)
    // not protobuf
    const garbage = await send(PROTOCOL_WORK, frame(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2])), WorkResponse)
    assert.equal(garbage.error, WorkResponse.Error.MALFORMED_MESSAGE)
    // an unknown kind
    const kind = await send(PROTOCOL_WORK, frame(Uint8Array.from([0x08, 0x01, 0x10, 0x09])), WorkResponse)
    assert.equal(kind.error, WorkResponse.Error.MALFORMED_MESSAGE)
    // too many results (the limit is 256)
    const many = WorkRequest.encode({
      version: 1,
      kind: WorkRequest.Kind.REPORT,
      cpus: 0,
      maxMemoryMb: 0,
      apps: [],
      maxUnits: 0,
      results: Array.from({ length: 300 }, (_, i) => ({ replicaId: i + 1, outcome: ReplicaResult.Outcome.OK, outputHash: new Uint8Array(32) as Uint8Array<ArrayBuffer>, outputBytes: 0, wallMs: 0, error: '' }))
    })
    assert.equal((await send(PROTOCOL_WORK, frame(many), WorkResponse)).error, WorkResponse.Error.MESSAGE_TOO_LARGE)
    // a wrong version
    const version = await work(hostile, { version: 7, kind: WorkRequest.Kind.HELLO })
    assert.equal(version.error, WorkResponse.Error.UNSUPPORTED_VERSION)
    assert.match(version.message, /version 7/)
    // an app list that is not CIDs
    const apps = await work(hostile, { kind: WorkRequest.Kind.HELLO, host: HOST, apps: ['../../etc/passwd'] })
    assert.equal(apps.error, WorkResponse.Error.MALFORMED_MESSAGE)
    assert.match(apps.message, /apps\[0\] is not a CID/)

    // reports of unknown replicas and of someone else's
    await hello(hostile)
    const victim = await node('127.0.47.2')
    await submit({ app, appName: 'a', units: [{ args: ['v'] }] })
    const theirs = (await hello(victim, { maxUnits: 1 })).units
    assert.equal(theirs.length, 1)
    const forged = await work(hostile, {
      kind: WorkRequest.Kind.REPORT,
      results: [
        { ...ok(theirs[0]), outputHash: hashOf('forged') },
        { replicaId: 999_999_999, outcome: ReplicaResult.Outcome.OK, outputHash: hashOf('x'), outputBytes: 0, wallMs: 0, error: '' },
        { replicaId: theirs[0].replicaId, outcome: ReplicaResult.Outcome.OK, outputHash: new Uint8Array(3) as Uint8Array<ArrayBuffer>, outputBytes: 0, wallMs: 0, error: '' }
      ]
    })
    assert.equal(forged.error, WorkResponse.Error.NONE)
    assert.equal(forged.accepted, 0)
    assert.match(forged.message, /3 of 3 results not recorded: replica \d+ is not this provider's; replica 999999999 is unknown; replica \d+ is reported twice/)
    // the victim's own report still counts
    assert.equal((await work(victim, { kind: WorkRequest.Kind.REPORT, results: theirs.map(ok) })).accepted, 1)

    // jobs: too large, not JSON, an invalid job, an unknown kind, a wrong version
    const big = await send(PROTOCOL_JOBS, Uint8Array.from([...varint(2 * 1024 * 1024), 0x08, 0x01]), JobsResponse)
    assert.equal(big.error, JobsResponse.Error.MESSAGE_TOO_LARGE)
    const notJson = await jobs(hostile, { kind: JobsRequest.Kind.SUBMIT, body: new TextEncoder().encode('{"app":') as Uint8Array<ArrayBuffer> })
    assert.equal(notJson.error, JobsResponse.Error.INVALID_JOB)
    assert.match(notJson.message, /not a JSON job/)
    const invalid = await jobs(hostile, {
      kind: JobsRequest.Kind.SUBMIT,
      body: new TextEncoder().encode(JSON.stringify({ app: 'x', range: { from: 0, to: 5, step: 1, args: ['{from}'] }, quorum: 4, replication: 2, extra: true })) as Uint8Array<ArrayBuffer>
    })
    assert.equal(invalid.error, JobsResponse.Error.INVALID_JOB)
    const lines = invalid.message.split('\n')
    assert.ok(lines.some(l => /^app must be a CID/.test(l)), invalid.message)
    assert.ok(lines.some(l => l === 'replication (2) must be at least quorum (4)'), invalid.message)
    assert.ok(lines.some(l => /^extra is not a known field/.test(l)), invalid.message)
    const jobsKind = await send(PROTOCOL_JOBS, frame(Uint8Array.from([0x08, 0x01, 0x10, 0x63])), JobsResponse)
    assert.equal(jobsKind.error, JobsResponse.Error.MALFORMED_MESSAGE)
    assert.equal((await jobs(hostile, { version: 0 })).error, JobsResponse.Error.UNSUPPORTED_VERSION)
    const page = await jobs(owner, { kind: JobsRequest.Kind.RESULTS, jobId: '0123456789abcdef', body: new TextEncoder().encode('{"from":-1}') as Uint8Array<ArrayBuffer> })
    assert.equal(page.error, JobsResponse.Error.MALFORMED_MESSAGE)

    // still serving
    assert.equal((await work(hostile, { kind: WorkRequest.Kind.FETCH, maxUnits: 1 })).error, WorkResponse.Error.NONE)
    assert.equal((await jobs(owner, { kind: JobsRequest.Kind.LIST })).error, JobsResponse.Error.NONE)
    assert.ok(await counterSum(bootstrap.metrics.requests, { protocol: PROTOCOL_WORK, outcome: 'MESSAGE_TOO_LARGE' }) >= 3)
  })

  it('rate-limits a peer that floods the jobs protocol, and only that peer', async () => {
    const flood = await node('127.0.48.1')
    let limited: JobsResponse | undefined
    for (let i = 0; i < 260 && limited == null; i++) {
      const res = await jobs(flood, { kind: JobsRequest.Kind.LIST })
      if (res.error === JobsResponse.Error.RATE_LIMITED) limited = res
    }
    assert.ok(limited != null, 'the flood was never rate-limited')
    assert.equal((await jobs(owner, { kind: JobsRequest.Kind.LIST })).error, JobsResponse.Error.NONE)
  })

  it('continues a running job after the bootstrap restarts on the same data directory', async () => {
    const a = await node('127.0.49.1')
    const b = await node('127.0.49.2')
    const job = await submit({ app, appName: 'a', range: { from: 0, to: 4, step: 1, args: ['{index}'] }, quorum: 2, deadlineMs: 60_000 })
    const gotA = (await hello(a, { maxUnits: 4 })).units
    const gotB = (await hello(b, { maxUnits: 4 })).units
    await work(a, { kind: WorkRequest.Kind.REPORT, results: gotA.map(ok) })
    await work(b, { kind: WorkRequest.Kind.REPORT, results: gotB.slice(0, 2).map(ok) })
    const before = await status(job.id)
    assert.equal(before.unitStates.valid, 2)

    const peerId = bootstrap.peerId
    await bootstrap.stop()
    await startBootstrap()
    assert.equal(bootstrap.peerId, peerId)
    const after = await status(job.id)
    assert.equal(after.state, 'running')
    assert.deepEqual(after.unitStates, before.unitStates)
    assert.deepEqual(after.replicaStates, before.replicaStates)
    // B reports the replicas it held across the restart (after a new HELLO)
    await hello(b)
    const rest = await work(b, { kind: WorkRequest.Kind.REPORT, results: gotB.slice(2).map(ok) })
    assert.equal(rest.accepted, 2)
    const done = await status(job.id)
    assert.equal(done.state, 'done')
    assert.equal(done.replicaStates.valid, 8)
  })
})
