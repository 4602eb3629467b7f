/**
 * Benchmark child: one peerhive provider. It shares a file through a
 * ShareStore (in memory) and serves it with TransferServer on the product's
 * libp2p stack, listening on the address the parent gives.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createStack } from '../../src/core/index.js'
import { ShareStore } from '../../src/sharing/index.js'
import { TransferServer } from '../../src/sharing/transfer/index.js'
import { now } from './clock.js'
import { serveParent } from './proc.js'
import type { Libp2p } from 'libp2p'

let node: Libp2p<any> | undefined
let store: ShareStore | undefined
let server: TransferServer | undefined
let bytesOut = 0
const outcomes: Record<string, number> = {}

serveParent({
  /** Shares `file`, starts serving on `ip`; answers the PeerId, the multiaddrs and the CID. */
  start: async ({ file, ip }: { file: string, ip: string }) => {
    node = await createStack({ privateKey: await generateKeyPair('Ed25519'), listen: [`/ip4/${ip}/tcp/0`], isBootstrap: false, peerTimeoutMs: 60_000 })
    await node.start()
    store = new ShareStore(':memory:')
    const t0 = now()
    const [shared] = await store.share([file])
    const shareMs = now() - t0
    server = new TransferServer(node, store, {
      onBytes: (direction, bytes) => { if (direction === 'out') bytesOut += bytes },
      onRequest: outcome => { outcomes[outcome] = (outcomes[outcome] ?? 0) + 1 }
    })
    await server.start()
    return { peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(a => a.toString()), cid: shared.cid, shareMs }
  },
  /** bytes sent, requests answered so far by outcome, and this process's CPU seconds */
  stats: () => {
    const cpu = process.cpuUsage()
    return { bytesOut, outcomes, cpuS: (cpu.user + cpu.system) / 1e6 }
  },
  stop: async () => {
    await server?.stop()
    store?.close()
    await Promise.race([node?.stop(), new Promise(resolve => setTimeout(resolve, 5_000))])
    return true
  }
}, 600_000)
