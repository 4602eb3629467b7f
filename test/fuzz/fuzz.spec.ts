/**
 * The CI slice of the hostile-input suite (test/fuzz, `npm run fuzz` for
 * long runs): a fixed seed, 40 cases per protocol and topic in two rounds.
 * After each round every node must answer, the victims' table and places
 * must be unchanged, the heap bounded and nothing thrown uncaught.
 */
import assert from 'node:assert/strict'
import { Prng } from './prng.js'
import { runFuzz, type FuzzReport } from './run.js'
import { hugePrefix, mutation, randomBytes, truncated } from './strategies.js'
import { TARGETS } from './targets.js'

const SEED = 20261206
const CASES = 40

describe('hostile-input suite (CI slice)', function () {
  this.timeout(240_000)
  let report: FuzzReport

  before(async () => {
    report = await runFuzz({ cases: CASES, batchSize: CASES / 2, seed: SEED })
  })

  it('every node keeps answering, the table and the victims\' places stay the same, memory stays bounded', () => {
    assert.deepEqual(report.failures, [], `seed ${SEED}:\n${report.failures.join('\n')}`)
    assert.equal(report.rounds, 2)
  })

  it('covers every protocol and topic with every strategy', () => {
    assert.deepEqual(report.targets.map(t => t.name), TARGETS.map(t => t.name))
    for (const t of report.targets) {
      assert.equal(t.cases, CASES, t.name)
      assert.equal(Object.values(t.strategies).reduce((a, b) => a + b, 0), CASES, t.name)
      assert.ok(Object.keys(t.strategies).length >= 5, `${t.name} ran ${Object.keys(t.strategies).join(', ')}`)
    }
  })

  it('the topic fuzzers\' messages reached the victims, which refused them', () => {
    for (const t of report.targets.filter(t => t.published > 0)) {
      assert.ok(t.refusedByVictims > 0, `${t.name}: ${t.published} published, none refused`)
    }
  })

  it('a seed always gives the same cases', () => {
    const cases = (seed: number): string[] => {
      const rng = new Prng(seed)
      const valid = rng.bytes(40)
      return [randomBytes(rng, 4096), hugePrefix(rng, 4096), truncated(rng, valid), mutation(rng, valid)].map(b => Buffer.from(b).toString('hex'))
    }
    assert.deepEqual(cases(7), cases(7))
    assert.notDeepEqual(cases(7), cases(8))
  })
})
