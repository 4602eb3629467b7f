/**
 * End to end, with real `peerhive` processes on loopback: errors at start-up
 * that a person can act on (issue 8, section 4).
 *
 * - A daemon that cannot join its bootstrap says why on its console: the
 *   first failure, then a line only when the reason changes (not one per
 *   retry), each with the next retry time; and a line once it joins.
 * - A daemon pointed at a live node with another PeerId names both PeerIds.
 * - A --listen address that cannot be bound (port in use, an IP not on this
 *   host, udp, ws) is one line without a stack, exit 1, for `daemon` and
 *   `bootstrap`; the stack appears only with DEBUG set.
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { loadOrCreateIdentity } from '../../src/core/identity.js'
import { CliNode, peerhive, peerhiveJson } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'

/** A port nothing listens on until the test starts the bootstrap there (below the ephemeral range, as the other e2e specs' ports). */
const CLOSED_PORT = 4771
const WAIT_MS = 30_000
/** No DEBUG from the caller's environment: these tests look at exactly what a person sees. */
const QUIET = { DEBUG: '' }
const RETRY_AT = 'retrying at \\d\\d:\\d\\d:\\d\\d \\(in \\d+(\\.\\d)? s\\)'

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
const linesOf = (text: string, pattern: RegExp): string[] => text.split('\n').filter(line => pattern.test(line))

describe('e2e: start-up errors a person can act on', function () {
  this.timeout(120_000)
  const dir = tempDir('peerhive-e2e-startup-')
  const nodes: CliNode[] = []
  let otherPeerId: string

  async function start (args: string[], name: string, env: NodeJS.ProcessEnv = QUIET): Promise<CliNode> {
    const node = await CliNode.start(args, join(dir.path, name), env)
    nodes.push(node)
    return node
  }

  before(async () => {
    otherPeerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  })
  afterEach(function () {
    if (this.currentTest?.state === 'failed') for (const n of nodes) console.error(`--- ${n.dataDir}\n${n.text()}`)
  })
  after(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    dir.cleanup()
  })

  describe('a daemon that cannot join its bootstrap', () => {
    it('prints the reason once (not per retry) with the next retry time, and a line when it joins', async () => {
      // the bootstrap's identity exists before it runs, so the daemon can name its PeerId
      const bootDir = join(dir.path, 'late-boot')
      const bootId = peerIdFromPrivateKey(await loadOrCreateIdentity(bootDir)).toString()
      const where = `/ip4/127.0.0.1/tcp/${CLOSED_PORT}`
      // peerhive:topology logs every attempt: that is how the test knows the daemon retried
      const daemon = await start(['daemon', '--bootstrap', `${where}/p2p/${bootId}`, '--listen', '/ip4/127.0.0.1/tcp/0'], 'waiting-daemon', { DEBUG: 'peerhive:topology' })
      const reason = `connection refused (${where})`
      const refusedLine = new RegExp(`^cannot join the bootstrap: ${escape(reason)}; ${RETRY_AT}$`)

      await waitUntil('the daemon to print why it cannot join', () => linesOf(daemon.text(), refusedLine).length > 0, WAIT_MS)
      assert.equal((await peerhiveJson(['status', '--data', daemon.dataDir])).joinError, reason, 'status --json gives the same reason')
      await waitUntil('the daemon to retry at least 3 times', () => linesOf(daemon.text(), /join failed/).length >= 3, WAIT_MS)

      const boot = await start(['bootstrap', '--listen', where], 'late-boot')
      assert.equal(boot.peerId, bootId)
      const joined = await waitUntil('the daemon to say it joined', () => /^joined the bootstrap after (\d+) failed attempts?$/m.exec(daemon.text()) ?? undefined, WAIT_MS)
      assert.ok(Number(joined[1]) >= 3, `it joined after ${joined[1]} failed attempts`)
      assert.equal(linesOf(daemon.text(), refusedLine).length, 1, 'one line for the reason, however many retries')
      assert.equal((await peerhiveJson(['status', '--data', daemon.dataDir])).joinError, null)
      await daemon.stop()
      await boot.stop()
    })

    it('names both PeerIds when the node at that address is another one', async () => {
      const boot = await start(['bootstrap', '--listen', '/ip4/127.0.0.1/tcp/0'], 'live-boot')
      const where = boot.info()?.multiaddrs[0].replace(/\/p2p\/.*$/, '') ?? ''
      assert.match(where, /^\/ip4\/127\.0\.0\.1\/tcp\/\d+$/)
      const daemon = await start(['daemon', '--bootstrap', `${where}/p2p/${otherPeerId}`, '--listen', '/ip4/127.0.0.1/tcp/0'], 'misled-daemon')
      const reason = `the node at ${where} is ${boot.peerId}, not the ${otherPeerId} named in --bootstrap`
      await waitUntil('the daemon to print the wrong-PeerId message', () => linesOf(daemon.text(), new RegExp(`^cannot join the bootstrap: ${escape(reason)}; ${RETRY_AT}$`)).length === 1, WAIT_MS)
      assert.equal((await peerhiveJson(['status', '--data', daemon.dataDir])).joinError, reason)
      await daemon.stop()
      await boot.stop()
    })
  })

  describe('a --listen address that cannot be bound', () => {
    let busy: Server
    let busyAddr: string
    const someBootstrap = (): string => `/ip4/127.0.0.1/tcp/${CLOSED_PORT}/p2p/${otherPeerId}`
    let runs = 0
    const run = async (command: 'daemon' | 'bootstrap', listen: string, env: NodeJS.ProcessEnv = QUIET): Promise<{ code: number, stdout: string, stderr: string }> =>
      peerhive([command, '--data', join(dir.path, `listen-${runs++}`), ...(command === 'daemon' ? ['--bootstrap', someBootstrap()] : []), '--listen', listen], env)

    before(async () => {
      busy = createServer()
      await new Promise<void>(resolve => busy.listen(0, '127.0.0.1', resolve))
      busyAddr = `/ip4/127.0.0.1/tcp/${(busy.address() as { port: number }).port}`
    })
    after(() => { busy.close() })

    const cases: Array<{ command: 'daemon' | 'bootstrap', listen: () => string, reason: string }> = [
      { command: 'daemon', listen: () => busyAddr, reason: 'the port is in use' },
      { command: 'bootstrap', listen: () => busyAddr, reason: 'the port is in use' },
      { command: 'daemon', listen: () => '/ip4/192.0.2.1/tcp/4001', reason: 'the IP address 192.0.2.1 is not on this host' },
      { command: 'bootstrap', listen: () => '/ip4/192.0.2.1/tcp/4001', reason: 'the IP address 192.0.2.1 is not on this host' },
      { command: 'bootstrap', listen: () => '/ip4/127.0.0.1/udp/4001', reason: 'this node listens on TCP only (for example /ip4/0.0.0.0/tcp/4001)' },
      { command: 'daemon', listen: () => '/ip4/127.0.0.1/tcp/4001/ws', reason: 'this node listens on TCP only (for example /ip4/0.0.0.0/tcp/4001)' }
    ]
    for (const c of cases) {
      it(`${c.command}: ${c.reason}: one line, no stack, exit 1`, async () => {
        const r = await run(c.command, c.listen())
        assert.equal(r.stderr, `peerhive: cannot listen on ${c.listen()}: ${c.reason}\n`)
        assert.equal(r.code, 1)
        assert.doesNotMatch(r.stdout, /listening on/)
      })
    }

    it('a text that is not a multiaddr: one line, exit 2 (wrong usage)', async () => {
      const r = await run('daemon', '127.0.0.1:4001')
      assert.match(r.stderr, /^peerhive: cannot listen on "127\.0\.0\.1:4001": not a multiaddr \([^\n]+\); expected for example \/ip4\/127\.0\.9\.1\/tcp\/0\n$/)
      assert.equal(r.code, 2)
    })

    it('with DEBUG set, the stack follows the line (libp2p\'s error too)', async () => {
      const r = await run('bootstrap', busyAddr, { DEBUG: 'peerhive:none' })
      const [first, ...rest] = r.stderr.split('\n')
      assert.equal(first, `peerhive: cannot listen on ${busyAddr}: the port is in use`)
      assert.equal(r.code, 1)
      const debug = rest.join('\n')
      assert.match(debug, /^CannotListenError: /m)
      assert.match(debug, /^\s+at /m)
      assert.match(debug, /^caused by: UnsupportedListenAddressesError: /m)
      assert.match(debug, /EADDRINUSE/)
    })
  })
})
