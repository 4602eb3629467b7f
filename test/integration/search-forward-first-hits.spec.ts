/**
 * A virtual server forwarding a member's search answers as soon as one of
 * the routed servers answered with hits: a routed server of the same round
 * that never answers does not hold the member's results back until the
 * forward's deadline (protocols/search.md, Forwarding).
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { hangSearchServer } from '../helpers/hung-search.js'
import { TestNetwork } from '../helpers/network.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import type { ForwardReport, PeerhiveNode, SearchResult } from '../../src/index.js'

/** The search's budget here: the member's virtual server gets 2.5 s of it to forward */
const SEARCH_MS = 10_000
/** well under the forward's 2.5 s: an answer held for the hung server would come after it */
const BEFORE_THE_FORWARD_DEADLINE_MS = 2_000

describe('integration: a forwarded search answers at its first hits', function () {
  this.timeout(60_000)
  const net = new TestNetwork()
  const tmp = tempDir('peerhive-forward-first-')
  let member: PeerhiveNode
  let sharer: PeerhiveNode
  let hung: PeerhiveNode

  before(async () => {
    await net.startBootstrap()
    const server = await net.addPeer(71, 1)
    sharer = await net.addPeer(72, 1)
    hung = await net.addPeer(73, 1)
    await Promise.all([server, sharer, hung].map(async n => n.waitForPlacement(['virtual-server'], AbortSignal.timeout(10_000))))
    member = await net.addPeer(71, 2)
    await member.waitForPlacement(['member'], AbortSignal.timeout(10_000))
    const adagio = join(tmp.path, 'moonlight-adagio.txt')
    const rondo = join(tmp.path, 'moonlight-rondo.txt')
    writeFileSync(adagio, 'adagio sostenuto')
    writeFileSync(rondo, 'presto agitato')
    await sharer.share([adagio])
    await hung.share([rondo])
    // both servers' filters route "moonlight", and both answer, before one of them hangs
    await waitUntil('both servers to answer the member', async () => {
      const providers = new Set<string>()
      for await (const r of member.search(['moonlight'], { exhaustive: true, timeoutMs: 5_000 })) r.providers.forEach(p => providers.add(p))
      return providers.has(sharer.peerId) && providers.has(hung.peerId)
    }, 20_000)
    await hangSearchServer(hung)
  })

  after(async () => {
    await net.stop()
    tmp.cleanup()
  })

  it('brings the answering server\'s hits before the hung one\'s deadline', async () => {
    const results: SearchResult[] = []
    const forwards: ForwardReport[] = []
    for await (const r of member.search(['moonlight'], { timeoutMs: SEARCH_MS, onForwarded: f => { forwards.push(f) } })) results.push(r)
    const hit = results.find(r => r.providers.includes(sharer.peerId))
    assert.ok(hit != null, JSON.stringify(results))
    assert.equal(hit.tier, 'remote')
    assert.equal(forwards.length, 1, 'the member\'s virtual server forwarded the search')
    assert.equal(forwards[0].asked, 2, 'it asked both routed servers')
    assert.ok(hit.ms < BEFORE_THE_FORWARD_DEADLINE_MS, `the hit came ${hit.ms} ms into the search`)
  })
})
