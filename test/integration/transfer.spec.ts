import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createStack } from '../../src/core/index.js'
import { ShareStore, manifestCid, DEFAULT_PIECE_SIZE } from '../../src/sharing/index.js'
import { TransferServer, download, type DownloadResult, type TransferStore } from '../../src/sharing/transfer/index.js'
import { tempDir } from '../helpers/tmp-dir.js'
import type { Libp2p } from 'libp2p'

const MiB = 1024 * 1024

/** Starts a stack that listens (and dials) from `ip`. */
async function startNode (ip: string): Promise<Libp2p<any>> {
  const node = await createStack({ privateKey: await generateKeyPair('Ed25519'), listen: [`/ip4/${ip}/tcp/0`], isBootstrap: false, peerTimeoutMs: 30_000 })
  await node.start()
  return node
}

/** A store that counts the pieces asked of it and can lie about some. */
class WatchedStore implements TransferStore {
  readonly asked: number[] = []
  constructor (private readonly inner: TransferStore, private readonly lieAbout: (index: number) => boolean = () => false, private readonly manifestOverride?: Uint8Array, private readonly stall = false) {}

  manifestBytes (cid: string): Uint8Array | undefined | Promise<Uint8Array | undefined> {
    return this.manifestOverride ?? this.inner.manifestBytes(cid)
  }

  async readPiece (cid: string, index: number): Promise<Uint8Array> {
    this.asked.push(index)
    if (this.stall) await new Promise(resolve => setTimeout(resolve, 20_000).unref())
    const data = await this.inner.readPiece(cid, index)
    if (!this.lieAbout(index)) return data
    const bad = Uint8Array.from(data)
    bad[0] ^= 0xff
    return bad
  }
}

interface Provider {
  node: Libp2p<any>
  shares: ShareStore
  store: WatchedStore
  server: TransferServer
  outcomes: string[]
  info: (sameSubnet?: boolean) => { peerId: string, addrs: string[], sameSubnet: boolean }
}

/** A provider node on `ip` sharing `files`, serving through a WatchedStore. */
async function startProvider (ip: string, files: string[], watch: { lieAbout?: (index: number) => boolean, manifest?: Uint8Array, stall?: boolean } = {}): Promise<Provider> {
  const node = await startNode(ip)
  const shares = new ShareStore(':memory:')
  if (files.length > 0) await shares.share(files)
  const store = new WatchedStore(shares, watch.lieAbout, watch.manifest, watch.stall)
  const outcomes: string[] = []
  const server = new TransferServer(node, store, { onRequest: outcome => { outcomes.push(outcome) } })
  await server.start()
  return {
    node,
    shares,
    store,
    server,
    outcomes,
    info: (sameSubnet = false) => ({ peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(a => a.toString()), sameSubnet })
  }
}

async function stopProvider (p: Provider): Promise<void> {
  await p.server.stop()
  p.shares.close()
  await p.node.stop()
}

function assertNoPartial (outPath: string): void {
  assert.equal(existsSync(`${outPath}.part`), false, '.part left behind')
  assert.equal(existsSync(`${outPath}.part.json`), false, 'sidecar left behind')
}

describe('transfer: verified multi-source download', function () {
  this.timeout(60_000)
  const dir = tempDir('peerhive-transfer-')
  const content = randomBytes(8 * MiB + 12_345)
  const file = join(dir.path, 'shared.bin')
  let cid: string
  let client: Libp2p<any>
  let honest: Provider[] = []
  let extra: Provider[] = []
  let n = 0
  const out = (): string => join(dir.path, 'out', `download-${++n}.bin`)

  before(async () => {
    writeFileSync(file, content)
    honest = await Promise.all([startProvider('127.0.41.1', [file]), startProvider('127.0.42.1', [file]), startProvider('127.0.43.1', [file])])
    cid = honest[0].shares.list()[0].cid
    client = await startNode('127.0.41.2')
  })

  afterEach(async () => {
    await Promise.all(extra.map(stopProvider))
    extra = []
    for (const p of honest) p.store.asked.length = 0
  })

  after(async () => {
    await Promise.all(honest.map(stopProvider))
    await client?.stop()
    dir.cleanup()
  })

  function identical (result: DownloadResult, outPath: string): void {
    assert.equal(result.path, outPath)
    assert.equal(result.bytes, content.byteLength)
    assert.equal(result.cid, cid)
    assert.ok(readFileSync(outPath).equals(content), 'the downloaded file differs from the original')
    assertNoPartial(outPath)
  }

  it('downloads from one provider, byte-identical, with progress', async () => {
    const outPath = out()
    const seen: number[] = []
    const result = await download({ libp2p: client, cid, providers: [honest[0].info()], outPath, onProgress: p => { seen.push(p.pieces); assert.equal(p.totalPieces, 9); assert.equal(p.total, content.byteLength) } })
    identical(result, outPath)
    assert.deepEqual(result.sources, [honest[0].node.peerId.toString()])
    assert.equal(seen.at(-1), 9)
    assert.deepEqual([...honest[0].store.asked].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8])
    assert.ok(result.ms > 0)
  })

  it('fetches from several providers at once, same subnet first', async () => {
    const outPath = out()
    const result = await download({
      libp2p: client, cid, outPath, batchBytes: DEFAULT_PIECE_SIZE, streamsPerProvider: 1,
      providers: [honest[2].info(), honest[1].info(), honest[0].info(true)]
    })
    identical(result, outPath)
    assert.equal(result.providers[0].peerId, honest[0].node.peerId.toString(), 'the same-subnet provider is ranked first')
    assert.equal(result.sources.length, 3, `sources: ${result.sources.join(', ')}`)
    for (const p of honest) assert.ok(p.store.asked.length > 0)
  })

  it('drops a provider that sends bad pieces and completes from the honest ones', async () => {
    const liar = await startProvider('127.0.41.3', [file], { lieAbout: () => true })
    extra.push(liar)
    const outPath = out()
    const result = await download({
      libp2p: client, cid, outPath, batchBytes: DEFAULT_PIECE_SIZE, streamsPerProvider: 1,
      providers: [honest[1].info(), liar.info(true), honest[2].info()]
    })
    identical(result, outPath)
    const liarId = liar.node.peerId.toString()
    assert.ok(!result.sources.includes(liarId), 'the liar is not a source')
    const report = result.providers.find(r => r.peerId === liarId)
    assert.equal(report?.outcome, 'lied')
    assert.match(report?.detail ?? '', /does not match the manifest/)
    // one lane with two one-piece requests outstanding: the lie, and at most the request already on its way
    assert.ok(liar.store.asked.length <= 2, `the liar was asked ${liar.store.asked.join(',')}`)
  })

  it('asks a provider nothing more after its first bad piece, and keeps its good ones', async () => {
    let served = 0
    const liar = await startProvider('127.0.41.4', [file], { lieAbout: () => ++served === 3 })
    extra.push(liar)
    const outPath = out()
    const result = await download({
      libp2p: client, cid, outPath, batchBytes: DEFAULT_PIECE_SIZE, streamsPerProvider: 1,
      providers: [liar.info(true), honest[1].info()]
    })
    identical(result, outPath)
    // the lie was its third piece; at most the request already on its way came after it
    assert.ok(liar.store.asked.length <= 4, `the liar was asked ${liar.store.asked.join(',')}`)
    const report = result.providers.find(r => r.peerId === liar.node.peerId.toString())
    assert.equal(report?.outcome, 'lied')
    assert.equal(report?.pieces, 2, 'its two good pieces were kept')
    assert.ok(honest[1].store.asked.includes(liar.store.asked[2]), 'the bad piece was fetched again from an honest provider')
  })

  it('drops a provider whose manifest does not hash to the CID', async () => {
    const other = join(dir.path, 'other.bin')
    writeFileSync(other, randomBytes(1000))
    const decoy = new ShareStore(':memory:')
    const [shared] = await decoy.share([other])
    const liar = await startProvider('127.0.41.5', [], { manifest: decoy.manifestBytes(shared.cid) })
    decoy.close()
    extra.push(liar)
    const outPath = out()
    const result = await download({ libp2p: client, cid, outPath, providers: [liar.info(true), honest[2].info()] })
    identical(result, outPath)
    const report = result.providers.find(r => r.peerId === liar.node.peerId.toString())
    assert.equal(report?.outcome, 'lied')
    assert.match(report?.detail ?? '', /manifest/)
    assert.deepEqual(result.sources, [honest[2].node.peerId.toString()])
  })

  it('does not wait for a provider that stalls: the others fetch its pieces too', async () => {
    const staller = await startProvider('127.0.41.8', [file], { stall: true })
    extra.push(staller)
    const outPath = out()
    const t0 = Date.now()
    const result = await download({ libp2p: client, cid, outPath, pieceTimeoutMs: 3_000, providers: [staller.info(true), honest[0].info()] })
    identical(result, outPath)
    assert.ok(Date.now() - t0 < 3_000, `took ${Date.now() - t0} ms`)
    assert.ok(staller.store.asked.length > 0, 'the staller was asked for pieces')
    assert.deepEqual(result.sources, [honest[0].node.peerId.toString()])
  })

  it('resumes an aborted download without fetching its verified pieces again', async () => {
    const outPath = out()
    const controller = new AbortController()
    await assert.rejects(download({
      libp2p: client, cid, outPath, signal: controller.signal, batchBytes: DEFAULT_PIECE_SIZE, streamsPerProvider: 1,
      providers: [honest[0].info()],
      onProgress: p => { if (p.pieces >= 4) controller.abort() }
    }), (err: any) => err.name === 'AbortError')
    assert.equal(existsSync(outPath), false, 'no file under the final name after an abort')
    const sidecar = JSON.parse(readFileSync(`${outPath}.part.json`, 'utf8'))
    assert.equal(sidecar.cid, cid)
    const bits = Buffer.from(sidecar.have, 'base64')
    const verified = [...Array(9).keys()].filter(i => (bits[i >> 3] & (1 << (i & 7))) !== 0)
    assert.ok(verified.length >= 4, `verified before the abort: ${verified.join(',')}`)
    for (const p of honest) p.store.asked.length = 0

    const result = await download({ libp2p: client, cid, outPath, providers: [honest[0].info(), honest[1].info()] })
    identical(result, outPath)
    assert.equal(result.resumedPieces, verified.length)
    const refetched = [...honest[0].store.asked, ...honest[1].store.asked].filter(i => verified.includes(i))
    assert.deepEqual(refetched, [], 'verified pieces were fetched again')
  })

  it('fetches again a piece of the partial file that no longer verifies, and discards a sidecar of another CID', async () => {
    const outPath = out()
    const controller = new AbortController()
    await assert.rejects(download({
      libp2p: client, cid, outPath, signal: controller.signal, batchBytes: DEFAULT_PIECE_SIZE, streamsPerProvider: 1,
      providers: [honest[0].info()],
      onProgress: p => { if (p.pieces >= 3) controller.abort() }
    }), { name: 'AbortError' })
    const sidecar = JSON.parse(readFileSync(`${outPath}.part.json`, 'utf8'))
    const bits = Buffer.from(sidecar.have, 'base64')
    const first = [...Array(9).keys()].find(i => (bits[i >> 3] & (1 << (i & 7))) !== 0) as number
    // damage one verified piece on disk
    const part = readFileSync(`${outPath}.part`)
    part[first * DEFAULT_PIECE_SIZE] ^= 1
    writeFileSync(`${outPath}.part`, part)
    honest[0].store.asked.length = 0
    const result = await download({ libp2p: client, cid, outPath, providers: [honest[0].info()] })
    identical(result, outPath)
    assert.ok(honest[0].store.asked.includes(first), `the damaged piece ${first} was not fetched again`)

    // a sidecar left by another CID: start over
    const stale = out()
    writeFileSync(`${stale}.part`, randomBytes(content.byteLength))
    writeFileSync(`${stale}.part.json`, JSON.stringify({ ...sidecar, cid: manifestCid(randomBytes(8)).toString() }))
    const fresh = await download({ libp2p: client, cid, outPath: stale, providers: [honest[1].info()] })
    identical(fresh, stale)
    assert.equal(fresh.resumedPieces, 0)
  })

  it('fails with NotFoundError for a CID nobody has, leaving no file', async () => {
    const outPath = out()
    const unknown = manifestCid(randomBytes(32)).toString()
    await assert.rejects(download({ libp2p: client, cid: unknown, outPath, providers: [honest[0].info(), honest[1].info()] }), (err: any) => {
      assert.equal(err.name, 'NotFoundError')
      assert.match(err.message, /no provider has/)
      assert.deepEqual(err.providers.map((r: any) => r.outcome), ['not-found', 'not-found'])
      return true
    })
    assert.equal(existsSync(outPath), false)
    assertNoPartial(outPath)
    await assert.rejects(download({ libp2p: client, cid: unknown, outPath, providers: [] }), { name: 'NotFoundError' })
  })

  it('skips a provider whose file changed on disk', async () => {
    const copy = join(dir.path, 'changing.bin')
    writeFileSync(copy, content)
    const changing = await startProvider('127.0.41.6', [copy])
    extra.push(changing)
    // same size, other bytes, another mtime: the provider no longer has the CID
    const altered = Buffer.from(content)
    altered[100] ^= 1
    writeFileSync(copy, altered)
    utimesSync(copy, new Date(), new Date(Date.now() + 5_000))
    const outPath = out()
    const result = await download({ libp2p: client, cid, outPath, providers: [changing.info(true), honest[2].info()] })
    identical(result, outPath)
    const report = result.providers.find(r => r.peerId === changing.node.peerId.toString())
    assert.ok(report?.outcome === 'changed' || report?.outcome === 'not-found', `outcome ${report?.outcome}`)
    assert.deepEqual(result.sources, [honest[2].node.peerId.toString()])
    assert.ok(changing.outcomes.includes('CHANGED') || changing.outcomes.includes('NOT_FOUND'), changing.outcomes.join(','))
  })

  it('refuses a folder as the output path and bad options, before any exchange', async () => {
    const asked = honest[0].store.asked.length
    await assert.rejects(download({ libp2p: client, cid, outPath: dir.path, providers: [honest[0].info()] }), { name: 'InvalidOptionError', message: /is a folder/ })
    await assert.rejects(download({ libp2p: client, cid, outPath: out(), providers: [honest[0].info()], batchBytes: -1 }), { name: 'InvalidOptionError', message: /batchBytes/ })
    await assert.rejects(download({ libp2p: client, cid: 'not a cid', outPath: out(), providers: [honest[0].info()] }), { name: 'MalformedMessageError' })
    assert.equal(honest[0].store.asked.length, asked)
  })

  it('refuses a second download into the same path while the first runs', async () => {
    const outPath = out()
    const first = download({ libp2p: client, cid, outPath, providers: [honest[0].info()] })
    await assert.rejects(download({ libp2p: client, cid, outPath, providers: [honest[1].info()] }), { name: 'DownloadInProgressError' })
    identical(await first, outPath)
  })

  it('fails with a clear error listing each provider when every one lies', async () => {
    const liar = await startProvider('127.0.41.7', [file], { lieAbout: () => true })
    extra.push(liar)
    const outPath = out()
    await assert.rejects(download({ libp2p: client, cid, outPath, providers: [liar.info()] }), (err: any) => {
      assert.equal(err.name, 'DownloadFailedError')
      assert.match(err.message, new RegExp(`${liar.node.peerId.toString()} lied`))
      return true
    })
    assert.equal(existsSync(outPath), false)
    assertNoPartial(outPath)
  })
})
