/**
 * Steps 4 and 5: the user's peer submits a Mandelbrot job; the providers
 * pull its units, run them in the WebAssembly sandbox and send the outputs
 * back; the bootstrap validates each unit by quorum; the owner assembles
 * the bands into a PNG.
 */
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { appPath, mandelbrotUnits } from '../../src/compute/apps/index.js'
import { formatBytes } from '../format/output.js'
import { ProgressBar } from '../format/progress-bar.js'
import { USER_PEER, pollUntil, type DemoContext } from './context.js'
import { seconds } from './narrator.js'
import type { JobStatus } from '../../src/index.js'

/** The image and how it is cut: 24 bands of 25 rows, each band one work unit. */
export const IMAGE = { width: 800, height: 600, rowsPerUnit: 25 }
export const QUORUM = 2

export async function computeStep (ctx: DemoContext): Promise<string> {
  const { net, say, signal } = ctx
  const owner = net.peer(USER_PEER).node
  const providers = net.peers.filter(p => p.provider)
  say.section(4, 'Volunteer computing: a Mandelbrot image rendered by the providers')
  say.line(`${providers.length} providers donate one core each: ${providers.map(p => p.label).join(', ')}`)
  const registered = await pollUntil(async () => (await owner.compute.providers(signal)).filter(p => p.state === 'active' || p.state === 'working').length >= providers.length, 15_000, signal, 200)
  if (!registered) say.note('(not every provider has registered yet; the job starts with those that have)')

  const units = mandelbrotUnits({ width: IMAGE.width, height: IMAGE.height, rowsPerUnit: IMAGE.rowsPerUnit })
  const name = `demo mandelbrot ${IMAGE.width}x${IMAGE.height}`
  say.line(`${USER_PEER} submits "${name}": ${units.length} units of ${IMAGE.rowsPerUnit} rows, each run by ${QUORUM} providers;`)
  say.line(`a unit is valid when ${QUORUM} outputs agree (quorum ${QUORUM}). Outputs go from each provider straight to`)
  say.line(`${USER_PEER}; the bootstrap sees only their hashes.`)
  const submitted = performance.now()
  const id = await owner.compute.submit({
    name,
    app: appPath('mandelbrot'),
    units: units.map(args => ({ args })),
    requirements: { memoryMb: 64, diskMb: 1 },
    replication: QUORUM,
    quorum: QUORUM,
    // every unit really is computed twice, even by a provider the bootstrap has come to trust
    adaptive: false,
    deadlineMs: 30_000,
    assemble: 'mandelbrot-png'
  }, undefined, { signal })
  say.line(`job ${id} submitted`)

  const final = await follow(ctx, id)
  if (final.state !== 'done') throw new Error(`the job ended ${final.state}${final.errors?.[0] != null ? `: unit ${final.errors[0].unit}: ${final.errors[0].error}` : ''}`)
  say.line(`job done in ${seconds(performance.now() - submitted)}`)

  // which providers hold a valid output of which unit: the ones that computed it
  const results = await owner.compute.resultList(id, signal)
  const byProvider = new Map<string, number[]>()
  for (const unit of results.units) {
    for (const holder of unit.holders) byProvider.set(holder, [...(byProvider.get(holder) ?? []), unit.index])
  }
  say.say()
  say.line('Which providers ran which units (valid outputs):')
  const rows = [['provider', 'subnet', 'units', 'unit numbers']]
  for (const p of providers) {
    const done = byProvider.get(p.node.peerId) ?? []
    rows.push([p.label, p.subnet, String(done.length), done.join(' ') || '-'])
  }
  say.table(rows)
  const replicas = final.replicaStates
  const extra = Object.entries(replicas).filter(([state, n]) => state !== 'valid' && n > 0).map(([state, n]) => `${n} ${state.replace('_', ' ')}`)
  say.endSection(`${final.units} units valid, from ${replicas.valid} agreeing replicas${extra.length > 0 ? ` (also ${extra.join(', ')})` : ''}`)
  return id
}

export async function imageStep (ctx: DemoContext, id: string): Promise<void> {
  const { net, say, signal } = ctx
  say.section(5, 'The image: outputs collected in unit order and assembled into a PNG')
  const summary = await net.peer(USER_PEER).node.compute.results(id, join(ctx.dir, 'results'), { signal })
  if (summary.image == null || !summary.complete) throw new Error(`the job's results are incomplete: ${summary.missing.length} unit(s) missing`)
  await mkdir(dirname(ctx.pngPath), { recursive: true })
  await copyFile(resolve(summary.outDir ?? join(ctx.dir, 'results'), summary.image), ctx.pngPath)
  const { width, height } = pngSize(await readFile(ctx.pngPath))
  const bytes = (await stat(ctx.pngPath)).size
  say.line(`${summary.units.length} bands, ${width}x${height} pixels, ${formatBytes(bytes)}`)
  say.line(`PNG written: ${say.paint('bold', ctx.pngPath)}`)
  say.endSection('image assembled')
}

/** Follows the job: a live progress bar on a terminal, a line per change otherwise. */
async function follow (ctx: DemoContext, id: string): Promise<JobStatus> {
  const { say, signal } = ctx
  const owner = ctx.net.peer(USER_PEER).node
  const bar = new ProgressBar(say.out, true, 'count')
  let last: JobStatus | undefined
  let printed = -1
  for await (const status of owner.compute.watch(id, { intervalMs: 200, signal })) {
    last = status
    const valid = status.unitStates.valid
    const note = status.state === 'running' ? `(${status.replicaStates.assigned} replicas out)` : status.state
    if (say.tty) {
      bar.update(valid, status.units, `units valid  ${note}`)
    } else if (valid !== printed || status.state !== 'running') {
      // a line each time the count moves (or the state changes), so a log shows the pace
      say.line(`progress ${`${Math.round(status.progress * 100)}%`.padStart(4)}  ${String(valid).padStart(2)}/${status.units} units valid  ${note}`)
      printed = valid
    }
  }
  bar.done()
  if (last == null) throw new Error(`job ${id}: no status`)
  return last
}

/** Width and height from a PNG's IHDR chunk. */
export function pngSize (png: Uint8Array): { width: number, height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength)
  if (png.byteLength < 24 || new TextDecoder().decode(png.subarray(12, 16)) !== 'IHDR') throw new Error('not a PNG')
  return { width: view.getUint32(16), height: view.getUint32(20) }
}
