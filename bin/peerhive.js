#!/usr/bin/env node
// peerhive needs Node >= 22 (js-libp2p v3). On an older Node, run the same
// command with the Node that the `node` package installs as a dependency.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'

const major = Number(process.versions.node.split('.')[0])
if (major >= 22) {
  await import('../dist/src/cli/main.js')
} else {
  let nodeBin
  try {
    nodeBin = createRequire(import.meta.url).resolve('node/bin/node')
  } catch {
    console.error(`peerhive needs Node.js 22 or newer; this is ${process.version}. Install Node 22+ or run "npm install" in the peerhive folder, which brings one.`)
    process.exit(1)
  }
  const child = spawn(nodeBin, [new URL(import.meta.url).pathname, ...process.argv.slice(2)], { stdio: 'inherit' })
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => process.exit(code ?? (signal != null ? 128 : 1)))
}
