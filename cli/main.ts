import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { Command, InvalidArgumentError, Option } from 'commander'
// a command that only talks to a running node loads no libp2p: daemon, bootstrap and demo import the stack when they run
import { ApiError, callApi, callApiLines } from '../src/api/client.js'
import {
  DEFAULT_DAEMON_PEER_TIMEOUT_MS, DEFAULT_MEMBER_TIMEOUT_MS, DEFAULT_PEER_TIMEOUT_MS, DEFAULT_RELAY_CONNECTION_BYTES, DEFAULT_RELAY_CONNECTION_MS, DEFAULT_RELAY_SLOTS,
  DEFAULT_RESTART_GRACE_MS, DEFAULT_SUBNET_PREFIX_V4, DEFAULT_SUBNET_PREFIX_V6, DEFAULT_VS_LIMIT
} from '../src/core/constants.js'
import { EXIT, formatBytes, formatFiles, formatNoMatch, formatResult, formatStatus, formatSubnets, printJson } from './format/output.js'
import { SearchMerge } from './search-merge.js'
import { checkCid, shellQuote } from './arguments.js'
import { ProgressBar } from './format/progress-bar.js'
import { JoinReporter } from './join-reporter.js'
import { printStartup, runUntilSignal, stackOf } from './run-node.js'
import { registerComputeCommands } from './compute-commands.js'
import { registerDemoCommand } from './demo/command.js'
import { skippedSummary } from './skipped-summary.js'
import { UsageError } from './errors.js'
import { NotSharedError } from '../src/sharing/model/errors.js'
import { SEARCH_TIERS } from '../src/sharing/model/tiers.js'

/** Errors that mean the command was used wrongly (exit 2): bad options, an invalid job file. */
const USAGE_ERRORS = new Set(['InvalidOptionError', 'UsageError', 'InvalidJobError'])

/** The package's version, from package.json (two folders up from dist/cli). */
function packageVersion (): string {
  try {
    return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

/** Adds what to do to commander's own errors where it is not obvious. */
function withHint (text: string): string {
  if (text.includes("'--data <dir>' not specified")) {
    return text.trimEnd() + '\n--data names the node\'s data directory (the one its `peerhive daemon` or `peerhive bootstrap` was started with); or set PEERHIVE_DATA\n'
  }
  return text
}

const program = new Command('peerhive')
  .description('peer-to-peer node: per-subnet virtual servers, nearest-first search, volunteer computing')
  .version(packageVersion(), '-V, --version', 'print the version')
  .showHelpAfterError('(run with --help for usage)')
  .configureOutput({ outputError: (text, write) => write(withHint(text)) })
  .exitOverride()
  .addHelpText('after', `
Getting started (each in its own terminal):
  peerhive bootstrap --data ./boot --listen /ip4/127.0.0.1/tcp/4001
  peerhive daemon --data ./peer --bootstrap /ip4/127.0.0.1/tcp/4001/p2p/<bootstrap PeerId> --share ./files
  peerhive status --data ./peer

\`bootstrap\` and \`daemon\` run a node; every other command talks to the running
node whose data directory --data names (or PEERHIVE_DATA), over its local API.
Commands that print something take --json, for scripts. Progress bars are drawn
on a terminal only (stderr); piped output has none.

Exit codes:
  0  success
  1  the command failed (a download, a job that did not complete, ...)
  2  wrong usage: a bad option or argument, an invalid job file
  3  no node is running with that data directory: start one with
     peerhive daemon (or peerhive bootstrap)

Logs: DEBUG=peerhive:* (and libp2p:* namespaces) on bootstrap and daemon;
with DEBUG set, a failing command also prints the error's stack.
Run peerhive <command> --help for a command's options.`)

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]
const integer = (what: string) => (value: string): number => {
  const n = Number(value)
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${what} must be an integer`)
  return n
}
const tierList = (value: string, previous: string[] = []): string[] => {
  if (!(SEARCH_TIERS as readonly string[]).includes(value)) throw new InvalidArgumentError(`the tiers are ${SEARCH_TIERS.join(', ')}`)
  return collect(value, previous)
}
const list = (value: string): string[] => value.split(',').map(v => v.trim()).filter(v => v !== '')
const dataOption = (): Option => new Option('--data <dir>', 'the node\'s data directory (identity, API token, node.json); required').env('PEERHIVE_DATA').makeOptionMandatory()

program.command('bootstrap')
  .description('run a bootstrap: the central server that groups peers by subnet and elects virtual servers')
  .addOption(dataOption())
  .option('--listen <multiaddr>', 'listen address (repeatable) (default: /ip4/0.0.0.0/tcp/4001)', collect)
  .option('--vs-limit <n>', 'peers per virtual-server group, the virtual server included (0: no virtual servers)', integer('--vs-limit'), DEFAULT_VS_LIMIT)
  .option('--subnet-prefix <bits>', 'IPv4 prefix length that makes a subnet', integer('--subnet-prefix'), DEFAULT_SUBNET_PREFIX_V4)
  .option('--subnet-prefix-v6 <bits>', 'IPv6 prefix length that makes a subnet', integer('--subnet-prefix-v6'), DEFAULT_SUBNET_PREFIX_V6)
  .option('--allow-subnet-claims', 'accept the subnet a peer names itself (manual deployments)', false)
  .option('--peer-timeout <ms>', 'failure-detection time: a silent virtual server is dropped (and its group fails over) after this long', integer('--peer-timeout'), DEFAULT_PEER_TIMEOUT_MS)
  .option('--member-timeout <ms>', 'the same for members and central clients, pinged less often (at least --peer-timeout)', integer('--member-timeout'), DEFAULT_MEMBER_TIMEOUT_MS)
  .option('--restart-grace <ms>', 'after a restart, how long saved peers have to come back', integer('--restart-grace'), DEFAULT_RESTART_GRACE_MS)
  .option('--metrics <host:port>', 'serve Prometheus metrics at http://HOST:PORT/metrics (default: off)')
  .option('--api-port <port>', 'local API port on 127.0.0.1 (0: any free port)', integer('--api-port'), 0)
  .option('--dashboard <host:port>', 'serve the operator\'s live dashboard page at http://HOST:PORT/ (reading needs no token: bind to loopback) (default: off)')
  .addOption(new Option('--schedule <mode>', 'how work units are handed out: fcfs (priority, then first come first served) or priority (also ranks providers)').choices(['fcfs', 'priority']).default('fcfs'))
  .option('--admin <peerId>', 'a PeerId allowed to remove and ban providers, besides the bootstrap itself (repeatable) (default: none)', collect)
  .option('--relay-slots <n>', 'peers behind NAT routers this bootstrap relays for at once (0: no relay)', integer('--relay-slots'), DEFAULT_RELAY_SLOTS)
  .option('--relay-bulk', 'relay file and unit data too; off, a relayed connection carries searches and other small exchanges only', false)
  .option('--relay-kb <n>', 'without --relay-bulk: KiB one relayed connection may carry before it is closed', integer('--relay-kb'), DEFAULT_RELAY_CONNECTION_BYTES / 1024)
  .option('--relay-seconds <n>', 'without --relay-bulk: how long one relayed connection may stay open', integer('--relay-seconds'), DEFAULT_RELAY_CONNECTION_MS / 1000)
  .addHelpText('after', `
It prints its PeerId and multiaddrs; peers join with --bootstrap <multiaddr>/p2p/<PeerId>.
It runs until Ctrl-C (SIGINT) or SIGTERM.

Examples:
  peerhive bootstrap --data ./boot --listen /ip4/0.0.0.0/tcp/4001 --vs-limit 8 --metrics 127.0.0.1:9464
  peerhive bootstrap --data ./boot --dashboard 127.0.0.1:8080 --schedule priority`)
  .action(async opts => {
    const dataDir = resolve(opts.data)
    const { createBootstrap } = await import('../bootstrap/index.js')
    const node = await createBootstrap({
      dataDir,
      listen: opts.listen,
      vsLimit: opts.vsLimit,
      subnetPrefix: opts.subnetPrefix,
      subnetPrefixV6: opts.subnetPrefixV6,
      allowSubnetClaims: opts.allowSubnetClaims,
      peerTimeoutMs: opts.peerTimeout,
      memberTimeoutMs: opts.memberTimeout,
      restartGraceMs: opts.restartGrace,
      metrics: opts.metrics,
      apiPort: opts.apiPort,
      dashboard: opts.dashboard,
      schedule: opts.schedule,
      admins: opts.admin,
      relay: { slots: opts.relaySlots, bulk: opts.relayBulk, connectionBytes: opts.relayKb * 1024, connectionMs: opts.relaySeconds * 1000 }
    })
    printStartup('bootstrap', node.peerId, node.multiaddrs(), dataDir, { api: node.apiUrl, metrics: node.metricsUrl, dashboard: node.dashboardUrl })
    await runUntilSignal(async () => node.stop())
  })

program.command('daemon')
  .description('run a peer daemon that joins a bootstrap')
  .addOption(dataOption())
  .requiredOption('--bootstrap <multiaddr>', 'the bootstrap, ending with /p2p/<its PeerId> (required)')
  .option('--listen <multiaddr>', 'listen address (repeatable); a single IPv4 address is also used to dial out (default: /ip4/0.0.0.0/tcp/0)', collect)
  .option('--subnet <cidr>', 'name this node\'s subnet instead of letting the bootstrap observe it (default: the subnet the bootstrap sees)')
  .option('--peer-timeout <ms>', 'close a connection that does not answer pings for this long', integer('--peer-timeout'), DEFAULT_DAEMON_PEER_TIMEOUT_MS)
  .option('--relay-slots <n>', 'on a publicly reachable host: relay searches for this many peers behind NAT routers (0: none)', integer('--relay-slots'), 0)
  .option('--no-upnp', 'never ask the home router to forward a port to this node (UPnP IGD); by default a node behind NAT asks')
  .addOption(new Option('--dht-mode <mode>', 'serve the DHT: server (always: an operator\'s long-lived seed node), client (never) or auto (peerhive decides; today never)').choices(['auto', 'server', 'client']).default('auto'))
  .option('--metrics <host:port>', 'serve Prometheus metrics at http://HOST:PORT/metrics (default: off)')
  .option('--api-port <port>', 'local API port on 127.0.0.1 (0: any free port)', integer('--api-port'), 0)
  .option('--share <dir>', 'share a folder at start and pick up its changes (repeatable); never a peerhive data directory (default: none)', collect)
  .option('--hidden', 'with --share: include hidden files and folders (names starting with ".")', false)
  .option('--provider', 'donate CPU: pull work units from the bootstrap and run them in the sandbox', false)
  .option('--cpus <n>', 'with --provider: units run at once (default: every core)', integer('--cpus'))
  .option('--max-memory <mb>', 'with --provider: memory cap of one unit, in MiB (default: 512)', integer('--max-memory'))
  .option('--apps <cids>', 'with --provider: run only these applications (comma-separated app CIDs; default: any)', list)
  .addHelpText('after', `
It runs until Ctrl-C (SIGINT) or SIGTERM; the other commands reach it with the same --data.
While it cannot join the bootstrap it retries, and prints why on stderr (again only when the reason changes).

Examples:
  peerhive daemon --data ./peer --bootstrap /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW... --listen /ip4/127.0.9.1/tcp/0
  peerhive daemon --data ./peer --bootstrap ... --share ~/Music --share ~/Books
  peerhive daemon --data ./worker --bootstrap ... --provider --cpus 2 --max-memory 256`)
  .action(async opts => {
    const dataDir = resolve(opts.data)
    const { createNode } = await import('../src/node.js')
    const node = await createNode({
      dataDir,
      bootstrap: opts.bootstrap,
      listen: opts.listen,
      subnet: opts.subnet,
      peerTimeoutMs: opts.peerTimeout,
      dhtMode: opts.dhtMode,
      upnp: opts.upnp,
      relaySlots: opts.relaySlots,
      metrics: opts.metrics,
      apiPort: opts.apiPort,
      share: (opts.share ?? []).map((d: string) => resolve(d)),
      shareHidden: opts.hidden,
      provider: opts.provider,
      cpus: opts.cpus,
      maxMemoryMb: opts.maxMemory,
      apps: opts.apps
    })
    if (opts.provider !== true && (opts.cpus != null || opts.maxMemory != null || opts.apps != null)) {
      process.stderr.write('note: --cpus, --max-memory and --apps apply only with --provider\n')
    }
    printStartup('daemon', node.peerId, node.multiaddrs(), dataDir, { api: node.apiUrl, metrics: node.metricsUrl })
    const skipped = skippedSummary(node.sharing.skippedAtStart)
    if (skipped != null) process.stderr.write(`--share: ${skipped}\n`)
    const provider = node.provider
    if (provider != null) {
      process.stdout.write(`provider: ${provider.cpus} cpu(s), ${provider.maxMemoryMb} MiB per unit, apps: ${provider.apps.length === 0 ? 'any' : provider.apps.join(', ')}\n`)
      provider.addEventListener('removed', evt => { process.stderr.write(`provider: the bootstrap's operator removed this provider; it no longer takes work (${evt.detail.message})\n`) })
    }
    // a virtual server is placed again at every member's join: print a placement only when it changes
    let lastPlacement = ''
    node.addEventListener('placement', evt => {
      const p = evt.detail
      const line = `placement: ${p.role} in ${p.subnet ?? '-'}${p.virtualServer != null && p.role === 'member' ? ` (virtual server ${p.virtualServer})` : ''}`
      if (line === lastPlacement) return
      lastPlacement = line
      process.stdout.write(line + '\n')
    })
    const joins = new JoinReporter()
    const printFailure = (failure: { reason: string, nextRetryAt: number }): void => {
      const line = joins.failed(failure)
      if (line != null) process.stderr.write(line + '\n')
    }
    node.addEventListener('join:failed', evt => { printFailure(evt.detail) })
    node.addEventListener('join:succeeded', evt => {
      const line = joins.joined(evt.detail.failedAttempts)
      if (line != null) process.stdout.write(line + '\n')
    })
    // an attempt that failed while the node was starting, before these listeners
    const early = node.topology.lastJoinFailure()
    if (early != null) printFailure(early)
    await runUntilSignal(async () => node.stop())
  })

program.command('status')
  .description('what the running node is: role, subnet, virtual server, members, addresses')
  .addOption(dataOption())
  .option('--json', 'print JSON', false)
  .addHelpText('after', '\nExamples:\n  peerhive status --data ./peer\n  peerhive status --data ./peer --json | jq -r .role')
  .action(async opts => {
    const status = await callApi(resolve(opts.data), 'GET', '/v1/status')
    if (opts.json === true) printJson(status)
    else process.stdout.write(formatStatus(status) + '\n')
  })

program.command('subnets')
  .description('asked of a bootstrap: its virtual-server table, subnet by subnet')
  .addOption(dataOption())
  .option('--json', 'print JSON', false)
  .addHelpText('after', '\nExample:\n  peerhive subnets --data ./boot')
  .action(async opts => {
    const dataDir = resolve(opts.data)
    const status = await callApi(dataDir, 'GET', '/v1/status')
    if (status.role !== 'bootstrap') {
      throw new UsageError(`the node at ${dataDir} is a peer (${String(status.role)}), not a bootstrap; run subnets with the bootstrap's --data`)
    }
    const rows = await callApi(dataDir, 'GET', '/v1/subnets')
    if (opts.json === true) printJson(rows)
    else process.stdout.write(formatSubnets(rows) + '\n')
  })

program.command('share')
  .description('share files where they lie (a folder shares every file under it); prints the CID of each file. Never shares a peerhive data directory; skips hidden files unless --hidden')
  .argument('<path...>', 'files or folders')
  .addOption(dataOption())
  .option('--title <text>', 'title of the shared files, searched like their names (default: none)')
  .option('--keywords <list>', 'comma-separated keywords, searched like their names (default: none)', list)
  .option('--hidden', 'include hidden files and folders (names starting with ".") under a shared folder', false)
  .option('--json', 'print JSON: {shared, skipped}, the shared files with their CIDs and what was left out with the reason', false)
  .addHelpText('after', `
Left out, with one line on stderr that says so: anything inside a peerhive data
directory (a folder holding identity.key or api.token: the node's private key and
API token), whatever you ask; hidden files and folders under a shared folder,
unless --hidden. A path you name yourself is shared even if hidden. Symlinks
inside a shared folder are not followed.

Examples:
  peerhive share --data ./peer ./report.pdf --title "Annual report" --keywords finance,2024
  peerhive share --data ./peer ~/Music`)
  .action(async (paths: string[], opts) => {
    const report = await callApi(resolve(opts.data), 'POST', '/v1/share', { paths: paths.map(p => resolve(p)), title: opts.title, keywords: opts.keywords, hidden: opts.hidden })
    if (opts.json === true) printJson(report)
    else for (const f of report.shared) process.stdout.write(`${f.cid}  ${f.path}\n`)
    const summary = skippedSummary(report.skipped)
    if (summary != null) process.stderr.write(summary + '\n')
  })

program.command('unshare')
  .description('stop sharing a file')
  .argument('<cid>', 'the CID that share printed')
  .addOption(dataOption())
  .option('--json', 'print JSON: {cid, removed}', false)
  .addHelpText('after', '\nA CID this node does not share exits with code 1.\n\nExample:\n  peerhive unshare --data ./peer bafkrei...')
  .action(async (cid: string, opts) => {
    const { removed } = await callApi(resolve(opts.data), 'POST', '/v1/unshare', { cid })
    if (removed !== true) throw new NotSharedError(`${cid} is not shared by this node (see: peerhive files)`)
    if (opts.json === true) printJson({ cid, removed: true })
    else process.stdout.write(`unshared ${cid}\n`)
  })

program.command('files')
  .description('what this node shares')
  .addOption(dataOption())
  .option('--json', 'print JSON', false)
  .addHelpText('after', '\nExample:\n  peerhive files --data ./peer')
  .action(async opts => {
    const files = await callApi(resolve(opts.data), 'GET', '/v1/files')
    if (opts.json === true) printJson(files)
    else process.stdout.write(formatFiles(files) + '\n')
  })

program.command('search')
  .description('search the network nearest-first: this node, its subnet, other subnets and the central index, then the DHT')
  .argument('<word...>', 'words that must all match (filename, title or keywords; case and accents ignored)')
  .addOption(dataOption())
  .option('--json', 'print one JSON object per line as results arrive', false)
  .option('--timeout <ms>', 'deadline for the whole search', integer('--timeout'), 5000)
  .option('--limit <n>', 'at most this many results', integer('--limit'), 50)
  .option('--all', 'ask every tier, even after a nearer one found results', false)
  .option('--tier <tier>', `ask only this tier (repeatable: ${SEARCH_TIERS.join(', ')}); for example dht: is the file in the DHT? (default: every tier)`, tierList)
  .addHelpText('after', '\nEach result names its tier (local, subnet, remote, dht), its CID, every name it is\nshared under and the number of peers that share it (over every tier asked); the\nlist is printed when the search ends. A search that finds nothing says so and\nnames the tiers it asked (with --json: prints nothing); it exits 0 either way.\n\nExamples:\n  peerhive search --data ./peer annual report\n  peerhive search --data ./peer --json --all beethoven | jq -r .cid')
  .action(async (words: string[], opts) => {
    const json = opts.json === true
    // the human form counts the providers of every tier, so it asks for them all; --json streams the nearest tier's lines
    const lines = callApiLines(resolve(opts.data), '/v1/search', { words, limit: opts.limit, timeoutMs: opts.timeout, exhaustive: opts.all, everyProvider: !json, tiers: opts.tier })
    const merged = new SearchMerge()
    let tiers: string[] = []
    for await (const line of lines) {
      if (line.summary != null) {
        tiers = line.summary.tiers ?? []
      } else if (line.unreachable != null) {
        // the other tiers still answer; say which index is missing from the results
        const { tier, peerId, message } = line.unreachable
        const which = tier === 'central' ? 'the central index (the bootstrap)' : tier === 'subnet' ? 'this subnet\'s virtual server' : `the virtual server ${String(peerId)}`
        process.stderr.write(`peerhive: ${which} did not answer (${String(message)}); results come from the other tiers\n`)
      } else if (json) {
        const { providerAddrs: _, ...result } = line
        process.stdout.write(JSON.stringify(result) + '\n')
      } else {
        merged.add(line)
      }
    }
    if (json) return
    const results = merged.results()
    if (results.length === 0) process.stdout.write(formatNoMatch(words, tiers) + '\n')
    for (const r of results) process.stdout.write(formatResult(r) + '\n')
  })

program.command('get')
  .description('download a file by CID from the peers that share it (nearest first, every piece verified; an interrupted get resumes)')
  .argument('<cid>', 'the file\'s CID, as search or share printed it')
  .addOption(dataOption())
  .option('-o, --output <path>', 'where to write the file (default: its name, in the current folder)')
  .option('--force', 'replace a file that already exists where the download goes', false)
  .option('--json', 'print the result as JSON: {cid, path, bytes, sources, ms, downloadMs}; no progress bar', false)
  .addHelpText('after', '\nA progress bar is drawn on stderr when it is a terminal. No provider found, or a\ndownload that fails, exits with code 1; run get again to resume. An existing file\nis not replaced without --force (exit 1).\n\nExamples:\n  peerhive get --data ./peer bafkrei...\n  peerhive get --data ./peer bafkrei... -o ./downloads/report.pdf --json')
  .action(async (cid: string, opts) => {
    checkCid(cid)
    const bar = new ProgressBar(process.stderr, opts.json !== true)
    let result: any
    try {
      for await (const line of callApiLines(resolve(opts.data), '/v1/get', { cid, outPath: opts.output == null ? undefined : resolve(opts.output), outDir: process.cwd(), overwrite: opts.force === true })) {
        if (line.progress != null) bar.update(line.progress.bytes, line.progress.total, `${line.progress.sources.length} source(s)`)
        if (line.result != null) result = line.result
      }
    } catch (err: any) {
      if (err.name !== 'FileExistsError') throw err
      const again = ['peerhive', 'get', cid, ...(opts.output != null ? ['-o', opts.output] : []), '--force', '--data', opts.data, ...(opts.json === true ? ['--json'] : [])]
      throw new ApiError('FileExistsError', `${err.message.replace(/; get does not .*$/, '')}; to replace it, run: ${again.map(shellQuote).join(' ')}`)
    } finally {
      bar.done()
    }
    if (result == null) throw new Error('the daemon ended the download without a result; see its log, and run get again to resume')
    if (opts.json === true) printJson(result)
    else process.stdout.write(`${result.path}  ${formatBytes(result.bytes)} from ${result.sources.length} source(s) in ${result.ms} ms\n`)
  })

registerComputeCommands(program, dataOption)
registerDemoCommand(program)

try {
  await program.parseAsync(process.argv)
} catch (err: any) {
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') process.exit(EXIT.OK)
  if (typeof err.code === 'string' && err.code.startsWith('commander.')) process.exit(EXIT.USAGE)
  process.stderr.write(`peerhive: ${err.message}\n`)
  // a person gets one line; DEBUG (as for the logs) adds the stacks, the cause's too
  if (process.env.DEBUG != null && process.env.DEBUG !== '') process.stderr.write(stackOf(err))
  process.exit(err.name === 'NoDaemonError' ? EXIT.NO_DAEMON : USAGE_ERRORS.has(err.name) ? EXIT.USAGE : EXIT.ERROR)
}
