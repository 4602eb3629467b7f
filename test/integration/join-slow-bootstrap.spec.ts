/**
 * A bootstrap that answers joins slowly (overloaded) still gets its answers
 * through: each join attempt that times out makes the next one wait twice
 * as long (JOIN_TIMEOUT_MAX_MS), instead of asking again with the same
 * deadline forever.
 */
import assert from 'node:assert/strict'
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
})
