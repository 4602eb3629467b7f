/**
 * End to end, with real `peerhive` processes: the bootstrap is killed with
 * SIGKILL and started again on the same data directory and port. It must
 * come back with the same PeerId and the same table (from central.db), the
 * daemons must reconnect to it on their own, and a peer that died while the
 * bootstrap was down must be dropped once the restart grace period is over.
 */
import assert from 'node:assert/strict'
import { waitUntil } from '../helpers/wait.js'
import { Cluster, POLL_MS, WAIT_MS, disagreement, kill9, metric, peersIn, rowOf, shape, status, type CliNode, type NodeStatus, type SubnetRow } from './cluster.js'

const PORT = 4725
const S41 = '127.0.41.0/24'
const S42 = '127.0.42.0/24'
/** The spec's limit for the table to be back, measured from the kill. */
const RESTORE_MS = 10_000
/** A grace period shorter than the default, so that its end falls inside RESTORE_MS. */
const GRACE_MS = 3_000
/** How often the bootstrap sweeps for peers without a connection (SWEEP_INTERVAL_MS). */
const SWEEP_MS = 500

const okJoins = async (boot: CliNode): Promise<number> => metric(boot, 'peerhive_protocol_requests_total', { protocol: '/peerhive/join/1.0.0', outcome: 'ok' })

describe('e2e: bootstrap restart (kill -9, same --data and port)', function () {
  this.timeout(90_000)
  const cluster = new Cluster(PORT, ['--vs-limit', '3', '--metrics', '127.0.0.1:0'])
  const daemons: CliNode[] = []
  let table: SubnetRow[]
  let statuses: NodeStatus[]
  let bootId: string

  /** every daemon still running agrees with the bootstrap's table; returns the table and their statuses */
  async function allAgree (nodes: CliNode[], timeoutMs = WAIT_MS): Promise<{ table: SubnetRow[], statuses: NodeStatus[] }> {
    return waitUntil('every daemon to agree with the bootstrap', async () => {
      const t = await cluster.subnets()
      const ss = await Promise.all(nodes.map(async n => status(n)))
      for (const s of ss) {
        const why = disagreement(t, s)
        if (why != null) throw new Error(why)
      }
      return { table: t, statuses: ss }
    }, timeoutMs, POLL_MS)
  }

  before(async () => {
    await cluster.startBootstrap(['--restart-grace', String(GRACE_MS)])
    bootId = cluster.bootstrap.peerId
    // 127.0.41: virtual server, two members, a central client; 127.0.42: virtual server and one member
    for (const h of [1, 2, 3, 4]) daemons.push((await cluster.startPlaced(`a${h}`, 41, h)).node)
    for (const h of [1, 2]) daemons.push((await cluster.startPlaced(`b${h}`, 42, h)).node)
    ;({ table, statuses } = await allAgree(daemons))
  })
  afterEach(function () { if (this.currentTest?.state === 'failed') console.error(cluster.logs()) })
  after(async () => { await cluster.stopAll() })

  it('starts from the expected table', () => {
    const id = daemons.map(d => d.peerId)
    assert.deepEqual(shape(table), [
      { subnet: S41, virtualServers: [{ peerId: id[0], members: [id[1], id[2]], clientCount: 3, limitCount: 3 }], centralClients: [id[3]] },
      { subnet: S42, virtualServers: [{ peerId: id[4], members: [id[5]], clientCount: 2, limitCount: 3 }], centralClients: [] }
    ])
  })

  it('comes back within 10 s with the same PeerId and table, every daemon rejoined and agreeing', async () => {
    const killedAt = Date.now()
    await kill9(cluster.bootstrap)
    const boot = await cluster.startBootstrap(['--restart-grace', String(GRACE_MS)])
    const startedAt = Date.now()
    assert.equal(boot.peerId, bootId, 'the bootstrap keeps its PeerId')
    assert.ok(boot.info()?.multiaddrs.includes(`/ip4/127.0.0.1/tcp/${PORT}/p2p/${bootId}`), 'it listens on the same port')

    // the saved table (central.db) is served at once
    assert.deepEqual(await cluster.subnets(), table, 'the restarted bootstrap serves the saved table')

    // Saved peers count only until the grace period ends; after it, only peers that reconnected stay.
    // So wait for all six to have joined the new process, then for the grace period (plus two sweeps)
    // to be over, and look at the table then.
    await waitUntil('all 6 peers to rejoin the restarted bootstrap', async () => {
      const joins = await okJoins(boot)
      if (joins < daemons.length) throw new Error(`${joins} of ${daemons.length} peers have rejoined`)
      return true
    }, RESTORE_MS + 10_000, 100)
    const rejoinedMs = Date.now() - killedAt
    const restored = await waitUntil('the grace period to pass', async () => Date.now() >= startedAt + GRACE_MS + 2 * SWEEP_MS && cluster.subnets(), RESTORE_MS + 10_000, 100)
    const tookMs = Date.now() - killedAt
    console.log(`      (all peers rejoined ${rejoinedMs} ms, table confirmed after the grace period ${tookMs} ms after the kill)`)
    assert.ok(tookMs <= RESTORE_MS, `the table was back and confirmed ${tookMs} ms after the kill (limit ${RESTORE_MS} ms)`)
    assert.deepEqual(restored, table, 'same subnets, virtual servers, members, central clients and addresses')
    assert.equal(await okJoins(boot), daemons.length, 'each daemon joined the restarted bootstrap exactly once')

    const now = await allAgree(daemons)
    assert.deepEqual(now.table, table)
    assert.deepEqual(now.statuses.map(s => [s.peerId, s.role, s.subnet, s.virtualServer, s.members, s.userSerialId]),
      statuses.map(s => [s.peerId, s.role, s.subnet, s.virtualServer, s.members, s.userSerialId]), 'every daemon keeps its place and its user serial')
  })

  it('drops a peer that died while the bootstrap was down, once the grace period is over', async () => {
    const [a1, a2, a3, a4, b1, b2] = daemons
    await kill9(cluster.bootstrap)
    await kill9(b1) // the virtual server of 127.0.42 dies during the downtime
    // while the bootstrap is down, a daemon says so and why, and keeps its last role
    const down = await waitUntil('a daemon to report the lost bootstrap', async () => {
      const s = await status(a2)
      return s.bootstrapConnected === false && s.joinError != null ? s : undefined
    }, WAIT_MS, POLL_MS)
    assert.equal(down.role, 'member')
    const spawnedAt = Date.now()
    const boot = await cluster.startBootstrap(['--restart-grace', String(GRACE_MS)])
    assert.equal(boot.peerId, bootId)

    // within the grace period the saved table still lists it
    const early = await cluster.subnets()
    const earlyMs = Date.now() - spawnedAt
    if (earlyMs < GRACE_MS) assert.ok(peersIn(early).includes(b1.peerId), `the saved peer is listed ${earlyMs} ms into the grace period`)

    const gone = await waitUntil('the dead peer to be dropped', async () => {
      const t = await cluster.subnets()
      return peersIn(t).includes(b1.peerId) ? undefined : t
    }, GRACE_MS + 10_000, POLL_MS)
    const goneMs = Date.now() - spawnedAt
    assert.ok(goneMs >= GRACE_MS, `the dead peer was dropped ${goneMs} ms after the restart began, before the ${GRACE_MS} ms grace period ended`)

    // its group fails over to its member; the other subnet is untouched
    assert.deepEqual(shape(gone), [
      shape(table)[0],
      { subnet: S42, virtualServers: [{ peerId: b2.peerId, members: [], clientCount: 1, limitCount: 3 }], centralClients: [] }
    ])
    assert.equal(rowOf(gone, S41)?.virtualServers[0].peerId, a1.peerId)
    const { statuses: ss } = await allAgree([a1, a2, a3, a4, b2])
    assert.deepEqual(ss.map(s => s.bootstrapConnected), [true, true, true, true, true])
    assert.deepEqual(ss.map(s => [s.role, s.virtualServer]), [
      ['virtual-server', a1.peerId], ['member', a1.peerId], ['member', a1.peerId], ['central-client', null], ['virtual-server', b2.peerId]
    ])
  })
})
