// The layout's rules, checked: no import cycle between source files, and no source file past ~300 lines
// (migrations, which are history, excepted).
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const SRC = import.meta.dirname
const MAX_LINES = 320

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sources(path)
    return /\.tsx?$/.test(entry.name) ? [path] : []
  })
}

const files = sources(SRC)
const known = new Set(files)

/** Relative imports of a file (static, dynamic and type-only), resolved to files. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const out: string[] = []
  for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const base = resolve(dirname(file), match[1] as string)
    const target = [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((candidate) => known.has(candidate))
    if (target) out.push(target)
  }
  return out
}

/** Every cycle met in a depth-first walk of `graph`, as `a → b → a`. */
function findCycles(graph: Map<string, string[]>): string[] {
  const state = new Map<string, 'visiting' | 'done'>()
  const cycles: string[] = []
  const visit = (node: string, path: string[]) => {
    if (state.get(node) === 'done') return
    if (state.get(node) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(node)), node].join(' → '))
      return
    }
    state.set(node, 'visiting')
    for (const next of graph.get(node) ?? []) visit(next, [...path, node])
    state.set(node, 'done')
  }
  for (const node of graph.keys()) visit(node, [])
  return cycles
}

describe('packages/server/src layout', () => {
  it('has no import cycle', () => {
    const graph = new Map(files.map((file) => [relative(SRC, file), importsOf(file).map((f) => relative(SRC, f))]))
    expect(importsOf(join(SRC, 'index.ts')).length).toBeGreaterThan(5) // the import scan sees imports
    expect(findCycles(graph)).toEqual([])
  })

  it('finds cycles', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ])
    expect(findCycles(graph)).toEqual(['a.ts → b.ts → c.ts → a.ts'])
    expect(findCycles(new Map([['a.ts', ['b.ts']], ['b.ts', []]]))).toEqual([])
  })

  it(`keeps source files under ${MAX_LINES} lines`, () => {
    const long = files
      .filter((file) => !file.endsWith('migrations.ts'))
      .map((file) => ({ file: relative(SRC, file), lines: readFileSync(file, 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > MAX_LINES)
    expect(long).toEqual([])
  })
})
