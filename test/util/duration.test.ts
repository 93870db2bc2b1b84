import {describe, expect, it} from 'vitest'

import {
  daysUntil,
  formatAge,
  formatDuration,
  formatElapsed,
  formatSeconds,
  parseDuration,
} from '../../src/util/duration.js'

describe('parseDuration', () => {
  it('reads a number and a unit', () => {
    const ms = ['30s', '15m', '2h', '1d', '1.5h'].map((d) => parseDuration(d))
    expect(ms).toEqual([30_000, 900_000, 7_200_000, 86_400_000, 5_400_000])
  })

  it('gives only examples the allowed range accepts', () => {
    expect(() => parseDuration('25d', '--timeout', {min: 1000, max: 3_600_000})).toThrow(
      'Invalid --timeout "25d": use a duration between 1s and 1h, such as 30s, 15m.',
    )
  })

  it('names the accepted forms when the input is not one', () => {
    expect(() => parseDuration('ten minutes', '--since')).toThrow(
      'Invalid --since "ten minutes": use a number and a unit, such as 30s, 15m, 2h or 1d.',
    )
  })
})

describe('daysUntil', () => {
  it('counts whole days, negative once past', () => {
    const now = new Date('2025-12-25T00:00:00Z')
    expect(daysUntil(new Date('2026-01-08T12:00:00Z'), now)).toBe(14)
    expect(daysUntil(new Date('2025-12-24T00:00:00Z'), now)).toBe(-1)
  })
})

describe('formatDuration', () => {
  it('reads back in the units the flags take, minutes rounded from a minute on', () => {
    const spans = [45_000, 900_000, 5_400_000, 5_430_000, 90_000_000].map((ms) => formatDuration(ms))
    expect(spans).toEqual(['45s', '15m', '1h30m', '1h31m', '1d1h'])
  })

  it('keeps the seconds of a span under an hour when asked', () => {
    const spans = [0, 45_000, 110_000, 180_000, 5_400_000].map((ms) => formatDuration(ms, {seconds: true}))
    expect(spans).toEqual(['0s', '45s', '1m50s', '3m', '1h30m'])
  })
})

describe('formatElapsed', () => {
  it('shows seconds under an hour', () => {
    const elapsed = [0, 5_400, 65_000, 3_599_000, 3_720_000].map((ms) => formatElapsed(ms))
    expect(elapsed).toEqual(['0s', '5s', '1m05s', '59m59s', '1h02m'])
  })
})

describe('formatAge', () => {
  it('reads as the largest two units', () => {
    expect(formatAge(30_000)).toBe('30s')
    expect(formatAge(5 * 60_000)).toBe('5m')
    expect(formatAge(133 * 60_000)).toBe('2h 13m')
    expect(formatAge(120 * 60_000)).toBe('2h')
    expect(formatAge((3 * 1440 + 250) * 60_000)).toBe('3d 4h')
    expect(formatAge(2 * 1440 * 60_000)).toBe('2d')
    expect(formatAge(-5000)).toBe('0s')
  })
})

describe('formatSeconds', () => {
  it('shows milliseconds under a second, else tenths of seconds', () => {
    const measured = [0, 850, 1000, 1234, 61_000].map((ms) => formatSeconds(ms))
    expect(measured).toEqual(['0ms', '850ms', '1.0s', '1.2s', '61.0s'])
  })
})
