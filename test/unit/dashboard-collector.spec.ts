import assert from 'node:assert/strict'
import { DashboardCollector, mapChanges, type DashboardSource, type MapSubnet } from '../../bootstrap/dashboard/index.js'
import type { JobStatus, ProviderInfo } from '../../src/compute/model/types.js'

/** PeerIds of the right shape are not needed here: the map and the collector treat them as text. */
const A = 'peer-aaaaaaaa'
const B = 'peer-bbbbbbbb'
const C = 'peer-cccccccc'
const D = 'peer-dddddddd'
const S = '127.0.9.0/24'

function subnet (servers: Array<[string, string[]]>, clients: string[] = [], name = S): MapSubnet {
  return { subnet: name, virtualServers: servers.map(([peerId, members]) => ({ peerId, addresses: [], clientCount: 1 + members.length, limitCount: 2, members })), centralClients: clients }
}

describe('dashboard: what changed on the map', () => {
  it('the first peer of a subnet is elected; the next ones join as members or central clients', () => {
    const changes = mapChanges([], [subnet([[A, [B]]], [C])])
    assert.deepEqual(changes.map(c => [c.kind, c.peers]), [['elected', [A]], ['joined', [B]], ['joined', [C]]])
    assert.equal(changes[0].text, `${'…aaaaaaaa'} joined ${S} as a virtual server`)
    assert.match(changes[2].text, /^central client …cccccccc joined/)
  })

  it('a member that takes over from a virtual server that is gone is a failover, told once', () => {
    const changes = mapChanges([subnet([[A, [B]]], [C])], [subnet([[B, [C]]])])
    assert.deepEqual(changes.map(c => [c.kind, c.peers]), [['failover', [B, A]]])
    assert.equal(changes[0].text, `failover in ${S}: …bbbbbbbb took over from …aaaaaaaa, which is gone`)
  })

  it('a central client that becomes a virtual server is a promotion; a virtual server with no member that dies just leaves', () => {
    const promoted = mapChanges([subnet([[A, [B]]], [C])], [subnet([[A, [B]], [C, [D]]])])
    assert.deepEqual(promoted.map(c => [c.kind, c.peers]), [['promoted', [C]], ['joined', [D]]])
    const left = mapChanges([subnet([[A, []]]), subnet([[B, []]], [], '127.0.10.0/24')], [subnet([[B, []]], [], '127.0.10.0/24')])
    assert.deepEqual(left.map(c => [c.kind, c.subnet]), [['server-left', S]])
  })

  it('many joins between two looks are one event; nothing changed is no event', () => {
    const many = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6']
    const changes = mapChanges([subnet([[A, []]])], [subnet([[A, []]], many)])
    assert.deepEqual(changes.map(c => [c.kind, c.text]), [['joined', `6 peers joined ${S}`]])
    assert.deepEqual(changes[0].peers, many)
    assert.deepEqual(mapChanges([subnet([[A, [B]]])], [subnet([[A, [B]]])]), [])
  })
})

describe('dashboard: the collector', () => {
  let now = 1_000_000
  let table: MapSubnet[] = []
  let counts: Array<{ labels: Record<string, string>, value: number }> = []
  let running: JobStatus[] = []
  let finals: Record<string, JobStatus> = {}
  let providers: ProviderInfo[] = []
  let validUnits = 0

  const source: DashboardSource = {
    peerId: 'bootstrap',
    addresses: () => ['/ip4/127.0.0.1/tcp/4001'],
    uptimeMs: () => 5_000,
    subnets: () => table,
    providers: () => providers,
    providerStates: () => ({ active: providers.length, working: 0, offline: 0, removed: 0, banned: 0 }),
    runningJobs: () => running,
    job: id => finals[id],
    validUnits: () => validUnits,
    requestCounts: async () => counts,
    removeProvider: async () => { throw new Error('not here') }
  }

  function job (id: string, valid: number, units = 10, state: JobStatus['state'] = 'running'): JobStatus {
    return {
      id,
      name: 'render',
      owner: A,
      state,
      submittedAt: 0,
      units,
      unitStates: { pending: units - valid, running: 0, valid, failed: 0, cancelled: 0 },
      replicaStates: { assigned: 0, reported: 0, valid, invalid: 0, failed: 0, timed_out: 0, lost: 0, cancelled: 0 },
      progress: valid / units
    }
  }

  function provider (peerId: string, state: ProviderInfo['state']): ProviderInfo {
    return {
      peerId,
      state,
      host: { cpuModel: 'cpu', cores: 2, cpuMhz: 2000, os: 'linux', memoryMb: 1024, freeDiskMb: 1024, network: 'loopback', bandwidthBps: 0 },
      cpus: 1,
      maxMemoryMb: 256,
      apps: [],
      current: 0,
      history: { valid: 0, invalid: 0, failed: 0, timedOut: 0, lost: 0, validStreak: 0, trusted: false },
      level: 0,
      firstSeen: 0,
      lastSeen: 0
    }
  }

  beforeEach(() => {
    now = 1_000_000
    table = []
    counts = []
    running = []
    finals = {}
    providers = []
    validUnits = 0
  })

  const make = (opts = {}): DashboardCollector => new DashboardCollector(source, { now: () => now, ...opts })

  it('turns the request counters into requests per second per protocol, with a history', async () => {
    const c = make({ history: 3 })
    c.start()
    await c.stop()
    counts = [{ labels: { protocol: '/peerhive/join/1.0.0', outcome: 'ok' }, value: 4 }, { labels: { protocol: '/peerhive/join/1.0.0', outcome: 'RATE_LIMITED' }, value: 2 }]
    now += 2_000
    await c.sample()
    for (const value of [10, 10, 14]) {
      counts = [{ labels: { protocol: '/peerhive/join/1.0.0', outcome: 'ok' }, value }, { labels: { protocol: '/peerhive/index/1.0.0', outcome: 'ok' }, value: 1 }]
      now += 1_000
      await c.sample()
    }
    const load = c.snapshot().load.protocols
    assert.deepEqual(load.map(p => p.protocol), ['/peerhive/join/1.0.0', '/peerhive/index/1.0.0'])
    // 6 in 2 s, then +4 (one outcome vanished: never negative), +0, +4; three samples kept
    assert.deepEqual(load[0].samples, [4, 0, 4])
    assert.equal(load[0].rate, 4)
    assert.equal(load[0].total, 14)
    assert.deepEqual(load[1].samples, [1, 0, 0])
  })

  it('follows jobs: throughput per job and in all, and a job that ended keeps its final status', async () => {
    const c = make()
    running = [job('j1', 0)]
    await c.sample()
    for (const valid of [2, 5]) {
      running = [job('j1', valid)]
      validUnits = valid
      now += 1_000
      await c.sample()
    }
    assert.deepEqual(c.snapshot().jobs.list.map(j => [j.id, j.throughput]), [['j1', [2, 3]]])
    finals = { j1: job('j1', 10, 10, 'done') }
    running = [job('j2', 0)]
    validUnits = 10
    now += 1_000
    await c.sample()
    const snap = c.snapshot()
    assert.deepEqual(snap.jobs.list.map(j => [j.id, j.state]), [['j2', 'running'], ['j1', 'done']])
    assert.deepEqual(snap.jobs.list[1].throughput, [2, 3])
    assert.deepEqual(snap.jobs.throughput, [0, 2, 3, 5])
    assert.deepEqual(snap.events.map(e => e.text), ['job "render" submitted: 10 unit(s)', 'job "render" done: 10/10 unit(s) valid'])
  })

  it('tells its listeners at once when the map changes, and records providers that come and are removed', async () => {
    const c = make()
    const seen: number[] = []
    c.subscribe(s => { seen.push(s.network.peers) })
    await c.sample()
    table = [subnet([[A, [B]]])]
    assert.equal(c.look(), true)
    assert.equal(c.look(), false, 'an unchanged table tells nobody')
    assert.deepEqual(seen, [0, 2])
    providers = [provider(C, 'active')]
    c.refresh()
    providers = [provider(C, 'removed')]
    c.refresh()
    assert.deepEqual(c.snapshot().events.map(e => e.kind), ['elected', 'joined', 'provider', 'provider'])
    assert.match(c.snapshot().events[3].text, /is removed$/)
  })

  it('leaves whole subnets off the map past its peer budget, and keeps the last events only', async () => {
    const c = make({ mapPeers: 3, events: 2 })
    table = [subnet([[A, [B]]], [], '127.0.2.0/24'), subnet([[C, [D]]], [], '127.0.10.0/24')]
    c.look()
    const snap = c.snapshot()
    assert.deepEqual(snap.network.subnets.map(s => s.subnet), ['127.0.2.0/24'], 'sorted by address, the first that fit')
    assert.equal(snap.network.subnetsLeftOff, 1)
    assert.equal(snap.network.peers, 4)
    assert.equal(snap.events.length, 2)
  })
})
