import {captureOutput} from '@oclif/test'
import {describe, expect, it} from 'vitest'

import CacheClear from '../../src/commands/cache/clear.js'
import Migrate from '../../src/commands/migrate.js'
import Validate from '../../src/commands/validate.js'
import {UserError} from '../../src/errors.js'
import {compactDuration, parseDuration} from '../../src/util/duration.js'
import {mocks, resetMocks} from '../helpers/aws.js'

const error = (f: () => unknown): UserError => {
  try {
    f()
  } catch (e) {
    return e as UserError
  }

  throw new Error('did not throw')
}

describe('parseDuration with a range', () => {
  it('names the allowed range', () => {
    expect(error(() => parseDuration('25d', '--timeout', {max: 24 * 86_400_000})).message).toBe(
      'Invalid --timeout "25d": use a duration between 1s and 24d, such as 30s, 15m, 2h or 1d.',
    )
    expect(
      error(() => parseDuration('1.5h', '--since', {whole: true, min: 60_000, max: 30 * 86_400_000})).message,
    ).toContain('use a whole number and a unit (90m, not 1.5h) between 1m and 30d')
    expect(parseDuration('90m', '--since', {whole: true, min: 60_000})).toBe(5_400_000)
  })

  it('writes a duration back in one unit that parses again', () => {
    expect(compactDuration(5_400_000)).toBe('90m')
    expect(compactDuration(86_400_000)).toBe('1d')
    expect(compactDuration(90_000)).toBe('90s')
    for (const ms of [60_000, 5_400_000, 7_200_000, 90_000]) expect(parseDuration(compactDuration(ms))).toBe(ms)
  })
})

describe('edge inputs are refused at the flag (exit 2), before any AWS call', () => {
  it.each([
    [Validate, ['--timeout', '25d'], /Invalid --timeout "25d": use a duration between 1s and 1h/],
    [
      Validate,
      ['--since', '1.5h'],
      /Invalid --since "1\.5h": use a whole number and a unit \(90m, not 1\.5h\) between 1m and 30d/,
    ],
    [Migrate, ['--timeout', '25d', '--dry-run'], /Invalid --timeout "25d": use a duration between 1s and 24d/],
    [CacheClear, ['--paths', '', '--dry-run'], /Invalid --paths: an empty path\. Give 1 to 3000 paths/],
    [CacheClear, ['--paths', '/a,,/b', '--dry-run'], /Invalid --paths: an empty path/],
    [Migrate, ['--attach', ''], /Invalid --attach: an empty task id/],
  ] as const)('%o %o', async (Cmd, argv, message) => {
    resetMocks()
    const {error: e} = await captureOutput(() => (Cmd as typeof Validate).run([...argv], import.meta.url))
    expect(e?.message).toMatch(message)
    expect(e?.oclif?.exit).toBe(2)
    for (const m of Object.values(mocks)) expect(m.calls()).toHaveLength(0)
  })
})
