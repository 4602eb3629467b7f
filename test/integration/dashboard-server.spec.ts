import assert from 'node:assert/strict'
import { request } from 'node:http'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createBootstrap, type Bootstrap } from '../../bootstrap/index.js'
import { Dashboard, type DashboardSnapshot, type DashboardSource } from '../../bootstrap/dashboard/index.js'
import { ComputeRefusal } from '../../bootstrap/compute/index.js'
import { createNode, type PeerhiveNode } from '../../src/index.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import type { ProviderInfo } from '../../src/compute/model/types.js'

const TOKEN = 'a'.repeat(64)

/** A raw HTTP request, so that the Host header and bodies are the test's own. */
async function http (url: string, opts: { method?: string, headers?: Record<string, string>, body?: string } = {}): Promise<{ status: number, headers: Record<string, any>, body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers }, res => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => { body += d }).on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body }) })
    })
    req.on('error', reject)
    req.end(opts.body)
  })
}

/** Opens /events and resolves with the first snapshot, and the means to close the stream. */
async function firstEvent (url: string): Promise<{ snapshot: DashboardSnapshot, close: () => void, status: number }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}events`, res => {
      if (res.statusCode !== 200) {
        res.resume()
        resolve({ snapshot: undefined as any, close: () => {}, status: res.statusCode ?? 0 })
        return
      }
      let text = ''
      res.setEncoding('utf8').on('data', (d: string) => {
        text += d
        const m = /event: snapshot\ndata: (.*)\n\n/.exec(text)
        if (m != null) resolve({ snapshot: JSON.parse(m[1]), close: () => { req.destroy() }, status: 200 })
      })
    })
    req.on('error', reject)
    req.end()
  })
}

describe('dashboard: the HTTP server', function () {
  this.timeout(30_000)
  const dir = tempDir('peerhive-dashboard-')
  const assets = join(dir.path, 'assets')
  const removed: Array<[string, boolean]> = []
  let known: string
  let dashboard: Dashboard
  let url: string

  const source: DashboardSource = {
    peerId: 'the-bootstrap',
    addresses: () => [],
    uptimeMs: () => 1,
    subnets: () => [],
    providers: () => [],
    providerStates: () => ({ active: 0, working: 0, offline: 0, removed: 0, banned: 0 }),
    runningJobs: () => [],
    job: () => undefined,
    validUnits: () => 0,
    requestCounts: async () => [],
    removeProvider: async (peer, ban) => {
      if (peer !== known) throw new ComputeRefusal('NOT_FOUND', `no provider ${peer} is known here`)
      removed.push([peer, ban])
      return { peerId: peer, state: ban ? 'banned' : 'removed' } as unknown as ProviderInfo
    }
  }

  before(async () => {
    mkdirSync(assets)
    writeFileSync(join(assets, 'index.html'), '<!doctype html><title>t</title>')
    writeFileSync(join(assets, 'app.js'), 'console.log(1)')
    writeFileSync(join(assets, 'app.css'), 'body{}')
    known = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    dashboard = new Dashboard(source, { at: '127.0.0.1:0', token: TOKEN, assetsDir: assets, maxClients: 2 })
    url = await dashboard.start()
  })
  after(async () => {
    await dashboard.stop()
    dir.cleanup()
  })

  it('serves the page with a strict Content-Security-Policy, and revalidates it by ETag', async () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/)
    const page = await http(url)
    assert.equal(page.status, 200)
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8')
    assert.match(page.headers['content-security-policy'], /^default-src 'none'; script-src 'self'; style-src 'self';/)
    assert.equal(page.headers['x-content-type-options'], 'nosniff')
    assert.equal(page.headers['x-frame-options'], 'DENY')
    const js = await http(`${url}app.js`)
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8')
    assert.equal(js.body, 'console.log(1)')
    assert.equal((await http(`${url}app.js`, { headers: { 'if-none-match': js.headers.etag } })).status, 304)
    assert.equal((await http(`${url}nothing.js`)).status, 404)
    assert.equal((await http(url, { method: 'DELETE' })).status, 405)
  })

  it('answers only requests for its own address (DNS rebinding)', async () => {
    const other = await http(url, { headers: { host: 'attacker.example:80' } })
    assert.equal(other.status, 421)
    const port = new URL(url).port
    assert.equal((await http(url, { headers: { host: `localhost:${port}` } })).status, 200)
  })

  it('streams snapshots to at most maxClients pages at once', async () => {
    const a = await firstEvent(url)
    const b = await firstEvent(url)
    assert.equal(a.snapshot.bootstrap.peerId, 'the-bootstrap')
    assert.deepEqual(a.snapshot.network.subnets, [])
    assert.equal(dashboard.clientCount, 2)
    const c = await firstEvent(url)
    assert.equal(c.status, 503)
    a.close()
    await waitUntil('the closed stream to be let go', () => dashboard.clientCount === 1)
    const d = await firstEvent(url)
    assert.equal(d.status, 200)
    b.close()
    d.close()
    const snap = JSON.parse((await http(`${url}api/snapshot`)).body)
    assert.equal(snap.bootstrap.peerId, 'the-bootstrap')
  })

  it('removes a provider only with the token, from its own pages, for a real PeerId', async () => {
    const path = `${url}api/providers/${known}/remove`
    const bearer = { authorization: `Bearer ${TOKEN}` }
    const none = await http(path, { method: 'POST', body: '{"ban":true}' })
    assert.equal(none.status, 401)
    assert.match(none.headers['www-authenticate'], /^Bearer/)
    assert.equal((await http(path, { method: 'POST', body: '{"ban":true}', headers: { authorization: `Bearer ${'b'.repeat(64)}` } })).status, 401)
    assert.equal((await http(path, { method: 'POST', body: '{"ban":true}', headers: { ...bearer, origin: 'http://attacker.example' } })).status, 403)
    assert.deepEqual(removed, [])
    assert.equal((await http(`${url}api/providers/not-a-peer/remove`, { method: 'POST', headers: bearer })).status, 400)
    assert.equal((await http(path, { method: 'POST', body: '{"ban":', headers: bearer })).status, 400)
    assert.equal((await http(path, { method: 'POST', body: 'x'.repeat(5_000), headers: bearer })).status, 400)
    const stranger = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    assert.equal((await http(`${url}api/providers/${stranger}/remove`, { method: 'POST', headers: bearer })).status, 404)
    assert.equal((await http(`${url}api/providers/the-bootstrap/remove`, { method: 'POST', headers: bearer })).status, 400)

    const ok = await http(path, { method: 'POST', body: '{}', headers: { ...bearer, origin: url.slice(0, -1) } })
    assert.equal(ok.status, 200, ok.body)
    assert.equal(JSON.parse(ok.body).provider.state, 'removed')
    const banned = await http(path, { method: 'POST', body: '{"ban":true}', headers: bearer })
    assert.equal(JSON.parse(banned.body).ban, true)
    assert.deepEqual(removed, [[known, false], [known, true]])
  })

  it('answers a malformed percent-encoding in the path with 400, not 500', async () => {
    for (const method of ['POST', 'GET']) {
      const res = await http(`${url}api/providers/%E0%A4%A/remove`, { method, headers: { authorization: `Bearer ${TOKEN}` } })
      assert.equal(res.status, 400, `${method}: ${res.body}`)
      assert.equal(JSON.parse(res.body).error, 'BadRequest')
    }
    assert.equal((await http(`${url}api/providers/%/remove`, { method: 'POST' })).status, 400)
    assert.equal((await http(`${url}api/snapshot`)).status, 200, 'the dashboard still answers')
  })

  it('takes the bearer scheme in any case (RFC 7235)', async () => {
    const path = `${url}api/providers/${known}/remove`
    for (const scheme of ['bearer', 'BEARER']) {
      const res = await http(path, { method: 'POST', body: '{}', headers: { authorization: `${scheme} ${TOKEN}` } })
      assert.equal(res.status, 200, `${scheme}: ${res.body}`)
    }
    assert.equal((await http(path, { method: 'POST', body: '{}', headers: { authorization: `bearer ${'b'.repeat(64)}` } })).status, 401)
  })

  it('says how to build the page when it was not built', async () => {
    const bare = new Dashboard(source, { at: '127.0.0.1:0', token: TOKEN, assetsDir: join(dir.path, 'missing') })
    const at = await bare.start()
    try {
      const res = await http(at)
      assert.equal(res.status, 503)
      assert.match(res.body, /npm run build/)
      assert.equal((await http(`${at}api/snapshot`)).status, 200)
    } finally {
      await bare.stop()
    }
  })
})

describe('dashboard: createBootstrap({ dashboard })', function () {
  this.timeout(30_000)
  const dir = tempDir('peerhive-dashboard-boot-')
  let bootstrap: Bootstrap
  let node: PeerhiveNode

  before(async () => {
    bootstrap = await createBootstrap({ dataDir: join(dir.path, 'boot'), listen: ['/ip4/127.0.0.1/tcp/0'], vsLimit: 2, dashboard: '127.0.0.1:0' })
    node = await createNode({ dataDir: join(dir.path, 'peer'), bootstrap: bootstrap.multiaddrs()[0], listen: ['/ip4/127.0.77.1/tcp/0'] })
    await node.waitForPlacement()
  })
  after(async () => {
    await node?.stop()
    await bootstrap?.stop()
    dir.cleanup()
  })

  it('records the URL in node.json and shows the virtual-server table and the join requests', async () => {
    const url = bootstrap.dashboardUrl
    assert.match(url ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/)
    assert.equal(JSON.parse(readFileSync(join(dir.path, 'boot', 'node.json'), 'utf8')).dashboard, url)
    const snap: DashboardSnapshot = await waitUntil('the join to be sampled', async () => {
      const s: DashboardSnapshot = await (await fetch(`${url}api/snapshot`)).json()
      return s.load.protocols.some(p => p.protocol === '/peerhive/join/1.0.0' && p.total >= 1) ? s : undefined
    }, 5_000, 100)
    assert.deepEqual(snap.network.subnets.map(s => [s.subnet, s.virtualServers.map(v => v.peerId)]), [['127.0.77.0/24', [node.peerId]]])
    assert.equal(snap.events.find(e => e.kind === 'elected')?.peers[0], node.peerId)
    // the token of the local API is the one the dashboard's actions take
    const token = readFileSync(join(dir.path, 'boot', 'api.token'), 'utf8').trim()
    const res = await fetch(`${url}api/providers/${node.peerId}/remove`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{}' })
    assert.equal(res.status, 404, 'a peer that never said HELLO is not a provider')
  })

  it('refuses a bad HOST:PORT before it starts anything', async () => {
    await assert.rejects(createBootstrap({ dataDir: join(dir.path, 'bad'), listen: ['/ip4/127.0.0.1/tcp/0'], dashboard: 'nowhere' }), { name: 'InvalidOptionError', message: /--dashboard must be HOST:PORT/ })
  })
})
