/**
 * The import graph of src/ and the floor plan it must follow (CONTRIBUTING.md):
 *   commands → report → checks → lib/<topic> → resources → aws → util, config → errors
 * A file may import its own layer or any layer below it, never one above; and no cycle.
 */
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {dirname, join, relative, resolve, sep} from 'node:path'

import ts from 'typescript'

/** file (relative to the root, with '/') → the files it imports (same form). */
export type ImportGraph = Map<string, string[]>

/** Top to bottom; the entries of one row share a layer. */
export const FLOOR_PLAN: readonly (readonly string[])[] = [
  ['commands', 'hooks', 'base-command.ts', 'flags.ts', 'index.ts'],
  ['report'],
  ['checks'],
  ['lib'],
  ['resources'],
  ['aws'],
  ['util', 'config.ts'],
  ['errors.ts'],
]

/** The rank of a file in FLOOR_PLAN (0 = top), from its first path segment; undefined when it has no room. */
export function layerOf(file: string): number | undefined {
  const head = file.split('/')[0]
  const rank = FLOOR_PLAN.findIndex((row) => row.includes(head))
  return rank === -1 ? undefined : rank
}

/** The relative module specifiers of one source text: static, type-only, re-exports and dynamic import(). */
export function importsOf(source: string): string[] {
  const info = ts.preProcessFile(source, true, true)
  return info.importedFiles.map((f) => f.fileName).filter((name) => name.startsWith('.'))
}

function listTs(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name)
    if (statSync(full).isDirectory()) return listTs(full)
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [full] : []
  })
}

function resolveSpecifier(fromFile: string, spec: string): string | undefined {
  const base = resolve(dirname(fromFile), spec)
  const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')]
  return candidates.find((c) => existsSync(c) && statSync(c).isFile())
}

/** Reads every .ts file below root and returns its graph of relative imports. */
export function importGraph(root: string): ImportGraph {
  const graph: ImportGraph = new Map()
  const key = (full: string): string => relative(root, full).split(sep).join('/')
  for (const file of listTs(root).sort()) {
    const targets = importsOf(readFileSync(file, 'utf8'))
      .map((spec) => resolveSpecifier(file, spec))
      .filter((t): t is string => t !== undefined && t.startsWith(root))
    graph.set(key(file), [...new Set(targets.map(key))].sort())
  }

  return graph
}

/** The arrows that point up the floor plan, as "from → to" lines. */
export function upwardImports(graph: ImportGraph): string[] {
  const out: string[] = []
  for (const [from, tos] of graph) {
    const a = layerOf(from)
    for (const to of tos) {
      const b = layerOf(to)
      if (a !== undefined && b !== undefined && b < a) out.push(`${from} → ${to}`)
    }
  }

  return out
}

/** Files that have no room in FLOOR_PLAN (a new top-level folder or file must be placed there first). */
export function homeless(graph: ImportGraph): string[] {
  return [...graph.keys()].filter((f) => layerOf(f) === undefined)
}

/**
 * The import cycles: every strongly connected component with more than one file, or a file that imports
 * itself (Tarjan). Each cycle is listed sorted, and the cycles in order, so the output is stable.
 */
export function findCycles(graph: ImportGraph): string[][] {
  let counter = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: string[] = []
  const cycles: string[][] = []

  const visit = (v: string): void => {
    index.set(v, counter)
    low.set(v, counter)
    counter++
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
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
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort())
    }
  }

  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v)
  return cycles.sort((x, y) => x[0].localeCompare(y[0]))
}
