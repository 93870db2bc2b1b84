import {beforeEach, describe, expect, it, vi} from 'vitest'

import {pass} from '../../src/checks/types.js'
import {ctxWith} from '../helpers/context.js'

// listr2 replaced by a stand-in that records that it was loaded (and cannot draw anything).
const listr = vi.hoisted(() => ({loaded: false}))
vi.mock('listr2', () => {
  listr.loaded = true
  class Listr {
    constructor() {
      throw new Error('the live view is not available in this test')
    }
  }
  return {Listr, DefaultRenderer: class {}, color: {}, figures: {}}
})

const checks = [{id: 'a', title: 'A', iam: [], run: async () => pass('fine')}]

describe('runChecks without a terminal', () => {
  // A fresh module graph per test: what one test loaded is not seen by another, whatever their order.
  beforeEach(() => {
    vi.resetModules()
    listr.loaded = false
  })
  const runChecks: typeof import('../../src/checks/run-checks.js').runChecks = async (...args) =>
    (await import('../../src/checks/run-checks.js')).runChecks(...args)

  it('runs plain and silent progress without loading listr2 (CI and pipes pay nothing for the live view)', async () => {
    for (const progress of ['plain', 'silent'] as const) {
      const report = await runChecks(checks, ctxWith(), {concurrency: 2, timeoutMs: 1000, progress})
      expect(report.checks.map((c) => c.status)).toEqual(['pass'])
    }
    expect(listr.loaded).toBe(false)
  })

  it('loads listr2 for the live view', async () => {
    await expect(runChecks(checks, ctxWith(), {concurrency: 2, timeoutMs: 1000, progress: 'live'})).rejects.toThrow(
      'the live view is not available in this test',
    )
    expect(listr.loaded).toBe(true)
  })
})
