import { generateKeyPair } from '@libp2p/crypto/keys'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import {
  MAX_JOIN_RESPONSE_BYTES, PROTOCOL_JOIN, WIRE_VERSION,
  JoinRequest, JoinResponse, createStack
} from '../../src/core/index.js'
import type { Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

/**
 * Helpers for tests that talk to the bootstrap the way a hostile or buggy
 * client would: a bare peerhive stack (no topology client) that opens raw
 * /peerhive/join/1.0.0 streams and writes whatever bytes the test chooses.
 */

/** A started libp2p stack that listens on, and dials from, `ip` (127.0.S.H), with a fresh identity. */
export async function rawClient (ip: string): Promise<Libp2p<any>> {
  const node = await createStack({
    privateKey: await generateKeyPair('Ed25519'),
    listen: [`/ip4/${ip}/tcp/0`],
    isBootstrap: false,
    peerTimeoutMs: 10_000
  })
  await node.start()
  return node
}

/** A well-formed join request with `overrides` applied, encoded without a length prefix. */
export function joinRequestBytes (overrides: Partial<JoinRequest> = {}): Uint8Array {
  return JoinRequest.encode({
    version: WIRE_VERSION,
    listenAddrs: [],
    host: { cpus: 2, memoryMb: 1024, uptimeMs: 1, platform: 'test' },
    claimedSubnet: '',
    ...overrides
  })
}

/** Unsigned LEB128 varint, as libp2p's length prefix. */
export function varint (n: number): Uint8Array {
  const out: number[] = []
  do {
    let b = n % 128
    n = Math.floor(n / 128)
    if (n > 0) b |= 0x80
    out.push(b)
  } while (n > 0)
  return Uint8Array.from(out)
}

/** `body` with its varint length prefix. */
export function frame (body: Uint8Array): Uint8Array {
  const prefix = varint(body.byteLength)
  const out = new Uint8Array(prefix.byteLength + body.byteLength)
  out.set(prefix)
  out.set(body, prefix.byteLength)
  return out
}

/** What came back on a raw join stream: a decoded answer, or the error that ended the stream. */
export type RawOutcome = { response: JoinResponse, error?: undefined } | { response?: undefined, error: Error }

export interface RawJoinOptions {
  /** close our writable end right after sending (default true); otherwise only after the answer */
  closeWrite?: boolean
  timeoutMs?: number
}

/**
 * Opens a join stream from `client` to `target`, sends `bytes` exactly as
 * given (no framing added), reads one length-prefixed answer and closes.
 * Never throws: a reset or refused stream is returned as `{ error }`.
 */
export async function rawJoin (client: Libp2p<any>, target: string, bytes: Uint8Array, opts: RawJoinOptions = {}): Promise<RawOutcome> {
  const signal = AbortSignal.timeout(opts.timeoutMs ?? 10_000)
  let stream: Stream | undefined
  try {
    stream = await client.dialProtocol(multiaddr(target), PROTOCOL_JOIN, { signal }) as Stream
    // attach the reader before anything can arrive
    const lp = lpStream(stream, { maxDataLength: MAX_JOIN_RESPONSE_BYTES })
    // do not wait for 'drain': a bootstrap that answers early must not deadlock the test
    stream.send(bytes)
    // v3: close() ends our writable end only; the answer can still be read
    if (opts.closeWrite !== false) void stream.close({ signal }).catch(() => {})
    const buf = await lp.read({ signal })
    const response = JoinResponse.decode(buf)
    if (opts.closeWrite === false) await stream.close({ signal }).catch(() => {})
    return { response }
  } catch (err: any) {
    stream?.abort(err)
    return { error: err }
  }
}

/** Sends a well-formed join request built from `overrides`. */
export async function join (client: Libp2p<any>, target: string, overrides: Partial<JoinRequest> = {}, timeoutMs?: number): Promise<RawOutcome> {
  return rawJoin(client, target, frame(joinRequestBytes(overrides)), { timeoutMs })
}

/** The answer of an outcome, or a failed assertion naming the error that ended the stream. */
export function answered (outcome: RawOutcome): JoinResponse {
  if (outcome.response == null) throw new Error(`expected an answer from the bootstrap, the stream ended with ${outcome.error.name}: ${outcome.error.message}`)
  return outcome.response
}

/**
 * Reads one sample of a Prometheus text exposition, e.g.
 * `sample(text, 'peerhive_protocol_requests_total', { protocol: '/peerhive/join/1.0.0', outcome: 'ok' })`;
 * 0 when the series has no sample.
 */
export function sample (text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line.trim())
    if (m == null || m[1] !== name) continue
    const have: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) have[l[1]] = l[2]
    if (Object.entries(labels).every(([k, v]) => have[k] === v) && Object.keys(have).length === Object.keys(labels).length) return Number(m[3])
  }
  return 0
}
