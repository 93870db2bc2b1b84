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
  for (const [unit, size] of [['d', DAY_MS], ['h', 3_600_000], ['m', 60_000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`
  }

  return `${Math.round(ms / 1000)}s`
}

/** "15m" → 900000. Throws a UserError (exit 2) naming the accepted forms and the allowed range. */
export function parseDuration(input: string, what = 'duration', range: DurationRange = {}): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$/i.exec(input)
  const ms = m ? Math.round(Number(m[1]) * UNIT_MS[m[2].toLowerCase() as keyof typeof UNIT_MS]) : Number.NaN
  const bounds = range.min !== undefined || range.max !== undefined
    ? ` between ${range.min === undefined ? '1s' : compactDuration(range.min)}`
      + ` and ${range.max === undefined ? 'any length' : compactDuration(range.max)}`
    : ''
  const fail = (why: string): never => {
    throw new UserError(`Invalid ${what} "${input}": ${why}${bounds}, such as ${DURATION_FORMS}.`, {
      code: 'INVALID_DURATION',
    })
  }

  if (!m || !(ms > 0)) fail(`use ${range.whole ? 'a whole number' : 'a number'} and a unit`)
  if (range.whole && !/^\d+$/.test(m![1])) fail('use a whole number and a unit (90m, not 1.5h)')
  if ((range.min !== undefined && ms < range.min) || (range.max !== undefined && ms > range.max)) fail('use a duration')
  return ms
}

/** 900000 → "15m"; 5400000 → "1h30m". */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`
  const totalMinutes = Math.round(ms / 60_000)
  const d = Math.floor(totalMinutes / 1440)
  const h = Math.floor((totalMinutes % 1440) / 60)
  const m = totalMinutes % 60
  return [d && `${d}d`, h && `${h}h`, m && `${m}m`].filter(Boolean).join('') || '0m'
}
