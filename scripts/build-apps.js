#!/usr/bin/env node
// Compiles every apps/<name>/index.ts (AssemblyScript) into <out>/<name>.wasm,
// a WASI preview1 command module. Usage: node scripts/build-apps.js [--out DIR]
// (default DIR: dist/apps under the repository root). An app is rebuilt only
// when a source under apps/, this script or the compiler is newer than its output.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const appsDir = join(root, 'apps')
const shimConfig = join(root, 'node_modules/@assemblyscript/wasi-shim/asconfig.json')
const compilerPackage = join(root, 'node_modules/assemblyscript/package.json')

function parseArgs (argv) {
  let out = join(root, 'dist/apps')
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && i + 1 < argv.length) out = resolve(argv[++i])
    else throw new Error(`unknown argument ${argv[i]}; usage: build-apps.js [--out DIR]`)
  }
  return out
}

/** newest modification time of the .ts files under dir */
function newestSource (dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path))
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs)
  }
  return newest
}

async function main () {
  const out = parseArgs(process.argv.slice(2))
  const apps = readdirSync(appsDir, { withFileTypes: true })
    .filter(entry => entry.isDirectory() && existsSync(join(appsDir, entry.name, 'index.ts')))
    .map(entry => entry.name)
    .sort()
  // Shared code lives in apps/ too, so any source change rebuilds every app.
  const inputsTime = Math.max(
    newestSource(appsDir),
    statSync(fileURLToPath(import.meta.url)).mtimeMs,
    statSync(compilerPackage).mtimeMs,
    statSync(shimConfig).mtimeMs
  )
  const stale = apps.filter(name => {
    const wasm = join(out, `${name}.wasm`)
    return !existsSync(wasm) || statSync(wasm).mtimeMs < inputsTime
  })
  if (stale.length === 0) return

  // Loaded only when needed: the compiler takes a while to start.
  const { default: asc } = await import('assemblyscript/asc')
  mkdirSync(out, { recursive: true })
  // asc finds the shim's library folder and package imports relative to the
  // working directory (an absolute --baseDir breaks the library path), so
  // compile from the root with relative paths.
  process.chdir(root)
  for (const name of stale) {
    const wasm = join(out, `${name}.wasm`)
    // Written aside and renamed, so a concurrent build or test never reads half a module.
    const partial = `${wasm}.${process.pid}.tmp`
    const { error } = await asc.main([
      relative(root, join(appsDir, name, 'index.ts')),
      '--config', relative(root, shimConfig),
      '--runtime', 'stub',
      '--optimizeLevel', '3',
      '--shrinkLevel', '0',
      '--outFile', partial
    ], { stdout: process.stdout, stderr: process.stderr })
    if (error != null) {
      rmSync(partial, { force: true })
      throw new Error(`building app ${name} failed: ${error.message}`)
    }
    renameSync(partial, wasm)
    console.log(`built ${wasm}`)
  }
}

main().catch(err => {
  console.error(err.message)
  process.exit(1)
})
