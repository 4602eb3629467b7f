/**
 * The CLI explains itself (UX-2): `peerhive --help` and every command's
 * `--help` list its options, each with a description; the commands a
 * script would use take `--json`; a command with no node running says how
 * to start one and exits 3. Real `peerhive` processes, no network.
 */
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import * as nodeModule from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Writable } from 'node:stream'
import { ProgressBar } from '../../cli/format/progress-bar.js'
import { ROOT, peerhive } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp-dir.js'

/** Every command, with the options its help must list (besides --help). */
const COMMANDS: Record<string, string[]> = {
  bootstrap: ['--data', '--listen', '--vs-limit', '--subnet-prefix', '--subnet-prefix-v6', '--allow-subnet-claims', '--peer-timeout', '--member-timeout', '--restart-grace', '--metrics', '--api-port', '--dashboard', '--schedule', '--admin'],
  daemon: ['--data', '--bootstrap', '--listen', '--subnet', '--peer-timeout', '--dht-mode', '--metrics', '--api-port', '--share', '--provider', '--cpus', '--max-memory', '--apps'],
  status: ['--data', '--json'],
  subnets: ['--data', '--json'],
  share: ['--data', '--title', '--keywords', '--json'],
  unshare: ['--data', '--json'],
  files: ['--data', '--json'],
  search: ['--data', '--json', '--timeout', '--limit', '--all'],
  get: ['--data', '--output', '--json'],
  register: ['--data', '--user', '--email', '--json'],
  unregister: ['--data', '--json'],
  'job submit': ['--data', '--wait', '--json'],
  'job status': ['--data', '--json'],
  'job results': ['--data', '--output', '--json'],
  'job cancel': ['--data', '--json'],
  jobs: ['--data', '--json'],
  providers: ['--data', '--json'],
  'admin remove': ['--data', '--ban', '--json'],
  demo: ['--exit-after-script', '--dir', '--out']
}

/** The commands a script would use: each must take --json. */
const SCRIPTABLE = [
  'status', 'subnets', 'share', 'unshare', 'files', 'search', 'get', 'register', 'unregister',
  'job submit', 'job status', 'job results', 'job cancel', 'jobs', 'providers', 'admin remove'
]

/** Commands that talk to a running node, with the arguments they need. */
const CLIENT_COMMANDS: string[][] = [
  ['status'], ['subnets'], ['share', 'README.md'], ['unshare', 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'], ['files'],
  ['search', 'anything'], ['get', 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'], ['register', '--user', 'alice'], ['unregister'],
  ['job', 'submit', 'job.json'], ['job', 'status', 'some-id'], ['job', 'results', 'some-id', '-o', 'out'], ['job', 'cancel', 'some-id'],
  ['jobs'], ['providers'], ['admin', 'remove', '12D3KooWA']
]

/** The "Options:" section of a help text: each option's flags and its description. */
function optionsOf (help: string): Map<string, string> {
  const section = help.split(/^Options:$/m)[1]?.split(/^\S/m)[0] ?? ''
  const options = new Map<string, string>()
  let current: string | undefined
  for (const line of section.split('\n')) {
    const m = /^ {2}((?:-\w, )?--[\w-]+)(?: <[^>]+>| \[[^\]]+\])?(?:\s{2,}(.*))?$/.exec(line)
    if (m != null) {
      current = m[1].replace(/^-\w, /, '')
      options.set(current, m[2] ?? '')
    } else if (current != null && line.trim() !== '') {
      options.set(current, `${options.get(current) ?? ''} ${line.trim()}`.trim())
    }
  }
  return options
}

describe('e2e: the CLI explains itself', function () {
  this.timeout(60_000)

  describe('peerhive --help', () => {
    let help: string

    before(async () => {
      const r = await peerhive(['--help'])
      assert.equal(r.code, 0, r.stderr)
      help = r.stdout
    })

    it('lists every command with a description', () => {
      const top = new Set(Object.keys(COMMANDS).map(c => c.split(' ')[0]))
      for (const command of top) {
        assert.match(help, new RegExp(`^ {2}${command}\\b.* {2,}\\S`, 'm'), `--help lists ${command} with a description`)
      }
    })

    it('says how to get started, what --json and --data do, and what the exit codes mean', () => {
      assert.match(help, /peerhive bootstrap --data/)
      assert.match(help, /peerhive daemon --data .* --bootstrap/)
      assert.match(help, /--json/)
      assert.match(help, /PEERHIVE_DATA/)
      for (const code of ['0', '1', '2', '3']) assert.match(help, new RegExp(`^ {2}${code} {2}\\S`, 'm'), `exit code ${code} explained`)
    })

    it('prints the version with --version', async () => {
      const r = await peerhive(['--version'])
      assert.equal(r.code, 0)
      assert.equal(r.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version)
    })
  })

  for (const [command, expected] of Object.entries(COMMANDS)) {
    describe(`peerhive ${command} --help`, () => {
      let help: string
      let options: Map<string, string>

      before(async () => {
        const r = await peerhive([...command.split(' '), '--help'])
        assert.equal(r.code, 0, r.stderr)
        help = r.stdout
        options = optionsOf(help)
      })

      it('shows its usage and a description', () => {
        assert.match(help, new RegExp(`^Usage: peerhive ${command}\\b`, 'm'))
        assert.ok(help.split('\n').slice(1, 4).some(l => l.trim().length > 10), `a description under the usage line:\n${help}`)
      })

      it('lists each of its options with a description', () => {
        for (const option of [...expected, '--help']) {
          assert.ok(options.has(option), `${command} --help lists ${option}:\n${help}`)
        }
        for (const [option, description] of options) {
          assert.ok(description.length >= 8, `${command} --help describes ${option}: "${description}"`)
        }
      })

      it('gives the default of each option that takes a value, or says it is required', () => {
        for (const line of help.split(/^Options:$/m)[1].split('\n')) {
          const m = /^ {2}(?:-\w, )?(--[\w-]+) <[^>]+>/.exec(line)
          if (m == null || m[1] === '--data') continue
          assert.match(options.get(m[1]) ?? '', /default|required/, `${command} --help gives ${m[1]}'s default`)
        }
      })

      it('shows an example', () => {
        assert.match(help, /^Examples?:$/m)
        assert.match(help.split(/^Examples?:$/m)[1], /peerhive |npm run demo/)
      })

      it('names only example files that exist', () => {
        for (const [path] of help.matchAll(/\bexamples\/[\w./-]*\w/g)) {
          assert.ok(existsSync(join(ROOT, path)), `${command} --help names ${path}, which is not in the package`)
        }
      })

      if (SCRIPTABLE.includes(command)) {
        it('takes --json', () => {
          assert.ok(options.has('--json'), `${command} has --json`)
        })
      }
    })
  }

  for (const parent of ['job', 'admin']) {
    it(`peerhive ${parent} --help lists its commands`, async () => {
      const r = await peerhive([parent, '--help'])
      assert.equal(r.code, 0, r.stderr)
      for (const command of Object.keys(COMMANDS).filter(c => c.startsWith(`${parent} `))) {
        assert.match(r.stdout, new RegExp(`^ {2}${command.split(' ')[1]}\\b`, 'm'))
      }
      for (const [path] of r.stdout.matchAll(/\bexamples\/[\w./-]*\w/g)) {
        assert.ok(existsSync(join(ROOT, path)), `${parent} --help names ${path}, which is not in the package`)
      }
    })
  }

  describe('with no node running', () => {
    const tmp = tempDir('peerhive-e2e-nodaemon-')
    after(() => { tmp.cleanup() })

    for (const args of CLIENT_COMMANDS) {
      it(`peerhive ${args.join(' ')} says how to start a node and exits 3`, async () => {
        for (const json of [false, true]) {
          const r = await peerhive([...args, '--data', tmp.path, ...(json ? ['--json'] : [])])
          assert.equal(r.code, 3, `exit code 3 (no daemon); stderr: ${r.stderr}`)
          assert.match(r.stderr, /no peerhive node running/)
          assert.ok(r.stderr.includes(`peerhive daemon --data ${tmp.path} --bootstrap`), `the hint starts a daemon on the same data directory: ${r.stderr}`)
          assert.match(r.stderr, /peerhive bootstrap --data/)
          assert.equal(r.stdout, '', 'nothing on stdout, where a script reads')
        }
      })
    }

    it('a missing --data exits 2 and says what --data is and that PEERHIVE_DATA works too', async () => {
      const r = await peerhive(['status'], { PEERHIVE_DATA: undefined })
      assert.equal(r.code, 2)
      assert.match(r.stderr, /--data/)
      assert.match(r.stderr, /PEERHIVE_DATA/)
    })

    it('PEERHIVE_DATA stands for --data', async () => {
      const r = await peerhive(['status'], { PEERHIVE_DATA: tmp.path })
      assert.equal(r.code, 3)
      assert.ok(r.stderr.includes(tmp.path), r.stderr)
    })

    it('a command that only talks to a node loads no libp2p module, so it starts at once', async function () {
      // module.registerHooks: Node 22.15 and newer
      if (typeof (nodeModule as any).registerHooks !== 'function') this.skip()
      const hook = join(tmp.path, 'record-modules.mjs')
      const list = join(tmp.path, 'modules.txt')
      writeFileSync(hook, [
        "import { registerHooks } from 'node:module'",
        "import { appendFileSync } from 'node:fs'",
        'const urls = []',
        'registerHooks({ resolve (specifier, context, next) { const r = next(specifier, context); urls.push(r.url); return r } })',
        `process.on('exit', () => { appendFileSync(${JSON.stringify(list)}, urls.join('\\n') + '\\n') })`
      ].join('\n'))
      for (const args of [['status'], ['search', 'anything'], ['job', 'status', 'some-id']]) {
        writeFileSync(list, '')
        const r = await peerhive([...args, '--data', tmp.path], { NODE_OPTIONS: `--import ${pathToFileURL(hook).href}` })
        assert.equal(r.code, 3, `exit code 3 (no daemon); stderr: ${r.stderr}`)
        const loaded = readFileSync(list, 'utf8').split('\n')
        assert.ok(loaded.some(u => u.endsWith('/dist/cli/main.js')), `the hook saw the CLI load: ${loaded.length} modules`)
        const stack = loaded.filter(u => /\/node_modules\/(libp2p|@libp2p|@chainsafe)\//.test(u))
        assert.deepEqual(stack, [], `peerhive ${args.join(' ')} loaded the network stack`)
      }
    })
  })

  describe('progress bars only on a terminal', () => {
    function sink (isTTY: boolean): { stream: NodeJS.WriteStream, text: () => string } {
      let text = ''
      const stream = new Writable({ write (chunk, _enc, cb) { text += String(chunk); cb() } }) as any
      stream.isTTY = isTTY
      return { stream, text: () => text }
    }

    it('draws on a terminal', () => {
      const out = sink(true)
      const bar = new ProgressBar(out.stream, true)
      bar.update(512, 1024, '2 source(s)')
      bar.done()
      assert.match(out.text(), /50%/)
    })

    it('writes nothing when piped, or when --json asks it not to', () => {
      for (const [tty, wanted] of [[false, true], [true, false]]) {
        const out = sink(tty)
        const bar = new ProgressBar(out.stream, wanted, 'count')
        bar.update(1, 2)
        bar.done()
        assert.equal(out.text(), '')
      }
    })
  })
})
