// Embedding peerhive: a bootstrap and three peers of one subnet, in one program.
// Run it after `npm run build` with: node dist/examples/embed.js
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNode } from '../index.js'
import { createBootstrap } from '../bootstrap/index.js'

const dir = mkdtempSync(join(tmpdir(), 'peerhive-example-'))
const bootstrap = await createBootstrap({
  dataDir: join(dir, 'bootstrap'),
  listen: ['/ip4/127.0.0.1/tcp/0'],
  vsLimit: 2
})

// Three peers of subnet 127.0.42.0/24: each listens on, and dials from, its own loopback address.
const peers = []
for (const host of [1, 2, 3]) {
  const node = await createNode({
    bootstrap: bootstrap.multiaddrs()[0],
    listen: [`/ip4/127.0.42.${host}/tcp/0`]
  })
  const placement = await node.waitForPlacement(undefined, AbortSignal.timeout(10_000))
  console.log(`peer ${host}: ${placement.role} in ${placement.subnet}`)
  peers.push(node)
}

for (const row of bootstrap.subnets()) {
  console.log(`${row.subnet}: ${row.virtualServers.length} virtual server(s), ${row.centralClients.length} central client(s)`)
}

await Promise.all(peers.map(async p => p.stop()))
await bootstrap.stop()
rmSync(dir, { recursive: true, force: true })
