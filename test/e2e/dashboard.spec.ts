/**
 * The bootstrap's dashboard in a real browser: Debian's chromium, driven by
 * playwright-core, against `peerhive bootstrap --dashboard` and real daemons
 * in two subnets. The map must show the virtual servers that `peerhive
 * subnets` lists; after a kill -9 of one, the open page (never reloaded)
 * must show its successor; the load panel counts the joins; the operator
 * removes a provider from the page with the token, and nobody can without it.
 *
 * Chromium comes from Debian (`apt-get install chromium`); when it is
 * missing and this runs as root, the test installs it. Screenshots go to a
 * temporary folder, kept (and printed) when a test fails, or to
 * PEERHIVE_DASHBOARD_SHOTS=DIR; PEERHIVE_DASHBOARD_PNG=docs/dashboard.png
 * copies the failover screenshot there (that is how the README's picture is
 * made).
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { appPath } from '../../src/compute/apps/index.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import { Cluster, kill9, peerhive, rowOf, type CliNode, type SubnetRow } from './cluster.js'

const PORT = 4761
const SUBNETS = ['127.0.130.0/24', '127.0.131.0/24']
const CHROMIUM = '/usr/bin/chromium'
/** the bound: the open page shows the new virtual server within this long of the kill */
const FAILOVER_SHOWN_MS = 10_000

/** Installs Debian's chromium when it is missing (as root, with apt-get); fails with what to do otherwise. */
function ensureChromium (): void {
  if (existsSync(CHROMIUM)) return
  const root = process.getuid?.() === 0
  if (!root || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`this test needs Debian's chromium at ${CHROMIUM}: run "sudo apt-get install -y chromium" (or .ci/run, which installs it)`)
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  execFileSync('apt-get', ['update', '-qq'], { env, stdio: 'inherit', timeout: 300_000 })
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { env, stdio: 'inherit', timeout: 600_000 })
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is still missing`)
}

/** What the page's map shows: subnet → virtual servers (sorted), members and central clients. */
async function mapOf (page: Page): Promise<Record<string, { servers: string[], members: string[], clients: string[] }>> {
  const rows = await page.$$eval('#map [data-role]', els => els.map(e => [e.getAttribute('data-subnet'), e.getAttribute('data-role'), e.getAttribute('data-peer'), e.hasAttribute('data-gone')] as const))
  const map: Record<string, { servers: string[], members: string[], clients: string[] }> = {}
  for (const [subnet, role, peer, gone] of rows) {
    if (subnet == null || peer == null || gone) continue
    map[subnet] ??= { servers: [], members: [], clients: [] }
    const list = role === 'virtual-server' ? map[subnet].servers : role === 'member' ? map[subnet].members : map[subnet].clients
    list.push(peer)
  }
  for (const m of Object.values(map)) for (const list of [m.servers, m.members, m.clients]) list.sort()
  return map
}

function mapOfTable (table: SubnetRow[]): Record<string, { servers: string[], members: string[], clients: string[] }> {
  const map: Record<string, { servers: string[], members: string[], clients: string[] }> = {}
  for (const row of table) {
    map[row.subnet] = {
      servers: row.virtualServers.map(v => v.peerId).sort(),
      members: row.virtualServers.flatMap(v => v.members).sort(),
      clients: [...row.centralClients].sort()
    }
  }
  return map
}

const JOB_UNITS = 40

/** PEERHIVE_DASHBOARD_SHOTS, kept; or a temporary folder, removed when every test passed. */
function screenshotDir (): { path: string, cleanup: () => void } {
  const kept = process.env.PEERHIVE_DASHBOARD_SHOTS
  if (kept == null || kept === '') return tempDir('peerhive-dashboard-shots-')
  mkdirSync(kept, { recursive: true })
  return { path: kept, cleanup: () => {} }
}

/** Submits a Mandelbrot job of JOB_UNITS units (about a third of a second each on one provider) from `owner`; returns its id. */
async function submitJob (owner: CliNode): Promise<string> {
  const file = join(owner.dataDir, 'dashboard-job.json')
  const rows = JOB_UNITS * 16
  writeFileSync(file, JSON.stringify({
    name: 'dashboard mandelbrot',
    app: appPath('mandelbrot'),
    range: { from: 0, to: rows, step: 16, args: ['480', String(rows), '{from}', '{to}', '400000'] },
    requirements: { memoryMb: 64, diskMb: 1 },
    replication: 1,
    quorum: 1,
    deadlineMs: 30_000,
    maxAttempts: 4,
    result: { stdout: true, files: [] },
    adaptive: false
  }))
  const r = await peerhive(['job', 'submit', file, '--json', '--data', owner.dataDir])
  assert.equal(r.code, 0, r.stderr)
  return JSON.parse(r.stdout).id
}

describe('e2e: the dashboard in a real browser (chromium)', function () {
  this.timeout(90_000)
  const cluster = new Cluster(PORT, ['--vs-limit', '2', '--dashboard', '127.0.0.1:0'])
  const shots = screenshotDir()
  const profile = tempDir('peerhive-chromium-')
  const daemons: CliNode[] = []
  const pageErrors: string[] = []
  let failed = false
  let provider: CliNode
  let jobId: string
  let context: BrowserContext
  let page: Page
  let url: string

  before(async function () {
    this.timeout(900_000)
    ensureChromium()
    const [, browser] = await Promise.all([
      (async () => {
        await cluster.startBootstrap()
        // two subnets: in 130 two daemons and a provider (a virtual server, a member, a central client);
        // in 131 a virtual server and its member, the one that takes over when the test kills its virtual server
        for (const [subnet, hosts] of [[130, [1, 2]], [131, [1, 2]]] as const) {
          for (const h of hosts) daemons.push(await cluster.startDaemon(`d${subnet}-${h}`, subnet, h))
        }
        provider = await cluster.startDaemon('w130-3', 130, 3, ['--provider', '--cpus', '1'])
      })(),
      chromium.launchPersistentContext(profile.path, {
        executablePath: CHROMIUM,
        headless: true,
        viewport: { width: 1280, height: 800 },
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
      })
    ])
    context = browser
    url = (cluster.bootstrap.info() as any)?.dashboard
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/, 'node.json records the dashboard URL')
    assert.ok(cluster.bootstrap.text().includes(`dashboard: ${url}`), 'the bootstrap prints the dashboard URL at start')
    page = await context.newPage()
    page.on('pageerror', err => { pageErrors.push(err.message) })
    page.on('console', msg => { if (msg.type() === 'error') pageErrors.push(msg.text()) })
    console.log(`      (screenshots in ${shots.path})`)
  })

  afterEach(function () {
    if (this.currentTest?.state !== 'failed') return
    failed = true
    console.error(cluster.logs())
  })
  after(async () => {
    await context?.close()
    await cluster.stopAll()
    profile.cleanup()
    if (!failed) shots.cleanup()
  })

  it('draws the virtual servers that `peerhive subnets` lists, with their members and central clients', async () => {
    const table = await waitUntil('every daemon in the bootstrap\'s table', async () => {
      const t = await cluster.subnets()
      const peers = t.reduce((n, r) => n + r.virtualServers.reduce((m, v) => m + 1 + v.members.length, 0) + r.centralClients.length, 0)
      return peers === daemons.length + 1 ? t : undefined
    }, 30_000, 250)
    for (const s of SUBNETS) assert.ok((rowOf(table, s)?.virtualServers.length ?? 0) >= 1, `${s} has a virtual server`)
    jobId = await submitJob(daemons[0])

    const response = await page.goto(url)
    assert.equal(response?.status(), 200)
    const csp = response?.headers()['content-security-policy'] ?? ''
    assert.match(csp, /default-src 'none'/)
    assert.match(csp, /script-src 'self'/)
    await page.waitForSelector('#conn[data-state=live]', { timeout: 10_000 })

    // the page and the CLI agree (the page is one snapshot behind at most)
    const want = mapOfTable(table)
    await waitUntil('the map to match `peerhive subnets`', async () => {
      assert.deepEqual(await mapOf(page), want)
      return true
    }, 10_000, 200)
    const vsIds = await page.$$eval('[data-vs]', els => els.map(e => e.getAttribute('data-vs')))
    assert.deepEqual(vsIds.sort(), table.flatMap(r => r.virtualServers.map(v => v.peerId)).sort())
    // every subnet is a box of the picture
    for (const s of SUBNETS) assert.equal(await page.locator(`#map g.subnet[data-subnet="${s}"]`).count(), 1)
    await page.screenshot({ path: join(shots.path, 'map.png') })
  })

  it('shows the new virtual server, without a reload, after its virtual server is killed -9', async () => {
    const subnet = SUBNETS[1]
    const before = rowOf(await cluster.subnets(), subnet)!
    const old = before.virtualServers.find(v => v.members.length > 0)
    assert.ok(old != null, `${subnet} has a virtual server with a member: ${JSON.stringify(before)}`)
    const victim = daemons.find(d => d.peerId === old.peerId)!
    // a mark in the page's memory: a reload would lose it
    await page.evaluate(() => { (window as any).peerhiveMark = 'still here' })
    // the highlights of the first elections fade first, so that the failover stands out (and highlights end)
    await page.waitForFunction(() => document.querySelector('#map .peer.fresh') == null, undefined, { timeout: 12_000, polling: 200 })

    const killedAt = Date.now()
    await kill9(victim)
    const successor = await page.waitForFunction(([s, gone]) => {
      const servers = Array.from(document.querySelectorAll(`#map [data-vs][data-subnet="${s}"]`), e => e.getAttribute('data-vs'))
      const fresh = servers.filter(id => id !== gone)
      return !servers.includes(gone) && fresh.length > 0 ? fresh : false
    }, [subnet, old.peerId] as const, { timeout: FAILOVER_SHOWN_MS, polling: 100 })
    const shownMs = Date.now() - killedAt
    const shownIds = await successor.jsonValue() as string[]
    console.log(`      (the page showed the new virtual server ${shownMs} ms after the kill)`)
    assert.ok(shownMs <= FAILOVER_SHOWN_MS)
    assert.ok(shownIds.includes(old.members[0]), `the former member ${old.members[0]} took over: ${JSON.stringify(shownIds)}`)

    // the CLI agrees with the page
    const after = rowOf(await cluster.subnets(), subnet)!
    assert.deepEqual(after.virtualServers.map(v => v.peerId).sort(), [...shownIds].sort())
    assert.equal(await page.evaluate(() => (window as any).peerhiveMark), 'still here', 'the page was not reloaded')

    // the failover is visible: the successor pulses, the subnet is outlined, the events log says so, the dead one fades
    await page.waitForSelector(`#map [data-vs="${old.members[0]}"].fresh`, { timeout: 2_000 })
    assert.equal(await page.locator(`#map g.subnet[data-subnet="${subnet}"].alert`).count(), 1)
    const event = page.locator('#events li[data-kind=failover]').first()
    await event.waitFor({ timeout: 2_000 })
    assert.match(await event.innerText(), new RegExp(`failover in ${subnet.replaceAll('.', '\\.')}: …${old.members[0].slice(-8)} took over from …${old.peerId.slice(-8)}`))
    assert.equal(await page.locator(`#map [data-gone="${old.peerId}"]`).count(), 1, 'the dead virtual server fades where it was')
    const shot = join(shots.path, 'failover.png')
    await page.screenshot({ path: shot })
    const docs = process.env.PEERHIVE_DASHBOARD_PNG
    if (docs != null && docs !== '') copyFileSync(shot, docs)
    assert.ok(statSync(shot).size < 400_000, 'a 1280x800 screenshot stays small')
  })

  it('shows the central server\'s load: join requests counted, per second, per protocol', async () => {
    const row = page.locator('#load tr[data-protocol="/peerhive/join/1.0.0"]')
    await row.waitFor({ timeout: 5_000 })
    const total = Number(await row.getAttribute('data-total'))
    assert.ok(total >= daemons.length + 1, `join requests counted: ${total}`)
    assert.match(await row.locator('td.total').innerText(), /^\d+/)
    // a rate sample per second: the sparkline has points
    assert.ok(((await row.locator('polyline').getAttribute('points')) ?? '').split(' ').length >= 2)
  })

  it('shows the job: its progress, units by state and throughput, until it is done', async () => {
    const card = page.locator(`#jobs [data-job="${jobId}"]`)
    await card.waitFor({ timeout: 5_000 })
    assert.match(await card.locator('.name').innerText(), /dashboard mandelbrot/)
    await page.waitForSelector(`#jobs [data-job="${jobId}"][data-state=done]`, { timeout: 80_000 })
    assert.equal(await card.getAttribute('data-progress'), '1.0000')
    assert.equal(await card.locator('[data-units=valid]').evaluate(e => (e as HTMLElement).style.width), '100%')
    assert.match(await card.locator('.counts').innerText(), new RegExp(`^${JOB_UNITS}/${JOB_UNITS} valid \\(100%\\) · 0 running · 0 pending · 0 failed`))
    // units were validated at some point of the last minute: the all-jobs sparkline rose above zero
    await page.waitForFunction(() => Number(document.querySelector('#throughput svg')?.getAttribute('data-max')) > 0, undefined, { timeout: 3_000 })
    await page.locator('#events li[data-kind=job]', { hasText: 'done' }).first().waitFor({ timeout: 3_000 })
  })

  it('lets the operator remove a provider with the token, and nobody without it', async () => {
    const peer = provider.peerId
    const row = page.locator(`#providers tr[data-provider="${peer}"]`)
    await row.waitFor({ timeout: 15_000 })
    assert.match(await row.getAttribute('data-state') ?? '', /^(active|working)$/)
    assert.match(await row.locator('td.host').innerText(), /core/)

    // without the token: refused, and nothing changes
    const endpoint = `${url}api/providers/${peer}/remove`
    const bare = await fetch(endpoint, { method: 'POST', body: '{"ban":true}' })
    assert.equal(bare.status, 401)
    const wrong = await fetch(endpoint, { method: 'POST', body: '{"ban":true}', headers: { authorization: 'Bearer ' + 'f'.repeat(64) } })
    assert.equal(wrong.status, 401)
    const token = readFileSync(join(cluster.bootstrapDir, 'api.token'), 'utf8').trim()
    const elsewhere = await fetch(endpoint, { method: 'POST', body: '{"ban":true}', headers: { authorization: `Bearer ${token}`, origin: 'http://evil.example' } })
    assert.equal(elsewhere.status, 403, 'a request from another site is refused even with the token')
    assert.equal((await fetch(`${url}api/providers/${peer}/remove`, { method: 'GET' })).status, 405)
    assert.match(await row.getAttribute('data-state') ?? '', /^(active|working)$/)

    // in the page: a click without the token asks for it; with it, Remove (confirmed) removes
    const remove = row.locator('button[data-action=remove]')
    await remove.click()
    await remove.click()
    await page.locator('#token-form:not([hidden])').waitFor({ timeout: 2_000 })
    await page.fill('#token-input', token)
    await page.click('#token-form button[type=submit]')
    await remove.click()
    assert.match(await remove.innerText(), /Confirm remove/)
    await remove.click()
    await page.waitForSelector(`#providers tr[data-provider="${peer}"][data-state=removed]`, { timeout: 5_000 })
    assert.match(await page.locator('#action-status').innerText(), /is removed/)
    const event = page.locator('#events li[data-kind=provider]', { hasText: 'is removed' })
    await event.first().waitFor({ timeout: 3_000 })
    await page.screenshot({ path: join(shots.path, 'providers.png'), fullPage: true })
    assert.deepEqual(pageErrors, [], 'the page logged no error (no CSP violation either)')
  })
})
