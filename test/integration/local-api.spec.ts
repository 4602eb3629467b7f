/**
 * The local API of a real daemon and bootstrap over real HTTP: a bad request
 * is a 4xx with a JSON error, never a 500 or a raw exception; a foreign Host
 * is refused (DNS rebinding); the bearer scheme is case-insensitive.
 */
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createBootstrap, type Bootstrap } from '../../bootstrap/index.js'
import { createNode, type PeerhiveNode } from '../../src/index.js'
import { callApi } from '../../src/api/index.js'
import { tempDir } from '../helpers/tmp-dir.js'

interface Answer { status: number, body: string, json: any }

/** A raw HTTP request, so that the Host header and the body are the test's own. */
async function http (url: string, opts: { method?: string, headers?: Record<string, string>, body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers }, res => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => { body += d }).on('end', () => {
        let json: any
        try { json = JSON.parse(body.split('\n')[0]) } catch {}
        resolve({ status: res.statusCode ?? 0, body, json })
      })
    })
    req.on('error', reject)
    req.end(opts.body)
  })
}

const DAEMON_POSTS = ['/v1/search', '/v1/share', '/v1/get', '/v1/unshare', '/v1/jobs/submit', '/v1/jobs/status', '/v1/jobs/cancel', '/v1/jobs/watch', '/v1/jobs/results', '/v1/register', '/v1/admin/remove']
const DAEMON_GETS = ['/v1/status', '/v1/files', '/v1/jobs', '/v1/providers', '/v1/provider']
const BOOTSTRAP_POSTS = ['/v1/admin/remove']
const BOOTSTRAP_GETS = ['/v1/status', '/v1/subnets', '/v1/compute/providers', '/v1/compute/jobs', '/v1/providers']

/** Every field a route reads, each with values of the wrong shape. */
const WRONG: Record<string, unknown[]> = {
  words: [5, {}, [], [''], [1, 2], 'text'],
  paths: [5, {}, [], [''], [7], 'one', ['relative/path'], ['/a\0b']],
  cid: [5, {}, [''], ['bafy'], 'not-a-cid', 'bafy\0'],
  outPath: [5, {}, ['/x'], 'relative.bin', '/tmp/a\0b'],
  outDir: [5, {}, ['/x'], 'relative', '/tmp/\0'],
  overwrite: ['yes', 1],
  limit: ['many', -1, 1.5, 1e9, {}],
  timeoutMs: ['soon', -1, 1e12, {}],
  exhaustive: ['yes', 1],
  everyProvider: ['no'],
  tiers: ['dht', [], ['far'], [5]],
  title: [5, {}, ['t']],
  keywords: ['a,b', 5, [1], [{}]],
  id: [5, {}, [], ''],
  path: [5, {}, 'job.json', '/tmp/job\0.json'],
  baseDir: [5, 'relative', '/tmp/\0'],
  spec: ['text', 5, [], { app: '/a\0b', units: [{ args: [] }] }],
  intervalMs: ['fast', 1, 1e9],
  user: [5, {}, ''],
  email: [5, {}],
  peer: [5, {}, 'not-a-peer', ''],
  ban: ['yes']
}

/** Bodies that are not even the right kind of JSON, and for each field alone each wrong value. */
function garbageBodies (): string[] {
  const bodies = ['not json', '{', 'null', '[]', '"text"', '42', 'true', '{"__proto__": {"words": ["x"]}}']
  for (const [field, values] of Object.entries(WRONG)) {
    // the other fields a route needs are right, so the wrong one is the one checked
    // (a get's cid only where its other fields are tested: a get that runs looks for providers for seconds)
    // (likewise a user only where the email is tested: the bootstrap limits the rate of registrations)
    const cid = ['outPath', 'outDir', 'overwrite'].includes(field) ? { cid: 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku' } : {}
    const user = field === 'email' ? { user: 'u' } : {}
    for (const v of values) bodies.push(JSON.stringify({ words: ['x'], limit: 1, timeoutMs: 100, paths: ['/nonexistent'], ...cid, ...user, id: 'no-such-job', outDir: '/nonexistent', peer: 'p', [field]: v }))
  }
  return bodies
}

describe('local API: bad requests are 4xx, never 500', function () {
  this.timeout(60_000)
  const dir = tempDir('peerhive-local-api-')
  let bootstrap: Bootstrap
  let node: PeerhiveNode
  let nodeToken: string
  let bootToken: string

  before(async () => {
    bootstrap = await createBootstrap({ dataDir: join(dir.path, 'boot'), listen: ['/ip4/127.0.0.1/tcp/0'] })
    node = await createNode({ dataDir: join(dir.path, 'peer'), bootstrap: bootstrap.multiaddrs()[0], listen: ['/ip4/127.0.78.1/tcp/0'] })
    await node.waitForPlacement()
    nodeToken = readFileSync(join(dir.path, 'peer', 'api.token'), 'utf8').trim()
    bootToken = readFileSync(join(dir.path, 'boot', 'api.token'), 'utf8').trim()
  })
  after(async () => {
    await node?.stop()
    await bootstrap?.stop()
    dir.cleanup()
  })

  const post = async (path: string, body: unknown, token = nodeToken): Promise<Answer> =>
    http(node.apiUrl + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })

  it('refuses a Host that is not its own loopback address and port (DNS rebinding)', async () => {
    const url = node.apiUrl ?? ''
    const port = new URL(url).port
    for (const host of ['attacker.example', `attacker.example:${port}`, `127.0.0.1:${Number(port) + 1}`, '127.0.0.1', `127.0.0.2:${port}`]) {
      const res = await http(`${url}/v1/status`, { headers: { host, authorization: `Bearer ${nodeToken}` } })
      assert.equal(res.status, 421, `Host ${JSON.stringify(host)} answered ${res.status}`)
      assert.equal(res.json?.error, 'MisdirectedRequest')
      assert.ok(!res.body.includes(node.peerId), 'nothing of the node leaks')
    }
    const noHost = await new Promise<number>((resolve, reject) => {
      request(`${url}/v1/status`, { setHost: false, headers: { authorization: `Bearer ${nodeToken}` } }, res => { res.resume(); resolve(res.statusCode ?? 0) }).on('error', reject).end()
    })
    assert.ok(noHost === 400 || noHost === 421, `a request without Host answered ${noHost}`)
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LocalHost:${port}`]) {
      const res = await http(`${url}/v1/status`, { headers: { host, authorization: `Bearer ${nodeToken}` } })
      assert.equal(res.status, 200, `Host ${host} answered ${res.status}`)
    }
    // the CLI's client still gets through
    assert.equal((await callApi(join(dir.path, 'peer'), 'GET', '/v1/status')).peerId, node.peerId)
    assert.equal((await callApi(join(dir.path, 'boot'), 'GET', '/v1/status')).role, 'bootstrap')
  })

  it('takes the bearer scheme in any case (RFC 7235), and still refuses a wrong token', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      const res = await http(`${node.apiUrl ?? ''}/v1/status`, { headers: { authorization: `${scheme} ${nodeToken}` } })
      assert.equal(res.status, 200, `scheme ${scheme} answered ${res.status}`)
    }
    for (const header of [`bearer ${'0'.repeat(nodeToken.length)}`, `Basic ${nodeToken}`, nodeToken, 'bearer', '']) {
      const res = await http(`${node.apiUrl ?? ''}/v1/status`, { headers: { authorization: header } })
      assert.equal(res.status, 401, `Authorization ${JSON.stringify(header)} answered ${res.status}`)
    }
  })

  it('answers a NUL byte or a relative path in any path field with 400 InvalidOptionError naming the field', async () => {
    const cid = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'
    const cases: Array<[string, unknown, string]> = [
      ['/v1/get', { cid, outPath: '/tmp/a\0b' }, 'outPath'],
      ['/v1/get', { cid, outDir: '/tmp/\0' }, 'outDir'],
      ['/v1/get', { cid, outPath: 'relative.bin' }, 'outPath'],
      ['/v1/share', { paths: ['/tmp/a\0b'] }, 'paths[0]'],
      ['/v1/share', { paths: ['/tmp', 'relative'] }, 'paths[1]'],
      ['/v1/jobs/submit', { path: '/tmp/job\0.json' }, 'path'],
      ['/v1/jobs/submit', { spec: { app: 'x' }, baseDir: '/tmp/\0' }, 'baseDir'],
      ['/v1/jobs/results', { id: 'some-job', outDir: '/tmp/\0out' }, 'outDir'],
      ['/v1/jobs/results', { id: 'some-job', outDir: 'out' }, 'outDir']
    ]
    for (const [path, body, field] of cases) {
      const res = await post(path, body)
      assert.equal(res.status, 400, `${path} ${JSON.stringify(body)} answered ${res.status}: ${res.body}`)
      assert.equal(res.json?.error, 'InvalidOptionError', `${path}: ${res.body}`)
      assert.ok(res.json.message.startsWith(`${field} `), `${path}: the message names ${field}: ${res.json.message}`)
    }
    // a NUL inside a job's own input paths is the job file's error
    const spec = await post('/v1/jobs/submit', { spec: { app: '/tmp/app\0.wasm', units: [{ args: [] }] }, baseDir: '/tmp' })
    assert.equal(spec.status, 400, spec.body)
  })

  it('answers garbage bodies on every route of a daemon and a bootstrap with 4xx or a streamed error, never 500', async () => {
    const bodies = garbageBodies()
    const targets: Array<[string, string, string[], string[]]> = [
      [node.apiUrl ?? '', nodeToken, DAEMON_POSTS, DAEMON_GETS],
      [bootstrap.apiUrl ?? '', bootToken, BOOTSTRAP_POSTS, BOOTSTRAP_GETS]
    ]
    let asked = 0
    for (const [url, token, posts, gets] of targets) {
      for (const path of posts) {
        for (const body of bodies) {
          const res = await http(url + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body })
          asked++
          assert.ok(res.status < 500, `POST ${path} ${body} answered ${res.status}: ${res.body}`)
          assert.equal(typeof res.json, 'object', `POST ${path} ${body} answered no JSON: ${res.body}`)
          if (res.status >= 400) assert.equal(typeof res.json?.error, 'string')
        }
      }
      for (const path of gets) {
        const res = await http(url + path, { headers: { authorization: `Bearer ${token}` } })
        assert.ok(res.status < 500, `GET ${path} answered ${res.status}: ${res.body}`)
      }
      // unknown routes and methods
      for (const [method, path] of [['PUT', '/v1/status'], ['GET', '/v1/%E0%A4%A'], ['POST', '/v1/status'], ['GET', '/../etc/passwd']]) {
        const res = await http(url + path, { method, headers: { authorization: `Bearer ${token}` } })
        assert.ok(res.status >= 400 && res.status < 500, `${method} ${path} answered ${res.status}`)
      }
    }
    assert.ok(asked > 300, `${asked} requests`)
    // the node still answers
    assert.equal((await callApi(join(dir.path, 'peer'), 'GET', '/v1/status')).peerId, node.peerId)
  })

  it('the library\'s get refuses to replace an existing file unless told to overwrite', async () => {
    const shared = join(dir.path, 'shared', 'song.txt')
    mkdirSync(join(dir.path, 'shared'))
    writeFileSync(shared, 'la la la\n')
    const [{ cid }] = await node.share([shared])
    const target = join(dir.path, 'existing.txt')
    writeFileSync(target, 'precious\n')
    await assert.rejects(node.get(cid, { outPath: target }), { name: 'FileExistsError', message: new RegExp(target) })
    assert.equal(readFileSync(target, 'utf8'), 'precious\n')
    // under its own name in a folder that already has one
    const folder = join(dir.path, 'downloads')
    mkdirSync(folder)
    writeFileSync(join(folder, 'song.txt'), 'precious\n')
    await assert.rejects(node.get(cid, { outDir: folder }), { name: 'FileExistsError' })
    assert.equal(readFileSync(join(folder, 'song.txt'), 'utf8'), 'precious\n')
    assert.equal((await node.get(cid, { outPath: target, overwrite: true })).path, target)
    assert.equal(readFileSync(target, 'utf8'), 'la la la\n')
  })

  it('answers a request a streaming route refuses before its first line with a 4xx, not a 200 (bad ids, targets that do not fit, a refused registration)', async () => {
    const shared = join(dir.path, 'shared', 'streamed.txt')
    mkdirSync(join(dir.path, 'shared'), { recursive: true })
    writeFileSync(shared, 'streamed\n')
    const [{ cid }] = await node.share([shared])
    const existing = join(dir.path, 'precious.txt')
    writeFileSync(existing, 'precious\n')
    const cases: Array<[string, unknown, number]> = [
      ['/v1/get', { cid, outPath: join(dir.path, 'no-such-folder', 'x.txt') }, 400],
      ['/v1/get', { cid, outDir: existing }, 400],
      ['/v1/get', { cid, outPath: existing }, 409],
      ['/v1/get', { cid, outPath: join(dir.path, 'elsewhere', 'identity.key'), overwrite: true }, 400],
      ['/v1/jobs/watch', { id: '../x' }, 400],
      ['/v1/jobs/results', { id: '../../etc', outDir: join(dir.path, 'out') }, 400],
      ['/v1/register', { user: '\u0000' }, 400]
    ]
    for (const [path, body, status] of cases) {
      const res = await post(path, body)
      assert.equal(res.status, status, `${path} ${JSON.stringify(body)} answered ${res.status}: ${res.body}`)
      assert.equal(typeof res.json?.error, 'string', res.body)
    }
    assert.equal(readFileSync(existing, 'utf8'), 'precious\n')
  })
})
