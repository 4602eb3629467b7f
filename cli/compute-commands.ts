import { basename, resolve } from 'node:path'
import { InvalidArgumentError, Option, type Command } from 'commander'
import { callApi, callApiLines } from '../src/api/client.js'
import { BOOTSTRAP_UNREACHABLE_MS, formatDuration } from '../src/compute/client/bootstrap-retry.js'
import { BootstrapUnreachableError } from '../src/compute/client/errors.js'
import { UsageError } from './errors.js'
import { EXIT, formatJobList, formatJobStatus, formatProviders, jobProgressNote, printJson } from './format/output.js'
import { ProgressBar } from './format/progress-bar.js'

const FINAL = new Set(['done', 'failed', 'cancelled'])

/**
 * The volunteer-computing commands: register, unregister, job submit |
 * status | results | cancel, jobs, providers, admin remove. Each talks to
 * the local API of the node whose data directory --data names.
 */
export function registerComputeCommands (program: Command, dataOption: () => Option): void {
  program.command('register')
    .description('register this node\'s PeerId as a provider of USER at the bootstrap; prints the user_serial_id')
    .addOption(dataOption())
    .requiredOption('--user <name>', 'user name to link this node to (required)')
    .option('--email <address>', 'the user\'s e-mail address (default: none)')
    .option('--json', 'print JSON: {user, userSerialId}', false)
    .addHelpText('after', '\nRun it with the --data of the provider daemon (peerhive daemon --provider).\n\nExample:\n  peerhive register --data ./worker --user alice --email alice@example.org')
    .action(async opts => {
      const res = await callApi(resolve(opts.data), 'POST', '/v1/register', { user: opts.user, email: opts.email })
      if (opts.json === true) printJson(res)
      else process.stdout.write(`user_serial_id ${res.userSerialId}  (user ${res.user})\n`)
    })

  program.command('unregister')
    .description('delete this node\'s provider registration at the bootstrap (its running jobs are cancelled)')
    .addOption(dataOption())
    .option('--json', 'print the bootstrap\'s answer as JSON', false)
    .addHelpText('after', '\nExample:\n  peerhive unregister --data ./worker')
    .action(async opts => {
      const res = await callApi(resolve(opts.data), 'POST', '/v1/unregister')
      if (opts.json === true) printJson(res)
      else process.stdout.write(`unregistered${res.message != null && res.message !== '' ? `: ${res.message}` : ''}\n`)
    })

  const job = program.command('job')
    .description('submit jobs, follow them, collect their results')
    .addHelpText('after', `
The job file format is in protocols/compute.md (examples/mandelbrot-job.json is one).

Example:
  id=$(peerhive job submit --data ./peer examples/mandelbrot-job.json)
  peerhive job status --data ./peer $id
  peerhive job results --data ./peer $id -o ./results
Run peerhive job <command> --help for a command's options.`)

  job.command('submit')
    .description('check a job file, share its app and inputs, and submit it; prints the job id')
    .argument('<job.json>', 'the job file (protocols/compute.md); its paths are relative to its folder')
    .addOption(dataOption())
    .option('--wait', 'follow the job (a progress bar on stderr when it is a terminal) until it ends; exit 0 when done, 1 when not', false)
    .addOption(giveUpOption())
    .option('--json', 'print JSON: {id}; with --wait, {id} on the first line as soon as the job is accepted, then the final status on one line; no progress bar', false)
    .addHelpText('after', `
An invalid job exits with code 2 and lists every problem. The job id is printed
as soon as the bootstrap accepts the job. While the bootstrap is unreachable
(a restart), --wait retries with back-off; it exits 1 only once the bootstrap has
been unreachable for --give-up-after ms, naming the command that follows the job later.

Examples:
  peerhive job submit examples/mandelbrot-job.json --data ./peer --wait
  peerhive job submit job.json --data ./peer --json | jq -r .id`)
    .action(async (file: string, opts) => {
      const dataDir = resolve(opts.data)
      const { id } = await callApi(dataDir, 'POST', '/v1/jobs/submit', { path: resolve(file) })
      if (opts.wait !== true) {
        if (opts.json === true) printJson({ id })
        else process.stdout.write(`${id}\n`)
        return
      }
      // the id first, one line, so that it is known even if the wait ends badly
      process.stdout.write(opts.json === true ? JSON.stringify({ id }) + '\n' : `${id}\n`)
      await waitAndPrint(dataDir, id, opts)
    })

  job.command('status')
    .description('a job\'s state, its units by state, progress and ETA; with --wait, follow it until it ends')
    .argument('<id>', 'the job id that submit printed')
    .addOption(dataOption())
    .option('--wait', 'follow the job (a progress bar on stderr when it is a terminal) until it ends; exit 0 when done, 1 when not', false)
    .addOption(giveUpOption())
    .option('--json', 'print JSON (with --wait, the final status on one line)', false)
    .addHelpText('after', '\nExamples:\n  peerhive job status --data ./peer <id> --json | jq .progress\n  peerhive job status --data ./peer <id> --wait')
    .action(async (id: string, opts) => {
      const dataDir = resolve(opts.data)
      if (opts.wait === true) {
        await waitAndPrint(dataDir, id, opts)
        return
      }
      const status = await callApi(dataDir, 'POST', '/v1/jobs/status', { id })
      if (opts.json === true) printJson(status)
      else process.stdout.write(formatJobStatus(status) + '\n')
    })

  job.command('results')
    .description('write the outputs of a job\'s valid units into a folder, in unit order (unit-000000.stdout, unit-000000/<file>, results.json, image.png)')
    .argument('<id>', 'the job id')
    .addOption(dataOption())
    .requiredOption('-o, --output <dir>', 'folder to write the results into, created when missing (required)')
    .addOption(giveUpOption())
    .option('--json', 'print results.json\'s content; no progress bar', false)
    .addHelpText('after', '\nA progress bar is drawn on stderr when it is a terminal. A job with units that are not\nvalid (yet) writes the valid ones and exits with code 1.\n\nExample:\n  peerhive job results --data ./peer <id> -o ./results')
    .action(async (id: string, opts) => {
      const outDir = resolve(opts.output)
      const bar = new ProgressBar(process.stderr, opts.json !== true, 'count')
      const dataDir = resolve(opts.data)
      const outage = new OutageNote()
      let result: any
      try {
        for await (const line of callApiLines(dataDir, '/v1/jobs/results', { id, outDir, unreachableMs: opts.giveUpAfter }, { timeoutMs: null })) {
          if (line.retrying != null) { outage.retrying(line.retrying); continue }
          outage.answered()
          if (line.unit != null) bar.update(line.written, line.total, `unit ${line.unit.index}`)
          if (line.result != null) result = line.result
        }
      } catch (err: any) {
        bar.done()
        if (err.name === 'BootstrapUnreachableError') throw new BootstrapUnreachableError(`${err.message}; collect its results later with: peerhive job results ${id} --data ${dataDir} -o ${outDir}`, err.unreachableForMs ?? 0)
        throw err
      }
      bar.done()
      if (result == null) throw new Error('the daemon ended without a result')
      if (opts.json === true) {
        printJson(result)
      } else {
        // the image's full path is in --json; here it sits in the folder just named
        const extras = ['results.json', ...(result.image != null ? [basename(result.image)] : [])].join(', ')
        process.stdout.write(`${result.units.length} unit(s) written to ${result.outDir ?? outDir} (${extras})\n`)
      }
      if (result.complete !== true) {
        const missing: Array<{ index: number, state: string }> = result.missing ?? []
        const shown = missing.slice(0, 10).map(m => `${m.index} (${m.state})`).join(', ')
        process.stderr.write(`job ${id} is ${String(result.state)}: ${missing.length} unit(s) not valid${shown !== '' ? `: ${shown}${missing.length > 10 ? ', ...' : ''}` : ''}\n`)
        process.exitCode = EXIT.ERROR
      }
    })

  job.command('cancel')
    .description('cancel a job of this node\'s')
    .argument('<id>', 'the job id')
    .addOption(dataOption())
    .option('--json', 'print JSON', false)
    .addHelpText('after', '\nExample:\n  peerhive job cancel --data ./peer <id>')
    .action(async (id: string, opts) => {
      const res = await callApi(resolve(opts.data), 'POST', '/v1/jobs/cancel', { id })
      if (opts.json === true) printJson(res)
      else process.stdout.write(`job ${id} ${res.status?.state ?? 'cancelled'}\n`)
    })

  program.command('jobs')
    .description('the jobs this node submitted, as the bootstrap knows them')
    .addOption(dataOption())
    .option('--json', 'print JSON', false)
    .addHelpText('after', '\nExample:\n  peerhive jobs --data ./peer')
    .action(async opts => {
      const jobs = await callApi(resolve(opts.data), 'GET', '/v1/jobs')
      if (opts.json === true) printJson(jobs)
      else process.stdout.write(formatJobList(jobs) + '\n')
    })

  program.command('providers')
    .description('the providers the bootstrap knows: registration, host info, state and history')
    .addOption(dataOption())
    .option('--json', 'print JSON', false)
    .addHelpText('after', '\nExamples:\n  peerhive providers --data ./boot\n  peerhive providers --data ./peer --json | jq -r \'.[] | select(.state == "active") | .peerId\'')
    .action(async opts => {
      const providers = await callApi(resolve(opts.data), 'GET', '/v1/providers')
      if (opts.json === true) printJson(providers)
      else process.stdout.write(formatProviders(providers) + '\n')
    })

  const admin = program.command('admin')
    .description('bootstrap operator commands')
    .addHelpText('after', '\nRun peerhive admin <command> --help for a command\'s options.')
  admin.command('remove')
    .description('remove a provider (and with --ban, refuse it from now on); run with the bootstrap\'s --data, or from a node whose PeerId is in the bootstrap\'s admin list')
    .argument('<peerId>', 'the provider\'s PeerId')
    .addOption(dataOption())
    .option('--ban', 'also ban the PeerId: its connections are refused', false)
    .option('--json', 'print JSON', false)
    .addHelpText('after', '\nExamples:\n  peerhive admin remove --data ./boot 12D3KooW...\n  peerhive admin remove --data ./boot 12D3KooW... --ban')
    .action(async (peer: string, opts) => {
      const dataDir = resolve(opts.data)
      let res: any
      try {
        res = await callApi(dataDir, 'POST', '/v1/admin/remove', { peer, ban: opts.ban === true })
      } catch (err: any) {
        if (err.name === 'NotFound') throw new UsageError(`the node at ${dataDir} cannot remove providers (it has no admin route): run this with the bootstrap's --data, or from a daemon`)
        throw err
      }
      if (opts.json === true) printJson(res)
      else process.stdout.write(`${typeof res?.message === 'string' && res.message !== '' ? res.message : `${opts.ban === true ? 'banned' : 'removed'} ${peer}`}\n`)
    })
}

/** --give-up-after: how long a wait rides out an unreachable bootstrap. */
function giveUpOption (): Option {
  return new Option('--give-up-after <ms>', `give up (exit 1) once the bootstrap has been unreachable this long (default: ${BOOTSTRAP_UNREACHABLE_MS} ms, ${formatDuration(BOOTSTRAP_UNREACHABLE_MS)})`)
    .argParser(value => {
      const ms = Number(value)
      if (!Number.isSafeInteger(ms) || ms < 0) throw new InvalidArgumentError('a whole number of ms, 0 or more')
      return ms
    })
}

/** Follows job `id` to its end and prints its final status; exit code 1 when it did not end done. */
async function waitAndPrint (dataDir: string, id: string, opts: { json?: boolean, giveUpAfter?: number }): Promise<void> {
  const status = await follow(dataDir, id, opts.json !== true, opts.giveUpAfter)
  if (opts.json === true) process.stdout.write(JSON.stringify(status) + '\n')
  else process.stdout.write(formatJobStatus(status) + '\n')
  if (status.state !== 'done') process.exitCode = EXIT.ERROR
}

/** Follows a job until it ends, drawing a progress bar on a terminal; answers the final status. */
async function follow (dataDir: string, id: string, showBar: boolean, unreachableMs?: number): Promise<any> {
  const bar = new ProgressBar(process.stderr, showBar, 'count')
  const outage = new OutageNote()
  let last: any
  try {
    for await (const line of callApiLines(dataDir, '/v1/jobs/watch', { id, unreachableMs }, { timeoutMs: null })) {
      if (line.retrying != null) { outage.retrying(line.retrying); continue }
      outage.answered()
      last = line
      bar.update(line.unitStates?.valid ?? 0, line.units, jobProgressNote(line))
      if (FINAL.has(line.state)) break
    }
  } catch (err: any) {
    bar.done()
    if (err.name === 'BootstrapUnreachableError') throw new BootstrapUnreachableError(`${err.message} — follow it later with: peerhive job status ${id} --data ${dataDir} --wait`, err.unreachableForMs ?? 0)
    throw err
  }
  bar.done()
  if (last == null || !FINAL.has(last.state)) throw new Error(`the daemon stopped following job ${id} before it ended (see: peerhive job status ${id})`)
  return last
}

/** Says once on stderr that the bootstrap is unreachable and retried, and once that it answers again. */
class OutageNote {
  private down = false

  retrying (r: { message: string, retryInMs: number }): void {
    if (this.down) return
    this.down = true
    process.stderr.write(`peerhive: the bootstrap is unreachable (${r.message}); retrying with back-off\n`)
  }

  answered (): void {
    if (!this.down) return
    this.down = false
    process.stderr.write('peerhive: the bootstrap answers again\n')
  }
}
