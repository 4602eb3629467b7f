/**
 * A node never shares its own secrets, over real sockets: a node whose
 * shares.db holds its identity.key (saved by an older version) drops it at
 * start, before anything is indexed; it shares its --share folder (the
 * user's home, data directory inside) without the data directory; no peer
 * finds the key by search, and a transfer request or a get for its CID is
 * NOT_FOUND. A job whose input is the key is refused before it reaches the
 * bootstrap.
 */
import assert from 'node:assert/strict'
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { loadOrCreateIdentity } from '../../src/core/index.js'
import { appPath } from '../../src/compute/apps/index.js'
import { TransferRequest, TransferResponse } from '../../src/pb/transfer.js'
import type { SearchResult } from '../../src/sharing/index.js'
import { PROTOCOL_TRANSFER } from '../../src/sharing/transfer/index.js'
import { TestNetwork } from '../helpers/network.js'
import { saveAsOlderVersion } from '../helpers/older-shares-row.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import type { PeerhiveNode } from '../../src/index.js'
import type { Libp2p } from 'libp2p'

/** One MANIFEST request on the transfer protocol, as any peer may send it: the provider's answer. */
async function askManifest (client: Libp2p<any>, target: string, cid: string): Promise<TransferResponse> {
  const signal = AbortSignal.timeout(10_000)
  const stream = await client.dialProtocol(multiaddr(target), PROTOCOL_TRANSFER, { signal })
  const lp = lpStream(stream)
  await lp.write(TransferRequest.encode({ version: 1, kind: TransferRequest.Kind.MANIFEST, cid, pieces: [] }), { signal })
  const answer = TransferResponse.decode(await lp.read({ signal }))
  await stream.close({ signal }).catch(() => {})
  return answer
}

async function searchAll (node: PeerhiveNode, words: string[]): Promise<SearchResult[]> {
  const out: SearchResult[] = []
  for await (const r of node.search(words, { exhaustive: true, timeoutMs: 3_000 })) out.push(r)
  return out
}

describe('integration: a node never shares its own secrets', function () {
  this.timeout(120_000)
  const net = new TestNetwork()
  const tmp = tempDir('peerhive-share-policy-')
  const home = join(realpathSync(tmp.path), 'home')
  const data = join(home, '.peerhive')
  let sharer: PeerhiveNode
  let other: PeerhiveNode
  let keyCid: string

  before(async () => {
    mkdirSync(join(home, 'music'), { recursive: true })
    writeFileSync(join(home, 'music', 'song.ogg'), 'la la la')
    writeFileSync(join(home, '.env'), 'PASSWORD=hunter2')
    // a data directory as an older version left it: the key created, and saved in shares.db
    await loadOrCreateIdentity(data)
    keyCid = await saveAsOlderVersion(join(data, 'shares.db'), join(data, 'identity.key'), { title: 'my identity', keywords: ['identity', 'key'] })
    await net.startBootstrap()
    sharer = await net.addPeer(62, 1, { dataDir: data, share: [home] })
    other = await net.addPeer(62, 2)
    await sharer.waitForPlacement(undefined, AbortSignal.timeout(10_000))
    await other.waitForPlacement(undefined, AbortSignal.timeout(10_000))
  })

  after(async () => {
    await net.stop()
    tmp.cleanup()
  })

  it('drops the key saved in shares.db at start, and shares the home folder without the data directory or hidden files', async () => {
    const list = sharer.shares.list()
    assert.deepEqual(list.map(f => f.path), [join(home, 'music', 'song.ogg')])
    assert.equal(sharer.shares.get(keyCid), undefined)
  })

  it('another peer finds the shared song, but nothing under the key\'s words or CID', async () => {
    await waitUntil('the song to be found by the other peer', async () => {
      const hits = await searchAll(other, ['song'])
      return hits.some(r => r.providers.includes(sharer.peerId)) ? hits : undefined
    }, 30_000, 200)
    for (const words of [['identity'], ['key'], [keyCid], ['api', 'token'], ['env']]) {
      const hits = await searchAll(other, words)
      assert.deepEqual(hits.filter(r => r.providers.includes(sharer.peerId)), [], `search ${words.join(' ')}`)
    }
  })

  it('answers NOT_FOUND to a transfer request for the key\'s CID, and a get of it fails with NotFoundError', async () => {
    const answer = await askManifest(other.libp2p, sharer.multiaddrs()[0], keyCid)
    assert.equal(answer.error, TransferResponse.ErrorCode.NOT_FOUND, answer.message)
    assert.equal(answer.manifest?.byteLength ?? 0, 0, 'no manifest')
    await assert.rejects(other.get(keyCid, { outDir: tmp.path, findTimeoutMs: 1_000 }), { name: 'NotFoundError' })
    await assert.rejects(sharer.get(keyCid, { outDir: tmp.path, findTimeoutMs: 1_000 }), { name: 'NotFoundError' })
  })

  it('stops serving a shared file once its folder becomes a data directory (NOT_FOUND over the wire)', async () => {
    const folder = join(home, 'later')
    mkdirSync(folder)
    writeFileSync(join(folder, 'peers.db'), 'rows')
    const [file] = await sharer.share([join(folder, 'peers.db')])
    const before = await askManifest(other.libp2p, sharer.multiaddrs()[0], file.cid)
    assert.equal(before.error, TransferResponse.ErrorCode.NONE, before.message)
    // another node starts with its data in that folder
    await loadOrCreateIdentity(folder)
    const after = await askManifest(other.libp2p, sharer.multiaddrs()[0], file.cid)
    assert.equal(after.error, TransferResponse.ErrorCode.NOT_FOUND, after.message)
  })

  it('refuses a job whose input is the node\'s key, with a problem line naming it, before it reaches the bootstrap', async () => {
    const job = {
      name: 'steals a key',
      app: appPath('wordcount'),
      units: [{ args: [], inputs: [join(data, 'identity.key')] }],
      replication: 1,
      quorum: 1
    }
    await assert.rejects(sharer.compute.submit(job, home), (err: any) => {
      assert.equal(err.name, 'InvalidJobError')
      assert.ok(err.problems.some((p: string) => p.includes(join(data, 'identity.key')) && p.includes('peerhive data directory')), err.message)
      return true
    })
    assert.equal(sharer.shares.get(keyCid), undefined, 'the key was not shared on the way')
  })
})
