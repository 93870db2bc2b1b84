import {readdirSync, readFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {describe, expect, it} from 'vitest'

const SRC = join(import.meta.dirname, '..', '..', 'src')
const files = (dir: string): string[] =>
  readdirSync(dir, {withFileTypes: true}).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )

describe('one resource layer', () => {
  it('calls DescribeServices, ListServices and ListClusters from src/resources/ecs.ts only', () => {
    for (const command of ['DescribeServicesCommand', 'ListServicesCommand', 'ListClustersCommand']) {
      const users = files(SRC)
        .filter((f) => readFileSync(f, 'utf8').includes(command))
        .map((f) => relative(SRC, f))
      expect(users, command).toEqual(['resources/ecs.ts'])
    }
  })

  it('keeps readers free of checks and commands', () => {
    for (const f of files(join(SRC, 'resources'))) {
      expect(readFileSync(f, 'utf8'), relative(SRC, f)).not.toMatch(/from '\.\.\/(checks|commands|report|lib)\//)
    }
  })
})
