import {describe, expect, it} from 'vitest'

import {backoffMs} from '../../../src/util/backoff.js'
import {parseTimeArg, resolveWindow} from '../../../src/lib/logs/time.js'

const NOW = Date.parse('2025-12-25T12:00:00.000Z')

describe('parseTimeArg', () => {
  it.each([
    ['10m', NOW - 600_000],
    ['2h', NOW - 7_200_000],
    ['1d', NOW - 86_400_000],
    ['30s', NOW - 30_000],
    ['1.5h', NOW - 5_400_000],
    ['2025-12-25T10:00:00Z', Date.parse('2025-12-25T10:00:00Z')],
    ['2025-12-25T10:00:00.250Z', Date.parse('2025-12-25T10:00:00.250Z')],
    ['2025-12-25T10:00', Date.parse('2025-12-25T10:00:00Z')],
    ['2025-12-25 10:00:00', Date.parse('2025-12-25T10:00:00Z')],
    ['2025-12-25', Date.parse('2025-12-25T00:00:00Z')],
    ['2025-12-25T11:00:00+01:00', Date.parse('2025-12-25T10:00:00Z')],
    ['2025-12-25T05:30:00-0430', Date.parse('2025-12-25T10:00:00Z')],
  ])('%s', (input, expected) => {
    expect(parseTimeArg(input, NOW, '--since')).toBe(expected)
  })

  it.each(['yesterday', '10', '10 minutes', '0m', '2025-02-30T10:00:00Z', '2025-12-25T25:00:00Z', '25/12/2025', ''])(
    'rejects %j naming the accepted forms (exit 2)',
    (input) => {
      expect(() => parseTimeArg(input, NOW, '--since')).toThrow(
        expect.objectContaining({
          message: `Invalid --since "${input}": use a duration ago (30s, 15m, 2h or 1d) or an ISO 8601 time (2025-12-25T10:00:00Z; UTC unless it has an offset).`,
          exit: 2,
        }),
      )
    },
  )
})

describe('resolveWindow', () => {
  it('defaults to the last 10 minutes, up to now', () => {
    expect(resolveWindow({now: NOW})).toEqual({startTime: NOW - 600_000, endTime: undefined})
  })

  it('refuses a window that ends before it starts', () => {
    expect(() => resolveWindow({since: '1h', until: '2h', now: NOW})).toThrow(
      /--since \(2025-12-25T11:00:00.000Z\) must be before --until \(2025-12-25T10:00:00.000Z\)/,
    )
  })
})

describe('backoffMs', () => {
  it('doubles from the base, is capped, and is jittered between half and all of it', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, 2000, 30_000, () => 0.999_999))).toEqual([
      4000, 8000, 16_000, 30_000, 30_000, 30_000,
    ])
    expect(backoffMs(2, 2000, 30_000, () => 0)).toBe(4000)
  })
})
