/**
 * `import('peerhive')` under Node < 22 must fail with UnsupportedNodeError
 * and what to do. That needs two things that hold on any Node, checked
 * here; test/e2e/package-install.spec.ts checks the whole under Node 20.
 */
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { assertSupportedNode } from '../../src/core/node-version.js'
import { ROOT } from '../helpers/cli.js'

function jsFiles (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(e => e.isFile() && e.name.endsWith('.js'))
    .map(e => join(e.parentPath, e.name))
}

describe('the Node version check of the library', () => {
  it('throws UnsupportedNodeError on Node 20, saying what to do; passes on 22 and later', () => {
    assert.throws(() => { assertSupportedNode('20.20.2') }, (err: any) => {
      assert.equal(err.name, 'UnsupportedNodeError')
      assert.match(err.message, /peerhive needs Node\.js 22 or newer \(this is v20\.20\.2\)/)
      assert.match(err.message, /npx node app\.js/)
      return true
    })
    assertSupportedNode('22.0.0')
    assertSupportedNode('24.21.0')
  })

  it('runs first: src/index.ts imports the check before anything else', () => {
    const firstImport = readFileSync(join(ROOT, 'src', 'index.ts'), 'utf8').split('\n').find(l => /^(import|export) /.test(l))
    assert.equal(firstImport, "import './supported-node.js'")
  })

  it('is not pre-empted: no module of the library imports node:sqlite statically (Node 20 fails to load it before any code runs)', () => {
    const offenders = [join(ROOT, 'dist', 'src'), join(ROOT, 'dist', 'bootstrap')].flatMap(jsFiles)
      .filter(f => /^\s*import\s[^;]*['"]node:sqlite['"]|^\s*export\s[^;]*from\s*['"]node:sqlite['"]/m.test(readFileSync(f, 'utf8')))
      .map(f => relative(ROOT, f))
    assert.deepEqual(offenders, [])
  })
})
