#!/usr/bin/env node
// Builds the bootstrap's dashboard page (dashboard/) into <out>: index.html,
// app.js (one minified bundle) and app.css. Type-checks dashboard/ against the
// DOM library first (tsc -p dashboard/tsconfig.json --noEmit), then bundles
// with esbuild. Usage: node scripts/build-dashboard.js [--out DIR] [--force]
// (default DIR: dist/dashboard under the repository root). Does nothing when
// every output is newer than dashboard/, the snapshot types and this script.
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const source = join(root, 'dashboard')
const OUTPUTS = ['index.html', 'app.js', 'app.css']
/** the page must stay light: the build fails past this many bytes of script and style together */
const BUDGET_BYTES = 100 * 1024

function parseArgs (argv) {
  const args = { out: join(root, 'dist/dashboard'), force: false }
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && i + 1 < argv.length) args.out = resolve(argv[++i])
    else if (argv[i] === '--force') args.force = true
    else throw new Error(`unknown argument ${argv[i]}; usage: build-dashboard.js [--out DIR] [--force]`)
  }
  return args
}

function newest (path) {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let time = stat.mtimeMs
  for (const entry of readdirSync(path)) time = Math.max(time, newest(join(path, entry)))
  return time
}

async function main () {
  const { out, force } = parseArgs(process.argv.slice(2))
  const inputsTime = Math.max(
    newest(source),
    statSync(join(root, 'bootstrap/dashboard/types.ts')).mtimeMs,
    statSync(join(root, 'src/compute/model/types.ts')).mtimeMs,
    statSync(fileURLToPath(import.meta.url)).mtimeMs
  )
  const fresh = OUTPUTS.every(f => existsSync(join(out, f)) && statSync(join(out, f)).mtimeMs >= inputsTime)
  if (fresh && !force) return

  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(source, 'tsconfig.json'), '--noEmit'], { stdio: 'inherit' })
  // loaded only when needed
  const esbuild = await import('esbuild')
  mkdirSync(out, { recursive: true })
  const common = { bundle: true, minify: true, legalComments: 'none', logLevel: 'warning', target: ['es2022', 'chrome100', 'firefox100', 'safari15'] }
  await esbuild.build({ ...common, entryPoints: [join(source, 'src/main.ts')], outfile: join(out, 'app.js'), format: 'esm' })
  await esbuild.build({ ...common, entryPoints: [join(source, 'src/app.css')], outfile: join(out, 'app.css') })
  copyFileSync(join(source, 'index.html'), join(out, 'index.html'))

  const sizes = OUTPUTS.map(f => [f, statSync(join(out, f)).size])
  const total = sizes.filter(([f]) => f !== 'index.html').reduce((n, [, size]) => n + size, 0)
  process.stdout.write(`dashboard: ${sizes.map(([f, size]) => `${f} ${(size / 1024).toFixed(1)} KiB`).join(', ')} -> ${relative(root, out) || '.'}\n`)
  if (total > BUDGET_BYTES) throw new Error(`the dashboard's script and style weigh ${total} bytes, over the ${BUDGET_BYTES}-byte budget`)
}

main().catch(err => {
  process.stderr.write(`build-dashboard: ${err.message}\n`)
  process.exit(1)
})
