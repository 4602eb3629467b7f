/**
 * Benchmark child: hosts dispatch-benchmark providers. Each is a plain
 * libp2p node (TCP, Noise, Yamux) that speaks /peerhive/work/1.0.0 to the
 * bootstrap the way a provider does, but runs nothing: every unit it
 * fetches is "empty" and reported at once, with the same output hash, so
 * the figure is the bootstrap's dispatch, report and validation rate.
 */
import { createHash } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import { WIRE_VERSION, requestResponse } from '../../src/core/index.js'
import { PROTOCOL_WORK } from '../../src/protocols/index.js'
import { WorkRequest, WorkResponse, ReplicaResult } from '../../src/pb/work.js'
import { serveParent } from './proc.js'
import { createBareNode } from './yardstick.js'
import type { Libp2p } from 'libp2p'

const EMPTY_HASH = createHash('sha256').update('peerhive/unit-output/1\0').update(new Uint8Array(8)).digest()
const MAX_RESPONSE_BYTES = 1024 * 1024

interface Provider { node: Libp2p, fetched: number, reported: number, requests: number, errors: string[] }

const providers: Provider[] = []
let stopping = false
let running = false

async function exchange (p: Provider, bootstrap: string, request: Partial<WorkRequest>): Promise<WorkResponse> {
  const signal = AbortSignal.timeout(10_000)
  const stream = await p.node.dialProtocol(multiaddr(bootstrap), PROTOCOL_WORK, { signal })
  p.requests++
  const res = await requestResponse(stream, {
    version: WIRE_VERSION, kind: WorkRequest.Kind.FETCH, cpus: 64, maxMemoryMb: 4096, apps: [], maxUnits: 0, results: [], ...request
  }, WorkRequest, WorkResponse, { maxInboundBytes: MAX_RESPONSE_BYTES, signal })
  if (res.error !== WorkResponse.Error.NONE) throw new Error(`${res.error}: ${res.message}`)
  return res
}

/** Fetches and reports until told to stop or the bootstrap has had no work for `idleStopMs`. */
async function work (p: Provider, bootstrap: string, batch: number): Promise<void> {
  await exchange(p, bootstrap, {
    kind: WorkRequest.Kind.HELLO,
    host: { cpuModel: 'bench', cores: 64, cpuMhz: 3000, os: 'bench', memoryMb: 65536, freeDiskMb: 65536, network: 'loopback', bandwidthBps: 0 }
  })
  while (!stopping) {
    try {
      const res = await exchange(p, bootstrap, { kind: WorkRequest.Kind.FETCH, maxUnits: batch })
      if (res.units.length === 0) {
        await new Promise(resolve => setTimeout(resolve, Math.min(200, Math.max(10, res.retryMs))))
        continue
      }
      p.fetched += res.units.length
      const results = res.units.map(u => ({ replicaId: u.replicaId, outcome: ReplicaResult.Outcome.OK, outputHash: EMPTY_HASH, outputBytes: 0, wallMs: 0, error: '' }))
      const ack = await exchange(p, bootstrap, { kind: WorkRequest.Kind.REPORT, results })
      p.reported += ack.accepted
    } catch (err: any) {
      if (p.errors.length < 5) p.errors.push(String(err?.message ?? err))
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  }
}

serveParent({
  /** Starts `count` providers on `ips` (one each) and connects them to the bootstrap. */
  start: async ({ ips, bootstrap }: { ips: string[], bootstrap: string }) => {
    for (const ip of ips) {
      const node = await createBareNode([`/ip4/${ip}/tcp/0`])
      await node.start()
      await node.dial(multiaddr(bootstrap))
      providers.push({ node, fetched: 0, reported: 0, requests: 0, errors: [] })
    }
    return { started: providers.length }
  },
  /** Starts the providers' loops (once: later jobs are picked up by the same loops). */
  run: async ({ bootstrap, batch }: { bootstrap: string, batch: number }) => {
    if (running) return true
    running = true
    for (const p of providers) void work(p, bootstrap, batch)
    return true
  },
  stats: () => ({
    fetched: providers.reduce((n, p) => n + p.fetched, 0),
    reported: providers.reduce((n, p) => n + p.reported, 0),
    requests: providers.reduce((n, p) => n + p.requests, 0),
    errors: providers.flatMap(p => p.errors).slice(0, 10)
  }),
  stop: async () => {
    stopping = true
    await Promise.all(providers.map(async p => p.node.stop()))
    return true
  }
}, 600_000)
