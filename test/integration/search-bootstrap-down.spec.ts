/**
 * `search --all` while the bootstrap is down: the other tiers (this node,
 * the other subnets' virtual servers, from the directory the node already
 * has) still answer, the command exits 0, and it says on stderr that the
 * central index did not answer.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { peerhive } from '../helpers/cli.js'
import { TestNetwork } from '../helpers/network.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import type { PeerhiveNode, UnreachableTier } from '../../src/index.js'

describe('integration: search --all while the bootstrap is down', function () {
  this.timeout(60_000)
  const net = new TestNetwork()
  const tmp = tempDir('peerhive-search-down-')
  let sharer: PeerhiveNode
  let searcher: PeerhiveNode
  let searcherData: string

  before(async () => {
    await net.startBootstrap()
    sharer = await net.addPeer(66, 1)
    searcherData = join(tmp.path, 'searcher')
    searcher = await net.addPeer(67, 1, { dataDir: searcherData })
    await Promise.all([sharer, searcher].map(async n => n.waitForPlacement(undefined, AbortSignal.timeout(10_000))))
    const file = join(tmp.path, 'moonlight-sonata.txt')
    writeFileSync(file, 'adagio sostenuto')
    await sharer.share([file])
    // the searcher knows the other subnet's virtual server (the directory the bootstrap publishes)
    await waitUntil('the directory to list the other virtual server', () => searcher.topology.directory()?.some(s => s.peerId === sharer.peerId), 15_000)
    await waitUntil('the sharer\'s index to hold the file', async () => {
      for await (const r of searcher.search(['sonata'], { exhaustive: true, timeoutMs: 5_000 })) if (r.providers.includes(sharer.peerId)) return true
      return false
    }, 15_000)
    await net.bootstrap.stop()
  })

  after(async () => {
    await net.stop()
    tmp.cleanup()
  })

  it('the library reports the central index unreachable and still returns the other subnet\'s hit', async () => {
    const unreachable: UnreachableTier[] = []
    const results = []
    for await (const r of searcher.search(['sonata'], { exhaustive: true, timeoutMs: 10_000, onUnreachable: u => { unreachable.push(u) } })) results.push(r)
    assert.ok(results.some(r => r.tier === 'remote' && r.providers.includes(sharer.peerId)), JSON.stringify(results))
    assert.ok(unreachable.some(u => u.tier === 'central' && u.peerId === net.bootstrap.peerId), JSON.stringify(unreachable))
  })

  it('peerhive search --all exits 0 with the hit and names the central index on stderr', async () => {
    const r = await peerhive(['search', 'sonata', '--all', '--json', '--timeout', '10000', '--data', searcherData])
    assert.equal(r.code, 0, r.stderr)
    const lines = r.stdout.trim().split('\n').map(l => JSON.parse(l))
    assert.ok(lines.some(l => l.tier === 'remote' && l.providers.includes(sharer.peerId)), r.stdout)
    assert.match(r.stderr, /^peerhive: the central index \(the bootstrap\) did not answer \(.+\); results come from the other tiers$/m)
  })
})
