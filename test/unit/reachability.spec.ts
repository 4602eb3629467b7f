/**
 * Behavioural tests for src/topology/reachability.ts (whether others can
 * dial a node, and its relay slot when they cannot) and for the bootstrap's
 * relay settings (src/core/relay-server.ts). The whole path, with real
 * routers and a real relay, is test/integration/netlab-cross-home.spec.ts;
 * here the node's components are small stand-ins, to drive each case.
 */
import assert from 'node:assert/strict'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { TypedEventEmitter } from 'main-event'
import { peerIdFromString } from '@libp2p/peer-id'
import { reachabilityOf, reachability } from '../../src/topology/reachability.js'
import { DEFAULT_RELAY_CONNECTION_BYTES, DEFAULT_RELAY_CONNECTION_MS, DEFAULT_RELAY_SLOTS } from '../../src/core/constants.js'
import { relayServerInit } from '../../src/core/relay-server.js'
import { InvalidOptionError } from '../../src/core/errors.js'
import { waitUntil } from '../helpers/wait.js'

const BOOTSTRAP_ID = '12D3KooWLNv6tv1nnVYZQuP6Jyks51MiLRRmXD3pk2WwFcbF4osL'
const BOOTSTRAP = multiaddr(`/ip4/198.51.100.2/tcp/4001/p2p/${BOOTSTRAP_ID}`)
const SELF = '12D3KooWAMembUbevPJLaSNpv6KsRvPsFXEgRbarRHvJMktwxGs8'

describe('reachabilityOf', () => {
  it('is direct when the bootstrap saw one of the node\'s own addresses, behind-nat when it saw another', () => {
    assert.equal(reachabilityOf('/ip4/198.51.100.7/tcp/40211', ['10.1.0.2', '198.51.100.7']), 'direct')
    assert.equal(reachabilityOf('/ip4/203.0.113.2/tcp/40211', ['10.1.0.2', '127.0.0.1']), 'behind-nat')
    assert.equal(reachabilityOf('/ip6/2001:db8::7/tcp/40211', ['2001:db8::7']), 'direct')
  })

  it('is mapped when the bootstrap saw a router\'s address that forwards a port to the node, even once that address is among its own', () => {
    assert.equal(reachabilityOf('/ip4/203.0.113.2/tcp/40211', ['10.1.0.2', '203.0.113.2'], new Set(['203.0.113.2'])), 'mapped')
    assert.equal(reachabilityOf('/ip4/203.0.113.6/tcp/40211', ['10.1.0.2'], new Set(['192.168.1.20'])), 'behind-nat', 'a forward on a router behind another NAT does not reach the bootstrap')
  })

  it('is direct on loopback: the bootstrap runs on the same host', () => {
    assert.equal(reachabilityOf('/ip4/127.0.9.3/tcp/40211', []), 'direct')
    assert.equal(reachabilityOf('/ip6/::1/tcp/40211', []), 'direct')
  })

  it('is unknown before a join, or from an address it cannot read', () => {
    assert.equal(reachabilityOf(undefined, ['10.1.0.2']), 'unknown')
    assert.equal(reachabilityOf('not a multiaddr', ['10.1.0.2']), 'unknown')
    assert.equal(reachabilityOf('/dns4/example.com/tcp/1', ['10.1.0.2']), 'unknown')
  })
})

/** A node's view for the service: the address the bootstrap saw, its addresses, and its listen calls. */
class FakeNode extends TypedEventEmitter<{ 'join:succeeded': CustomEvent<{ failedAttempts: number }> }> {
  observed?: string
  addrs: Multiaddr[] = [multiaddr(`/ip4/10.1.0.2/tcp/4001/p2p/${SELF}`)]
  listened: string[] = []
  failListen = 0
  /** relays (their /p2p-circuit listen address) that refuse until removed */
  refusing = new Set<string>()
  readonly bootstrapAddr = BOOTSTRAP
  readonly bootstrapId = peerIdFromString(BOOTSTRAP_ID)

  relays: Multiaddr[] = []

  observedAddr (): string | undefined { return this.observed }

  relayAddrs (): Multiaddr[] { return this.relays }

  async listen (addrs: Multiaddr[]): Promise<void> {
    this.listened.push(...addrs.map(a => a.toString()))
    if (this.failListen > 0 || addrs.some(a => this.refusing.has(a.toString()))) {
      this.failListen--
      throw new Error('the relay refused')
    }
    this.addrs.push(...addrs.map(a => multiaddr(`${a.toString()}/p2p/${SELF}`)))
  }

  /** the bootstrap answers again as before */
  joinAgain (): void {
    if (this.observed != null) this.join(this.observed)
  }

  join (observed: string): void {
    this.observed = observed
    this.safeDispatchEvent('join:succeeded', { detail: { failedAttempts: 0 } })
  }
}

/** A logger that prints nothing. */
const silent = { forComponent: () => Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false }) } as any

function serviceOf (node: FakeNode): ReturnType<ReturnType<typeof reachability>> {
  return reachability({ retryInitialMs: 20, retryMaxMs: 40 })({ logger: silent, topology: node, addresses: () => node.addrs, listen: async addrs => node.listen(addrs) })
}

describe('ReachabilityService', () => {
  it('a node behind NAT reserves one slot on the bootstrap\'s relay, once, and reports its relayed address', async () => {
    const node = new FakeNode()
    const service = serviceOf(node)
    service.start()
    try {
      assert.equal(service.reachability(), 'unknown')
      node.join('/ip4/203.0.113.2/tcp/40211')
      assert.equal(service.reachability(), 'behind-nat')
      await waitUntil('the relay slot', () => service.relayState().state === 'reserved', 2_000)
      assert.deepEqual(node.listened, [`${BOOTSTRAP.toString()}/p2p-circuit`])
      assert.deepEqual(service.relayState().addrs, [`${BOOTSTRAP.toString()}/p2p-circuit/p2p/${SELF}`])
      // a later join (the bootstrap's connection came back) finds the slot held
      node.join('/ip4/203.0.113.2/tcp/40999')
      assert.equal(node.listened.length, 1)
    } finally {
      service.stop()
    }
  })

  it('reserves again once the slot is lost, at the next join', async () => {
    const node = new FakeNode()
    const service = serviceOf(node)
    service.start()
    try {
      node.join('/ip4/203.0.113.2/tcp/40211')
      await waitUntil('the relay slot', () => service.relayState().state === 'reserved', 2_000)
      node.addrs = node.addrs.filter(a => !a.toString().includes('p2p-circuit'))
      assert.equal(service.relayState().state, 'lost')
      node.join('/ip4/203.0.113.2/tcp/41000')
      await waitUntil('the slot again', () => service.relayState().state === 'reserved', 2_000)
      assert.equal(node.listened.length, 2)
    } finally {
      service.stop()
    }
  })

  it('tries again with back-off when the relay refuses, and says why meanwhile', async () => {
    const node = new FakeNode()
    // refuses until told otherwise: the failure stays on record while it lasts
    node.failListen = Number.POSITIVE_INFINITY
    const service = serviceOf(node)
    service.start()
    try {
      node.join('/ip4/203.0.113.2/tcp/40211')
      await waitUntil('a failure on record', () => service.relayState().state === 'failed', 2_000)
      assert.match(service.relayState().error ?? '', /the relay refused/)
      await waitUntil('a second try', () => node.listened.length >= 2, 2_000)
      node.failListen = 0
      await waitUntil('the slot once the relay accepts', () => service.relayState().state === 'reserved', 2_000)
      assert.ok(node.listened.length >= 3, `tried ${node.listened.length} times`)
    } finally {
      service.stop()
    }
  })

  it('reserves on every relay the bootstrap named, once each; one that refuses is tried again while the other\'s slot holds', async () => {
    const node = new FakeNode()
    const publicRelay = multiaddr('/ip4/198.51.100.6/tcp/4001/p2p/12D3KooWQa8zpuW7NGTRmR9ouVEqQqEjae9oyvNXjtSTQMcYws82')
    node.relays = [publicRelay, BOOTSTRAP]
    node.refusing.add(`${BOOTSTRAP.toString()}/p2p-circuit`)
    const service = serviceOf(node)
    service.start()
    try {
      node.join('/ip4/203.0.113.2/tcp/40211')
      await waitUntil('the public relay\'s slot, and the bootstrap tried again', () => node.listened.filter(a => a.startsWith(BOOTSTRAP.toString())).length >= 2, 2_000)
      assert.equal(service.relayState().state, 'reserved')
      assert.match(service.relayState().error ?? '', /the relay refused/)
      assert.equal(node.listened.filter(a => a.startsWith(publicRelay.toString())).length, 1, 'the held slot is not asked for again')
      node.refusing.clear()
      await waitUntil('both slots', () => service.relayState().addrs.length === 2, 2_000)
      assert.deepEqual(service.relayState().addrs.sort(), [`${publicRelay.toString()}/p2p-circuit/p2p/${SELF}`, `${BOOTSTRAP.toString()}/p2p-circuit/p2p/${SELF}`].sort())
      assert.equal(service.relayState().error, undefined)
    } finally {
      service.stop()
    }
  })

  it('a directly reachable node reserves nothing', async () => {
    const node = new FakeNode()
    node.addrs = [multiaddr(`/ip4/198.51.100.7/tcp/4001/p2p/${SELF}`)]
    const service = serviceOf(node)
    service.start()
    try {
      node.join('/ip4/198.51.100.7/tcp/40211')
      assert.equal(service.reachability(), 'direct')
      await new Promise(resolve => setTimeout(resolve, 50))
      assert.deepEqual(node.listened, [])
      assert.equal(service.relayState().state, 'none')
    } finally {
      service.stop()
    }
  })
})

describe('relayServerInit', () => {
  it('limits each relayed connection by default, with libp2p\'s own limits, and holds 1,024 slots', () => {
    const init = relayServerInit()!
    assert.equal(init.reservations?.maxReservations, DEFAULT_RELAY_SLOTS)
    assert.equal(DEFAULT_RELAY_SLOTS, 1024)
    assert.equal(init.reservations?.applyDefaultLimit, true)
    assert.equal(init.reservations?.defaultDataLimit, BigInt(DEFAULT_RELAY_CONNECTION_BYTES))
    assert.equal(init.reservations?.defaultDurationLimit, DEFAULT_RELAY_CONNECTION_MS)
  })

  it('bulk relaying lifts the limits; the operator\'s limits are used otherwise', () => {
    assert.equal(relayServerInit({ bulk: true })!.reservations?.applyDefaultLimit, false)
    const init = relayServerInit({ slots: 8, connectionBytes: 4096, connectionMs: 5_000 })!
    assert.equal(init.reservations?.maxReservations, 8)
    assert.equal(init.reservations?.defaultDataLimit, 4096n)
    assert.equal(init.reservations?.defaultDurationLimit, 5_000)
  })

  it('0 slots turns the relay off', () => {
    assert.equal(relayServerInit({ slots: 0 }), undefined)
  })

  it('refuses settings that are not whole numbers in range, naming the flag', () => {
    for (const [bad, flag] of [[{ slots: -1 }, '--relay-slots'], [{ slots: 1.5 }, '--relay-slots'], [{ connectionBytes: 0 }, '--relay-kb'], [{ connectionMs: Number.NaN }, '--relay-seconds']] as const) {
      assert.throws(() => relayServerInit(bad), (err: any) => err instanceof InvalidOptionError && err.message.includes(flag), JSON.stringify(bad))
    }
  })
})
