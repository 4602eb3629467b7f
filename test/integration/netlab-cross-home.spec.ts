/**
 * Search and get between homes behind NAT routers (issue 11), on the
 * namespaced test network, with real CLI processes: a bootstrap and a public
 * peer on public hosts, and four homes whose routers refuse inbound
 * connections. Peers behind NAT learn so from their join and reserve a slot
 * on the bootstrap's relay; others reach them through it. The bootstrap
 * first relays everything (--relay-bulk), then restarts without it: searches
 * still cross the relay, and a download goes over a direct connection that
 * two homes set up through both routers (protocols/punch.md); from home C,
 * whose router maps ports at random (symmetric NAT), it cannot, and says
 * why. Home D's router offers UPnP (a real miniupnpd): its peer gets a port
 * forwarded and is dialled directly, even from home C. Last, the bootstrap
 * restarts with no relay at all, and the public peer's relay carries the
 * searches. Skips, with one line, where the test network cannot run.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '../helpers/tmp-dir.js'
import { waitUntil } from '../helpers/wait.js'
import { LabPeers } from '../netlab/lab-peers.js'
import { Netlab, unavailable } from '../netlab/netlab.js'

const WAIT_MS = 40_000
const HOMES: Record<string, string[]> = { homea: ['a1', 'a2'], homeb: ['b1', 'b2'], homec: ['c1'], homed: ['d1'] }
/** started only for its first download: it has never dialled the provider */
const LATE_PEER = 'b2'
/** home D's router forwards ports over UPnP (a real miniupnpd) */
const UPNP_HOME = 'homed'
/** the peers no router forwards to: they need the relay */
const NATTED_PEERS = Object.entries(HOMES).filter(([home]) => home !== UPNP_HOME).flatMap(([, hosts]) => hosts).filter(h => h !== LATE_PEER)
const PUBLIC_PEER = 'pub'
/** a public peer started only for its download from behind the symmetric NAT: the peer there has never dialled it */
const LATE_PUBLIC_PEER = 'pub2'
/** on the bootstrap host's own loopback */
const METRICS_AT = '127.0.0.1:9464'

describe('integration: search and get between homes behind NAT routers', function () {
  this.timeout(180_000)
  const lab = new Netlab()
  const tmp = tempDir('peerhive-netlab-cross-')
  const peers = new LabPeers(lab, tmp.path)

  /** `from` finds `owner`'s file, asking only `tier`. */
  const findIn = async (from: string, owner: string, tier: string): Promise<{ cid: string, providers: string[] }> =>
    waitUntil(`${from} to find ${owner}'s file in the ${tier} tier`, async () =>
      (await peers.search(from, `sonata-of-${owner}`, ['--tier', tier])).find(h => h.filename === `sonata-of-${owner}.txt` && h.tier === tier), WAIT_MS, 500)

  /** `host`'s Prometheus sample `name{labels}`, summed over label sets that contain `labels` (the bootstrap's by default). */
  const metric = async (name: string, labels = '', host = 'boot'): Promise<number> => {
    const { stdout } = await lab.exec(host, process.execPath, ['-e', `fetch('http://${METRICS_AT}/metrics').then(r => r.text()).then(t => process.stdout.write(t))`])
    return stdout.split('\n').filter(l => l.startsWith(name) && (l.startsWith(`${name} `) || l.startsWith(`${name}{`)) && l.includes(labels))
      .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0)
  }

  before(async function () {
    const why = await unavailable({ upnp: true })
    if (why != null) {
      console.log(`      (skipped: ${why})`)
      this.skip()
    }
    await lab.build({ publicHosts: ['boot', PUBLIC_PEER, LATE_PUBLIC_PEER], homes: Object.entries(HOMES).map(([name, hosts]) => ({ name, hosts, symmetric: name === 'homec', upnp: name === UPNP_HOME })) })
    await peers.startBootstrap('boot', ['--relay-bulk', '--metrics', METRICS_AT])
    // a public peer serves the DHT and a relay as an operator asked; a home peer asked the same stays a DHT client (nobody outside can dial it)
    await peers.startPeer(PUBLIC_PEER, ['--dht-mode', 'server', '--relay-slots', '16', '--metrics', METRICS_AT])
    for (const host of Object.values(HOMES).flat().filter(h => h !== LATE_PEER)) await peers.startPeer(host, host === 'a2' ? ['--dht-mode', 'server'] : [])
  })

  after(async function () {
    if (this.currentTest?.state === 'failed') console.log(peers.logs())
    await peers.stopAll()
    await lab.teardown()
    tmp.cleanup()
  })

  it('home peers learn they are behind NAT and reserve a slot on the bootstrap\'s relay (a bootstrap that relays bulk data names no other); the public peer is direct', async () => {
    await peers.relaysReserved(NATTED_PEERS, WAIT_MS)
    const home = (await peers.status('b1'))!
    assert.equal(home.reachability, 'behind-nat')
    assert.ok(home.relay!.addrs.some(a => a.startsWith(`${peers.bootstrapAddr}/p2p-circuit/p2p/`)), `a relayed address through the bootstrap: ${JSON.stringify(home.relay)}`)
    assert.ok(home.relay!.addrs.every(a => !a.includes(`/p2p/${peers.peerId(PUBLIC_PEER)}/p2p-circuit`)), 'none through the public peer: its relay would stop a download')
    const pub = (await peers.status(PUBLIC_PEER))!
    assert.equal(pub.reachability, 'direct')
    assert.equal(pub.relay, null)
  })

  it('a peer behind a router that offers UPnP gets a port forwarded to it, and the bootstrap sees it there', async () => {
    const router = lab.homes.get(UPNP_HOME)!.publicAddress
    const d1 = await waitUntil('d1 to be reachable through its router\'s forward', async () => {
      const s = await peers.status('d1')
      return s?.reachability === 'mapped' ? s : undefined
    }, WAIT_MS, 500)
    assert.equal(d1.portMapping?.state, 'mapped')
    const forward = d1.portMapping!.mappings[0]
    assert.equal(forward.internal, `${lab.hosts.get('d1')!.address}:4001`)
    assert.match(forward.external, new RegExp(`^${router.replaceAll('.', '\\.')}:\\d+$`))
    assert.ok(d1.addresses.some(a => a.startsWith(`/ip4/${forward.external.replace(':', '/tcp/')}/p2p/`)), `d1 announces the forwarded address: ${d1.addresses.join(', ')}`)
    // the router's table holds the forward: miniupnpd wrote it
    const { stdout } = await lab.exec(UPNP_HOME, 'nft', ['list', 'chain', 'inet', 'miniupnpd', 'prerouting_miniupnpd'])
    assert.match(stdout, new RegExp(`dnat ip to ${forward.internal.replaceAll('.', '\\.')}`))
    // peers of a home without UPnP looked for a router that maps, and found none
    assert.equal((await peers.status('b1'))!.portMapping?.state, 'no-gateway')
  })

  it('a search from one home finds a file shared in another, in the remote tier and in the DHT alone', async () => {
    for (const [from, owner] of [['b1', 'a1'], ['c1', 'b1'], ['a2', 'c1'], [PUBLIC_PEER, 'a2']]) {
      for (const tier of ['remote', 'dht']) {
        const hit = await findIn(from, owner, tier)
        assert.ok(hit.providers.includes(peers.peerId(owner)), JSON.stringify(hit))
      }
    }
  })

  it('get downloads a file from a peer in another home (through the relay from behind the symmetric NAT), and from the public peer directly, byte-identical', async () => {
    for (const [from, owner] of [['b1', 'a1'], ['b1', 'c1'], ['c1', PUBLIC_PEER], [PUBLIC_PEER, 'c1']]) {
      const hit = await findIn(from, owner, 'remote')
      const out = join(tmp.path, `got-${owner}-by-${from}.txt`)
      const got = await peers.cli(from, ['get', hit.cid, '-o', out, '--json'])
      assert.equal(got.code, 0, got.stderr)
      assert.equal(peers.sha256(out), peers.sha256(peers.fileOf(owner)), `${from} got ${owner}'s file intact`)
    }
    // the operator sees the relay's work: a slot per home peer, and the relayed file's bytes, from c1 behind its symmetric NAT
    // (b1 and a1 punched a direct connection; pub's get from c1 rode the connection c1 had opened to pub)
    // (d1 may hold one too: it reserved before its router forwarded a port to it)
    assert.ok(await metric('peerhive_relay_slots') >= NATTED_PEERS.length)
    assert.ok(await metric('peerhive_relay_connections_total') >= 1)
    // (to-peer and from-peer are seen from the peer the relayed connection was dialled to: c1 may have dialled b1 first)
    const relayed = await metric('peerhive_relayed_bytes_total')
    assert.ok(relayed >= readFileSync(peers.fileOf('c1')).length, `c1's file came through the relay: ${relayed} bytes relayed`)
  })

  it('without --relay-bulk, after a bootstrap restart: searches still cross the relay, a download goes direct through both routers, and from behind a symmetric NAT it says why it cannot', async () => {
    await peers.nodes.get('boot')!.stop()
    await peers.startBootstrap('boot')
    await peers.relaysReserved(NATTED_PEERS, WAIT_MS)
    // home A's and home B's routers keep ports: the two set up a direct connection over the relayed one
    const fromA = await findIn('b1', 'a1', 'remote')
    const out = join(tmp.path, 'punched-a1-by-b1.txt')
    const got = await peers.cli('b1', ['get', fromA.cid, '-o', out, '--json'])
    assert.equal(got.code, 0, got.stderr)
    assert.equal(peers.sha256(out), peers.sha256(peers.fileOf('a1')))
    const punched = (await peers.status('b1'))!.holePunch!.succeeded + (await peers.status('a1'))!.holePunch!.succeeded
    assert.ok(punched >= 1, 'a hole punch between home A and home B succeeded')
    // a peer that never dialled a1 meets it through the relay first: its download waits for the punch that connection starts
    await peers.startPeer(LATE_PEER)
    await waitUntil(`${LATE_PEER} to join`, async () => (await peers.status(LATE_PEER))?.role === 'member', WAIT_MS, 250)
    const coldOut = join(tmp.path, `punched-a1-by-${LATE_PEER}.txt`)
    const cold = await peers.cli(LATE_PEER, ['get', fromA.cid, '-o', coldOut, '--json'])
    assert.equal(cold.code, 0, cold.stderr)
    assert.equal(peers.sha256(coldOut), peers.sha256(peers.fileOf('a1')))
    assert.ok((await peers.status(LATE_PEER))!.holePunch!.succeeded >= 1, `${LATE_PEER} punched through to a1`)
    // home C's router maps ports at random: no direct connection, and the relay carries no file data
    const fromC = await findIn('b1', 'c1', 'remote')
    const refused = await peers.cli('b1', ['get', fromC.cid, '-o', join(tmp.path, 'refused.txt'), '--json'])
    assert.notEqual(refused.code, 0, 'the download cannot cross a relay that carries no file data')
    assert.match(refused.stderr, /behind NAT.*relay that carries no file data.*--relay-bulk/)
    // a public peer that reaches c1 through the relay is dialled back by c1 (any router lets that out), and downloads directly
    await peers.startPeer(LATE_PUBLIC_PEER)
    await waitUntil(`${LATE_PUBLIC_PEER} to join`, async () => (await peers.status(LATE_PUBLIC_PEER))?.bootstrapConnected === true, WAIT_MS, 250)
    const reversedOut = join(tmp.path, `got-c1-by-${LATE_PUBLIC_PEER}.txt`)
    const reversed = await peers.cli(LATE_PUBLIC_PEER, ['get', fromC.cid, '-o', reversedOut, '--json'])
    assert.equal(reversed.code, 0, reversed.stderr)
    assert.equal(peers.sha256(reversedOut), peers.sha256(peers.fileOf('c1')))
    assert.ok((await peers.status('c1'))!.holePunch!.reversed >= 1, 'c1 dialled the public peer back')
    // inside a home, the LAN still carries it
    const lanOut = join(tmp.path, 'got-a1-by-a2.txt')
    const lan = await peers.cli('a2', ['get', fromA.cid, '-o', lanOut, '--json'])
    assert.equal(lan.code, 0, lan.stderr)
    assert.equal(peers.sha256(lanOut), peers.sha256(peers.fileOf('a1')))
    // d1's router forwards a port to it: even from behind the symmetric NAT, where no punch works, c1 downloads from d1 directly
    const fromD = await findIn('c1', 'd1', 'remote')
    const mappedOut = join(tmp.path, 'got-d1-by-c1.txt')
    const viaForward = await peers.cli('c1', ['get', fromD.cid, '-o', mappedOut, '--json'])
    assert.equal(viaForward.code, 0, viaForward.stderr)
    assert.equal(peers.sha256(mappedOut), peers.sha256(peers.fileOf('d1')))
  })

  it('a public peer relays too: with the bootstrap\'s relay off, searches between homes cross the public peer\'s', async () => {
    const viaPublic = `/p2p/${peers.peerId(PUBLIC_PEER)}/p2p-circuit/`
    await peers.nodes.get('boot')!.stop()
    await peers.startBootstrap('boot', ['--relay-slots', '0'])
    await waitUntil('every home peer to join again, with a slot on the public peer\'s relay only', async () => {
      for (const host of NATTED_PEERS) {
        const s = await peers.status(host)
        if (s?.bootstrapConnected !== true || s.relay == null || !s.relay.addrs.some(a => a.includes(viaPublic))) return false
      }
      return true
    }, WAIT_MS, 500)
    assert.ok(await metric('peerhive_relay_slots', '', PUBLIC_PEER) >= NATTED_PEERS.length, 'the public peer holds a slot for each home peer')
    for (const [from, owner] of [['c1', 'b1'], ['b1', 'a1']]) {
      const hit = await findIn(from, owner, 'remote')
      assert.ok(hit.providers.includes(peers.peerId(owner)), JSON.stringify(hit))
    }
    assert.ok(await metric('peerhive_relay_connections_total', '', PUBLIC_PEER) >= 1, 'the searches crossed the public peer\'s relay')
  })

  it('a peer behind a UPnP router removes its forward when it stops', async () => {
    const forwards = async (): Promise<string> => (await lab.exec(UPNP_HOME, 'nft', ['list', 'chain', 'inet', 'miniupnpd', 'prerouting_miniupnpd'])).stdout
    const d1 = lab.hosts.get('d1')!.address
    assert.match(await forwards(), new RegExp(`dnat ip to ${d1.replaceAll('.', '\\.')}:`))
    assert.equal(await peers.nodes.get('d1')!.stop(), 0, 'd1 stopped cleanly')
    assert.doesNotMatch(await forwards(), new RegExp(`dnat ip to ${d1.replaceAll('.', '\\.')}:`))
  })
})
