import {UserError} from '../errors.js'

export const DAY_MS = 86_400_000
const UNIT_MS = {s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS} as const

/** Whole days from `now` to `until` (negative once past): certificate and CA expiry. */
export const daysUntil = (until: Date, now: Date): number => Math.floor((until.getTime() - now.getTime()) / DAY_MS)

export const DURATION_FORMS = '30s, 15m, 2h or 1d'

/** The longest a Node timer can wait (2^31-1 ms, about 24.8 days): a longer duration would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647

export interface DurationRange {
  /** Smallest accepted value (ms). Default: anything above 0. */
  min?: number
  /** Largest accepted value (ms). Default: none. */
  max?: number
  /** Only whole numbers ("90m", not "1.5h"): for values handed on as text to config thresholds. */
  whole?: boolean
}

/** 1000 → "1s", 5400000 → "90m", 86400000 → "1d": the largest unit that divides evenly (seconds otherwise). */
export function compactDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', DAY_MS],
    ['h', 3_600_000],
    ['m', 60_000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`
  }

  return `${Math.round(ms / 1000)}s`
}

/** DURATION_FORMS, each with its length. */
const EXAMPLES: [string, number][] = [
  ['30s', 30_000],
  ['15m', 900_000],
  ['2h', 7_200_000],
  ['1d', 86_400_000],
]

/** "15m" → 900000. Throws a UserError (exit 2) naming the accepted forms and the allowed range. */
export function parseDuration(input: string, what = 'duration', range: DurationRange = {}): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$/i.exec(input)
  const ms = m ? Math.round(Number(m[1]) * UNIT_MS[m[2].toLowerCase() as keyof typeof UNIT_MS]) : Number.NaN
  const bounds =
    range.min !== undefined || range.max !== undefined
      ? ` between ${range.min === undefined ? '1s' : compactDuration(range.min)}` +
        ` and ${range.max === undefined ? 'any length' : compactDuration(range.max)}`
      : ''
  const fail = (why: string): never => {
    // The examples given are ones the range accepts.
    const fits = EXAMPLES.filter(
      ([, v]) => (range.min === undefined || v >= range.min) && (range.max === undefined || v <= range.max),
    )
    const forms =
      fits.length === 0 || fits.length === EXAMPLES.length ? DURATION_FORMS : fits.map(([e]) => e).join(', ')
    throw new UserError(`Invalid ${what} "${input}": ${why}${bounds}, such as ${forms}.`, {
      code: 'INVALID_DURATION',
    })
  }

  if (!m || !(ms > 0)) fail(`use ${range.whole ? 'a whole number' : 'a number'} and a unit`)
  if (range.whole && !/^\d+$/.test(m![1])) fail('use a whole number and a unit (90m, not 1.5h)')
  if ((range.min !== undefined && ms < range.min) || (range.max !== undefined && ms > range.max)) fail('use a duration')
  return ms
}

/*
 * One formatter per style of duration the CLI prints:
 * - formatDuration: a span in the units the flags take ("15m", "1h30m"; with seconds: "1m50s");
 * - formatElapsed: a stopwatch on progress lines, fixed width under an hour ("1m05s");
 * - formatAge: how long a state has lasted, in prose, two largest units ("2h 13m", "3d 4h");
 * - formatSeconds: a measured run time ("850ms", "1.2s").
 */

/**
 * 900000 → "15m"; 5400000 → "1h30m"; minutes rounded from a minute on. With `seconds`,
 * spans under an hour keep their seconds: 110000 → "1m50s", 180000 → "3m".
 */
export function formatDuration(ms: number, opts: {seconds?: boolean} = {}): string {
  if (opts.seconds && ms < 3_600_000) {
    const s = Math.max(0, Math.round(ms / 1000))
    return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`
  }

  if (ms < 60_000) return `${Math.round(ms / 1000)}s`
  const totalMinutes = Math.round(ms / 60_000)
  const d = Math.floor(totalMinutes / 1440)
  const h = Math.floor((totalMinutes % 1440) / 60)
  const m = totalMinutes % 60
  return [d && `${d}d`, h && `${h}h`, m && `${m}m`].filter(Boolean).join('') || '0m'
}

/** 5s, 1m05s, 1h02m: elapsed time with seconds shown under an hour. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

/** 7980000 → "2h 13m"; 273600000 → "3d 4h". */
export function formatAge(ms: number): string {
  const m = Math.max(0, Math.floor(ms / 60_000))
  if (m < 1) return `${Math.max(0, Math.floor(ms / 1000))}s`
  const [d, h, min] = [Math.floor(m / 1440), Math.floor((m % 1440) / 60), m % 60]
  if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`
  return h > 0 ? (min > 0 ? `${h}h ${min}m` : `${h}h`) : `${min}m`
}

/** 850 → "850ms"; 1234 → "1.2s". */
export const formatSeconds = (ms: number): string => (ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`)
