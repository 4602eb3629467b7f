/**
 * One request on a new stream, over an open connection between two
 * processes on loopback: peerhive's openRequestChannel, which proposes the
 * protocol together with the request (src/core/request-stream.ts), against
 * libp2p's dialProtocol, which waits for the listener to confirm the
 * protocol first (the yardstick). Both ask the same bare libp2p echo server
 * (TCP, Noise, Yamux) with a 64-byte message, alternating, in one run.
 *
 * Goal: the proposal saves the confirmation's round trip, so
 * `ratio.p50` (peerhive / libp2p) is well below 1.
 *
 * Env: BENCH_REQUEST_STREAM_N (requests per kind, 500).
 * Writes benchmarks/results/request-stream.json and prints it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { openRequestChannel, requestResponse } from '../src/core/index.js'
import { now } from './lib/clock.js'
import { ROOT } from './lib/cli-bootstrap.js'
import { positiveEnv } from './lib/env.js'
import { Harness } from './lib/harness.js'
import { Child } from './lib/proc.js'
import { round, summarize } from './lib/stats.js'
import { ECHO_PROTOCOL, createBareNode, echoOnce } from './lib/yardstick.js'
import type { Libp2p } from 'libp2p'

const N = Math.floor(positiveEnv('BENCH_REQUEST_STREAM_N', 500))
const WARMUP = 50
const PAYLOAD_BYTES = 64
const RESULT_FILE = join(ROOT, 'benchmarks', 'results', 'request-stream.json')
const lib = (file: string): string => new URL(`./lib/${file}`, import.meta.url).pathname
const bytes = { encode: (b: Uint8Array) => b, decode: (b: any) => b.subarray() as Uint8Array }

const result: Record<string, any> = {
  benchmark: 'request-stream',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, loadavgAtStart: loadavg().map(x => round(x)) }
}

/** One request with the protocol proposed alongside it. */
async function proposedOnce (client: Libp2p, target: string, payload: Uint8Array): Promise<number> {
  const signal = AbortSignal.timeout(5_000)
  const t0 = now()
  const channel = await openRequestChannel(client, multiaddr(target), ECHO_PROTOCOL, 256 * 1024, { signal })
  const back = await requestResponse(channel, payload, bytes, bytes, { maxInboundBytes: 256 * 1024, signal })
  if (back.byteLength !== payload.byteLength) throw new Error(`echo returned ${back.byteLength} bytes, sent ${payload.byteLength}`)
  return now() - t0
}

const harness = new Harness({
  name: 'request-stream',
  watchdogMs: 120_000,
  tmp: mkdtempSync(join(tmpdir(), 'peerhive-request-stream-')),
  keepTmp: false,
  write: () => {
    const text = JSON.stringify(result, null, 2)
    writeFileSync(RESULT_FILE, text)
    process.stdout.write(`${text}\n`)
  },
  onFailure: err => { result.error = err.message }
})

await harness.run(async () => {
  const echo = await Child.fork('echo-server', lib('echo-server.js'))
  const target: string = await echo.call('addr')
  const client = await createBareNode(['/ip4/127.0.0.1/tcp/0'])
  await client.start()
  const payload = new Uint8Array(PAYLOAD_BYTES).fill(7)
  for (let i = 0; i < WARMUP; i++) {
    await echoOnce(client, target, payload)
    await proposedOnce(client, target, payload)
  }
  const libp2pMs: number[] = []
  const proposedMs: number[] = []
  // alternating, so the machine's moods fall on both alike
  for (let i = 0; i < N; i++) {
    libp2pMs.push(await echoOnce(client, target, payload))
    proposedMs.push(await proposedOnce(client, target, payload))
  }
  const yardstick = summarize(libp2pMs)
  const peerhive = summarize(proposedMs)
  result.what = `one ${PAYLOAD_BYTES}-byte request and its echo on a new stream over an open connection between two processes on loopback (open the stream, write, read the answer, close), ${N} of each kind alternating after ${WARMUP} of each to warm up`
  result.yardstick = { what: 'libp2p dialProtocol: the request waits for the listener to confirm the protocol', ms: yardstick }
  result.peerhive = { what: 'openRequestChannel: the protocol is proposed with the request; the confirmation is read before the answer', ms: peerhive }
  result.ratio = { p50: round((peerhive?.p50 ?? NaN) / (yardstick?.p50 ?? NaN), 3), p99: round((peerhive?.p99 ?? NaN) / (yardstick?.p99 ?? NaN), 3) }
  result.goal = { rule: 'ratio.p50 < 1 (the confirmation round trip saved)', met: result.ratio.p50 < 1 }
  result.machine.loadavgAtEnd = loadavg().map(x => round(x))
  await client.stop()
  await echo.shutdown(5_000)
})
