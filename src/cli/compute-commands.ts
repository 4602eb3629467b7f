import { resolve } from 'node:path'
import { type Command, type Option } from 'commander'
import { callApi, callApiLines } from '../api/index.js'
import { EXIT, formatJobList, formatJobStatus, formatProviders, jobProgressNote, printJson } from './output.js'
import { ProgressBar } from './progress-bar.js'

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
The job file format is in protocols/compute.md (examples/mandelbrot.json is one).

Example:
  id=$(peerhive job submit --data ./peer examples/mandelbrot.json)
  peerhive job status --data ./peer $id
  peerhive job results --data ./peer $id -o ./results
Run peerhive job <command> --help for a command's options.`)

  job.command('submit')
    .description('check a job file, share its app and inputs, and submit it; prints the job id')
    .argument('<job.json>', 'the job file (protocols/compute.md); its paths are relative to its folder')
    .addOption(dataOption())
    .option('--wait', 'follow the job (a progress bar on stderr when it is a terminal) until it ends; exit 0 when done, 1 when not', false)
    .option('--json', 'print JSON: {id}, or with --wait the final status; no progress bar', false)
    .addHelpText('after', '\nAn invalid job exits with code 2 and lists every problem.\n\nExamples:\n  peerhive job submit examples/mandelbrot.json --data ./peer --wait\n  peerhive job submit job.json --data ./peer --json | jq -r .id')
    .action(async (file: string, opts) => {
      const dataDir = resolve(opts.data)
      const { id } = await callApi(dataDir, 'POST', '/v1/jobs/submit', { path: resolve(file) })
      if (opts.wait !== true) {
        if (opts.json === true) printJson({ id })
        else process.stdout.write(`${id}\n`)
        return
      }
      if (opts.json !== true) process.stderr.write(`job ${id} submitted\n`)
      const status = await follow(dataDir, id, opts.json !== true)
      if (opts.json === true) printJson(status)
      else process.stdout.write(formatJobStatus(status) + '\n')
      if (status.state !== 'done') process.exitCode = EXIT.ERROR
    })

  job.command('status')
    .description('a job\'s state, its units by state, progress and ETA')
    .argument('<id>', 'the job id that submit printed')
    .addOption(dataOption())
    .option('--json', 'print JSON', false)
    .addHelpText('after', '\nExample:\n  peerhive job status --data ./peer <id> --json | jq .progress')
    .action(async (id: string, opts) => {
      const status = await callApi(resolve(opts.data), 'POST', '/v1/jobs/status', { id })
      if (opts.json === true) printJson(status)
      else process.stdout.write(formatJobStatus(status) + '\n')
    })

  job.command('results')
    .description('write the outputs of a job\'s valid units into a folder, in unit order (unit-000000.stdout, unit-000000/<file>, results.json, image.png)')
    .argument('<id>', 'the job id')
    .addOption(dataOption())
    .requiredOption('-o, --output <dir>', 'folder to write the results into, created when missing (required)')
    .option('--json', 'print results.json\'s content; no progress bar', false)
    .addHelpText('after', '\nA progress bar is drawn on stderr when it is a terminal. A job with units that are not\nvalid (yet) writes the valid ones and exits with code 1.\n\nExample:\n  peerhive job results --data ./peer <id> -o ./results')
    .action(async (id: string, opts) => {
      const outDir = resolve(opts.output)
      const bar = new ProgressBar(process.stderr, opts.json !== true, 'count')
      let result: any
      for await (const line of callApiLines(resolve(opts.data), '/v1/jobs/results', { id, outDir }, { timeoutMs: null })) {
        if (line.unit != null) bar.update(line.written, line.total, `unit ${line.unit.index}`)
        if (line.result != null) result = line.result
      }
      bar.done()
      if (result == null) throw new Error('the daemon ended without a result')
      if (opts.json === true) {
        printJson(result)
      } else {
        const extras = ['results.json', ...(result.image != null ? [result.image] : [])].join(', ')
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
        if (err.name === 'NotFound') throw Object.assign(new Error(`the node at ${dataDir} cannot remove providers (it has no admin route): run this with the bootstrap's --data, or from a daemon`), { name: 'UsageError' })
        throw err
      }
      if (opts.json === true) printJson(res)
      else process.stdout.write(`${typeof res?.message === 'string' && res.message !== '' ? res.message : `${opts.ban === true ? 'banned' : 'removed'} ${peer}`}\n`)
    })
}

/** Follows a job until it ends, drawing a progress bar on a terminal; answers the final status. */
async function follow (dataDir: string, id: string, showBar: boolean): Promise<any> {
  const bar = new ProgressBar(process.stderr, showBar, 'count')
  let last: any
  for await (const status of callApiLines(dataDir, '/v1/jobs/watch', { id }, { timeoutMs: null })) {
    last = status
    bar.update(status.unitStates?.valid ?? 0, status.units, jobProgressNote(status))
    if (FINAL.has(status.state)) break
  }
  bar.done()
  if (last == null || !FINAL.has(last.state)) throw new Error(`the daemon stopped following job ${id} before it ended (see: peerhive job status ${id})`)
  return last
}
