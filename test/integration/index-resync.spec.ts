/**
 * Index sync that never gives up (issue 9, section 4): a member's index
 * reaches its virtual server again after that server restarts with the same
 * PeerId and an empty index, although the member's placement never changed;
 * and an update refused many times is retried until acknowledged.
 *
 * Two real peerhive stacks on loopback: one answers /peerhive/index/1.0.0
 * with the product's IndexServer and SubnetIndex (what a virtual server
 * runs), the other pushes its ShareStore with the product's IndexSync.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createStack } from '../../src/core/index.js'
import { IndexServer, IndexSync, ShareStore, SubnetIndex, type IndexHolder } from '../../src/sharing/index.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import type { PrivateKey } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

const WAIT_MS = 30_000

/** A stack that holds members' indexes, as a virtual server does. */
interface Holder { libp2p: Libp2p<any>, server: IndexServer, index: SubnetIndex, refusals: number }

async function startHolder (key: PrivateKey, listen: string, opts: { refuseFirst?: number, withoutHolds?: boolean } = {}): Promise<Holder> {
  const libp2p = await createStack({ privateKey: key, listen: [listen], isBootstrap: false, peerTimeoutMs: 10_000 })
  await libp2p.start()
  const index = new SubnetIndex()
  // an older virtual server's holder: it cannot tell whether it holds a snapshot
  const holder: IndexHolder = opts.withoutHolds === true ? { apply: (p, u) => index.apply(p, u) } : index
  const h: Holder = { libp2p, server: undefined as any, index, refusals: 0 }
  h.server = new IndexServer(libp2p, {
    refuse: () => {
      if (h.refusals >= (opts.refuseFirst ?? 0)) return undefined
      h.refusals++
      return 'not this sender\'s virtual server yet'
    },
    holder
  })
  await h.server.start()
  return h
}

function portOf (addr: string): number {
  return Number(/\/tcp\/(\d+)/.exec(addr)?.[1])
}

async function stopHolder (h: Holder): Promise<void> {
  await h.server.stop()
  await h.libp2p.stop()
}

describe('index sync: retried until the virtual server holds the index', function () {
  this.timeout(90_000)
  const tmp = tempDir()
  const stopAtEnd: Array<() => Promise<void>> = []
  let member: Libp2p<any>
  let shares: ShareStore
  let sync: IndexSync

  function cidsHeldBy (h: Holder): string[] {
    return h.index.search(['resync'], 10_000).filter(e => e.provider === member.peerId.toString()).map(e => e.cid).sort()
  }

  function sharedCids (): string[] {
    return shares.list().map(f => f.cid).sort()
  }

  beforeEach(async () => {
    member = await createStack({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.91.2/tcp/0'], isBootstrap: false, peerTimeoutMs: 10_000 })
    await member.start()
    shares = new ShareStore(':memory:')
    const files = [0, 1, 2].map(i => {
      const path = join(tmp.path, `${member.peerId.toString()}-${i}.bin`)
      writeFileSync(path, randomBytes(512))
      return path
    })
    await shares.share(files, { keywords: ['resync'] })
    sync = new IndexSync(member, shares, () => ({ userSerialId: 7, userid: member.peerId.toString() }), member.logger.forComponent('test:index-sync'))
    stopAtEnd.push(async () => {
      sync.stop()
      await shares.close()
      await member.stop()
    })
  })

  afterEach(async () => {
    for (const stop of stopAtEnd.splice(0).reverse()) await stop().catch(() => {})
  })

  after(() => { tmp.cleanup() })

  for (const older of [false, true]) {
    it(`a virtual server that restarts with the same PeerId and an empty index gets the member's snapshot again${older ? ' (a server that cannot tell it holds none: the ack\'s held count tells)' : ''}`, async () => {
      const key = await generateKeyPair('Ed25519')
      const first = await startHolder(key, '/ip4/127.0.91.1/tcp/0', { withoutHolds: older })
      const addr = first.libp2p.getMultiaddrs()[0]
      sync.setTarget(first.libp2p.peerId.toString(), [addr.toString()])
      await waitUntil('the first server to hold the member\'s files', () => cidsHeldBy(first).length === 3, WAIT_MS)
      assert.deepEqual(cidsHeldBy(first), sharedCids())
      await waitUntil('the member to report its index synced', () => sync.isSynced(), WAIT_MS)

      // same identity, same address, nothing held; the member's target does not change
      await stopHolder(first)
      const port = portOf(addr.toString())
      const again = await startHolder(key, `/ip4/127.0.91.1/tcp/${port}`, { withoutHolds: older })
      stopAtEnd.push(async () => { await stopHolder(again) })
      assert.deepEqual(cidsHeldBy(again), [])

      await waitUntil('the restarted server to hold the member\'s files', () => JSON.stringify(cidsHeldBy(again)) === JSON.stringify(sharedCids()), WAIT_MS)
      await waitUntil('the member to report its index synced', () => sync.isSynced(), WAIT_MS)
      // and changes follow as usual
      const path = join(tmp.path, `${member.peerId.toString()}-late.bin`)
      writeFileSync(path, randomBytes(512))
      await shares.share([path], { keywords: ['resync'] })
      await waitUntil('the late file at the restarted server', () => cidsHeldBy(again).length === 4, WAIT_MS)
      assert.deepEqual(cidsHeldBy(again), sharedCids())
    })
  }

  it('a change from a member it holds no snapshot of is answered SNAPSHOT_NEEDED, and the member sends its snapshot', async () => {
    const h = await startHolder(await generateKeyPair('Ed25519'), '/ip4/127.0.91.1/tcp/0')
    stopAtEnd.push(async () => { await stopHolder(h) })
    sync.setTarget(h.libp2p.peerId.toString(), h.libp2p.getMultiaddrs().map(a => a.toString()))
    await waitUntil('the server to hold the member\'s files', () => cidsHeldBy(h).length === 3, WAIT_MS)
    await waitUntil('the member to report its index synced', () => sync.isSynced(), WAIT_MS)
    // the server loses the member (as a virtual server does when its group changes), then a change arrives
    h.index.drop(member.peerId.toString())
    const path = join(tmp.path, `${member.peerId.toString()}-new.bin`)
    writeFileSync(path, randomBytes(512))
    await shares.share([path], { keywords: ['resync'] })
    await waitUntil('the whole index back at the server, not only the change', () => JSON.stringify(cidsHeldBy(h)) === JSON.stringify(sharedCids()), WAIT_MS)
    assert.equal(cidsHeldBy(h).length, 4)
  })

  it('a server that dropped the member\'s entries without a disconnect (the member left the group and came back) gets them back with no change to send', async () => {
    sync.stop()
    // checks every second here instead of every two minutes
    sync = new IndexSync(member, shares, () => ({ userSerialId: 7, userid: member.peerId.toString() }), member.logger.forComponent('test:index-sync'), { checkEveryMs: 1_000 })
    const h = await startHolder(await generateKeyPair('Ed25519'), '/ip4/127.0.91.1/tcp/0')
    stopAtEnd.push(async () => { await stopHolder(h) })
    sync.setTarget(h.libp2p.peerId.toString(), h.libp2p.getMultiaddrs().map(a => a.toString()))
    await waitUntil('the server to hold the member\'s files', () => cidsHeldBy(h).length === 3, WAIT_MS)
    h.index.drop(member.peerId.toString())
    assert.equal(member.getConnections(h.libp2p.peerId).length > 0, true, 'still connected: no disconnect tells the member')
    await waitUntil('the member\'s files back at the server', () => JSON.stringify(cidsHeldBy(h)) === JSON.stringify(sharedCids()), WAIT_MS)
    sync.stop()
  })

  it('an update refused several times is retried until the server acknowledges it', async () => {
    const refuseFirst = 3
    const h = await startHolder(await generateKeyPair('Ed25519'), '/ip4/127.0.91.1/tcp/0', { refuseFirst })
    stopAtEnd.push(async () => { await stopHolder(h) })
    sync.setTarget(h.libp2p.peerId.toString(), h.libp2p.getMultiaddrs().map(a => a.toString()))
    await waitUntil('the server to hold the member\'s files', () => JSON.stringify(cidsHeldBy(h)) === JSON.stringify(sharedCids()), WAIT_MS)
    assert.equal(h.refusals, refuseFirst, 'every refusal was followed by another attempt')
    await waitUntil('the member to report its index synced', () => sync.isSynced(), WAIT_MS)
  })

  it('a target that is down at first gets the snapshot once it listens', async () => {
    const key = await generateKeyPair('Ed25519')
    // learn a free port, then close it: the member dials an address nobody listens on
    const probe = await startHolder(key, '/ip4/127.0.91.1/tcp/0')
    const addr = probe.libp2p.getMultiaddrs()[0]
    await stopHolder(probe)
    sync.setTarget(probe.libp2p.peerId.toString(), [addr.toString()])
    const h = await startHolder(key, `/ip4/127.0.91.1/tcp/${portOf(addr.toString())}`)
    stopAtEnd.push(async () => { await stopHolder(h) })
    await waitUntil('the server to hold the member\'s files', () => JSON.stringify(cidsHeldBy(h)) === JSON.stringify(sharedCids()), WAIT_MS)
    await waitUntil('the member to report its index synced', () => sync.isSynced(), WAIT_MS)
  })
})
