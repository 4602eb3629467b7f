// Volunteer computing from a library: a bootstrap, two providers and a job's
// owner in one program. The owner renders a Mandelbrot image on the providers
// (every unit computed twice, quorum 2) and writes it to a folder.
// Run it after `npm run build` with: node dist/examples/compute.js [OUT_DIR]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { appPath, createNode, type JobInput } from '../index.js'
import { createBootstrap } from '../bootstrap/index.js'

const dir = mkdtempSync(join(tmpdir(), 'peerhive-compute-example-'))
const outDir = resolve(process.argv[2] ?? join(dir, 'results'))
const bootstrap = await createBootstrap({ dataDir: join(dir, 'bootstrap'), listen: ['/ip4/127.0.0.1/tcp/0'] })
const addr = bootstrap.multiaddrs()[0]

// two providers, in two subnets, donating one core each
const providers = [
  await createNode({ bootstrap: addr, listen: ['/ip4/127.0.43.1/tcp/0'], provider: true, cpus: 1 }),
  await createNode({ bootstrap: addr, listen: ['/ip4/127.0.44.1/tcp/0'], provider: true, cpus: 1 })
]
// the job's owner: it remembers its jobs and keeps their outputs in its data directory
const owner = await createNode({ bootstrap: addr, listen: ['/ip4/127.0.43.2/tcp/0'], dataDir: join(dir, 'owner') })
await owner.waitForPlacement(undefined, AbortSignal.timeout(10_000))
while ((await owner.compute.providers()).filter(p => p.state === 'active').length < providers.length) {
  await new Promise(resolve => setTimeout(resolve, 200))
}

// a job can be a file (its paths relative to it) or an object like this one;
// JobInput is what a person writes: every field with a default may be left out
const job: JobInput = {
  name: 'example mandelbrot',
  app: appPath('mandelbrot'),
  range: { from: 0, to: 96, step: 24, args: ['128', '96', '{from}', '{to}'] },
  replication: 2,
  quorum: 2,
  assemble: 'mandelbrot-png'
}
const id = await owner.compute.submit(job)
let last
for await (const status of owner.compute.watch(id, { intervalMs: 250 })) last = status
console.log(`job ${last?.state}: ${last?.unitStates.valid} of ${last?.units} units valid`)

const results = await owner.compute.results(id, outDir)
console.log(`results: ${results.units.length} units in order, image ${results.image ?? 'missing'}`)
console.log(`written to ${outDir}`)

await owner.stop()
for (const p of providers) await p.stop()
await bootstrap.stop()
if (process.argv[2] == null) rmSync(dir, { recursive: true, force: true })
