/**
 * /peerhive/unit-output/1.0.0 between real libp2p nodes: what an owner
 * accepts in a PUSH, what a provider gives in a FETCH, and the clear error
 * answers to everything else (a wrong hash, a job the node does not own,
 * files the job does not return, oversized or malformed requests, floods),
 * after which both nodes keep serving.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { hashHex, outputHash } from '../../src/compute/model/output-hash.js'
import {
  OutputRequest, OutputResponse, Outbox, OwnerInbox, PROTOCOL_UNIT_OUTPUT, UnitOutputServer, fetchOutput, pushOutput,
  type OutputSpec, type UnitOutput
} from '../../src/compute/outputs/index.js'
import { createStack } from '../../src/core/index.js'
import { answer, rawRequest } from '../helpers/raw-request.js'
import { tempDir } from '../helpers/tmp-dir.js'
import type { Libp2p } from 'libp2p'

const MiB = 1024 * 1024
const SPEC: OutputSpec = { stdout: true, files: ['image.raw', 'log.txt'], maxOutputBytes: 12 * MiB }
const SMALL: OutputSpec = { stdout: true, files: [], maxOutputBytes: 1024 }

async function startNode (ip: string): Promise<Libp2p<any>> {
  const node = await createStack({ privateKey: await generateKeyPair('Ed25519'), listen: [`/ip4/${ip}/tcp/0`], isBootstrap: false, peerTimeoutMs: 30_000 })
  await node.start()
  return node
}

const addrsOf = (node: Libp2p<any>): string[] => node.getMultiaddrs().map(a => a.toString())

function makeOutput (jobId: string, unitIndex: number, replicaId: number, stdout: Uint8Array, files: Array<{ name: string, data: Uint8Array }>, spec: OutputSpec): UnitOutput {
  return {
    jobId,
    unitIndex,
    replicaId,
    stdout: stdout as Uint8Array<ArrayBuffer>,
    files: files as Array<{ name: string, data: Uint8Array<ArrayBuffer> }>,
    outputHash: outputHash(stdout, files, spec) as Uint8Array<ArrayBuffer>
  }
}

function refusedWith (code: string) {
  return (err: any): boolean => {
    assert.equal(err.name, 'OutputRefusedError', err.message)
    assert.equal(err.code, code, err.message)
    return true
  }
}

describe('/peerhive/unit-output/1.0.0', function () {
  this.timeout(60_000)
  const dir = tempDir('peerhive-unit-output-')
  let owner: Libp2p<any>
  let provider: Libp2p<any>
  let stranger: Libp2p<any>
  let ownerServer: UnitOutputServer
  let providerServer: UnitOutputServer
  let inbox: OwnerInbox
  let outbox: Outbox
  const specs = new Map<string, OutputSpec>([['job-big', SPEC], ['job-small', SMALL]])
  const outcomes: string[] = []

  before(async () => {
    owner = await startNode('127.0.21.1')
    provider = await startNode('127.0.22.1')
    stranger = await startNode('127.0.23.1')
    inbox = new OwnerInbox(join(dir.path, 'owner'), { libp2p: owner, resultSpec: id => specs.get(id) })
    ownerServer = new UnitOutputServer(owner, {
      ownsJob: id => specs.has(id),
      resultSpec: id => specs.get(id),
      accept: async o => inbox.put(o),
      maxOutputBytes: () => Math.max(...[...specs.values()].map(s => s.maxOutputBytes)),
      requestsPerPeer: 40,
      onRequest: outcome => { outcomes.push(outcome) }
    })
    await ownerServer.start()
    outbox = new Outbox(join(dir.path, 'outbox'))
    providerServer = new UnitOutputServer(provider, { outbox })
    await providerServer.start()
  })

  after(async () => {
    await ownerServer?.stop()
    await providerServer?.stop()
    await Promise.all([owner, provider, stranger].map(async n => n?.stop()))
    dir.cleanup()
  })

  const ownerPeer = (): { peerId: string, addrs: string[] } => ({ peerId: owner.peerId.toString(), addrs: addrsOf(owner) })
  const providerPeer = (): { peerId: string, addrs: string[] } => ({ peerId: provider.peerId.toString(), addrs: addrsOf(provider) })

  it('a PUSH of a large output with files is stored at the owner, and the provider serves it again to the owner only', async () => {
    const image = randomBytes(10 * MiB)
    const o = makeOutput('job-big', 4, 41, new TextEncoder().encode('done\n'), [{ name: 'image.raw', data: image }], SPEC)
    await pushOutput(provider, ownerPeer(), o)
    const stored = await inbox.get('job-big', 4, o.outputHash)
    assert.ok(stored != null)
    assert.ok(Buffer.from(stored.files[0].data).equals(image))

    await outbox.put(o, { owner: owner.peerId.toString() })
    const again = await fetchOutput(owner, providerPeer(), { jobId: 'job-big', unitIndex: 4, outputHash: o.outputHash }, { spec: SPEC })
    assert.ok(Buffer.from(again.files[0].data).equals(image))
    const byReplica = await fetchOutput(owner, providerPeer(), { jobId: 'job-big', unitIndex: 4, replicaId: 41 }, { spec: SPEC })
    assert.equal(hashHex(byReplica.outputHash), hashHex(o.outputHash))
    await assert.rejects(fetchOutput(stranger, providerPeer(), { jobId: 'job-big', unitIndex: 4, replicaId: 41 }), refusedWith('FORBIDDEN'))
    await assert.rejects(fetchOutput(owner, providerPeer(), { jobId: 'job-big', unitIndex: 5, replicaId: 0, outputHash: o.outputHash }), refusedWith('NOT_FOUND'))
  })

  it('answers HASH_MISMATCH to a PUSH whose bytes do not hash to its hash, and stores nothing', async () => {
    const o = makeOutput('job-small', 1, 11, new TextEncoder().encode('right'), [], SMALL)
    const forged = { ...o, stdout: new TextEncoder().encode('wrong') as Uint8Array<ArrayBuffer> }
    await assert.rejects(pushOutput(stranger, ownerPeer(), forged), refusedWith('HASH_MISMATCH'))
    assert.deepEqual(await inbox.hashes('job-small', 1), [])
    await pushOutput(stranger, ownerPeer(), o)
    assert.deepEqual(await inbox.hashes('job-small', 1), [hashHex(o.outputHash)])
  })

  it('refuses PUSHes of jobs it does not own, of files the job does not return, and over the job\'s bound', async () => {
    await assert.rejects(pushOutput(stranger, ownerPeer(), makeOutput('job-other', 0, 1, new Uint8Array([1]), [], SMALL)), refusedWith('FORBIDDEN'))
    // a node that owns no jobs refuses every PUSH
    await assert.rejects(pushOutput(owner, providerPeer(), makeOutput('job-small', 0, 1, new Uint8Array([1]), [], SMALL)), refusedWith('FORBIDDEN'))
    const extra = makeOutput('job-small', 0, 2, new Uint8Array([1]), [{ name: 'secret.txt', data: new Uint8Array([2]) }], { ...SMALL, files: ['secret.txt'] })
    await assert.rejects(pushOutput(stranger, ownerPeer(), extra), refusedWith('MALFORMED_MESSAGE'))
    const twice = makeOutput('job-big', 0, 3, new Uint8Array(0), [{ name: 'log.txt', data: new Uint8Array([1]) }, { name: 'log.txt', data: new Uint8Array([2]) }], SPEC)
    await assert.rejects(pushOutput(stranger, ownerPeer(), twice), refusedWith('MALFORMED_MESSAGE'))
    // 2000 bytes for a job bound to 1024: within the message limit, over the output bound
    await assert.rejects(pushOutput(stranger, ownerPeer(), makeOutput('job-small', 0, 4, new Uint8Array(2000), [], SMALL)), refusedWith('MESSAGE_TOO_LARGE'))
    // 80 KiB for that job: over its message limit (1024 + 64 KiB)
    await assert.rejects(pushOutput(stranger, ownerPeer(), makeOutput('job-small', 0, 5, new Uint8Array(80 * 1024), [], SMALL)), refusedWith('MESSAGE_TOO_LARGE'))
    assert.deepEqual(await inbox.hashes('job-small', 0), [])
  })

  it('answers malformed, oversized and unknown requests with an error, and keeps serving', async () => {
    const target = `${addrsOf(owner)[0]}`
    // not protobuf at all
    const garbage = answer(await rawRequest(stranger, target, PROTOCOL_UNIT_OUTPUT, Uint8Array.of(5, 0xff, 0xff, 0xff, 0xff, 0xff), OutputResponse))
    assert.equal(garbage.error, OutputResponse.Error.MALFORMED_MESSAGE)
    // a length prefix claiming 1 GiB
    const huge = answer(await rawRequest(stranger, target, PROTOCOL_UNIT_OUTPUT, Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x04), OutputResponse))
    assert.equal(huge.error, OutputResponse.Error.MESSAGE_TOO_LARGE)
    // another version
    const v2 = OutputRequest.encode({ version: 2, kind: OutputRequest.Kind.FETCH, jobId: 'job-small', unitIndex: 0, replicaId: 1, outputHash: new Uint8Array(0) })
    const versioned = answer(await rawRequest(stranger, target, PROTOCOL_UNIT_OUTPUT, frame(v2), OutputResponse))
    assert.equal(versioned.error, OutputResponse.Error.UNSUPPORTED_VERSION)
    // a PUSH without an output, a FETCH naming nothing
    const empty = answer(await rawRequest(stranger, target, PROTOCOL_UNIT_OUTPUT, frame(OutputRequest.encode({ version: 1, kind: OutputRequest.Kind.PUSH })), OutputResponse))
    assert.equal(empty.error, OutputResponse.Error.MALFORMED_MESSAGE)
    const nothing = answer(await rawRequest(stranger, target, PROTOCOL_UNIT_OUTPUT, frame(OutputRequest.encode({ version: 1, kind: OutputRequest.Kind.FETCH })), OutputResponse))
    assert.equal(nothing.error, OutputResponse.Error.MALFORMED_MESSAGE)
    // both nodes still work
    const o = makeOutput('job-small', 7, 70, new TextEncoder().encode('still here'), [], SMALL)
    await pushOutput(provider, ownerPeer(), o)
    assert.equal(await inbox.has('job-small', 7, o.outputHash), true)
  })

  it('rate-limits a peer that floods it, and serves the others', async () => {
    const flood = await startNode('127.0.24.1')
    try {
      // four exchanges held open (a request that never comes): the fifth is refused at once
      const idle = await Promise.all(Array.from({ length: 4 }, async () => {
        const stream = await flood.dialProtocol(owner.getMultiaddrs()[0], PROTOCOL_UNIT_OUTPUT)
        stream.send(Uint8Array.of(100, 1)) // 1 byte of a 100-byte request
        return stream
      }))
      await new Promise(resolve => setTimeout(resolve, 200))
      const o = makeOutput('job-small', 9, 90, new TextEncoder().encode('x'), [], SMALL)
      await assert.rejects(pushOutput(flood, ownerPeer(), o), refusedWith('RATE_LIMITED'))
      await pushOutput(provider, ownerPeer(), o) // another peer is served meanwhile
      for (const s of idle) s.abort(new Error('done'))
      await new Promise(resolve => setTimeout(resolve, 100))

      // 45 requests in a row against 40 allowed per 10 s
      const answers: string[] = []
      for (let i = 0; i < 45; i++) {
        answers.push(await pushOutput(flood, ownerPeer(), o).then(() => 'ok', (err: any) => err.code ?? err.name))
      }
      assert.equal(answers.filter(a => a === 'ok').length, 40, answers.join(', '))
      assert.deepEqual(answers.slice(40), ['RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED'])
      await pushOutput(provider, ownerPeer(), makeOutput('job-small', 9, 91, new TextEncoder().encode('y'), [], SMALL))
      assert.ok(outcomes.includes('RATE_LIMITED'))
    } finally {
      await flood.stop()
    }
  })

  it('pushLocal applies a PUSH\'s checks without a stream, for a node that computes its own job', async () => {
    const o = makeOutput('job-small', 12, 120, new TextEncoder().encode('mine'), [], SMALL)
    assert.equal((await ownerServer.pushLocal(o)).error, OutputResponse.Error.NONE)
    assert.equal(await inbox.has('job-small', 12, o.outputHash), true)
    assert.equal((await ownerServer.pushLocal({ ...o, stdout: new Uint8Array([1]) })).error, OutputResponse.Error.HASH_MISMATCH)
  })
})

/** A message with its varint length prefix. */
function frame (bytes: Uint8Array): Uint8Array {
  const prefix: number[] = []
  let n = bytes.byteLength
  do {
    prefix.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0))
    n >>>= 7
  } while (n > 0)
  return Uint8Array.from([...prefix, ...bytes])
}
