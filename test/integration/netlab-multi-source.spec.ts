/**
 * A download from several homes whose uplinks are slow (issue 11, §3), on
 * the namespaced test network, with real CLI processes. Four providers, each
 * in a home of its own with its uplink capped, share the same file; a
 * downloader in a fifth home gets it from all four, over connections
 * punched through the routers (or the bootstrap's relay, --relay-bulk, until
 * they are). One provider's link is cut mid-download: the others
 * finish it. Then the downloader's own link goes down mid-download and comes
 * back: the download resumes and completes. Every result is checked byte for
 * byte. Speed figures are in `npm run bench -- netlab`, not here. Skips,
 * with one line, where the test network cannot run.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import { LabPeers } from '../netlab/lab-peers.js'
import { Netlab, unavailable } from '../netlab/netlab.js'

const WAIT_MS = 40_000
const PROVIDERS = ['p1', 'p2', 'p3', 'p4']
const DOWNLOADER = 'dl'
/** each provider's uplink: slow enough that a download takes seconds, and a cut lands mid-way */
const CAP_MBIT = 16
/** 32 pieces: the first requests of four providers ask for 16 (two requests of two pieces each), so all four take part */
const FILE_BYTES = 32 * 1024 * 1024

function readJson (path: string): any {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    return undefined
  }
}

describe('integration: a download from four homes with slow uplinks', function () {
  this.timeout(240_000)
  const lab = new Netlab()
  const tmp = tempDir('peerhive-netlab-multi-')
  const peers = new LabPeers(lab, tmp.path)
  const shared = join(tmp.path, 'the-same-file')
  const file = join(shared, 'symphony.bin')
  let cid = ''

  /** Starts `get` of the file on the downloader; resolves with its outcome. */
  const get = async (out: string): Promise<{ code: number, stdout: string, stderr: string }> => peers.cli(DOWNLOADER, ['get', cid, '-o', out, '--json'], 120_000)
  /** Resolves once the download to `out` has verified at least `pieces` pieces (its sidecar says so, about every second). */
  const verifiedAtLeast = async (out: string, pieces: number): Promise<void> => {
    await waitUntil(`the download to verify ${pieces} pieces`, () => {
      const sidecar = readJson(`${out}.part.json`)
      if (sidecar == null) return false
      const have = Buffer.from(sidecar.have, 'base64')
      let n = 0
      for (const byte of have) for (let b = byte; b !== 0; b &= b - 1) n++
      return n >= pieces
    }, 60_000, 50)
  }

  before(async function () {
    const why = await unavailable()
    if (why != null) {
      console.log(`      (skipped: ${why})`)
      this.skip()
    }
    await lab.build({
      publicHosts: ['boot'],
      homes: [...PROVIDERS.map(p => ({ name: `home${p}`, hosts: [p], uplinkMbit: CAP_MBIT })), { name: 'homedl', hosts: [DOWNLOADER] }]
    })
    await peers.startBootstrap('boot', ['--relay-bulk'])
    mkdirSync(shared)
    writeFileSync(file, randomBytes(FILE_BYTES))
    // every provider shares the same bytes, so one CID has four providers
    for (const p of PROVIDERS) await peers.startPeer(p, ['--share', shared])
    await peers.startPeer(DOWNLOADER)
    await peers.relaysReserved([...PROVIDERS, DOWNLOADER], WAIT_MS)
    // the human form counts the providers of every tier
    cid = await waitUntil('the downloader to see all four providers', async () => {
      const r = await peers.cli(DOWNLOADER, ['search', 'symphony', '--all', '--timeout', '8000'])
      return /\(4 providers/.test(r.stdout) ? /bafk\w+/.exec(r.stdout)?.[0] : undefined
    }, WAIT_MS, 500)
  })

  after(async function () {
    if (this.currentTest?.state === 'failed') console.log(peers.logs())
    await peers.stopAll()
    await lab.teardown()
    tmp.cleanup()
  })

  it('gets the file from all four homes, byte-identical', async () => {
    const out = join(tmp.path, 'all-four.bin')
    const r = await get(out)
    assert.equal(r.code, 0, r.stderr)
    const result = JSON.parse(r.stdout)
    assert.deepEqual([...result.sources].sort(), PROVIDERS.map(p => peers.peerId(p)).sort(), `every provider sent pieces: ${r.stdout}`)
    assert.equal(peers.sha256(out), peers.sha256(file))
  })

  it('finishes from the other three when one provider\'s link is cut mid-download', async () => {
    const out = join(tmp.path, 'one-cut.bin')
    const running = get(out)
    try {
      await verifiedAtLeast(out, 2)
      await lab.setUplink('homep2', false)
      const r = await running
      assert.equal(r.code, 0, r.stderr)
      assert.equal(peers.sha256(out), peers.sha256(file))
    } finally {
      await lab.setUplink('homep2', true)
    }
  })

  it('resumes when the downloader\'s own link comes back after going down mid-download', async () => {
    const out = join(tmp.path, 'outage.bin')
    const running = get(out)
    await verifiedAtLeast(out, 2)
    await lab.setUplink('homedl', false)
    await new Promise(resolve => setTimeout(resolve, 5_000))
    await lab.setUplink('homedl', true)
    const back = Date.now()
    const r = await running
    assert.equal(r.code, 0, r.stderr)
    // the router lost its NAT state with its link: the downloader's stall bound (10 s) and a new stream revive the download
    const afterMs = Date.now() - back
    assert.ok(afterMs < 30_000, `done ${afterMs} ms after the link came back`)
    assert.equal(peers.sha256(out), peers.sha256(file))
  })
})
