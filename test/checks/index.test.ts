import {describe, expect, it} from 'vitest'

import {CHECK_IDS, CHECKS, loadAllChecks, loadChecks, selectChecks} from '../../src/checks/index.js'

describe('check registry', () => {
  it('each entry loads the check of its id, in report order', async () => {
    const checks = await loadAllChecks()
    expect(checks.map((c) => c.id)).toEqual(CHECK_IDS)
    expect(new Set(CHECK_IDS).size).toBe(CHECK_IDS.length)
    for (const c of checks) expect(typeof c.run, c.id).toBe('function')
  })

  it('loads only the selected entries', async () => {
    const checks = await loadChecks(selectChecks(CHECKS, ['secrets', 'rds']))
    expect(checks.map((c) => c.id)).toEqual(['rds', 'secrets'])
  })

  it('names a registry entry whose module exports another check', async () => {
    const {secrets} = await import('../../src/checks/secrets.js')
    await expect(loadChecks([{id: 'rds', load: async () => secrets}])).rejects.toThrow(
      'entry "rds" loads check "secrets"',
    )
  })

  it('rejects an unknown id with the valid ones and a guess', () => {
    expect(() => selectChecks(CHECKS, ['secret'])).toThrow(/Unknown check "secret"\. Valid checks: rds, /)
  })
})
