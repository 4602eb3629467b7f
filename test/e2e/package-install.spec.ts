/**
 * The packed tarball, installed the way a user on Node 20 installs it:
 * `npm pack`, then `npm install -g ./peerhive-*.tgz` with only the
 * machine's Node 20 and its npm on PATH (not the Node 24 of node_modules/.bin
 * that npm scripts put first). The installed `peerhive demo` must run
 * (bin/peerhive.js re-executes itself with the Node the `node` dependency
 * brings), and `import('peerhive')` under Node 20 must fail with
 * UnsupportedNodeError and what to do, not ERR_UNKNOWN_BUILTIN_MODULE.
 * Skipped, with a line saying so, on a machine without a Node older than 22.
 */
import { strict as assert } from 'node:assert'
import { execFile, execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { ROOT } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp-dir.js'

/** npm fetches the dependencies (and a Node binary) from the registry on a cold cache */
const INSTALL_MS = 240_000
const DEMO_MS = 240_000

interface Run { code: number | null, out: string }

function run (cmd: string, args: string[], opts: { cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number }): Promise<Run> {
  return new Promise(resolve => {
    execFile(cmd, args, { cwd: opts.cwd, env: opts.env, timeout: opts.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err == null ? 0 : typeof (err as any).code === 'number' ? (err as any).code : null
      resolve({ code, out: `${stdout}${stderr}` })
    })
  })
}

function nodeMajor (nodeBin: string): number | undefined {
  try {
    const version = execFileSync(nodeBin, ['--version'], { encoding: 'utf8' })
    return Number(version.trim().replace(/^v/, '').split('.')[0])
  } catch {
    return undefined
  }
}

/**
 * PATH without node_modules/.bin folders and without any folder whose `node`
 * is 22 or newer, and the Node version it leaves first; undefined when it
 * leaves no Node older than 22 (with npm) on PATH.
 */
function oldNodePath (): { path: string, nodeBin: string, major: number } | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(d => d !== '' && !d.includes('node_modules'))
  const kept: string[] = []
  let found: { nodeBin: string, major: number } | undefined
  for (const dir of dirs) {
    const nodeBin = join(dir, 'node')
    if (existsSync(nodeBin)) {
      const major = nodeMajor(nodeBin)
      if (major === undefined || major >= 22) continue
      found ??= { nodeBin, major }
    }
    kept.push(dir)
  }
  if (found == null) return undefined
  if (!kept.some(dir => existsSync(join(dir, 'npm')))) return undefined
  return { path: kept.join(delimiter), ...found }
}

/** The environment of a user's shell: npm's script variables removed, PATH as given. */
function userEnv (path: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.toLowerCase().startsWith('npm_') && key !== 'INIT_CWD' && key !== 'NODE') env[key] = value
  }
  return { ...env, PATH: path, NO_COLOR: '1' }
}

describe('e2e: the packed tarball on Node 20', function () {
  this.timeout(INSTALL_MS + DEMO_MS)
  const old = oldNodePath()
  const tmp = tempDir('peerhive-package-')
  let env: NodeJS.ProcessEnv
  let tarball: string

  before(async function () {
    if (old == null) {
      console.log('      skipped: no Node.js older than 22 (with npm) on PATH outside node_modules')
      this.skip()
    }
    env = userEnv(old.path)
    const pack = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp.path], { cwd: ROOT, env, timeoutMs: 60_000 })
    assert.equal(pack.code, 0, `npm pack failed:\n${pack.out}`)
    const tgz = readdirSync(tmp.path).filter(f => /^peerhive-.*\.tgz$/.test(f))
    assert.equal(tgz.length, 1, `one tarball packed: ${tgz.join(', ')}`)
    tarball = join(tmp.path, tgz[0])
  })
  after(() => { tmp.cleanup() })

  it('finds a Node older than 22 first on the trimmed PATH', async () => {
    const v = await run('node', ['--version'], { cwd: tmp.path, env, timeoutMs: 10_000 })
    assert.equal(v.code, 0, v.out)
    assert.ok(Number(v.out.trim().replace(/^v/, '').split('.')[0]) < 22, `node on PATH is ${v.out.trim()}`)
  })

  it('ships LICENSE, the README\'s examples and the built library', async () => {
    const list = await run('tar', ['-tzf', tarball], { cwd: tmp.path, env, timeoutMs: 30_000 })
    assert.equal(list.code, 0, list.out)
    const files = new Set(list.out.split('\n').map(f => f.trim()))
    for (const f of ['LICENSE', 'examples/embed.ts', 'examples/compute.ts', 'examples/mandelbrot-job.json', 'dist/examples/embed.js', 'dist/examples/compute.js', 'dist/index.js', 'dist/src/index.js', 'dist/bootstrap/index.js', 'dist/cli/main.js', 'dist/apps/mandelbrot.wasm', 'bin/peerhive.js']) {
      assert.ok(files.has(`package/${f}`), `the tarball has ${f}`)
    }
    assert.ok(![...files].some(f => f.includes('/node_modules/')), 'no node_modules in the tarball')
  })

  it('npm install -g of the tarball gives a peerhive that runs the demo', async () => {
    const prefix = join(tmp.path, 'global')
    const install = await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', tarball], { cwd: tmp.path, env, timeoutMs: INSTALL_MS })
    assert.equal(install.code, 0, `npm install -g failed:\n${install.out}`)
    const bin = join(prefix, 'bin', 'peerhive')
    assert.ok(existsSync(bin), `${bin} installed`)
    const out = join(tmp.path, 'out')
    const demo = await run(bin, ['demo', '--exit-after-script', '--out', out], { cwd: tmp.path, env, timeoutMs: DEMO_MS })
    assert.equal(demo.code, 0, `peerhive demo failed:\n${demo.out}`)
    assert.match(demo.out, /The scripted part took/)
    assert.ok(existsSync(join(out, 'peerhive-demo-mandelbrot.png')), 'the demo wrote its PNG')
  })

  it('import(\'peerhive\') under Node 20 throws UnsupportedNodeError saying what to do', async () => {
    const app = join(tmp.path, 'app')
    mkdirSync(app)
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
    const install = await run('npm', ['install', '--no-audit', '--no-fund', tarball], { cwd: app, env, timeoutMs: INSTALL_MS })
    assert.equal(install.code, 0, `npm install failed:\n${install.out}`)
    const probe = "import('peerhive').then(m => console.log('loaded', typeof m.createNode), e => { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); process.exitCode = 3 })"
    const r = await run('node', ['-e', probe], { cwd: app, env, timeoutMs: 60_000 })
    assert.equal(r.code, 3, `the import fails:\n${r.out}`)
    const err = JSON.parse(r.out.trim().split('\n').pop() ?? '')
    assert.equal(err.name, 'UnsupportedNodeError', r.out)
    assert.match(err.message, /peerhive needs Node\.js 22 or newer \(this is v\d+\./)
    assert.match(err.message, /npx node app\.js/)
    // the advice holds: npx node is the Node 24 the package installed, and the import works there
    const advised = await run('npx', ['node', '-e', probe], { cwd: app, env, timeoutMs: 60_000 })
    assert.equal(advised.code, 0, `npx node: ${advised.out}`)
    assert.match(advised.out, /loaded function/)
  })
})
