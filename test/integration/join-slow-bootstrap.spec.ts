/**
 * A bootstrap that answers joins slowly (overloaded) still gets its answers
 * through: each join attempt that times out makes the next one wait twice
 * as long (JOIN_TIMEOUT_MAX_MS), instead of asking again with the same
 * deadline forever. A slow secure handshake is waited for on the dial's own
 * deadline, not abandoned with the join's.
 */
import assert from 'node:assert/strict'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { JOIN_TIMEOUT_MS, PROTOCOL_JOIN } from '../../src/core/index.js'
import { TestNetwork } from '../helpers/network.js'
import { waitUntil } from '../helpers/wait.js'
import type { JoinFailure } from '../../src/index.js'
import type { Connection, Stream } from '@libp2p/interface'

const SUBNET = 97
/** longer than the first attempt's deadline (it starts before the dial), well inside the second's (10 s) */
const ANSWER_DELAY_MS = JOIN_TIMEOUT_MS + 1_000

describe('joining a slow bootstrap', function () {
  this.timeout(60_000)
  const net = new TestNetwork()

  after(async () => {
    await net.stop()
  })

  it('the attempt after a timeout waits twice as long, and the slow answer is taken', async () => {
    const bootstrap = await net.startBootstrap()
    const registrar = (bootstrap.libp2p as any).components.registrar
    const { handler, options } = registrar.getHandler(PROTOCOL_JOIN)
    await bootstrap.libp2p.unhandle(PROTOCOL_JOIN)
    let delayed = 0
    await bootstrap.libp2p.handle(PROTOCOL_JOIN, (stream: Stream, connection: Connection) => {
      delayed++
      setTimeout(() => { handler(stream, connection) }, ANSWER_DELAY_MS)
    }, options)

    const node = await net.addPeer(SUBNET, 1, { start: false, backoffInitialMs: 100, backoffMaxMs: 200 })
    const failures: JoinFailure[] = []
    let succeededAfter: number | undefined
    node.topology.addEventListener('join:failed', evt => { failures.push(evt.detail) })
    node.topology.addEventListener('join:succeeded', evt => { succeededAfter = evt.detail.failedAttempts })
    await node.start()

    await waitUntil('the node to join the slow bootstrap', () => succeededAfter, 3 * JOIN_TIMEOUT_MS + ANSWER_DELAY_MS)
    assert.equal(succeededAfter, 1, 'one attempt timed out, the next one waited long enough')
    assert.deepEqual(failures.map(f => f.reason), [`no answer within ${JOIN_TIMEOUT_MS / 1000} s (${net.bootstrapAddr().replace(/\/p2p\/.*$/, '')})`])
    assert.equal(delayed, 2)
    assert.equal(node.status().role, 'virtual-server')
  })

  it('a handshake slower than the join timeout is finished, not abandoned and started again', async () => {
    // a bootstrap of its own: the first case's answers joins late
    const net = new TestNetwork()
    await net.startBootstrap()
    const [, , host, , port] = net.bootstrapAddr().split('/')
    const proxy = await slowHandshakeProxy(host, Number(port), HANDSHAKE_DELAY_MS)
    try {
      const node = await net.addPeer(SUBNET, 2, { start: false, bootstrap: `/ip4/127.0.0.1/tcp/${proxy.port}/p2p/${net.bootstrap.peerId}` })
      const failures: JoinFailure[] = []
      node.topology.addEventListener('join:failed', evt => { failures.push(evt.detail) })
      const started = Date.now()
      await node.start()
      await waitUntil('the node to join through the slow proxy', () => node.status().role !== 'joining' ? true : undefined, 3 * JOIN_TIMEOUT_MS)
      assert.ok(Date.now() - started >= HANDSHAKE_DELAY_MS, 'the handshake really was slow')
      assert.deepEqual(failures.map(f => f.reason), [], 'no attempt timed out')
      assert.equal(proxy.connections(), 1, 'one connection: the slow handshake was not thrown away')
    } finally {
      await proxy.close()
      await net.stop()
    }
  })
})

/** Past the first attempt's join deadline (it starts before the dial), within libp2p's 6 s for one address. */
const HANDSHAKE_DELAY_MS = JOIN_TIMEOUT_MS + 250

/** A TCP relay to the bootstrap that holds the bootstrap's first bytes (its half of the Noise handshake) for `delayMs`. */
async function slowHandshakeProxy (host: string, port: number, delayMs: number): Promise<{ port: number, connections: () => number, close: () => Promise<void> }> {
  let accepted = 0
  const sockets = new Set<Socket>()
  const server: Server = createServer(client => {
    accepted++
    const bootstrap = connect({ host, port })
    for (const s of [client, bootstrap]) {
      sockets.add(s)
      s.on('error', () => {})
      s.on('close', () => { client.destroy(); bootstrap.destroy() })
    }
    client.pipe(bootstrap)
    bootstrap.pause()
    setTimeout(() => { bootstrap.pipe(client) }, delayMs)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as { port: number }).port,
    connections: () => accepted,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>(resolve => server.close(() => { resolve() }))
    }
  }
}
