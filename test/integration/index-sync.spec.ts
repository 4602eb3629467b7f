/**
 * The subnet index and the central index (SHARE-2, NET-7): a member pushes
 * its index to its virtual server (a snapshot, then deltas); a central client
 * pushes it to the bootstrap's client_index. Departures drop entries; a
 * failover rebuilds the group index at the new virtual server.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { queryWords, type IndexEntry } from '../../src/sharing/index.js'
import { TestNetwork } from '../helpers/network.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import type { PeerhiveNode } from '../../src/index.js'

const SUBNET = 80
/** a keyword every file of this test carries */
const COMMON = 'hivesync'
const WAIT_MS = 15_000

describe('index sync: members to their virtual server, central clients to the bootstrap', function () {
  this.timeout(60_000)
  const net = new TestNetwork()
  const tmp = tempDir()
  let vs: PeerhiveNode
  let m2: PeerhiveNode
  let m3: PeerhiveNode
  let m4: PeerhiveNode
  let cc5: PeerhiveNode

  /** A file with unique content (so a unique CID) under the temp dir. */
  function file (rel: string, bytes = 1024): string {
    const path = join(tmp.path, rel)
    mkdirSync(join(path, '..'), { recursive: true })
    writeFileSync(path, randomBytes(bytes))
    return path
  }

  /** The entries a virtual server's group index holds for `provider`. */
  function heldFor (server: PeerhiveNode, provider: PeerhiveNode): IndexEntry[] {
    return server.sharing.groupIndex.search(queryWords([COMMON]), 10_000).filter(e => e.provider === provider.peerId)
  }

  function cidsOf (entries: Array<{ cid: string }>): string[] {
    return entries.map(e => e.cid).sort()
  }

  /** Resolves once `server` holds exactly what `member` shares. */
  async function holdsAll (server: PeerhiveNode, member: PeerhiveNode, what: string): Promise<void> {
    const want = cidsOf(member.shares.list())
    await waitUntil(what, () => JSON.stringify(cidsOf(heldFor(server, member))) === JSON.stringify(want), WAIT_MS)
  }

  before(async () => {
    await net.startBootstrap({ vsLimit: 4 })
    const placed = async (node: PeerhiveNode, role: 'virtual-server' | 'member' | 'central-client'): Promise<PeerhiveNode> => {
      const p = await node.waitForPlacement(undefined, AbortSignal.timeout(WAIT_MS))
      assert.equal(p.role, role, `127.0.${SUBNET}.x placed as ${p.role}, expected ${role}`)
      return node
    }
    // limit 4: a virtual server and three members; the fifth peer waits as a central client
    vs = await placed(await net.addPeer(SUBNET, 1), 'virtual-server')
    await vs.share([file('vs/vs-own.txt')], { keywords: [COMMON, 'vsown'] })
    // m2 shares before it starts: its first snapshot must carry them
    m2 = await net.addPeer(SUBNET, 2, { start: false })
    file('m2/docs/ete-Rapport.pdf')
    file('m2/docs/sub/notes.txt', 3000)
    await m2.share([join(tmp.path, 'm2', 'docs')], { title: 'Relevé Été', keywords: [COMMON, 'memtwo'] })
    await m2.start()
    await placed(m2, 'member')
    m3 = await placed(await net.addPeer(SUBNET, 3), 'member')
    m4 = await placed(await net.addPeer(SUBNET, 4), 'member')
    cc5 = await placed(await net.addPeer(SUBNET, 5), 'central-client')
    await m3.share([file('m3/a.txt'), file('m3/b.txt')], { keywords: [COMMON, 'memthree'] })
    await m4.share([file('m4/a.txt')], { keywords: [COMMON, 'memfour'] })
    await cc5.share([file('cc5/central-one.txt'), file('cc5/central-two.txt')], { title: 'Centrale', keywords: [COMMON, 'centralfive'] })
  })

  after(async () => {
    await net.stop()
    tmp.cleanup()
  })

  it('a member\'s snapshot reaches its virtual server, with the seed\'s columns', async () => {
    for (const m of [m2, m3, m4]) await holdsAll(vs, m, `the virtual server to hold ${m.peerId}'s files`)
    await waitUntil('m2 to report its index synced', () => m2.sharing.indexSynced(), WAIT_MS)

    const held = heldFor(vs, m2)
    assert.equal(held.length, 2)
    const byName = Object.fromEntries(held.map(e => [e.filename, e]))
    const shared = Object.fromEntries(m2.shares.list().map(f => [f.filename, f]))
    const serial = m2.status().userSerialId
    assert.ok(serial != null && serial > 0, 'm2 has a user serial')
    for (const name of ['ete-Rapport.pdf', 'notes.txt']) {
      const e = byName[name]
      assert.ok(e != null, `${name} at the virtual server`)
      assert.deepEqual(e, {
        cid: shared[name].cid,
        filename: name,
        directory: name === 'notes.txt' ? 'sub' : '',
        size: name === 'notes.txt' ? 3000 : 1024,
        title: 'Relevé Été',
        keywords: [COMMON, 'memtwo'],
        provider: m2.peerId,
        userSerialId: serial,
        userid: m2.peerId
      }, 'every column, and no local path')
    }
    // the group index is searchable by its members' metadata, accents and case ignored
    assert.deepEqual(cidsOf(vs.sharing.groupIndex.search(queryWords(['RELEVE', 'rapport']), 10)), [shared['ete-Rapport.pdf'].cid])
    // a member's index belongs at its virtual server, not at the bootstrap
    for (const m of [m2, m3, m4, vs]) assert.equal(net.bootstrap.tables.indexCount(m.peerId), 0)
    // nothing from the central client at the virtual server
    assert.equal(heldFor(vs, cc5).length, 0)
  })

  it('indexSynced() turns true only once the virtual server holds the change', async () => {
    await holdsAll(vs, m3, 'm3 synced')
    const [added] = await m3.share([file('m3/late.txt')], { keywords: [COMMON, 'memthree', 'latecomer'] })
    await waitUntil('m3 to report its index synced', () => m3.sharing.indexSynced(), WAIT_MS, 1)
    assert.ok(heldFor(vs, m3).some(e => e.cid === added.cid), 'indexSynced() was true before the virtual server held the new file')
  })

  it('a virtual server reports its index synced at once: it answers its group from its own share store', async () => {
    const [added] = await vs.share([file('m3/late.txt')], { keywords: ['vsown'] })
    assert.equal(vs.sharing.indexSynced(), true)
    const found = []
    for await (const r of m2.search(['vsown'], { timeoutMs: 5_000 })) found.push(r)
    assert.ok(found.some(r => r.cid === added.cid && r.tier === 'subnet' && r.providers.includes(vs.peerId)), `a member finds the virtual server's new file in its subnet: ${JSON.stringify(found)}`)
  })

  it('deltas propagate: a new share, an unshare, a modified file after rescan', async () => {
    await holdsAll(vs, m2, 'm2 synced')
    const before = { m3: cidsOf(heldFor(vs, m3)), m4: cidsOf(heldFor(vs, m4)) }

    // a new share
    const [fresh] = await m2.share([file('m2/extra/fresh-été.bin', 2048)], { keywords: [COMMON, 'memtwo', 'freshdelta'] })
    await waitUntil('the new share at the virtual server', () => heldFor(vs, m2).some(e => e.cid === fresh.cid && e.keywords.includes('freshdelta')), WAIT_MS)
    assert.equal(heldFor(vs, m2).length, 3)

    // an unshare
    assert.equal(m2.shares.unshare(fresh.cid), true)
    await waitUntil('the unshared file gone from the virtual server', () => !heldFor(vs, m2).some(e => e.cid === fresh.cid), WAIT_MS)
    assert.equal(heldFor(vs, m2).length, 2)

    // a file changed on disk, picked up by a rescan: the old CID goes, the new one comes
    const notes = m2.shares.list().find(f => f.filename === 'notes.txt')
    assert.ok(notes != null)
    writeFileSync(notes.path, randomBytes(4000))
    const later = Date.now() / 1000 + 60
    utimesSync(notes.path, later, later)
    const change = await m2.shares.rescan()
    assert.deepEqual(change.removed, [notes.cid])
    assert.equal(change.added.length, 1)
    const changed = change.added[0]
    assert.notEqual(changed.cid, notes.cid)
    await waitUntil('the modified file at the virtual server under its new CID', () => {
      const held = heldFor(vs, m2)
      return held.some(e => e.cid === changed.cid && e.size === 4000 && e.filename === 'notes.txt' && e.directory === 'sub') && !held.some(e => e.cid === notes.cid)
    }, WAIT_MS)
    await holdsAll(vs, m2, 'm2 in sync after the rescan')

    // the other members' entries are untouched
    assert.deepEqual(cidsOf(heldFor(vs, m3)), before.m3)
    assert.deepEqual(cidsOf(heldFor(vs, m4)), before.m4)
  })

  it('a central client\'s index lands in the bootstrap\'s client_index', async () => {
    await waitUntil('cc5\'s entries in client_index', () => net.bootstrap.tables.indexCount(cc5.peerId) === 2, WAIT_MS)
    const hits = net.bootstrap.tables.searchIndex(queryWords(['centralfive']), 10)
    assert.deepEqual(cidsOf(hits), cidsOf(cc5.shares.list()))
    for (const h of hits) {
      assert.equal(h.provider, cc5.peerId)
      assert.equal(h.userid, cc5.peerId)
      assert.equal(h.title, 'Centrale')
      assert.deepEqual(h.keywords, [COMMON, 'centralfive'])
    }
    // searchable with accents and case folded, AND over words
    assert.equal(net.bootstrap.tables.searchIndex(queryWords(['CENTRALE', 'one']), 10).length, 1)
    assert.equal(net.bootstrap.tables.searchIndex(queryWords(['centrale', 'nowhere']), 10).length, 0)
    // and a delta follows it there
    const [more] = await cc5.share([file('cc5/central-three.txt')], { keywords: [COMMON, 'centralfive'] })
    await waitUntil('the central client\'s delta at the bootstrap', () => net.bootstrap.tables.searchIndex(queryWords(['centralfive']), 10).some(e => e.cid === more.cid), WAIT_MS)
    cc5.shares.unshare(more.cid)
    await waitUntil('the central client\'s unshare at the bootstrap', () => net.bootstrap.tables.indexCount(cc5.peerId) === 2, WAIT_MS)
  })

  it('a member that leaves is dropped; the central client takes the slot and its index moves from the bootstrap to the virtual server', async () => {
    await holdsAll(vs, m3, 'm3 at the virtual server')
    await waitUntil('cc5 at the bootstrap', () => net.bootstrap.tables.indexCount(cc5.peerId) === 2, WAIT_MS)
    const m3Id = m3.peerId
    await m3.stop()

    await waitUntil('m3\'s entries dropped from the virtual server', () => heldFor(vs, m3).length === 0 && !vs.sharing.groupIndex.providers().includes(m3Id), WAIT_MS)
    assert.equal(vs.sharing.groupIndex.search(queryWords(['memthree']), 100).length, 0)

    const p = await cc5.waitForPlacement(['member'], AbortSignal.timeout(WAIT_MS))
    assert.equal(p.virtualServer, vs.peerId)
    await waitUntil('cc5\'s entries gone from client_index', () => net.bootstrap.tables.indexCount(cc5.peerId) === 0, WAIT_MS)
    await holdsAll(vs, cc5, 'cc5\'s entries at the virtual server')
    // the others stayed
    await holdsAll(vs, m2, 'm2 still at the virtual server')
    await holdsAll(vs, m4, 'm4 still at the virtual server')
  })

  it('a central client that leaves takes its entries out of client_index', async () => {
    // the group is full again (vs, m2, m4, cc5): the next peer waits as a central client
    const cc6 = await net.addPeer(SUBNET, 6)
    const p = await cc6.waitForPlacement(undefined, AbortSignal.timeout(WAIT_MS))
    assert.equal(p.role, 'central-client')
    await cc6.share([file('cc6/x.txt'), file('cc6/y.txt'), file('cc6/z.txt')], { keywords: [COMMON, 'centralsix'] })
    await waitUntil('cc6\'s entries in client_index', () => net.bootstrap.tables.indexCount(cc6.peerId) === 3, WAIT_MS)
    await cc6.stop()
    await waitUntil('cc6\'s entries gone from client_index', () => net.bootstrap.tables.indexCount(cc6.peerId) === 0, WAIT_MS)
    assert.equal(net.bootstrap.tables.searchIndex(queryWords(['centralsix']), 10).length, 0)
  })

  it('after the virtual server stops, the new virtual server holds every remaining member\'s entries: no entry is lost', async () => {
    const remaining = [m2, m4, cc5]
    for (const m of remaining) await holdsAll(vs, m, `${m.peerId} at the old virtual server`)
    const oldVs = vs.peerId
    await vs.stop()

    const next = await waitUntil('a remaining peer to become the virtual server', () => remaining.find(n => n.status().role === 'virtual-server'), WAIT_MS)
    const members = remaining.filter(n => n !== next)
    for (const m of members) {
      await waitUntil(`${m.peerId} to follow the new virtual server`, () => m.status().virtualServer === next.peerId, WAIT_MS)
      await holdsAll(next, m, `the new virtual server to hold ${m.peerId}'s entries`)
    }
    await waitUntil('members to report their index synced', () => members.every(m => m.sharing.indexSynced()), WAIT_MS)
    // only the group: nothing of the old server or of peers that left
    assert.deepEqual(next.sharing.groupIndex.providers().sort(), members.map(m => m.peerId).sort())
    assert.ok(!next.sharing.groupIndex.providers().includes(oldVs))

    // every file of every remaining peer is found from inside the group
    const want = cidsOf(remaining.flatMap(n => n.shares.list()))
    const got: string[] = []
    for await (const r of members[0].search([COMMON], { limit: 100 })) {
      assert.ok(r.tier === 'local' || r.tier === 'subnet', `${r.filename} came from tier ${r.tier}`)
      got.push(r.cid)
    }
    assert.deepEqual(got.sort(), want)
    // and none of them went to the central index
    for (const n of remaining) assert.equal(net.bootstrap.tables.indexCount(n.peerId), 0)
  })
})
