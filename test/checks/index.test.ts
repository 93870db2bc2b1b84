import {describe, expect, it} from 'vitest'

import {
  CHECK_IDS,
  CHECKS,
  loadAllChecks,
  loadChecks,
  needsDiscovery,
  readsEcsOrLogs,
  selectChecks,
} from '../../src/checks/index.js'

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
    await expect(loadChecks([{id: 'rds', discovery: false, load: async () => secrets}])).rejects.toThrow(
      'entry "rds" loads check "secrets"',
    )
  })

  it('says of each check whether it needs discovery, as its IAM actions do (an ecs: or logs: action)', async () => {
    const checks = await loadAllChecks()
    for (const [i, entry] of CHECKS.entries()) expect(entry.discovery, entry.id).toBe(readsEcsOrLogs(checks[i].iam))
    // Both kinds exist: the flag decides something.
    expect(CHECKS.some((e) => e.discovery) && CHECKS.some((e) => !e.discovery)).toBe(true)
  })

  it('discovers the environment only when a check that needs it will run', () => {
    const only = (...ids: string[]) => selectChecks(CHECKS, ids)
    expect(needsDiscovery(only('secrets', 'rds'), {compare: false})).toBe(false)
    expect(needsDiscovery(only('secrets', 'ecs-env'), {compare: false})).toBe(true)
    expect(needsDiscovery(only('drift'), {compare: false})).toBe(false)
    expect(needsDiscovery(only('drift'), {compare: true})).toBe(true)
    expect(needsDiscovery(CHECKS, {compare: false})).toBe(true)
  })

  it('rejects an unknown id with the valid ones and a guess', () => {
    expect(() => selectChecks(CHECKS, ['secret'])).toThrow(/Unknown check "secret"\. Valid checks: rds, /)
  })
})
