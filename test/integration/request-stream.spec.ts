/**
 * openRequestChannel (src/core/request-stream.ts): a new stream of one of
 * our request protocols proposes its protocol together with its first
 * request, so the request leaves before the listener's confirmation comes
 * back, and the answer is read after that confirmation. Two real libp2p
 * stacks on loopback, the listener answering with the product's own
 * answerRequest.
 */
import { strict as assert } from 'node:assert'
import { answerRequest, openRequestChannel, requestResponse, type Codec } from '../../src/core/index.js'
import { rawClient } from '../helpers/raw-join.js'
import { waitUntil } from '../helpers/wait.js'
import type { Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

const ECHO = '/peerhive-test/echo/1.0.0'
const SESSION_ECHO = '/peerhive-test/session-echo/1.0.0'
const LIMITED = '/peerhive-test/limited/1.0.0'
const MAX_BYTES = 64 * 1024

const bytes: Codec<Uint8Array> = { encode: b => b, decode: b => b.subarray() }
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const str = (b: Uint8Array): string => new TextDecoder().decode(b)

/** Whether `needle` occurs in `hay`. */
function contains (hay: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(hay).includes(Buffer.from(needle))
}

describe('integration: a request stream proposes its protocol with its first request', function () {
  this.timeout(30_000)
  let asker: Libp2p<any>
  let listener: Libp2p<any>

  before(async () => {
    asker = await rawClient('127.0.62.1')
    listener = await rawClient('127.0.62.2')
    const answer = (reply: (req: Uint8Array) => Uint8Array, session: boolean) => async (stream: Stream): Promise<void> => {
      await answerRequest(stream, bytes, bytes, {
        maxInboundBytes: MAX_BYTES,
        signal: AbortSignal.timeout(10_000),
        handle: reply,
        onBadRequest: () => text('bad'),
        ...(session ? { session: { keepOpen: () => true, idleMs: 5_000, exchangeMs: 5_000 } } : {})
      }).catch(() => {})
    }
    await listener.handle(ECHO, answer(req => text(`echo ${str(req)}`), false))
    await listener.handle(SESSION_ECHO, answer(req => text(`again ${str(req)}`), true))
    // the asker's own handler names its outbound limit, as libp2p reads it
    await listener.handle(LIMITED, answer(req => text(`kept ${str(req)}`), true))
    await asker.handle(LIMITED, () => {}, { maxOutboundStreams: 1 })
    await asker.dial(listener.getMultiaddrs()[0])
  })

  after(async () => {
    await asker?.stop()
    await listener?.stop()
  })

  it('sends the request before the listener confirms the protocol, and reads the answer after the confirmation', async () => {
    const signal = AbortSignal.timeout(10_000)
    const channel = await openRequestChannel(asker, listener.peerId, ECHO, MAX_BYTES, { signal })
    assert.equal(channel.stream.protocol, ECHO, 'the stream carries its protocol like a negotiated one')
    // what left this side before anything came back
    const sentBeforeAnswer: Uint8Array[] = []
    let heard = false
    channel.stream.addEventListener('message', () => { heard = true })
    const send = channel.stream.send.bind(channel.stream)
    channel.stream.send = (data: any) => {
      if (!heard) sentBeforeAnswer.push(data.subarray())
      return send(data)
    }
    const request = text('tide tables of the Gulf of Morbihan')
    const answer = await requestResponse(channel, request, bytes, bytes, { maxInboundBytes: MAX_BYTES, signal })
    assert.equal(str(answer), 'echo tide tables of the Gulf of Morbihan')
    const early = Buffer.concat(sentBeforeAnswer)
    assert.ok(contains(early, text(`${ECHO}\n`)), 'the protocol was proposed')
    assert.ok(contains(early, request), 'the request went out with it, before the listener answered anything')
  })

  it('sends no second proposal: the next request of a session goes out alone', async () => {
    const signal = AbortSignal.timeout(10_000)
    const channel = await openRequestChannel(asker, listener.peerId, SESSION_ECHO, MAX_BYTES, { signal })
    const opts = { maxInboundBytes: MAX_BYTES, signal }
    assert.equal(str(await channel.exchange(text('one'), bytes, bytes, opts)), 'again one')
    const sent: Uint8Array[] = []
    const send = channel.stream.send.bind(channel.stream)
    channel.stream.send = (data: any) => {
      sent.push(data.subarray())
      return send(data)
    }
    assert.equal(str(await channel.exchange(text('two'), bytes, bytes, opts)), 'again two')
    assert.ok(!contains(Buffer.concat(sent), text('/multistream/1.0.0')), 'no protocol proposal in the second request')
    channel.stream.abort(new Error('done'))
  })

  it('keeps to the outbound stream limit of the node\'s own handler of the protocol, as libp2p does', async () => {
    const signal = AbortSignal.timeout(10_000)
    const opts = { maxInboundBytes: MAX_BYTES, signal }
    const first = await openRequestChannel(asker, listener.peerId, LIMITED, MAX_BYTES, { signal })
    assert.equal(str(await first.exchange(text('one'), bytes, bytes, opts)), 'kept one')
    await assert.rejects(openRequestChannel(asker, listener.peerId, LIMITED, MAX_BYTES, { signal }), { name: 'TooManyOutboundProtocolStreamsError' })
    first.stream.abort(new Error('done'))
    await waitUntil('the aborted stream to leave the connection', () => asker.getConnections(listener.peerId).every(c => !c.streams.includes(first.stream)), 5_000)
    const next = await openRequestChannel(asker, listener.peerId, LIMITED, MAX_BYTES, { signal })
    assert.equal(str(await next.exchange(text('two'), bytes, bytes, opts)), 'kept two')
    next.stream.abort(new Error('done'))
  })

  it('fails with UnsupportedProtocolError when the listener does not speak the protocol, and the listener keeps serving', async () => {
    const signal = AbortSignal.timeout(10_000)
    const channel = await openRequestChannel(asker, listener.peerId, '/peerhive-test/unknown/1.0.0', MAX_BYTES, { signal })
    await assert.rejects(requestResponse(channel, text('anyone?'), bytes, bytes, { maxInboundBytes: MAX_BYTES, signal }), (err: Error) => {
      assert.equal(err.name, 'UnsupportedProtocolError')
      assert.match(err.message, /does not speak \/peerhive-test\/unknown\/1\.0\.0/)
      return true
    })
    assert.ok(['aborted', 'reset'].includes(channel.stream.status), `the failed stream is closed (${channel.stream.status})`)
    const again = await openRequestChannel(asker, listener.peerId, ECHO, MAX_BYTES, { signal })
    assert.equal(str(await requestResponse(again, text('still there'), bytes, bytes, { maxInboundBytes: MAX_BYTES, signal })), 'echo still there')
  })
})
