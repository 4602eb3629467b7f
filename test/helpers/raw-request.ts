import { lpStream } from '@libp2p/utils'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import type { Uint8ArrayList } from 'uint8arraylist'

/**
 * A request/response exchange on any peerhive protocol, sent the way a
 * hostile or buggy peer would: `bytes` go out exactly as given (no framing
 * added), one length-prefixed answer is read and decoded. Never throws: a
 * reset or refused stream is returned as `{ error }`.
 */
export type RawAnswer<T> = { response: T, error?: undefined } | { response?: undefined, error: Error }

export interface RawRequestOptions {
  /** largest answer accepted; @default 1 MiB */
  maxAnswerBytes?: number
  timeoutMs?: number
}

/** `target` is a multiaddr (with /p2p/) or the PeerId of a peer the client already knows how to reach. */
export async function rawRequest<T> (
  client: Libp2p<any>, target: string, protocol: string, bytes: Uint8Array,
  codec: { decode: (buf: Uint8Array | Uint8ArrayList) => T }, opts: RawRequestOptions = {}
): Promise<RawAnswer<T>> {
  const signal = AbortSignal.timeout(opts.timeoutMs ?? 10_000)
  let stream: Stream | undefined
  try {
    const to = target.startsWith('/') ? multiaddr(target) : peerIdFromString(target)
    stream = await client.dialProtocol(to, protocol, { signal }) as Stream
    const lp = lpStream(stream, { maxDataLength: opts.maxAnswerBytes ?? 1024 * 1024 })
    // do not wait for 'drain': a receiver that answers early must not deadlock the test
    stream.send(bytes)
    void stream.close({ signal }).catch(() => {})
    const response = codec.decode(await lp.read({ signal }))
    return { response }
  } catch (err: any) {
    stream?.abort(err)
    return { error: err }
  }
}

/** The answer, or a failed assertion naming the error that ended the stream. */
export function answer<T> (outcome: RawAnswer<T>): T {
  if (outcome.error != null) throw new Error(`expected an answer, the stream ended with ${outcome.error.name}: ${outcome.error.message}`)
  return outcome.response as T
}

/** Sum of a prom-client counter's samples whose labels include `labels`. */
export async function counterSum (counter: { get: () => Promise<{ values: Array<{ value: number, labels: Record<string, string | number> }> }> }, labels: Record<string, string>): Promise<number> {
  const { values } = await counter.get()
  return values
    .filter(v => Object.entries(labels).every(([k, want]) => v.labels[k] === want))
    .reduce((n, v) => n + v.value, 0)
}
