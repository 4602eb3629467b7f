/**
 * Benchmark "transfer": how fast a 1 GiB file downloads (SHARE-4) from one
 * provider and from four, over loopback, next to yardsticks measured in the
 * same run: one bare libp2p stream (TCP + Noise + Yamux) and one raw TCP
 * socket, each carrying the same number of bytes between two processes.
 *
 * Downloads are written to RAM (/dev/shm) for the headline figures, so that
 * they measure the transfer and not this machine's disk; one more download
 * goes to disk (the temporary folder, with its final fsync), next to a third
 * yardstick: the same bytes written to that disk and fsynced.
 *
 * Processes:
 * - four providers (lib/transfer-provider.ts), each sharing the same file
 *   through its own ShareStore and TransferServer on 127.0.60.P;
 * - one pusher (lib/transfer-pusher.ts) that sends the yardsticks' bytes;
 * - this process: the downloader (the product's stack on 127.0.60.10,
 *   download() with its defaults) and the yardsticks' receiving side.
 *
 * After one unmeasured warm-up round, each round measures every figure in
 * turn; each figure is its median round.
 * Writes benchmarks/results/transfer.json and prints it.
 * Knobs (environment): BENCH_TRANSFER_MB (file size in MiB, default 1024),
 * BENCH_TRANSFER_ROUNDS (default 3), BENCH_KEEP_TMP=1.
 */
import { randomFillSync } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createStack } from '../src/core/index.js'
import { download, type DownloadResult } from '../src/sharing/transfer/index.js'
import { now } from './lib/clock.js'
import { ROOT } from './lib/cli-bootstrap.js'
import { Child, killAll } from './lib/proc.js'
import { round } from './lib/stats.js'
import { createBareNode } from './lib/yardstick.js'
import { receiveLibp2p, receiveLibp2pToFile, receiveTcp, writeAndSync } from './lib/transfer-yardsticks.js'
import type { Libp2p } from 'libp2p'

const MiB = 1024 * 1024
const SIZE = Math.max(1, Math.floor(Number(process.env.BENCH_TRANSFER_MB ?? 1024))) * MiB
const ROUNDS = Math.max(1, Math.floor(Number(process.env.BENCH_TRANSFER_ROUNDS ?? 3)))
const PROVIDERS = 4
/** one measurement may take this long before the run fails */
const MEASURE_TIMEOUT_MS = 60_000
/** the whole run, after which every child is killed (the bench runner allows 10 minutes; the brief, 5) */
const WATCHDOG_MS = 290_000
const RESULT_FILE = join(ROOT, 'benchmarks', 'results', 'transfer.json')
const lib = (file: string): string => new URL(`./lib/${file}`, import.meta.url).pathname

const FIGURES = ['rawTcp', 'bareLibp2p', 'bareLibp2pToFile', 'oneProvider', 'fourProviders', 'diskWrite', 'oneProviderToDisk'] as const
type Figure = typeof FIGURES[number]
/** one measurement: wall time, throughput, CPU seconds of this process and of the sending processes */
interface Run { ms: number, mbPerSec: number, cpuS: number, senderCpuS: number, pieces?: Record<string, number> }

const started = now()
const tmp = mkdtempSync(join(tmpdir(), 'peerhive-bench-transfer-'))
const ramDir = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/peerhive-bench-transfer-') : undefined
const children: Child[] = []
const loadStart = loadavg()

const watchdog = setTimeout(() => {
  process.stderr.write(`transfer benchmark still running after ${WATCHDOG_MS} ms; stopping\n`)
  cleanup()
  process.exit(1)
}, WATCHDOG_MS)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    cleanup()
    process.exit(130)
  })
}

function cleanup (): void {
  killAll('SIGKILL')
  if (ramDir != null) rmSync(ramDir, { recursive: true, force: true })
  if (process.env.BENCH_KEEP_TMP !== '1') rmSync(tmp, { recursive: true, force: true })
}

/**
 * Writes `size` bytes of patterned data: a random 16 MiB block, repeated,
 * with each MiB stamped with its offset so that no two pieces are alike.
 * Real bytes on disk (not sparse), fast to make.
 */
async function makeFile (path: string, size: number): Promise<void> {
  const block = randomFillSync(Buffer.allocUnsafe(16 * MiB))
  const handle = await open(path, 'w')
  try {
    for (let offset = 0; offset < size; offset += block.byteLength) {
      for (let m = 0; m < block.byteLength; m += MiB) block.writeDoubleLE(offset + m, m)
      await handle.write(block, 0, Math.min(block.byteLength, size - offset), offset)
    }
  } finally {
    await handle.close()
  }
}

/** a / b to two decimals */
function ratio (a: number, b: number): number {
  return b > 0 ? round(a / b, 2) : NaN
}

function median (runs: Run[]): Run {
  return [...runs].sort((a, b) => a.mbPerSec - b.mbPerSec)[Math.floor((runs.length - 1) / 2)]
}

/** Runs `fn` (which returns its own ms, or a download result) and records time and CPU on both sides. */
async function measure (senders: Child[], fn: () => Promise<number | DownloadResult>): Promise<Run> {
  const senderCpu = async (): Promise<number> => (await Promise.all(senders.map(async c => (await c.call('stats')).cpuS as number))).reduce((a, b) => a + b, 0)
  const sender0 = await senderCpu()
  const cpu0 = process.cpuUsage()
  const t0 = now()
  const out = await Promise.race([
    fn(),
    new Promise<never>((_resolve, reject) => setTimeout(() => { reject(new Error(`no result within ${MEASURE_TIMEOUT_MS} ms`)) }, MEASURE_TIMEOUT_MS).unref())
  ])
  const ms = typeof out === 'number' ? out : now() - t0
  const cpu = process.cpuUsage(cpu0)
  const run: Run = {
    ms: round(ms, 1),
    mbPerSec: round(SIZE / 1e6 / (ms / 1000), 1),
    cpuS: round((cpu.user + cpu.system) / 1e6, 2),
    senderCpuS: round(await senderCpu() - sender0, 2)
  }
  if (typeof out !== 'number') run.pieces = Object.fromEntries(out.providers.map(p => [p.peerId.slice(-6), p.pieces]))
  return run
}

async function main (): Promise<void> {
  const file = join(tmp, 'shared.bin')
  const tGen = now()
  await makeFile(file, SIZE)
  process.stderr.write(`made a ${SIZE / MiB} MiB file in ${Math.round(now() - tGen)} ms\n`)

  const pusher = await Child.fork('pusher', lib('transfer-pusher.js'))
  children.push(pusher)
  const { port } = await pusher.call('tcp', { bytes: SIZE })
  const { addr: pushAddr } = await pusher.call('libp2p', { bytes: SIZE, ip: '127.0.60.20' })

  const tShare = now()
  const providers = await Promise.all(Array.from({ length: PROVIDERS }, async (_, i) => {
    const child = await Child.fork(`provider-${i + 1}`, lib('transfer-provider.js'))
    children.push(child)
    const info = await child.call('start', { file, ip: `127.0.60.${i + 1}` }, 120_000)
    return { child, ...info }
  }))
  process.stderr.write(`${PROVIDERS} providers shared the file in ${Math.round(now() - tShare)} ms\n`)
  const cid: string = providers[0].cid

  const downloader: Libp2p<any> = await createStack({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.60.10/tcp/0'], isBootstrap: false, peerTimeoutMs: 60_000 })
  await downloader.start()
  const receiver = await createBareNode(['/ip4/127.0.60.11/tcp/0'])
  await receiver.start()

  const fetch = async (from: typeof providers, dir: string): Promise<DownloadResult> => {
    const outPath = join(dir, 'download.bin')
    rmSync(outPath, { force: true })
    const result = await download({ libp2p: downloader, cid, outPath, providers: from.map(p => ({ peerId: p.peerId, addrs: p.addrs })) })
    if (result.bytes !== SIZE) throw new Error(`downloaded ${result.bytes} bytes, expected ${SIZE}`)
    rmSync(outPath, { force: true })
    return result
  }
  const ram = ramDir ?? tmp
  const toFileQueue = { peakQueuedMiB: 0 }
  const one = providers.slice(0, 1)
  const four = providers
  const measurements: Record<Figure, () => Promise<Run>> = {
    rawTcp: async () => measure([pusher], async () => receiveTcp(port, SIZE, MEASURE_TIMEOUT_MS)),
    bareLibp2p: async () => measure([pusher], async () => receiveLibp2p(receiver, pushAddr, SIZE, MEASURE_TIMEOUT_MS)),
    bareLibp2pToFile: async () => measure([pusher], async () => receiveLibp2pToFile(receiver, pushAddr, SIZE, MEASURE_TIMEOUT_MS, join(ram, 'bare.bin'), toFileQueue)),
    oneProvider: async () => measure(one.map(p => p.child), async () => fetch(one, ram)),
    fourProviders: async () => measure(four.map(p => p.child), async () => fetch(four, ram)),
    diskWrite: async () => measure([], async () => writeAndSync(join(tmp, 'disk.bin'), SIZE)),
    oneProviderToDisk: async () => measure(one.map(p => p.child), async () => fetch(one, tmp))
  }

  // one unmeasured pass, so that no figure pays for JIT warm-up and first-touch page faults
  const tWarm = now()
  for (const f of FIGURES) await measurements[f]()
  process.stderr.write(`warm-up round in ${Math.round(now() - tWarm)} ms\n`)
  const runs = Object.fromEntries(FIGURES.map(f => [f, [] as Run[]])) as Record<Figure, Run[]>
  for (let r = 1; r <= ROUNDS; r++) {
    for (const f of FIGURES) runs[f].push(await measurements[f]())
    process.stderr.write(`round ${r}: ${FIGURES.map(f => `${f} ${runs[f][r - 1].mbPerSec}`).join(', ')} (MB/s)\n`)
  }

  const served = await Promise.all(providers.map(async p => p.child.call('stats')))
  const best = Object.fromEntries(FIGURES.map(f => [f, median(runs[f])])) as Record<Figure, Run>
  const mbps = (f: Figure): number => best[f].mbPerSec
  const result = {
    benchmark: 'transfer',
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      totalMemMb: Math.round(totalmem() / MiB),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      loadavgAtStart: loadStart.map(l => round(l)),
      loadavgAtEnd: loadavg().map(l => round(l))
    },
    setup: {
      bytes: SIZE,
      file: 'patterned: a random 16 MiB block repeated, each MiB stamped with its offset (not sparse); in the page cache',
      pieceSize: MiB,
      providers: `${PROVIDERS} child processes on 127.0.60.1-${PROVIDERS}, product stack (createStack), ShareStore + TransferServer with defaults`,
      downloader: 'this process on 127.0.60.10, product stack, download() with its defaults; the time covers ping, manifest, every piece verified and written, the final fsync and rename',
      oneProvider: `download from provider 1, written to ${ramDir != null ? '/dev/shm (RAM)' : 'the temporary folder'}`,
      fourProviders: `download from all four at once, written to ${ramDir != null ? '/dev/shm (RAM)' : 'the temporary folder'}`,
      oneProviderToDisk: 'download from provider 1, written to the temporary folder on disk',
      bareLibp2p: 'one stream between a child (127.0.60.20) and this process (127.0.60.11): TCP + Noise + Yamux only, 1 MiB sends with the flow control providers use (at most one chunk queued); the receiver counts bytes; connection opened before timing',
      bareLibp2pToFile: `the same bare stream, its receiver doing what any download must and nothing of peerhive's protocol: SHA-256 of every MiB, every byte written to a new file in ${ramDir != null ? '/dev/shm (RAM)' : 'the temporary folder'}, fsync at the end`,
      rawTcp: 'one net.Socket between a child and this process on 127.0.0.1, 1 MiB writes with drain; time from connect to EOF',
      diskWrite: 'the same bytes written by this process to the temporary folder in 1 MiB writes, then fsync',
      rounds: `${ROUNDS}, after one unmeasured warm-up round`,
      unit: 'MB/s = 10^6 bytes per second; each figure is its median round; cpuS is this process, senderCpuS the provider or pusher processes'
    },
    throughputMBps: Object.fromEntries(FIGURES.map(f => [f, mbps(f)])),
    ratios: {
      oneProviderToBareLibp2p: ratio(mbps('oneProvider'), mbps('bareLibp2p')),
      fourProvidersToBareLibp2p: ratio(mbps('fourProviders'), mbps('bareLibp2p')),
      oneProviderToBareLibp2pToFile: ratio(mbps('oneProvider'), mbps('bareLibp2pToFile')),
      fourProvidersToBareLibp2pToFile: ratio(mbps('fourProviders'), mbps('bareLibp2pToFile')),
      bareLibp2pToFileToBareLibp2p: ratio(mbps('bareLibp2pToFile'), mbps('bareLibp2p')),
      bareLibp2pToRawTcp: ratio(mbps('bareLibp2p'), mbps('rawTcp')),
      oneProviderToDiskToDiskWrite: ratio(mbps('oneProviderToDisk'), mbps('diskWrite'))
    },
    cpuMsPerMiB: Object.fromEntries(FIGURES.filter(f => f !== 'diskWrite').map(f => [f, {
      receiver: round(best[f].cpuS * 1000 / (SIZE / MiB), 2),
      senders: round(best[f].senderCpuS * 1000 / (SIZE / MiB), 2)
    }])),
    goals: {
      oneProviderAtLeast08OfBare: ratio(mbps('oneProvider'), mbps('bareLibp2p')) >= 0.8,
      fourProvidersAboveOne: mbps('fourProviders') > mbps('oneProvider')
    },
    bareLibp2pToFilePeakQueuedMiB: round(toFileQueue.peakQueuedMiB, 1),
    runs,
    providersServed: served,
    durationS: round((now() - started) / 1000, 1)
  }
  mkdirSync(join(ROOT, 'benchmarks', 'results'), { recursive: true })
  writeFileSync(RESULT_FILE, JSON.stringify(result, null, 2) + '\n')
  process.stdout.write(JSON.stringify(result, null, 2) + '\n')

  await downloader.stop()
  await receiver.stop()
  await Promise.all(children.map(async c => c.shutdown(5_000)))
}

try {
  await main()
} catch (err: any) {
  process.stderr.write(`transfer benchmark failed: ${err.stack ?? err}\n`)
  process.exitCode = 1
} finally {
  clearTimeout(watchdog)
  cleanup()
}
