/**
 * Behavioural tests for src/topology/port-mapping.ts: which addresses a
 * node asks its router to forward, and when. The router here is a stand-in
 * that records requests; netlab-cross-home.spec runs the real miniupnpd.
 */
import assert from 'node:assert/strict'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { TypedEventEmitter } from 'main-event'
import { mappableAddresses, portMapping } from '../../src/topology/port-mapping.js'
import { waitUntil } from '../helpers/wait.js'
import type { Reachability, ReachabilityEvents } from '../../src/topology/reachability.js'
import type { Gateway, UPnPNAT } from '@achingbrain/nat-port-mapper'

const ROUTER_IP = '203.0.113.2'

/** A node's reachability, set by the test as the bootstrap's answers would. */
class FakeReachability extends TypedEventEmitter<ReachabilityEvents> {
  current: Reachability = 'unknown'
  reachability (): Reachability { return this.current }
  set (next: Reachability): void {
    this.current = next
    this.safeDispatchEvent('reachability', { detail: next })
  }
}

/** A router that forwards every port asked of it to the same public port, and records what it was asked. */
class FakeRouter {
  searches = 0
  answers = true
  maps: string[] = []
  stopped = false

  client (): UPnPNAT {
    const router = this
    const gateway: Partial<Gateway> = {
      id: 'router',
      host: '10.1.0.1',
      port: 5000,
      family: 'IPv4',
      map: async (internalPort, internalHost) => {
        router.maps.push(`${internalHost}:${internalPort}`)
        return { externalHost: ROUTER_IP, externalPort: internalPort, internalHost, internalPort, protocol: 'TCP' }
      },
      stop: async () => { router.stopped = true }
    }
    return {
      findGateways: async function * () {
        router.searches++
        if (router.answers) yield gateway as Gateway
      },
      getGateway: async () => gateway as Gateway
    }
  }
}

const silent = { forComponent: () => Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false }) } as any

function setup (addrs: Multiaddr[], router = new FakeRouter()): { service: ReturnType<ReturnType<typeof portMapping>>, reach: FakeReachability, router: FakeRouter, announced: string[], joins: () => number } {
  const reach = new FakeReachability()
  const announced: string[] = []
  let joins = 0
  const service = portMapping({ client: router.client(), retryInitialMs: 20, retryMaxMs: 40 })({
    logger: silent,
    reachability: reach,
    addresses: () => addrs,
    addressManager: {
      addPublicAddressMapping: (ip, port, extIp, extPort) => { announced.push(`${ip}:${port}->${extIp}:${extPort}`) },
      confirmObservedAddr: () => {}
    },
    joinAgain: () => { joins++ },
    description: 'peerhive test'
  })
  return { service, reach, router, announced, joins: () => joins }
}

describe('mappableAddresses', () => {
  it('keeps the node\'s own LAN IPv4 TCP addresses, once each, and nothing a router could not forward to', () => {
    const addrs = [
      '/ip4/10.1.0.2/tcp/4001/p2p/12D3KooWLNv6tv1nnVYZQuP6Jyks51MiLRRmXD3pk2WwFcbF4osL',
      '/ip4/10.1.0.2/tcp/4001',
      '/ip4/192.168.7.9/tcp/4002',
      '/ip4/127.0.0.1/tcp/4001',
      '/ip4/198.51.100.6/tcp/4001',
      '/ip4/10.1.0.2/udp/4001/quic-v1',
      '/ip6/fd00::5/tcp/4001',
      '/ip4/198.51.100.2/tcp/4001/p2p/12D3KooWLNv6tv1nnVYZQuP6Jyks51MiLRRmXD3pk2WwFcbF4osL/p2p-circuit'
    ].map(a => multiaddr(a))
    assert.deepEqual(mappableAddresses(addrs), [{ host: '10.1.0.2', port: 4001 }, { host: '192.168.7.9', port: 4002 }])
  })
})

describe('PortMappingService', () => {
  it('asks no router anything while the node is direct or not yet joined', async () => {
    const { service, reach, router } = setup([multiaddr('/ip4/10.1.0.2/tcp/4001')])
    service.start()
    reach.set('direct')
    await new Promise(resolve => setTimeout(resolve, 30))
    assert.equal(router.searches, 0)
    assert.equal(service.portMapping().state, 'idle')
    await service.stop()
  })

  it('behind NAT, forwards each listening address, announces it, joins again, and removes the forwards at stop', async () => {
    const { service, reach, router, announced, joins } = setup([multiaddr('/ip4/10.1.0.2/tcp/4001'), multiaddr('/ip4/10.1.0.2/tcp/4002')])
    service.start()
    reach.set('behind-nat')
    await waitUntil('the forwards', async () => service.portMapping().state === 'mapped', 2_000, 5)
    assert.deepEqual(router.maps, ['10.1.0.2:4001', '10.1.0.2:4002'])
    assert.deepEqual(announced, ['10.1.0.2:4001->203.0.113.2:4001', '10.1.0.2:4002->203.0.113.2:4002'])
    assert.deepEqual(service.portMapping().mappings, [{ internal: '10.1.0.2:4001', external: '203.0.113.2:4001' }, { internal: '10.1.0.2:4002', external: '203.0.113.2:4002' }])
    assert.deepEqual([...service.externalIps()], [ROUTER_IP])
    assert.equal(joins(), 1, 'one join again, with both addresses')
    // another join that still says behind NAT (a router behind another NAT) asks for nothing new
    reach.set('behind-nat')
    await new Promise(resolve => setTimeout(resolve, 30))
    assert.equal(router.maps.length, 2)
    assert.equal(joins(), 1)
    await service.stop()
    assert.equal(router.stopped, true)
  })

  it('says so when no router answers, and looks again later', async () => {
    const router = new FakeRouter()
    router.answers = false
    const { service, reach } = setup([multiaddr('/ip4/10.1.0.2/tcp/4001')], router)
    service.start()
    reach.set('behind-nat')
    await waitUntil('a second search', async () => router.searches >= 2, 2_000, 5)
    assert.equal(service.portMapping().state, 'no-gateway')
    router.answers = true
    await waitUntil('the forward', async () => service.portMapping().state === 'mapped', 2_000, 5)
    await service.stop()
  })

  it('never searches when turned off', async () => {
    const reach = new FakeReachability()
    reach.current = 'behind-nat'
    const router = new FakeRouter()
    const service = portMapping({ enabled: false, client: router.client() })({
      logger: silent, reachability: reach, addresses: () => [], addressManager: { addPublicAddressMapping: () => {}, confirmObservedAddr: () => {} }, joinAgain: () => {}, description: ''
    })
    service.start()
    reach.set('behind-nat')
    await new Promise(resolve => setTimeout(resolve, 30))
    assert.equal(router.searches, 0)
    assert.equal(service.portMapping().state, 'off')
    await service.stop()
  })
})
