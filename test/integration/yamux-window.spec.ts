/**
 * A stream grants its sender more credit once half of its window is used,
 * not after every frame (src/core/yamux-window.ts): @libp2p/yamux alone
 * sent a window update back for each data frame it received.
 */
import assert from 'node:assert/strict'
import { rawClient } from '../helpers/raw-join.js'
import type { Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

const PROTOCOL = '/peerhive-test/credit/1'
/** yamux's frame type of a window update (its spec: data 0, window update 1, ping 2, go away 3) */
const WINDOW_UPDATE = 1

interface Received { bytes: number, frames: number, windowUpdates: number, done: Promise<void> }

describe('integration: yamux credit at half the window', function () {
  this.timeout(30_000)
  const nodes: Array<Libp2p<any>> = []
  let received: Received[] = []

  before(async () => {
    for (const ip of ['127.0.58.1', '127.0.58.2']) nodes.push(await rawClient(ip))
    await nodes[1].handle(PROTOCOL, (stream: Stream) => {
      const r: Received = { bytes: 0, frames: 0, windowUpdates: 0, done: Promise.resolve() }
      const s = stream as any
      const sendFrame = s.sendFrame
      s.sendFrame = (header: any, data?: any) => {
        if (header.type === WINDOW_UPDATE && header.flag === 0) r.windowUpdates++
        return sendFrame(header, data)
      }
      r.done = (async () => {
        for await (const chunk of stream) {
          r.bytes += chunk.byteLength
          r.frames++
        }
        await stream.close()
      })()
      received.push(r)
    })
  })

  beforeEach(() => { received = [] })

  after(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
  })

  async function open (): Promise<{ stream: Stream, r: Received }> {
    const stream = await nodes[0].dialProtocol(nodes[1].getMultiaddrs()[0], PROTOCOL)
    await waitFor(() => received.length === 1)
    return { stream, r: received[0] }
  }

  it('answers 200 small messages, each its own frame, with no window update', async () => {
    const { stream, r } = await open()
    for (let i = 0; i < 200; i++) {
      stream.send(new Uint8Array(100).fill(i))
      // one frame at a time: the receiver has read each before the next goes
      await waitFor(() => r.bytes === (i + 1) * 100)
    }
    await stream.close()
    await r.done
    assert.equal(r.frames, 200)
    // 20 KB of a 256 KiB window: nothing to grant (yamux alone sent 200 updates)
    assert.equal(r.windowUpdates, 0)
  })

  it('still grants credit to a sender that needs more than the window', async () => {
    const { stream, r } = await open()
    const chunk = new Uint8Array(64 * 1024).fill(7)
    const total = 4 * 1024 * 1024
    for (let sent = 0; sent < total; sent += chunk.byteLength) {
      if (!stream.send(chunk)) await stream.onDrain({ signal: AbortSignal.timeout(10_000) })
    }
    await stream.close()
    await r.done
    assert.equal(r.bytes, total)
    // 4 MiB through a 256 KiB window needs credit many times over, but far less than once per frame
    assert.ok(r.windowUpdates >= 1, 'no credit was granted')
    assert.ok(r.windowUpdates < r.frames / 2, `${r.windowUpdates} window updates for ${r.frames} frames`)
  })
})

async function waitFor (check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise(resolve => setTimeout(resolve, 2))
  }
}
