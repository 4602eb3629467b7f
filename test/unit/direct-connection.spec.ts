/**
 * Behavioural tests for src/sharing/transfer/direct-connection.ts: how a
 * download waits for a hole punch under way.
 */
import assert from 'node:assert/strict'
import { peerIdFromString } from '@libp2p/peer-id'
import { TypedEventEmitter } from 'main-event'
import { directConnectionWithin, hasDirectConnection } from '../../src/sharing/transfer/direct-connection.js'

const PEER = peerIdFromString('12D3KooWLNv6tv1nnVYZQuP6Jyks51MiLRRmXD3pk2WwFcbF4osL')

/** A node's connections to PEER, opened by the test as a punch would. */
class FakeLibp2p extends TypedEventEmitter<{ 'connection:open': CustomEvent<unknown> }> {
  connections: Array<{ direct: boolean, status: string }> = [{ direct: false, status: 'open' }]
  getConnections (): Array<{ direct: boolean, status: string }> { return this.connections }
  open (direct: boolean): void {
    this.connections.push({ direct, status: 'open' })
    this.safeDispatchEvent('connection:open', { detail: {} })
  }
}

describe('directConnectionWithin', () => {
  it('resolves true as soon as a direct connection opens, not on a relayed one', async () => {
    const libp2p = new FakeLibp2p()
    assert.equal(hasDirectConnection(libp2p as any, PEER), false)
    const started = Date.now()
    const waiting = directConnectionWithin(libp2p as any, PEER, 5_000, new AbortController().signal)
    setTimeout(() => { libp2p.open(false) }, 10)
    setTimeout(() => { libp2p.open(true) }, 30)
    assert.equal(await waiting, true)
    assert.ok(Date.now() - started < 4_000, 'did not wait for the bound')
  })

  it('resolves false after the bound, or at once on abort', async () => {
    const libp2p = new FakeLibp2p()
    assert.equal(await directConnectionWithin(libp2p as any, PEER, 30, new AbortController().signal), false)
    const controller = new AbortController()
    const waiting = directConnectionWithin(libp2p as any, PEER, 60_000, controller.signal)
    controller.abort()
    assert.equal(await waiting, false)
  })

  it('ignores a direct connection that is closing', async () => {
    const libp2p = new FakeLibp2p()
    libp2p.connections.push({ direct: true, status: 'closing' })
    assert.equal(hasDirectConnection(libp2p as any, PEER), false)
  })
})
