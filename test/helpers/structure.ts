/**
 * Reads the source tree's structure for test/unit/structure.spec.ts: which
 * file imports which (relative imports only: packages are not the tree's
 * structure), the folder graph they make, and each file's length.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, normalize, relative, sep } from 'node:path'

export interface SourceFile {
  /** path from the root, with '/' */
  path: string
  lines: number
  /** the files it imports, as paths from the root with '/' ('.js' read as the '.ts' it compiles from) */
  imports: string[]
  /** lines that build an error ad hoc (a name set on an instance, Object.assign on a new Error), as "line: text" */
  adHocErrors: string[]
}

/** Every .ts file below `folders` (paths from `root`), except below `skip`. */
export function readTree (root: string, folders: string[], skip: string[] = []): SourceFile[] {
  const out: SourceFile[] = []
  const walk = (path: string): void => {
    const rel = toSlash(relative(root, path))
    if (skip.some(s => rel === s || rel.startsWith(`${s}/`))) return
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path)) walk(join(path, entry))
      return
    }
    if (!rel.endsWith('.ts') || rel.endsWith('.d.ts')) return
    const text = readFileSync(path, 'utf8')
    out.push({ path: rel, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), imports: importsOf(rel, text), adHocErrors: adHocErrorsOf(text) })
  }
  for (const folder of folders) walk(join(root, folder))
  return out
}

/**
 * Errors named outside their class: `err.name = '...'` on an instance, or
 * `Object.assign(new Error(...), ...)`. A class's own `this.name` is fine.
 */
export function adHocErrorsOf (text: string): string[] {
  const out: string[] = []
  text.split('\n').forEach((line, i) => {
    if (/\b(?!this\b)[A-Za-z_$][\w$]*\.name\s*=\s*['"`]/.test(line) || /Object\.assign\(\s*new\s+\w*Error\(/.test(line)) out.push(`${i + 1}: ${line.trim()}`)
  })
  return out
}

/** Relative imports of a file: static, type-only, re-exports and import(). */
export function importsOf (path: string, text: string): string[] {
  const out: string[] = []
  for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"](\.[^'"]+)['"]/gm)) {
    const target = toSlash(normalize(join(dirname(path), m[1])))
    out.push(target.replace(/\.js$/, '.ts'))
  }
  return out
}

/** The folders that depend on each other in a circle: each cycle once, with one import per step. */
export function folderCycles (files: SourceFile[]): string[][] {
  const edges = new Map<string, Set<string>>()
  for (const f of files) {
    const from = folderOf(f.path)
    for (const target of f.imports) {
      const to = folderOf(target)
      if (to === from) continue
      if (!edges.has(from)) edges.set(from, new Set())
      edges.get(from)!.add(to)
    }
  }
  // Tarjan's strongly connected components
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  let next = 0
  const visit = (v: string): void => {
    index.set(v, next)
    low.set(v, next)
    next++
    stack.push(v)
    onStack.add(v)
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!))
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        component.push(w)
      } while (w !== v)
      if (component.length > 1) cycles.push(component.sort())
    }
  }
  for (const v of edges.keys()) if (!index.has(v)) visit(v)
  return cycles
}

export function folderOf (path: string): string {
  const at = path.lastIndexOf('/')
  return at < 0 ? '.' : path.slice(0, at)
}

function toSlash (path: string): string {
  return path.split(sep).join('/')
}
