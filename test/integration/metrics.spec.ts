import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PROTOCOL_JOIN } from '../../src/core/index.js'
import { TestNetwork } from '../helpers/network.js'
import { sample } from '../helpers/raw-join.js'
import { waitUntil } from '../helpers/wait.js'
import type { PeerhiveNode } from '../../src/index.js'
import type { SubnetView } from '../../bootstrap/index.js'

async function get (url: string, init?: RequestInit): Promise<{ status: number, type: string, text: string }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) })
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() }
}

/** The roles in the bootstrap's table, counted as the peerhive_peers gauge counts them. */
function roles (table: SubnetView[]): Record<string, number> {
  const n: Record<string, number> = { 'virtual-server': 0, member: 0, 'central-client': 0 }
  for (const row of table) {
    n['virtual-server'] += row.virtualServers.length
    n.member += row.virtualServers.reduce((m, v) => m + v.members.length, 0)
    n['central-client'] += row.centralClients.length
  }
  return n
}

function gauges (text: string): Record<string, number> {
  return Object.fromEntries(['virtual-server', 'member', 'central-client'].map(role => [role, sample(text, 'peerhive_peers', { role })]))
}

describe('Prometheus metrics of the bootstrap and of a daemon', function () {
  this.timeout(60_000)
  const net = new TestNetwork()
  const peers: PeerhiveNode[] = []
  let metricsUrl: string

  before(async () => {
    await net.startBootstrap({ metrics: '127.0.0.1:0', vsLimit: 2 })
    assert.ok(net.bootstrap.metricsUrl != null, 'the bootstrap serves metrics')
    metricsUrl = net.bootstrap.metricsUrl
    // limit 2: 127.0.60.0/24 gets a virtual server, a member and a central client; 127.0.61.0/24 a virtual server and a member
    for (const [s, h] of [[60, 1], [60, 2], [60, 3], [61, 1], [61, 2]]) {
      const node = await net.addPeer(s, h)
      await node.waitForPlacement(undefined, AbortSignal.timeout(10_000))
      peers.push(node)
    }
  })

  after(async () => { await net.stop() })

  it('serves GET /metrics on the address it was given, as Prometheus text', async () => {
    assert.match(metricsUrl, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
    assert.notEqual(new URL(metricsUrl).port, '0')
    const res = await get(metricsUrl)
    assert.equal(res.status, 200)
    assert.match(res.type, /^text\/plain/)
    assert.match(res.text, /^# HELP peerhive_protocol_requests_total /m)
    assert.match(res.text, /^# TYPE peerhive_protocol_requests_total counter$/m)
    assert.match(res.text, /^# TYPE peerhive_peers gauge$/m)
    assert.match(res.text, /^peerhive_process_\w*cpu_seconds_total \d/m)
    // a query string is not part of the path
    assert.equal((await get(`${metricsUrl}?x=1`)).status, 200)
  })

  it('counts one successful join request per peer that joined', async () => {
    const line = `peerhive_protocol_requests_total{protocol="${PROTOCOL_JOIN}",outcome="ok"} ${peers.length}`
    // the counter is updated when the join stream has closed, just after the peer got its answer
    const text = await waitUntil(`the metrics to show ${line}`, async () => {
      const t = (await get(metricsUrl)).text
      return t.split('\n').includes(line) ? t : undefined
    }, 5_000)
    // and nothing was refused
    assert.doesNotMatch(text, /^peerhive_protocol_requests_total\{[^}]*outcome="(?!ok")/m)
    assert.ok(sample(text, 'peerhive_protocol_bytes_total', { protocol: PROTOCOL_JOIN, direction: 'in' }) > 0)
    assert.ok(sample(text, 'peerhive_protocol_bytes_total', { protocol: PROTOCOL_JOIN, direction: 'out' }) > 0)
    assert.ok(sample(text, 'peerhive_assignments_published_total', { topic: 'assignments' }) > 0)
  })

  it('reports peers by role as the table holds them, and follows a departure', async () => {
    const table = net.bootstrap.subnets()
    assert.deepEqual(roles(table), { 'virtual-server': 2, member: 2, 'central-client': 1 })
    assert.deepEqual(gauges((await get(metricsUrl)).text), roles(table))
    assert.ok((await get(metricsUrl)).text.split('\n').includes('peerhive_peers{role="virtual-server"} 2'))

    // the central client leaves: the gauge drops with the table
    const cc = peers[2]
    assert.deepEqual(table.find(r => r.subnet === '127.0.60.0/24')?.centralClients, [cc.peerId])
    await cc.stop()
    await waitUntil('the bootstrap to drop the central client', () => roles(net.bootstrap.subnets())['central-client'] === 0)
    assert.deepEqual(gauges((await get(metricsUrl)).text), { 'virtual-server': 2, member: 2, 'central-client': 0 })
  })

  it('answers 404 to any other path or method', async () => {
    const base = new URL(metricsUrl)
    for (const path of ['/', '/metric', '/metrics/', '/metrics/extra', '/v1/status', '/../metrics']) {
      const res = await get(new URL(path, base).toString())
      // '/../metrics' is normalised to /metrics by URL; every other one is refused
      assert.equal(res.status, path === '/../metrics' ? 200 : 404, `GET ${path}`)
    }
    assert.equal((await get(metricsUrl, { method: 'POST', body: 'x' })).status, 404)
    assert.equal((await get(metricsUrl, { method: 'DELETE' })).status, 404)
    // still serving afterwards
    assert.equal((await get(metricsUrl)).status, 200)
  })

  it('lets a daemon started with a data directory and metrics serve /metrics too', async () => {
    const dataDir = join(net.dataDir, 'daemon')
    const node = await net.addPeer(62, 1, { dataDir, metrics: '127.0.0.1:0' })
    await node.waitForPlacement(undefined, AbortSignal.timeout(10_000))
    const url = node.metricsUrl
    assert.ok(url != null, 'the daemon serves metrics')
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
    assert.notEqual(url, metricsUrl)
    const res = await get(url)
    assert.equal(res.status, 200)
    assert.match(res.type, /^text\/plain/)
    assert.match(res.text, /^# TYPE peerhive_protocol_requests_total counter$/m)
    assert.match(res.text, /^peerhive_process_\w*cpu_seconds_total \d/m)
    assert.equal((await get(url.replace(/\/metrics$/, '/nope'))).status, 404)
    // node.json tells scripts where the metrics are
    const info = JSON.parse(await readFile(join(dataDir, 'node.json'), 'utf8'))
    assert.equal(info.metrics, url)

    // stopping the daemon closes its metrics port
    await node.stop()
    await assert.rejects(get(url))
  })

  it('serves no metrics when none were asked for', async () => {
    const node = await net.addPeer(62, 2, { dataDir: join(net.dataDir, 'quiet') })
    assert.equal(node.metricsUrl, undefined)
    const plain = await net.addPeer(62, 3)
    assert.equal(plain.metricsUrl, undefined)
  })
})
