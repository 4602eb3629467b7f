/**
 * A virtual server that accepts search streams and never answers (a hung
 * or frozen process) takes at most its share of the search's time: the
 * farther tiers still answer, and the hung one is reported.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { hangSearchServer } from '../helpers/hung-search.js'
import { TestNetwork } from '../helpers/network.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import type { PeerhiveNode, SearchResult, UnreachableTier } from '../../src/index.js'

describe('integration: search past a virtual server that never answers', function () {
  this.timeout(60_000)
  const net = new TestNetwork()
  const tmp = tempDir('peerhive-search-hung-')
  let sharer: PeerhiveNode
  let hung: PeerhiveNode
  let member: PeerhiveNode

  before(async () => {
    await net.startBootstrap()
    sharer = await net.addPeer(68, 1)
    hung = await net.addPeer(69, 1)
    await hung.waitForPlacement(undefined, AbortSignal.timeout(10_000))
    member = await net.addPeer(69, 2)
    await Promise.all([sharer, member].map(async n => n.waitForPlacement(undefined, AbortSignal.timeout(10_000))))
    assert.equal(member.status().virtualServer, hung.peerId, 'the member searches through the hung node first')
    const file = join(tmp.path, 'pathetique-sonata.txt')
    writeFileSync(file, 'grave, allegro di molto e con brio')
    await sharer.share([file])
    // members do not follow the directory: their virtual server (or, past it, the bootstrap) routes for them
    await waitUntil('the directory to list the sharer\'s subnet', () => hung.topology.directory()?.some(s => s.peerId === sharer.peerId), 15_000)
    await waitUntil('the sharer\'s index to answer the member', async () => {
      for await (const r of member.search(['pathetique'], { exhaustive: true, timeoutMs: 5_000 })) if (r.providers.includes(sharer.peerId)) return true
      return false
    }, 15_000)
    // from now on the member's virtual server takes search streams and never answers
    await hangSearchServer(hung)
  })

  after(async () => {
    await net.stop()
    tmp.cleanup()
  })

  it('finds the file in another subnet within the search\'s deadline, and reports the virtual server that did not answer', async () => {
    const unreachable: UnreachableTier[] = []
    const results: SearchResult[] = []
    for await (const r of member.search(['pathetique'], { timeoutMs: 5_000, onUnreachable: u => { unreachable.push(u) } })) results.push(r)
    assert.ok(results.some(r => r.tier === 'remote' && r.providers.includes(sharer.peerId)), JSON.stringify(results))
    assert.ok(unreachable.some(u => u.tier === 'subnet' && u.peerId === hung.peerId), JSON.stringify(unreachable))
  })
})
