/**
 * `peerhive demo` (`npm run demo`): a whole network on loopback in one
 * process (a bootstrap, three subnets of four peers, six providers) and a
 * narrated script: the election, a nearest-first search, a multi-source
 * download, a Mandelbrot job on the providers and its PNG. Then it keeps
 * running until Ctrl-C, which stops every node and removes its data.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { electionStep } from './election-step.js'
import { dhtStep, downloadStep, searchStep } from './files-step.js'
import { computeStep, imageStep } from './compute-step.js'
import { DemoNetwork, HOSTS, PROVIDER_HOSTS, SUBNETS } from './network.js'
import { Narrator, seconds } from './narrator.js'
import { USER_PEER, type DemoContext } from './context.js'
import { InvalidOptionError } from '../../src/core/index.js'
import { PNG_NAME, type DemoOptions } from './command.js'

/** A clean stop that takes longer than this ends the process anyway. */
const STOP_DEADLINE_MS = 15_000
/** A second signal this soon after the first is the same Ctrl-C, forwarded (by npm or bin/peerhive.js). */
const DUPLICATE_SIGNAL_MS = 1_500

class InterruptedError extends Error {
  override name = 'InterruptedError'
  constructor (readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`)
  }
}

/**
 * Runs the demo; resolves with the exit code: 0 when the script ran (and,
 * unless exitAfterScript, a signal stopped it afterwards), 130 when a signal
 * interrupted the script, 1 when a step failed.
 */
export async function runDemo (opts: DemoOptions = {}): Promise<number> {
  const say = new Narrator(process.stdout)
  const { dir, keep } = await dataFolder(opts.dir)
  const pngPath = resolve(opts.out ?? '.', PNG_NAME)
  const net = new DemoNetwork(dir)
  const controller = new AbortController()
  const interrupted = Promise.withResolvers<never>()
  interrupted.promise.catch(() => {})
  let signalled: { signal: NodeJS.Signals, at: number } | undefined
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled != null) {
      if (Date.now() - signalled.at < DUPLICATE_SIGNAL_MS) return
      process.stderr.write(`second ${signal}: exiting now${keep ? '' : ` (${dir} is left behind)`}\n`)
      process.exit(130)
    }
    signalled = { signal, at: Date.now() }
    const err = new InterruptedError(signal)
    controller.abort(err)
    interrupted.reject(err)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  const ctx: DemoContext = { net, say, signal: controller.signal, dir, pngPath, files: [] }
  say.say(say.paint('bold', `peerhive demo: a bootstrap and ${SUBNETS.length * HOSTS.length} peers (${SUBNETS.length * PROVIDER_HOSTS.length} of them providers) in ${SUBNETS.length} subnets on loopback, all in this process`))
  say.say(`data: ${dir} ${say.paint('dim', keep ? '(kept at exit)' : '(removed at exit)')}`)

  let code = 0
  let scriptDone = false
  const started = performance.now()
  const script = (async () => {
    await electionStep(ctx)
    await searchStep(ctx)
    await downloadStep(ctx)
    const id = await computeStep(ctx)
    await imageStep(ctx, id)
    await dhtStep(ctx)
  })()
  script.catch(() => {})
  try {
    // a signal ends the script at once, even while a step waits on something that takes no AbortSignal
    await Promise.race([script, interrupted.promise])
    finale(ctx, opts.exitAfterScript !== true)
    scriptDone = true
    say.say()
    say.say(say.paint('bold', `The scripted part took ${seconds(performance.now() - started)}.`))
    if (opts.exitAfterScript !== true) {
      say.say(`Press Ctrl-C to stop. ${say.paint('dim', '(every node stops cleanly and the data folder is removed)')}`)
      await interrupted.promise
    }
  } catch (err: any) {
    if (err instanceof InterruptedError) {
      // a signal after the script is the expected way out; during it, the run is incomplete
      code = scriptDone ? 0 : 130
    } else {
      code = 1
      process.stderr.write(`\ndemo failed: ${String(err?.stack ?? err?.message ?? err)}\n`)
    }
  }
  await shutdown(ctx, keep, signalled?.signal)
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
  return code
}

/** Step 7: where to watch the network while the demo keeps running. */
function finale (ctx: DemoContext, waiting: boolean): void {
  const { net, say } = ctx
  const bootstrap = net.bootstrap
  say.section(7, 'Watch it')
  const dashboard = bootstrap?.dashboardUrl
  if (dashboard != null) say.line(`dashboard   ${say.paint('bold', dashboard)}  ${say.paint('dim', '(network map, providers, jobs)')}`)
  else say.line(`dashboard   ${say.paint('dim', 'none: this build\'s bootstrap serves no web dashboard')}`)
  say.line(`metrics     ${bootstrap?.metricsUrl ?? '-'}`)
  say.line(`local API   ${bootstrap?.apiUrl ?? '-'}  ${say.paint('dim', `(token in ${join(ctx.dir, 'bootstrap', 'api.token')})`)}`)
  if (waiting) {
    say.say()
    say.line('From another terminal, in this folder, while the demo runs:')
    say.line(`  npx peerhive subnets --data ${join(ctx.dir, 'bootstrap')}`)
    say.line(`  npx peerhive providers --data ${join(ctx.dir, 'bootstrap')}`)
    say.line(`  npx peerhive search river --all --data ${join(ctx.dir, 'peers', USER_PEER)}`)
  }
}

/** Stops every node and removes the data folder (unless it was given); bounded by STOP_DEADLINE_MS. */
async function shutdown (ctx: DemoContext, keep: boolean, signal?: NodeJS.Signals): Promise<void> {
  const { net, say, dir } = ctx
  const count = net.peers.length + (net.bootstrap != null ? 1 : 0)
  say.say()
  say.say(`${signal != null ? `${signal}: ` : ''}stopping ${count} nodes…`)
  const started = performance.now()
  const force = setTimeout(() => {
    process.stderr.write(`a clean stop took over ${STOP_DEADLINE_MS / 1000} s; exiting${keep ? '' : ` (${dir} is left behind)`}\n`)
    process.exit(1)
  }, STOP_DEADLINE_MS)
  force.unref()
  const { stopped, errors } = await net.stop()
  for (const e of errors) process.stderr.write(`error while stopping ${e}\n`)
  if (!keep) await rm(dir, { recursive: true, force: true })
  clearTimeout(force)
  say.say(`stopped ${stopped} nodes in ${seconds(performance.now() - started)}; ${keep ? `data kept in ${dir}` : `removed ${dir}`}`)
}

/** The demo's data folder: a new temporary one, or the one given (new or empty, since old identities would restore an old network). */
async function dataFolder (given?: string): Promise<{ dir: string, keep: boolean }> {
  if (given == null) return { dir: await mkdtemp(join(tmpdir(), 'peerhive-demo-')), keep: false }
  const dir = resolve(given)
  await mkdir(dir, { recursive: true })
  if ((await readdir(dir)).length > 0) {
    throw new InvalidOptionError(`--dir ${dir} is not empty; give a new or empty folder (the demo would otherwise restart an old network)`)
  }
  return { dir, keep: true }
}
