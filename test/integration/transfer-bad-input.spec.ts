import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { lpStream } from '@libp2p/utils'
import { createStack } from '../../src/core/index.js'
import { ShareStore } from '../../src/sharing/index.js'
import { TransferRequest, TransferResponse } from '../../src/pb/transfer.js'
import { PROTOCOL_TRANSFER, TransferServer, download, type TransferServerInit } from '../../src/sharing/transfer/index.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import type { Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'

async function startNode (ip: string): Promise<Libp2p<any>> {
  const node = await createStack({ privateKey: await generateKeyPair('Ed25519'), listen: [`/ip4/${ip}/tcp/0`], isBootstrap: false, peerTimeoutMs: 30_000 })
  await node.start()
  return node
}

function varint (n: number): Uint8Array {
  const out: number[] = []
  while (n >= 0x80) { out.push((n & 0x7f) | 0x80); n = Math.floor(n / 128) }
  out.push(n)
  return Uint8Array.from(out)
}

/** A message with its length prefix. */
function frame (body: Uint8Array): Uint8Array {
  return Uint8Array.from([...varint(body.byteLength), ...body])
}

/** Sends raw bytes on a fresh transfer stream and reads every response until the provider closes. */
async function raw (client: Libp2p<any>, target: Multiaddr, bytes: Uint8Array, closeAfter = true): Promise<{ responses: TransferResponse[], stream: Stream }> {
  const signal = AbortSignal.timeout(10_000)
  const stream = await client.dialProtocol(target, PROTOCOL_TRANSFER, { signal })
  const lp = lpStream(stream, { maxDataLength: 2 * 1024 * 1024, maxBufferSize: 64 * 1024 * 1024 })
  if (bytes.byteLength > 0) stream.send(bytes)
  if (closeAfter) await stream.close({ signal })
  const responses: TransferResponse[] = []
  while (true) {
    const buf = await lp.read({ signal }).catch(() => null)
    if (buf == null) break
    responses.push(TransferResponse.decode(buf))
  }
  return { responses, stream }
}

function request (fields: Partial<TransferRequest>): Uint8Array {
  return frame(TransferRequest.encode({ version: 1, kind: TransferRequest.Kind.PIECES, ...fields }))
}

function refused (responses: TransferResponse[], code: TransferResponse.ErrorCode, message: RegExp): void {
  assert.equal(responses.length, 1, `expected one error response, got ${responses.length}`)
  assert.equal(responses[0].error, code, `expected ${code}, got ${responses[0].error} (${responses[0].message})`)
  assert.match(responses[0].message, message)
}

describe('transfer: the provider refuses hostile input and keeps serving', function () {
  this.timeout(60_000)
  const dir = tempDir('peerhive-transfer-bad-')
  const file = join(dir.path, 'shared.bin')
  const outcomes: string[] = []
  let provider: Libp2p<any>
  let shares: ShareStore
  let server: TransferServer
  let client: Libp2p<any>
  let target: Multiaddr
  let cid: string

  async function serve (init: TransferServerInit): Promise<void> {
    await server?.stop()
    server = new TransferServer(provider, shares, { requestTimeoutMs: 500, onRequest: o => { outcomes.push(o) }, ...init })
    await server.start()
  }

  before(async () => {
    writeFileSync(file, randomBytes(3 * 1024 * 1024 + 7))
    provider = await startNode('127.0.44.1')
    shares = new ShareStore(':memory:')
    cid = (await shares.share([file]))[0].cid
    await serve({})
    client = await startNode('127.0.44.2')
    target = provider.getMultiaddrs()[0]
  })

  after(async () => {
    await server?.stop()
    shares?.close()
    await provider?.stop()
    await client?.stop()
    dir.cleanup()
  })

  const E = TransferResponse.ErrorCode

  it('answers an oversized request with BAD_REQUEST', async () => {
    const { responses } = await raw(client, target, Uint8Array.from([...varint(100_000), ...randomBytes(2000)]))
    refused(responses, E.BAD_REQUEST, /request larger than 1024 bytes/)
  })

  it('answers a length prefix that never ends with BAD_REQUEST', async () => {
    const { responses } = await raw(client, target, new Uint8Array(200).fill(0xff))
    refused(responses, E.BAD_REQUEST, /larger than/)
  })

  it('answers malformed bytes with BAD_REQUEST', async () => {
    const { responses } = await raw(client, target, frame(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x07])))
    refused(responses, E.BAD_REQUEST, /malformed request/)
  })

  it('answers an unknown kind with BAD_REQUEST', async () => {
    const { responses } = await raw(client, target, frame(Uint8Array.from([0x08, 0x01, 0x18, 0x09])))
    refused(responses, E.BAD_REQUEST, /malformed request/)
  })

  it('answers an unknown version with UNSUPPORTED_VERSION', async () => {
    const { responses } = await raw(client, target, request({ version: 2, cid, pieces: [0] }))
    refused(responses, E.UNSUPPORTED_VERSION, /version 2 is not supported/)
  })

  it('answers too many indices with BAD_REQUEST', async () => {
    const { responses } = await raw(client, target, request({ cid, pieces: [...Array(65).keys()] }))
    refused(responses, E.BAD_REQUEST, /at most 64 pieces/)
  })

  it('answers no indices, an out-of-range index or a repeated one with BAD_REQUEST', async () => {
    refused((await raw(client, target, request({ cid, pieces: [] }))).responses, E.BAD_REQUEST, /1 to 64 pieces/)
    refused((await raw(client, target, request({ cid, pieces: [0, 4] }))).responses, E.BAD_REQUEST, /piece 4 is out of range \(the file has 4 pieces\)/)
    refused((await raw(client, target, request({ cid, pieces: [1, 1] }))).responses, E.BAD_REQUEST, /asked for twice/)
  })

  it('answers a bad CID with BAD_REQUEST and an unknown one with NOT_FOUND', async () => {
    refused((await raw(client, target, request({ cid: 'not-a-cid', pieces: [0] }))).responses, E.BAD_REQUEST, /not a CID/)
    const other = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'
    refused((await raw(client, target, request({ cid: other, kind: TransferRequest.Kind.MANIFEST }))).responses, E.NOT_FOUND, /is not shared here/)
  })

  it('serves a valid request: pieces in the order asked, then closes', async () => {
    const { responses } = await raw(client, target, request({ cid, pieces: [3, 0] }))
    assert.deepEqual(responses.map(r => [r.error, r.index, r.data.byteLength]), [[E.NONE, 3, 7], [E.NONE, 0, 1024 * 1024]])
    assert.ok(Buffer.from(responses[1].data).equals(readFileSync(file).subarray(0, 1024 * 1024)))
  })

  it('resets a stream whose request never comes', async () => {
    const before = outcomes.filter(o => o === 'TIMEOUT').length
    const { responses, stream } = await raw(client, target, new Uint8Array(0), false)
    assert.deepEqual(responses, [])
    assert.notEqual(stream.status, 'open')
    await waitUntil('a TIMEOUT outcome', () => outcomes.filter(o => o === 'TIMEOUT').length > before)
  })

  it('answers BUSY past the per-peer limit of exchanges', async () => {
    await serve({ maxExchangesPerPeer: 2, requestTimeoutMs: 3_000 })
    // two exchanges that hold their slot: the request has not arrived yet
    const idle = await Promise.all([0, 1].map(async () => client.dialProtocol(target, PROTOCOL_TRANSFER)))
    await new Promise(resolve => setTimeout(resolve, 100))
    refused((await raw(client, target, request({ cid, kind: TransferRequest.Kind.MANIFEST }))).responses, E.BUSY, /more than 2 exchanges at once/)
    for (const s of idle) s.abort(new Error('done'))
  })

  it('answers BUSY past the per-peer request rate', async () => {
    await serve({ requestsPerPeer: 2 })
    for (let i = 0; i < 2; i++) {
      const { responses } = await raw(client, target, request({ cid, kind: TransferRequest.Kind.MANIFEST }))
      assert.equal(responses[0].error, E.NONE)
    }
    refused((await raw(client, target, request({ cid, kind: TransferRequest.Kind.MANIFEST }))).responses, E.BUSY, /more than 2 requests in 10 s/)
  })

  it('counted every outcome, and still serves a whole download', async () => {
    await serve({})
    for (const code of ['BAD_REQUEST', 'UNSUPPORTED_VERSION', 'NOT_FOUND', 'BUSY', 'TIMEOUT', 'ok']) {
      assert.ok(outcomes.includes(code), `no ${code} in ${outcomes.join(',')}`)
    }
    const outPath = join(dir.path, 'out.bin')
    const result = await download({ libp2p: client, cid, outPath, providers: [{ peerId: provider.peerId.toString(), addrs: [target.toString()] }] })
    assert.ok(readFileSync(outPath).equals(readFileSync(file)))
    assert.deepEqual(result.sources, [provider.peerId.toString()])
  })
})
