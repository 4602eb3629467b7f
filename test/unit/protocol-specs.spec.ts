import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as constants from '../../src/core/constants.js'
import * as contracts from '../../src/protocols/index.js'
import { ROOT } from '../helpers/cli.js'

describe('protocols/ specifies every peerhive protocol', () => {
  const dir = join(ROOT, 'protocols')
  const specs = readdirSync(dir).filter(f => f.endsWith('.md')).map(f => readFileSync(join(dir, f), 'utf8')).join('\n')
  const ids = Object.entries({ ...constants, ...contracts }).filter(([name, value]) => /^PROTOCOL_|_TOPIC(_PREFIX)?$/.test(name) && typeof value === 'string' && value.startsWith('/peerhive/'))

  it('finds the protocol ids to check', () => {
    assert.ok(ids.length >= 3, `found ${ids.map(([n]) => n).join(', ')}`)
  })

  for (const [name, id] of ids) {
    it(`has a spec naming ${name} (${String(id)})`, () => {
      assert.ok(specs.includes(String(id)), `no file in protocols/ names ${String(id)}`)
    })
  }

  it('has a .proto beside every .md that defines messages', () => {
    // compute.md is the overview of the three compute protocols: the job format, the output hash, the state machines
    for (const md of readdirSync(dir).filter(f => f.endsWith('.md') && f !== 'compute.md')) {
      const proto = md.replace(/\.md$/, '.proto')
      assert.ok(readdirSync(dir).includes(proto), `${md} has no ${proto}`)
    }
  })
})
