import {UserError} from '../../errors.js'
import {DURATION_FORMS, parseDuration} from '../../util/duration.js'

/** What --since and --until accept, for messages and help. */
export const TIME_FORMS = `a duration ago (${DURATION_FORMS}) or an ISO 8601 time (2025-12-25T10:00:00Z; UTC unless it has an offset)`

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i

/**
 * "10m" → now minus 10 minutes; "2025-12-25T10:00:00Z" → that instant (epoch ms).
 * A time without an offset is UTC, like the timestamps `logs tail` prints.
 */
export function parseTimeArg(input: string, now: number, flag: string): number {
  const text = input.trim()
  if (/^\d*[1-9]\d*(?:\.\d+)?\s*[smhd]$|^\d+\.\d*[1-9]\d*\s*[smhd]$/i.test(text)) return now - parseDuration(text, flag)
  const m = ISO.exec(text)
  if (m) {
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map((v) => Number(v ?? 0))
    const ms = Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3))
    const local = Date.UTC(y, mo - 1, d, h, mi, s, ms)
    const back = new Date(local)
    // Date.UTC rolls 2025-02-31 over to March: a field that changed was out of range.
    if (
      back.getUTCMonth() === mo - 1 &&
      back.getUTCDate() === d &&
      back.getUTCHours() === h &&
      back.getUTCMinutes() === mi &&
      back.getUTCSeconds() === s
    ) {
      return local - offsetMs(m[8])
    }
  }

  throw new UserError(`Invalid ${flag} "${input}": use ${TIME_FORMS}.`, {
    code: 'INVALID_TIME',
    suggestions: [`For example: ${flag} 10m, ${flag} 2h, ${flag} 2025-12-25T10:00:00Z`],
  })
}

/** "+01:00" or "+0100" → 3600000; "Z" or none → 0. */
function offsetMs(zone: string | undefined): number {
  if (!zone || zone.toUpperCase() === 'Z') return 0
  const sign = zone.startsWith('-') ? -1 : 1
  return sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2))) * 60_000
}

/** The window of a `logs tail` run: since (default 10m ago) and an optional until, checked for order. */
export function resolveWindow(opts: {since?: string; until?: string; now: number}): {
  startTime: number
  endTime: number | undefined
} {
  const startTime = parseTimeArg(opts.since ?? '10m', opts.now, '--since')
  const endTime = opts.until === undefined ? undefined : parseTimeArg(opts.until, opts.now, '--until')
  if (endTime !== undefined && endTime <= startTime) {
    throw new UserError(
      `--since (${new Date(startTime).toISOString()}) must be before --until (${new Date(endTime).toISOString()}).`,
      {
        code: 'INVALID_TIME',
        suggestions: ['A duration counts back from now: --since 2h --until 1h is the hour before last.'],
      },
    )
  }

  return {startTime, endTime}
}
