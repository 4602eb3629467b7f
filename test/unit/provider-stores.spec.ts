/**
 * The provider's stores and the owner's: the outbox (bounded, expiring,
 * delivered outputs evicted first, reloaded after a restart), the owner's
 * inbox (layout, lookups, a bound on different outputs per unit), the
 * app and input cache (shared downloads, LRU bound, pinned files kept),
 * and the host probe's network type and bandwidth figure.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { copyFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { OwnerInbox, Outbox, UnitOutput, jobDirName, type OutputSpec } from '../../src/compute/outputs/index.js'
import { BandwidthMeter, CidCache, networkType } from '../../src/compute/provider/index.js'
import { outputHash } from '../../src/compute/model/output-hash.js'
import { buildManifest } from '../../src/sharing/index.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'

const text = (s: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(s) as Uint8Array<ArrayBuffer>
const OWNER = '12D3KooWQGwVZo8o4Xq3gNZ3Mxr7EXYmW3X8SGNR7Ju9sG3kHsGk'
const SPEC: OutputSpec = { stdout: true, files: ['out.txt'], maxOutputBytes: 1 << 20 }

/** A well-formed output of `jobId`/`unitIndex` whose stdout is `body`. */
function output (replicaId: number, body: string | Uint8Array, jobId = 'job1', unitIndex = 0): UnitOutput {
  const stdout = typeof body === 'string' ? text(body) : body as Uint8Array<ArrayBuffer>
  const files = [{ name: 'out.txt', data: text('file of ' + String(replicaId)) }]
  return { jobId, unitIndex, replicaId, stdout, files, outputHash: outputHash(stdout, files, SPEC) as Uint8Array<ArrayBuffer> }
}

function sizeOf (o: UnitOutput): number {
  return UnitOutput.encode(o).byteLength
}

describe('provider stores', () => {
  const dir = tempDir('peerhive-provider-stores-')
  let n = 0
  const fresh = (): string => join(dir.path, `d${++n}`)
  after(() => { dir.cleanup() })

  describe('outbox', () => {
    it('keeps an output and finds it by replica, or by job, unit and hash', async () => {
      const box = new Outbox(fresh())
      const o = output(7, 'hello', 'job1', 3)
      const entry = await box.put(o, { owner: OWNER, ownerAddrs: ['/ip4/127.0.0.1/tcp/1'] })
      assert.ok(entry != null)
      assert.equal(entry.owner, OWNER)
      assert.equal(box.find({ replicaId: 7 })?.unitIndex, 3)
      assert.equal(box.find({ jobId: 'job1', unitIndex: 3, outputHash: o.outputHash })?.replicaId, 7)
      assert.equal(box.find({ jobId: 'job1', unitIndex: 4, outputHash: o.outputHash }), undefined)
      assert.equal(box.find({ replicaId: 7, jobId: 'other' }), undefined, 'a replica of another job')
      assertSame(await box.read(7), o)
      assert.deepEqual(box.stats(), { entries: 1, bytes: sizeOf(o), undelivered: 1 })
    })

    it('stays within its size: delivered outputs go first (least recently used), then the oldest undelivered', async () => {
      const one = sizeOf(output(1, 'x'.repeat(1000)))
      let t = 0
      const box = new Outbox(fresh(), { maxBytes: one * 3 + 10, now: () => ++t })
      for (const id of [1, 2, 3]) await box.put(output(id, 'x'.repeat(1000)), { owner: OWNER })
      await box.markDelivered(1)
      await box.markDelivered(2)
      await box.read(1) // 1 is now used more recently than 2
      await box.put(output(4, 'x'.repeat(1000)), { owner: OWNER })
      assert.deepEqual(ids(box), [1, 3, 4], 'the least recently used delivered output went')
      await box.put(output(5, 'x'.repeat(1000)), { owner: OWNER })
      assert.deepEqual(ids(box), [3, 4, 5], 'then the other delivered one')
      await box.put(output(6, 'x'.repeat(1000)), { owner: OWNER })
      assert.deepEqual(ids(box), [4, 5, 6], 'then the oldest undelivered')
      assert.ok(box.stats().bytes <= box.maxBytes)
      assert.equal(await box.put(output(9, 'y'.repeat(5000)), { owner: OWNER }), undefined, 'larger than the whole outbox: not kept')
      assert.deepEqual(ids(box), [4, 5, 6])
    })

    it('stays within its entry count', async () => {
      const box = new Outbox(fresh(), { maxEntries: 2 })
      for (const id of [1, 2, 3, 4]) await box.put(output(id, 'o'), { owner: OWNER })
      assert.deepEqual(ids(box), [3, 4])
    })

    it('concurrent puts cannot overshoot the bound together', async () => {
      const one = sizeOf(output(10, 'z'.repeat(500)))
      const box = new Outbox(fresh(), { maxBytes: one * 2 })
      await Promise.all([10, 11, 12, 13, 14].map(async id => box.put(output(id, 'z'.repeat(500)), { owner: OWNER })))
      assert.equal(box.stats().entries, 2)
      assert.ok(box.stats().bytes <= one * 2)
    })

    it('expires outputs, and reloads what it kept after a restart (dropping interrupted writes)', async () => {
      let now = 1_000_000
      const path = fresh()
      const box = new Outbox(path, { ttlMs: 1000, now: () => now })
      await box.put(output(1, 'a'), { owner: OWNER })
      now += 600
      await box.put(output(2, 'b'), { owner: OWNER })
      await box.markDelivered(2)
      writeFileSync(join(path, '3.bin'), 'an interrupted write')
      writeFileSync(join(path, '4.json.tmp-abcd'), '{')

      const again = new Outbox(path, { ttlMs: 1000, now: () => now })
      await again.open()
      assert.deepEqual(ids(again), [1, 2])
      assert.equal(again.find({ replicaId: 2 })?.delivered, true)
      assert.deepEqual(readdirSync(path).sort(), ['1.bin', '1.json', '2.bin', '2.json'])

      now += 500 // 1 is 1100 ms old, 2 is 500 ms old
      assert.equal(again.find({ replicaId: 1 }), undefined, 'expired outputs are not served')
      assert.equal(await again.prune(), 1)
      assert.deepEqual(ids(again), [2])
      assert.equal(existsSync(join(path, '1.bin')), false)
    })

    it('lists undelivered outputs with their push failures', async () => {
      const box = new Outbox(fresh())
      await box.put(output(1, 'a'), { owner: OWNER })
      await box.put(output(2, 'b'), { owner: OWNER })
      await box.notePushFailed(1)
      await box.markDelivered(2)
      assert.deepEqual(box.undelivered().map(e => [e.replicaId, e.pushFailures]), [[1, 1]])
    })
  })

  describe('owner inbox', () => {
    it('stores one file per (job, unit, hash) under <data>/jobs/<job>/outputs', async () => {
      const data = fresh()
      const inbox = new OwnerInbox(data, { resultSpec: () => SPEC })
      const o = output(5, 'band', 'job-A_1', 2)
      assert.equal(await inbox.put(o), 'stored')
      assert.equal(await inbox.put({ ...o, replicaId: 6 }), 'duplicate', 'an agreeing replica shares the file')
      const hex = Buffer.from(o.outputHash).toString('hex')
      assert.deepEqual(readdirSync(join(data, 'jobs', 'job-A_1', 'outputs')), [`2-${hex}.bin`])
      assertSame(await inbox.get('job-A_1', 2, o.outputHash), o)
      assertSame(await inbox.lookup('job-A_1', 2, hex), o)
      assert.equal(await inbox.get('job-A_1', 1, o.outputHash), undefined)
      assert.deepEqual([...(await inbox.list('job-A_1'))], [[2, [hex]]])

      const reopened = new OwnerInbox(data)
      assert.equal(await reopened.has('job-A_1', 2, hex), true, 'found again after a restart')
    })

    it('keeps at most a few different outputs of one unit', async () => {
      const inbox = new OwnerInbox(fresh(), { maxVariantsPerUnit: 2 })
      assert.equal(await inbox.put(output(1, 'one')), 'stored')
      assert.equal(await inbox.put(output(2, 'two')), 'stored')
      assert.equal(await inbox.put(output(3, 'three')), 'full')
      assert.equal((await inbox.hashes('job1', 0)).length, 2)
      await inbox.keepOnly('job1', 0, output(2, 'two').outputHash)
      assert.deepEqual(await inbox.hashes('job1', 0), [Buffer.from(output(2, 'two').outputHash).toString('hex')])
      assert.equal(await inbox.put(output(3, 'three')), 'stored')
    })

    it('refuses an output whose bytes do not match its hash, when it knows the result spec', async () => {
      const inbox = new OwnerInbox(fresh(), { resultSpec: () => SPEC })
      const bad = { ...output(1, 'one'), stdout: text('not one') }
      await assert.rejects(inbox.put(bad), { name: 'BadOutputError' })
    })

    it('never lets a job id reach outside its folder', () => {
      assert.equal(jobDirName('abc-DEF_9'), 'abc-DEF_9')
      const odd = jobDirName('../../etc')
      assert.match(odd, /^x-[0-9a-f]{40}$/)
      assert.throws(() => jobDirName(''), { name: 'InvalidJobIdError' })
      assert.throws(() => jobDirName('j'.repeat(129)), { name: 'InvalidJobIdError' })
    })
  })

  describe('app and input cache', () => {
    let files: Map<string, string>
    let fetches: string[]

    before(async () => {
      files = new Map()
      for (const [name, size] of [['a', 3000], ['b', 3000], ['c', 3000], ['big', 9000]] as const) {
        const path = join(dir.path, `${name}.bin`)
        await writeFile(path, Buffer.alloc(size, name))
        files.set(name, (await buildManifest(path)).cid.toString())
        files.set(files.get(name) as string, path)
      }
    })

    beforeEach(() => { fetches = [] })

    function cache (maxBytes: number, path = fresh()): CidCache {
      return new CidCache(path, {
        maxBytes,
        fetch: async (cid, outPath) => {
          fetches.push(cid)
          await new Promise(resolve => setTimeout(resolve, 20))
          const source = files.get(cid)
          if (source == null) throw Object.assign(new Error(`nobody shares ${cid}`), { name: 'NotFoundError' })
          await copyFile(source, outPath)
          return { bytes: 3000, ms: 20 }
        }
      })
    }
    const cid = (name: string): string => files.get(name) as string

    it('fetches a CID once, even for concurrent requests, and serves it from disk after', async () => {
      const c = cache(1 << 20)
      const [x, y] = await Promise.all([c.acquire(cid('a'), AbortSignal.timeout(5000)), c.acquire(cid('a'), AbortSignal.timeout(5000))])
      assert.equal(fetches.length, 1)
      assert.equal(x.path, y.path)
      assert.equal(createHash('sha256').update(Buffer.alloc(3000, 'a')).digest('hex'), await sha(x.path))
      x.release()
      y.release()
      const z = await c.acquire(cid('a'), AbortSignal.timeout(5000))
      assert.equal(z.fetched, false)
      assert.equal(fetches.length, 1)
      z.release()
    })

    it('evicts the least recently used files beyond its size, never a file in use', async () => {
      const c = cache(7000)
      const a = await c.acquire(cid('a'), AbortSignal.timeout(5000))
      const b = await c.acquire(cid('b'), AbortSignal.timeout(5000))
      b.release()
      const cc = await c.acquire(cid('c'), AbortSignal.timeout(5000)) // 9000 > 7000: b goes, a is in use
      cc.release()
      await waitUntil('b to be evicted', () => !existsSync(b.path), 5_000, 5)
      assert.equal(existsSync(a.path), true)
      assert.ok(c.stats().bytes <= 7000)
      a.release()
      const big = await c.acquire(cid('big'), AbortSignal.timeout(5000)) // alone over the bound: kept while used
      assert.equal(existsSync(big.path), true)
      big.release()
      await waitUntil('the big file to be dropped once released', () => !existsSync(big.path), 5_000, 5)
      assert.ok(c.stats().bytes <= 7000)
    })

    it('leaves nothing behind when a fetch fails, and refuses what is not a CID', async () => {
      const path = fresh()
      const c = cache(1 << 20, path)
      const unknown = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
      await assert.rejects(c.acquire(unknown, AbortSignal.timeout(5000)), { name: 'NotFoundError' })
      assert.deepEqual(readdirSync(path), [])
      await assert.rejects(c.acquire('../../etc/passwd', AbortSignal.timeout(5000)))
    })

    it('gives up a shared download only when every requester has', async () => {
      const c = cache(1 << 20)
      const first = new AbortController()
      const p1 = c.acquire(cid('b'), first.signal)
      const p2 = c.acquire(cid('b'), AbortSignal.timeout(5000))
      first.abort(new Error('the first unit was cancelled'))
      await assert.rejects(p1)
      const f = await p2
      assert.equal(existsSync(f.path), true)
      f.release()
    })

    it('finds its files again after a restart, and clears unfinished downloads', async () => {
      const path = fresh()
      const c = cache(1 << 20, path)
      ;(await c.acquire(cid('a'), AbortSignal.timeout(5000))).release()
      writeFileSync(join(path, `${cid('b')}.download.part`), 'half')
      const again = cache(1 << 20, path)
      await again.open()
      assert.deepEqual(again.stats().entries, 1)
      assert.deepEqual(readdirSync(path), [cid('a')])
      const a = await again.acquire(cid('a'), AbortSignal.timeout(5000))
      assert.equal(a.fetched, false)
      a.release()
    })
  })

  describe('host', () => {
    it('tells the network type from the bootstrap address', () => {
      assert.equal(networkType('127.0.0.1'), 'loopback')
      assert.equal(networkType('127.0.9.1'), 'loopback')
      assert.equal(networkType('::1'), 'loopback')
      assert.equal(networkType('::ffff:127.0.0.1'), 'loopback')
      assert.equal(networkType('localhost'), 'loopback')
      assert.equal(networkType('10.1.2.3'), 'lan')
      assert.equal(networkType('172.16.0.1'), 'lan')
      assert.equal(networkType('172.32.0.1'), 'wan')
      assert.equal(networkType('192.168.1.10'), 'lan')
      assert.equal(networkType('fd00::1'), 'lan')
      assert.equal(networkType('fe80::1'), 'lan')
      assert.equal(networkType('8.8.8.8'), 'wan')
      assert.equal(networkType('2001:db8::1'), 'wan')
      assert.equal(networkType('boot.example.org'), 'wan')
    })

    it('measures bandwidth over the recent downloads', () => {
      const m = new BandwidthMeter(2)
      assert.equal(m.bytesPerSecond(), 0)
      m.record(1000, 1000)
      assert.equal(m.bytesPerSecond(), 1000)
      m.record(3000, 1000)
      assert.equal(m.bytesPerSecond(), 2000)
      m.record(5000, 1000) // the first falls out of the window
      assert.equal(m.bytesPerSecond(), 4000)
      m.record(0, 10) // an empty file says nothing
      assert.equal(m.bytesPerSecond(), 4000)
    })
  })
})

function assertSame (actual: UnitOutput | undefined, expected: UnitOutput): void {
  assert.ok(actual != null, 'no output')
  assert.deepEqual(Buffer.from(UnitOutput.encode(actual)), Buffer.from(UnitOutput.encode(expected)))
}

function ids (box: Outbox): number[] {
  const out: number[] = []
  for (let id = 0; id < 100; id++) if (box.find({ replicaId: id }) != null) out.push(id)
  return out
}

async function sha (path: string): Promise<string> {
  const { readFile } = await import('node:fs/promises')
  return createHash('sha256').update(await readFile(path)).digest('hex')
}
