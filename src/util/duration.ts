import {UserError} from '../errors.js'

export const DAY_MS = 86_400_000
const UNIT_MS = {s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS} as const

/** Whole days from `now` to `until` (negative once past): certificate and CA expiry. */
export const daysUntil = (until: Date, now: Date): number => Math.floor((until.getTime() - now.getTime()) / DAY_MS)

export const DURATION_FORMS = '30s, 15m, 2h or 1d'

/** "15m" → 900000. Throws a UserError naming the accepted forms. */
export function parseDuration(input: string, what = 'duration'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$/i.exec(input)
  if (!m || Number(m[1]) <= 0) {
    throw new UserError(`Invalid ${what} "${input}": use a number and a unit, such as ${DURATION_FORMS}.`, {code: 'INVALID_DURATION'})
  }

  return Math.round(Number(m[1]) * UNIT_MS[m[2].toLowerCase() as keyof typeof UNIT_MS])
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
