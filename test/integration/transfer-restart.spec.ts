/**
 * A download rides out its provider's restart: the only provider stops in
 * the middle of a download (it holds back the second half of the file until
 * then, so the download cannot end first) and starts again with the same
 * PeerId and port. The download must wait for it and finish, byte for byte;
 * a provider that stays away past `providerUnreachableMs` is given up.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createStack } from '../../src/core/index.js'
import { ShareStore, DEFAULT_PIECE_SIZE } from '../../src/sharing/index.js'
import { TransferServer, download, type TransferStore } from '../../src/sharing/transfer/index.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import type { PrivateKey } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

const PIECES = 8
const PORT = 4789
const IP = '127.0.45.1'

/** Serves the first half of the file; the second half only once `release` is called (never, for the first run). */
class HalfStore implements TransferStore {
  private readonly held = new AbortController()
  constructor (private readonly inner: TransferStore) {}
  manifestBytes (cid: string): Uint8Array | undefined | Promise<Uint8Array | undefined> { return this.inner.manifestBytes(cid) }
  async readPiece (cid: string, index: number): Promise<Uint8Array> {
    if (index >= PIECES / 2) await new Promise((_resolve, reject) => { this.held.signal.addEventListener('abort', () => { reject(new Error('stopped')) }, { once: true }) })
    return this.inner.readPiece(cid, index)
  }

  /** ends the pieces held back (after the node is stopped, so no answer goes out) */
  drop (): void { this.held.abort() }
}

/** Serves the first `open` pieces of the file; the others once `release` is called. */
class GatedStore implements TransferStore {
  private readonly gate = Promise.withResolvers<void>()
  constructor (private readonly inner: TransferStore, private readonly open: number) {}
  manifestBytes (cid: string): Uint8Array | undefined | Promise<Uint8Array | undefined> { return this.inner.manifestBytes(cid) }
  async readPiece (cid: string, index: number): Promise<Uint8Array> {
    if (index >= this.open) await this.gate.promise
    return this.inner.readPiece(cid, index)
  }

  release (): void { this.gate.resolve() }
}

interface Provider { node: Libp2p<any>, server: TransferServer, shares: ShareStore }

async function startProvider (key: PrivateKey, file: string, store?: (shares: ShareStore) => TransferStore): Promise<Provider> {
  const node = await createStack({ privateKey: key, listen: [`/ip4/${IP}/tcp/${PORT}`], isBootstrap: false, peerTimeoutMs: 30_000 })
  await node.start()
  const shares = new ShareStore(':memory:')
  await shares.share([file])
  const server = new TransferServer(node, store?.(shares) ?? shares)
  await server.start()
  return { node, server, shares }
}

async function stopProvider (p: Provider): Promise<void> {
  // the node first: the downloader sees the connection go, not an error answer
  await p.node.stop()
  await p.server.stop()
  p.shares.close()
}

describe('transfer: a download rides out its provider\'s restart', function () {
  this.timeout(60_000)
  const dir = tempDir('peerhive-transfer-restart-')
  const content = randomBytes(PIECES * DEFAULT_PIECE_SIZE)
  const file = join(dir.path, 'shared.bin')
  let key: PrivateKey
  let client: Libp2p<any>
  let provider: Provider | undefined

  before(async () => {
    writeFileSync(file, content)
    key = await generateKeyPair('Ed25519')
    client = await createStack({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.45.2/tcp/0'], isBootstrap: false, peerTimeoutMs: 30_000 })
    await client.start()
  })

  after(async () => {
    if (provider != null) await stopProvider(provider)
    await client?.stop()
    dir.cleanup()
  })

  it('waits for a provider that restarts mid-download and finishes from it', async () => {
    let half: HalfStore | undefined
    provider = await startProvider(key, file, shares => { half = new HalfStore(shares); return half })
    const cid = provider.shares.list()[0].cid
    const info = { peerId: provider.node.peerId.toString(), addrs: provider.node.getMultiaddrs().map(a => a.toString()), sameSubnet: true }
    const outPath = join(dir.path, 'out.bin')
    let pieces = 0
    const downloading = download({ libp2p: client, cid, outPath, providers: [info], onProgress: p => { pieces = p.pieces } })

    await waitUntil('the first half to arrive', () => pieces >= PIECES / 2, 30_000)
    await stopProvider(provider)
    half?.drop()
    provider = undefined
    assert.ok(pieces < PIECES, 'the download is not over')
    provider = await startProvider(key, file)

    const result = await downloading
    assert.equal(result.bytes, content.length)
    assert.deepEqual(result.sources, [info.peerId])
    assert.ok(readFileSync(outPath).equals(content), 'the file is the one shared, byte for byte')
    await stopProvider(provider)
    provider = undefined
  })

  it('goes on when the connection to its only provider drops while every stream waits (each lane fails at once)', async () => {
    // 24 pieces, 2 served at first: every lane of the download then has requests outstanding, held back
    const bigger = randomBytes(24 * DEFAULT_PIECE_SIZE)
    const biggerFile = join(dir.path, 'shared-24.bin')
    writeFileSync(biggerFile, bigger)
    let gated: GatedStore | undefined
    provider = await startProvider(key, biggerFile, shares => { gated = new GatedStore(shares, 2); return gated })
    const cid = provider.shares.list()[0].cid
    const info = { peerId: provider.node.peerId.toString(), addrs: provider.node.getMultiaddrs().map(a => a.toString()), sameSubnet: true }
    const outPath = join(dir.path, 'out-dropped.bin')
    let pieces = 0
    const downloading = download({ libp2p: client, cid, outPath, providers: [info], onProgress: p => { pieces = p.pieces } })
    await waitUntil('the first two pieces to arrive', () => pieces >= 2, 30_000)
    await new Promise(resolve => setTimeout(resolve, 200))
    await client.hangUp(provider.node.peerId)
    gated?.release()
    const result = await downloading
    assert.ok(readFileSync(outPath).equals(bigger), 'the file is the one shared, byte for byte')
    assert.deepEqual(result.sources, [info.peerId])
    await stopProvider(provider)
    provider = undefined
  })

  it('gives up a provider that stays unreachable past providerUnreachableMs, keeping the part file', async () => {
    let half: HalfStore | undefined
    provider = await startProvider(key, file, shares => { half = new HalfStore(shares); return half })
    const cid = provider.shares.list()[0].cid
    const info = { peerId: provider.node.peerId.toString(), addrs: provider.node.getMultiaddrs().map(a => a.toString()), sameSubnet: true }
    const outPath = join(dir.path, 'out-2.bin')
    let pieces = 0
    const downloading = download({ libp2p: client, cid, outPath, providers: [info], providerUnreachableMs: 500, onProgress: p => { pieces = p.pieces } })
    await waitUntil('the first half to arrive', () => pieces >= PIECES / 2, 30_000)
    await stopProvider(provider)
    half?.drop()
    provider = undefined
    await assert.rejects(downloading, (err: any) => {
      assert.equal(err.name, 'DownloadFailedError')
      assert.match(err.message, /unreachable for/)
      return true
    })
    assert.ok(readFileSync(`${outPath}.part`).length > 0, 'the part file is kept for a resume')
  })
})
