#!/usr/bin/env node
// peerhive needs Node >= 22 (js-libp2p v3, node:sqlite). On an older Node, run
// the same command with the Node that the `node` package, a dependency of
// peerhive, installs; it is resolved from this file, so it is the installed
// package's own, wherever it was installed (npm install -g included).
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const major = Number(process.versions.node.split('.')[0])
if (major >= 22) {
  await import('../dist/cli/main.js')
} else {
  let nodeBin
  try {
    nodeBin = createRequire(import.meta.url).resolve('node/bin/node')
  } catch {
    // the `node` dependency fetches its binary in an install script; npm may have skipped it
    console.error(`peerhive needs Node.js 22 or newer; this is ${process.version}, and the Node 24 that peerhive installs with it (the "node" package) is missing, because npm did not run its install script. ` +
      'Install peerhive again with its scripts allowed (npm install -g --allow-scripts=node peerhive), or install Node.js 22 or newer.')
    process.exit(1)
  }
  const child = spawn(nodeBin, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' })
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => process.exit(code ?? (signal != null ? 128 : 1)))
}
