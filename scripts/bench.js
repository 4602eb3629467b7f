#!/usr/bin/env node
// Runs benchmarks by name: `npm run bench -- join` (npm builds first).
// Each benchmark is dist/benchmarks/<name>.js, compiled from
// benchmarks/<name>.ts; it writes benchmarks/results/<name>.json.
// With no name, lists the benchmarks and exits 2.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..')
const SOURCES = join(ROOT, 'benchmarks')
const COMPILED = join(ROOT, 'dist', 'benchmarks')
/** a benchmark that is still running after this long is stopped */
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 10 * 60_000)

const available = existsSync(SOURCES)
  ? readdirSync(SOURCES).filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts')).map(f => f.slice(0, -3)).sort()
  : []

function usage (stream) {
  stream.write('usage: npm run bench -- <name> [<name>...]   (or: node scripts/bench.js <name>...)\n')
  stream.write(`benchmarks: ${available.length > 0 ? available.join(', ') : '(none)'}\n`)
  stream.write('each writes benchmarks/results/<name>.json\n')
}

const args = process.argv.slice(2)
if (args.includes('-h') || args.includes('--help')) {
  usage(process.stdout)
  process.exit(0)
}
if (args.length === 0) {
  usage(process.stderr)
  process.exit(2)
}
const names = args.map(a => a.replace(/^benchmarks\//, '').replace(/\.(ts|js)$/, ''))
const unknown = names.filter(n => !available.includes(n))
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark: ${unknown.join(', ')}\n`)
  usage(process.stderr)
  process.exit(2)
}
const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  process.stderr.write(`benchmarks need Node.js 22 or newer (js-libp2p v3); this is ${process.version}. Run them with "npm run bench -- <name>", which uses the Node that npm installs in node_modules.\n`)
  process.exit(1)
}

let current
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (current != null) current.kill(signal)
    else process.exit(130)
  })
}

let worst = 0
for (const name of names) {
  const file = join(COMPILED, `${name}.js`)
  if (!existsSync(file)) {
    process.stderr.write(`${file} is missing; build first (npm run build)\n`)
    worst = Math.max(worst, 1)
    continue
  }
  process.stderr.write(`== benchmark ${name} (${process.execPath} ${process.version})\n`)
  const code = await new Promise(resolve => {
    current = spawn(process.execPath, [file], { cwd: ROOT, stdio: 'inherit' })
    const timer = setTimeout(() => {
      process.stderr.write(`benchmark ${name} still running after ${TIMEOUT_MS} ms; stopping it\n`)
      current.kill('SIGTERM')
      setTimeout(() => current.kill('SIGKILL'), 10_000).unref()
    }, TIMEOUT_MS)
    current.once('exit', (code, signal) => {
      clearTimeout(timer)
      resolve(code ?? (signal != null ? 128 : 1))
    })
  })
  current = undefined
  if (code !== 0) process.stderr.write(`benchmark ${name} exited with code ${code}\n`)
  worst = Math.max(worst, code)
}
process.exit(worst)
