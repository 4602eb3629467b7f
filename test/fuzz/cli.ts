/**
 * `npm run fuzz -- --cases N [--seed S] [--only join,search] [--batch B] [--out file]`:
 * the hostile-input suite on every peerhive protocol and topic, with its
 * figures; exits 1 when anything failed. Reproduce a failure with its seed.
 * FUZZ_DEBUG=1 prints every refused stream and every closed connection.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { runFuzz } from './run.js'

function arg (name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}

const cases = Number(arg('cases') ?? 1000)
const seed = Number(arg('seed') ?? (Date.now() % 0x100000000))
const batch = arg('batch')
const out = arg('out') ?? 'benchmarks/results/fuzz.json'
if (!Number.isInteger(cases) || cases < 1 || !Number.isInteger(seed) || seed < 0) {
  console.error('usage: npm run fuzz -- --cases N [--seed S] [--only name,name] [--batch B] [--out file]')
  process.exit(2)
}

console.log(`fuzz: seed ${seed} (reproduce with --seed ${seed})`)
const report = await runFuzz({
  cases,
  seed,
  batchSize: batch == null ? undefined : Number(batch),
  only: arg('only')?.split(','),
  log: line => { console.log(line) }
})

console.log('\ntarget               cases  answered closed reset refused flood-streams slow(released/refused, max ms) busy s  failures')
for (const t of report.targets) {
  const o = t.outcomes
  console.log([
    t.name.padEnd(20), String(t.cases).padStart(5),
    String(o.answered ?? 0).padStart(9), String(o.closed ?? 0).padStart(6), String(o.reset ?? 0).padStart(5), String(o.refused ?? 0).padStart(7),
    String(t.floodStreams).padStart(13), `${t.slowReleased}/${t.slowRefused}, ${t.slowMaxMs}`.padStart(31),
    (t.busyMs / 1000).toFixed(1).padStart(7), String(t.failures.length).padStart(9)
  ].join(' '))
  if (t.published > 0) console.log(`${''.padEnd(20)} published ${t.published}, refused by the victims ${t.refusedByVictims}, ${JSON.stringify(t.outcomes)}`)
}
console.log(`\n${report.rounds} rounds in ${(report.durationMs / 1000).toFixed(1)} s; heap baseline ${report.baselineHeapMb} MB, peak after gc ${report.peakHeapAfterGcMb} MB; peak RSS ${report.peakRssMb} MB; load ${report.loadAverage.join(' ')}`)
mkdirSync(dirname(out), { recursive: true })
writeFileSync(out, JSON.stringify({ recordedAt: new Date().toISOString(), node: process.version, ...report }, null, 2) + '\n')
console.log(`figures written to ${out}`)
if (report.failures.length > 0) {
  console.log(`\n${report.failures.length} FAILURES (seed ${seed}):`)
  for (const f of report.failures) console.log(`- ${f}`)
  process.exit(1)
}
console.log('no failures')
process.exit(0)
