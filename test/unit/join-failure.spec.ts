/**
 * Why a join failed, in words (src/topology/join-failure.ts), and the
 * daemon's console lines about it (cli/join-reporter.ts): the first
 * failure, then one line per change of reason, each with the next retry
 * time, and one line when the node joins after failures.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { UnexpectedPeerError } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { describeJoinFailure } from '../../src/topology/join-failure.js'
import { JoinReporter } from '../../cli/join-reporter.js'
import { JoinRejectedError } from '../../src/core/errors.js'
import type { PeerId } from '@libp2p/interface'

const named = (name: string, message: string, extra: object = {}): Error => Object.assign(new Error(message), { name }, extra)

describe('join failures, in words', () => {
  let expected: PeerId
  let actual: PeerId
  let bootstrap: ReturnType<typeof multiaddr>
  const where = '/ip4/127.0.0.1/tcp/4001'
  const describe_ = (err: unknown): string => describeJoinFailure(err, bootstrap, expected, 5_000)

  before(async () => {
    expected = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    actual = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    bootstrap = multiaddr(`${where}/p2p/${expected.toString()}`)
  })

  it('a node with another PeerId at that address: names both PeerIds', () => {
    // what libp2p's upgrader throws when Noise finds another key (the text is Noise's)
    const err = named('EncryptionFailedError', `Payload identity key ${actual.toString()} does not match expected remote identity key ${expected.toString()}`)
    assert.equal(describe_(err), `the node at ${where} is ${actual.toString()}, not the ${expected.toString()} named in --bootstrap`)
    assert.equal(describe_(new UnexpectedPeerError('other text')), `the node at ${where} is not the ${expected.toString()} named in --bootstrap`)
  })

  it('socket errors: the code in words, and the address', () => {
    assert.equal(describe_(named('Error', 'connection error 127.0.0.1:4001: connect ECONNREFUSED 127.0.0.1:4001', { code: 'ECONNREFUSED' })), `connection refused (${where})`)
    assert.equal(describe_(named('Error', 'connect EHOSTUNREACH 10.1.2.3:4001')), `host unreachable (${where})`)
    assert.equal(describe_(named('Error', 'x', { code: 'ENETUNREACH' })), `network unreachable (${where})`)
  })

  it('no answer in time, a node that is not a bootstrap, a refused join', () => {
    assert.equal(describe_(named('TimeoutError', 'The operation was aborted due to timeout')), `no answer within 5 s (${where})`)
    assert.equal(describe_(named('UnsupportedProtocolError', 'Protocol selection failed')), `the node at ${where} is not a peerhive bootstrap (it does not speak the join protocol)`)
    assert.equal(describe_(new JoinRejectedError('RATE_LIMITED', 'too many joins')), 'bootstrap refused the join (RATE_LIMITED): too many joins')
  })

  it('a stream that closed under the join (libp2p rejects with the close event, not an Error)', () => {
    assert.equal(describe_(new Event('close')), `the connection to ${where} closed during the join`)
    assert.equal(describe_(Object.assign(new Event('close'), { error: new Error('stream reset\nat x') })), `the connection to ${where} closed during the join (stream reset)`)
  })

  it('anything else: its first line and the address, never a stack', () => {
    assert.equal(describe_(new Error('odd failure\n    at x (y.js:1:1)')), `odd failure (${where})`)
  })

  it('a refusal from the bootstrap reaches the console as one bounded line without control characters', () => {
    const hostile = new JoinRejectedError('RATE_LIMITED', `slow down\x1b[2J\x1b]0;owned\x07\nsecond line ${'x'.repeat(5_000)}`)
    const text = describe_(hostile)
    assert.match(text, /^bootstrap refused the join \(RATE_LIMITED\): slow down \[2J \]0;owned $/)
    assert.doesNotMatch(describe_(new Error(`a\rb\u009bc${'y'.repeat(5_000)}`)), /[\u0000-\u001f\u007f-\u009f]/)
    assert.ok(describe_(new Error('z'.repeat(5_000))).length < 400)
  })

  it('the same cause gives the same text on every retry', () => {
    const a = describe_(named('Error', 'connection error 127.0.0.1:4001: connect ECONNREFUSED 127.0.0.1:4001', { code: 'ECONNREFUSED' }))
    const b = describe_(named('Error', 'connection error 127.0.0.1:4001: connect ECONNREFUSED 127.0.0.1:4001', { code: 'ECONNREFUSED' }))
    assert.equal(a, b)
  })
})

describe('the daemon\'s join lines (JoinReporter)', () => {
  const now = new Date(2026, 0, 2, 3, 4, 5).getTime()
  const refused = 'connection refused (/ip4/127.0.0.1/tcp/4001)'
  const wrongPeer = 'the node at /ip4/127.0.0.1/tcp/4001 is 12D3KooWA, not the 12D3KooWB named in --bootstrap'

  it('prints the first failure with the next retry time, then one line per change of reason, not per retry', () => {
    const r = new JoinReporter()
    assert.equal(r.failed({ reason: refused, nextRetryAt: now + 8_000 }, now), `cannot join the bootstrap: ${refused}; retrying at 03:04:13 (in 8.0 s)`)
    assert.equal(r.failed({ reason: refused, nextRetryAt: now + 16_000 }, now), undefined)
    assert.equal(r.failed({ reason: refused, nextRetryAt: now + 250 }, now), undefined)
    assert.equal(r.failed({ reason: wrongPeer, nextRetryAt: now + 250 }, now), `cannot join the bootstrap: ${wrongPeer}; retrying at 03:04:05 (in 0.3 s)`)
    assert.equal(r.failed({ reason: refused, nextRetryAt: now + 30_000 }, now), `cannot join the bootstrap: ${refused}; retrying at 03:04:35 (in 30 s)`)
  })

  it('says when the node joined after failures, and prints the next failure again', () => {
    const r = new JoinReporter()
    assert.equal(r.joined(0), undefined, 'a join at the first try needs no line')
    r.failed({ reason: refused, nextRetryAt: now }, now)
    assert.equal(r.joined(1), 'joined the bootstrap after 1 failed attempt')
    assert.match(r.failed({ reason: refused, nextRetryAt: now }, now) ?? '', /^cannot join the bootstrap: connection refused/)
    assert.equal(r.joined(7), 'joined the bootstrap after 7 failed attempts')
  })
})
