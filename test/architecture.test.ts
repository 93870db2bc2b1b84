import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {
  findCycles,
  homeless,
  type ImportGraph,
  importGraph,
  importsOf,
  layerOf,
  upwardImports,
} from './helpers/imports.js'

const SRC = join(import.meta.dirname, '..', 'src')
const graphOf = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges))

describe('the floor plan of src/ (CONTRIBUTING.md)', () => {
  const graph = importGraph(SRC)

  it('reads the whole tree', () => {
    expect(graph.size).toBeGreaterThan(50)
    expect(graph.get('commands/validate.ts')).toContain('checks/run-checks.ts')
  })

  it('gives every file a room', () => {
    expect(homeless(graph)).toEqual([])
  })

  it('has no reader or topic code importing a check or a command', () => {
    const leaks = [...graph]
      .filter(([from]) => /^(resources|lib)\//.test(from))
      .flatMap(([from, tos]) => tos.filter((to) => /^(checks|commands)\//.test(to)).map((to) => `${from} → ${to}`))
    expect(leaks).toEqual([])
  })

  it('has no import upward', () => {
    expect(upwardImports(graph)).toEqual([])
  })

  it('has no import cycle', () => {
    expect(findCycles(graph)).toEqual([])
  })
})

describe('the guard itself', () => {
  it('ranks files by their first folder, top to bottom', () => {
    expect(layerOf('commands/cache/clear.ts')).toBe(0)
    expect(layerOf('base-command.ts')).toBe(0)
    expect(layerOf('report/terminal.ts')).toBe(1)
    expect(layerOf('checks/rds.ts')).toBe(2)
    expect(layerOf('lib/logs/tailer.ts')).toBe(3)
    expect(layerOf('resources/ecs.ts')).toBe(4)
    expect(layerOf('aws/clients.ts')).toBe(5)
    expect(layerOf('util/clock.ts')).toBe(layerOf('config.ts'))
    expect(layerOf('errors.ts')).toBe(7)
    expect(layerOf('somewhere/new.ts')).toBeUndefined()
  })

  it('finds an upward import and lets downward and same-layer ones be', () => {
    const graph = graphOf({
      'commands/a.ts': ['checks/b.ts', 'commands/c.ts'],
      'checks/b.ts': ['resources/d.ts'],
      'resources/d.ts': ['checks/types.ts', 'util/e.ts'],
      'util/e.ts': ['config.ts', 'lib/x/f.ts'],
    })
    expect(upwardImports(graph)).toEqual(['resources/d.ts → checks/types.ts', 'util/e.ts → lib/x/f.ts'])
  })

  it('names files without a room', () => {
    expect(homeless(graphOf({'commands/a.ts': [], 'stray.ts': []}))).toEqual(['stray.ts'])
  })

  it('finds a two-file circle, a longer one and a self-import, and no cycle in a diamond', () => {
    const graph = graphOf({
      'lib/logs/tailer.ts': ['lib/logs/live-tail.ts', 'lib/logs/time.ts'],
      'lib/logs/live-tail.ts': ['lib/logs/tailer.ts'],
      'a.ts': ['b.ts'],
      'b.ts': ['c.ts'],
      'c.ts': ['a.ts'],
      'self.ts': ['self.ts'],
      'top.ts': ['left.ts', 'right.ts'],
      'left.ts': ['bottom.ts'],
      'right.ts': ['bottom.ts'],
      'bottom.ts': [],
    })
    expect(findCycles(graph)).toEqual([
      ['a.ts', 'b.ts', 'c.ts'],
      ['lib/logs/live-tail.ts', 'lib/logs/tailer.ts'],
      ['self.ts'],
    ])
    const diamond = graphOf({'top.ts': ['left.ts', 'right.ts'], 'left.ts': ['bottom.ts'], 'right.ts': ['bottom.ts']})
    expect(findCycles(diamond)).toEqual([])
  })

  it('parses static, type-only, multi-line, re-export and dynamic imports, and skips packages', () => {
    const source = [
      "import {a} from './a.js'",
      "import type {B} from '../b.js'",
      'import {',
      '  c,',
      '  d,',
      "} from './cd.js'",
      "export {e} from './e.js'",
      "const f = await import('./f.js')",
      "import {Flags} from '@oclif/core'",
      "const text = 'import {x} from ./not-an-import.js'",
    ].join('\n')
    expect(importsOf(source)).toEqual(['./a.js', '../b.js', './cd.js', './e.js', './f.js'])
  })

  describe('on a tree on disk', () => {
    const root = mkdtempSync(join(tmpdir(), 'allthrive-arch-'))
    afterAll(() => rmSync(root, {recursive: true, force: true}))
    const write = (file: string, text: string): void => {
      mkdirSync(dirname(join(root, file)), {recursive: true})
      writeFileSync(join(root, file), text)
    }

    it('resolves .js specifiers and folder indexes to the .ts files, and fails on a leak and a circle', () => {
      write('checks/types.ts', 'export type X = 1\n')
      write('checks/index.ts', "export * from './types.js'\n")
      write('resources/ecs.ts', "import type {X} from '../checks/index.js'\nimport {y} from './rds.js'\n")
      write('resources/rds.ts', "import {z} from './ecs.js'\nexport const y = 1\n")
      const graph = importGraph(root)
      expect(graph.get('resources/ecs.ts')).toEqual(['checks/index.ts', 'resources/rds.ts'])
      expect(upwardImports(graph)).toEqual(['resources/ecs.ts → checks/index.ts'])
      expect(findCycles(graph)).toEqual([['resources/ecs.ts', 'resources/rds.ts']])
    })
  })
})
