import { StreamState, YamuxStream } from '@libp2p/yamux/stream'

/**
 * @libp2p/yamux (8.x) answers every data frame it receives with a window
 * update, so each gossip message, DHT request and index push costs a second
 * frame back: its own Noise encryption, socket write and wake-up of the
 * other side. In a 100-peer network that was 40 % of all socket writes.
 * Go's and Rust's yamux grant credit only once half of the window has been
 * used; this makes @libp2p/yamux do the same. The sender still never waits
 * while the reader keeps up: it has at least half a window of credit left.
 * Frames with flags (the SYN, ACK and resume of a stream) still go out at
 * once, since the stream's state moves on them.
 */
export function grantYamuxCreditAtHalfWindow (): void {
  const proto = YamuxStream.prototype as any
  if (proto[PATCHED] === true) return
  const sendWindowUpdate = proto.sendWindowUpdate
  // another yamux than the one this was written for: leave it as it is
  if (typeof sendWindowUpdate !== 'function' || typeof StreamState?.Established !== 'number') return
  proto.sendWindowUpdate = function (this: any): void {
    if (this.state === StreamState.Established && this.recvWindowCapacity * 2 >= this.recvWindow) return
    sendWindowUpdate.call(this)
  }
  proto[PATCHED] = true
}

const PATCHED = Symbol.for('peerhive.yamux-credit-at-half-window')
