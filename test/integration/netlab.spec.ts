/**
 * The namespaced test network (test/netlab, issue 11) behaves as the
 * internet it stands for: a host at home reaches public hosts, seen as its
 * router's public address; nothing outside reaches into a home; hosts of
 * one home reach each other over their LAN; and nothing of the lab is left
 * after teardown. Skips, with one line, where it cannot run (not root, no
 * iptables, no network namespaces).
 */
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { promisify } from 'node:util'
import { Netlab, unavailable } from '../netlab/netlab.js'
import { waitUntil } from '../helpers/wait.js'

const run = promisify(execFile)
const PORT = 4040

/** A TCP server in `host`'s namespace that answers each connection with the address it came from. */
function echoAddressServer (lab: Netlab, host: string): { ready: Promise<void>, stop: () => void } {
  const script = `require('net').createServer(s => s.end(s.remoteAddress.replace('::ffff:', ''))).listen(${PORT}, '0.0.0.0', () => console.log('listening'))`
  const child = spawn('ip', ['netns', 'exec', lab.netnsOf(host), process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('listening')) resolve() })
    child.once('exit', code => { reject(new Error(`the server in ${host} exited (${String(code)})`)) })
  })
  return { ready, stop: () => { child.kill('SIGKILL') } }
}

/** What the server at `address` said of this connection from `host`, or why the connection failed ('timeout', 'refused'...). */
async function connectFrom (lab: Netlab, host: string, address: string): Promise<string> {
  const script = `const s = require('net').connect(${PORT}, '${address}'); let got = ''
    s.setTimeout(1500, () => { console.log('timeout'); process.exit(0) })
    s.on('data', d => { got += d }); s.on('end', () => { console.log('answer ' + got); process.exit(0) })
    s.on('error', e => { console.log('error ' + e.code); process.exit(0) })`
  const { stdout } = await lab.exec(host, process.execPath, ['-e', script], { timeoutMs: 10_000 })
  return stdout.trim()
}

describe('integration: the namespaced test network', function () {
  this.timeout(60_000)
  const lab = new Netlab()
  const servers: Array<{ stop: () => void }> = []

  before(async function () {
    const why = await unavailable()
    if (why != null) {
      console.log(`      (skipped: ${why})`)
      this.skip()
    }
    await lab.build({
      publicHosts: ['boot'],
      homes: [
        { name: 'homea', hosts: ['a1', 'a2'] },
        { name: 'homeb', hosts: ['b1'], uplinkMbit: 40 }
      ]
    })
    for (const host of ['boot', 'a2', 'b1']) {
      const server = echoAddressServer(lab, host)
      servers.push(server)
      await server.ready
    }
  })

  after(async () => {
    for (const s of servers) s.stop()
    await lab.teardown()
  })

  it('lets a host at home reach a public host, which sees the home router\'s public address', async () => {
    const boot = lab.hosts.get('boot')!
    assert.equal(await connectFrom(lab, 'a1', boot.address), `answer ${lab.homes.get('homea')!.publicAddress}`)
    assert.equal(await connectFrom(lab, 'b1', boot.address), `answer ${lab.homes.get('homeb')!.publicAddress}`)
    assert.notEqual(lab.homes.get('homea')!.publicAddress, lab.homes.get('homeb')!.publicAddress)
  })

  it('keeps everything outside from reaching into a home: not its LAN addresses, not its router\'s public address', async () => {
    const b1 = lab.hosts.get('b1')!
    const homeB = lab.homes.get('homeb')!
    // no route to a private LAN from outside
    assert.match(await connectFrom(lab, 'boot', b1.address), /^(timeout|error E(HOSTUNREACH|NETUNREACH))$/)
    // the router drops what it did not see leave: no answer at all, not even a refusal
    assert.equal(await connectFrom(lab, 'boot', homeB.publicAddress), 'timeout')
    // nor from another home
    assert.equal(await connectFrom(lab, 'a1', homeB.publicAddress), 'timeout')
  })

  it('connects two hosts of one home over their LAN, with their own addresses', async () => {
    assert.equal(await connectFrom(lab, 'a1', lab.hosts.get('a2')!.address), `answer ${lab.hosts.get('a1')!.address}`)
  })

  it('caps a home\'s uplink when asked, and can cut it and bring it back', async () => {
    const { stdout } = await lab.exec('homeb', 'tc', ['qdisc', 'show', 'dev', 'wan'])
    assert.match(stdout, /tbf .*rate 40Mbit/)
    const boot = lab.hosts.get('boot')!
    await lab.setUplink('homeb', false)
    assert.match(await connectFrom(lab, 'b1', boot.address), /^(timeout|error E(NETUNREACH|HOSTUNREACH))$/)
    await lab.setUplink('homeb', true)
    assert.equal(await connectFrom(lab, 'b1', boot.address), `answer ${lab.homes.get('homeb')!.publicAddress}`)
  })

  it('leaves no namespace of its own after teardown', async () => {
    const other = new Netlab(`${lab.prefix}x`)
    await other.build({ publicHosts: ['p1'], homes: [{ name: 'h1', hosts: ['h1a'] }] })
    const before = (await run('ip', ['netns', 'list'], { encoding: 'utf8' })).stdout
    assert.ok(before.includes(`${other.prefix}-h1a`), before)
    // a process left running in the lab goes with it
    const child = spawn('ip', ['netns', 'exec', other.netnsOf('h1a'), 'sleep', '60'])
    const exited = once(child, 'exit')
    await waitUntil('the process to run in the lab', async () => (await run('ip', ['netns', 'pids', other.netnsOf('h1a')], { encoding: 'utf8' })).stdout.trim() !== '', 10_000)
    await other.teardown()
    const after = (await run('ip', ['netns', 'list'], { encoding: 'utf8' })).stdout
    assert.equal(after.split('\n').filter(l => l.startsWith(other.prefix)).length, 0, after)
    const [, signal] = await exited
    assert.equal(signal, 'SIGKILL')
  })
})
