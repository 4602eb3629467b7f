/**
 * The layers of the tree (ARCHITECTURE.md): src/ is the peer library and
 * imports neither the bootstrap nor the CLI; the bootstrap takes src/ only
 * through its index files (and one documented entry); no folders import
 * each other in a circle; no source file grows past 400 lines; no error is
 * named outside its class.
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { ROOT } from '../helpers/cli.js'
import { folderCycles, readTree, type SourceFile } from '../helpers/structure.js'

/** What the bootstrap may import from src/ past an index file: the job model's types, which the browser dashboard also compiles (bootstrap/dashboard/types.ts), so they cannot come through a barrel that loads Node modules. */
const BOOTSTRAP_INTERNAL_ENTRIES = new Set(['src/compute/model/types.ts'])

const MAX_LINES = 400

function layerViolations (files: SourceFile[]): string[] {
  const out: string[] = []
  for (const f of files) {
    for (const target of f.imports) {
      if (f.path.startsWith('src/') && (target.startsWith('bootstrap/') || target.startsWith('cli/'))) out.push(`${f.path} imports ${target}`)
      if (f.path.startsWith('bootstrap/') && target.startsWith('src/') && !target.endsWith('/index.ts') && !BOOTSTRAP_INTERNAL_ENTRIES.has(target)) out.push(`${f.path} imports ${target}, past src's index files`)
    }
  }
  return out
}

function overlong (files: SourceFile[]): string[] {
  return files
    .filter(f => f.lines > MAX_LINES)
    .map(f => `${f.path}: ${f.lines} lines`)
}

describe('the structure of the tree', () => {
  const files = readTree(ROOT, ['index.ts', 'src', 'bootstrap', 'cli', 'benchmarks'], ['src/pb'])

  it('reads the tree', () => {
    assert.ok(files.length > 200, `${files.length} files`)
    assert.ok(files.some(f => f.path === 'bootstrap/index.ts' && f.imports.length > 0))
  })

  it('keeps src/ free of the bootstrap and the CLI, and the bootstrap to src\'s index files', () => {
    assert.deepEqual(layerViolations(files), [])
  })

  it('has no folders that import each other in a circle', () => {
    assert.deepEqual(folderCycles(files), [])
  })

  it('has no source file over 400 lines', () => {
    assert.deepEqual(overlong(files), [])
  })

  it('names every error in its class, none ad hoc', () => {
    assert.deepEqual(files.filter(f => f.adHocErrors.length > 0).map(f => `${f.path}: ${f.adHocErrors.join('; ')}`), [])
  })

  it('catches each kind of fault in a tree built to have them', () => {
    const root = mkdtempSync(join(tmpdir(), 'peerhive-structure-'))
    try {
      const write = (path: string, text: string): void => {
        mkdirSync(dirname(join(root, path)), { recursive: true })
        writeFileSync(join(root, path), text)
      }
      write('src/a/one.ts', "import { two } from '../b/two.js'\nimport type { Boot } from '../../bootstrap/leaf/boot.js'\n")
      write('bootstrap/leaf/boot.ts', 'export type Boot = number\n')
      write('src/b/two.ts', "export { one } from '../a/one.js'\n" + 'const x = 1\n'.repeat(MAX_LINES))
      write('src/index.ts', "import './a/one.js'\n")
      write('bootstrap/index.ts', "import { two } from '../src/b/two.js'\nimport { all } from '../src/index.js'\n")
      write('cli/main.ts', "const m = await import('../src/index.js')\nconst e = new Error('x')\ne.name = 'OddError'\nthrow Object.assign(new Error('y'), { code: 1 })\n")
      const tree = readTree(root, ['src', 'bootstrap', 'cli'])
      assert.deepEqual(layerViolations(tree).sort(), ['bootstrap/index.ts imports src/b/two.ts, past src\'s index files', 'src/a/one.ts imports bootstrap/leaf/boot.ts'])
      assert.deepEqual(folderCycles(tree), [['src/a', 'src/b']])
      assert.deepEqual(overlong(tree), [`src/b/two.ts: ${MAX_LINES + 1} lines`])
      assert.deepEqual(tree.find(f => f.path === 'cli/main.ts')?.imports, ['src/index.ts'])
      assert.deepEqual(tree.find(f => f.path === 'cli/main.ts')?.adHocErrors, ["3: e.name = 'OddError'", "4: throw Object.assign(new Error('y'), { code: 1 })"])
      assert.deepEqual(tree.find(f => f.path === 'bootstrap/leaf/boot.ts')?.adHocErrors, [])
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
