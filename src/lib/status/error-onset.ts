import type {TaskDefinition} from '@aws-sdk/client-ecs'

import type {RunContext} from '../../aws/context.js'
import {matchingEvents, type MatchedEvent} from '../../resources/log-events.js'
import {essentialContainer, logTargetOf} from '../../resources/containers.js'

/** The essential container's awslogs group and the prefix of its streams (`<prefix>/<container>/`). */
function awslogsStreams(td: TaskDefinition): {group: string; streamPrefix?: string} | undefined {
  const t = logTargetOf(td, essentialContainer(td))
  if (t.kind !== 'awslogs') return undefined
  return {group: t.group, ...(t.streamPrefix && {streamPrefix: `${t.streamPrefix}/${t.container}/`})}
}

/** Errors after this long without any count as a new onset. */
export const QUIET_SPELL_MS = 30 * 60_000
/** Terms searched, one FilterLogEvents each (single terms: an OR pattern is not honoured by every endpoint). */
export const ERROR_TERMS = ['ERROR', 'Traceback'] as const
const MAX_EVENTS_PER_TERM = 200
const MAX_PAGES = 2

export interface ErrorOnset {
  at: Date
  /** The first error line of the burst. */
  message: string
  /** Errors from this onset until the next quiet spell (within what was read). */
  count: number
}

/**
 * The onsets among error events (oldest first): an event with no other in the QUIET_SPELL_MS before it.
 * The window's first event counts only if the window had a quiet spell before it (else errors may
 * have been going on before the window began).
 */
export function onsetsOf(events: MatchedEvent[], since: Date, quietMs = QUIET_SPELL_MS): ErrorOnset[] {
  const sorted = [...events].sort((a, b) => a.at.getTime() - b.at.getTime())
  const onsets: ErrorOnset[] = []
  let previous = since.getTime()
  let current: ErrorOnset | undefined
  for (const e of sorted) {
    const t = e.at.getTime()
    if (t - previous >= quietMs) {
      current = {at: e.at, message: e.message, count: 1}
      onsets.push(current)
    } else if (current) {
      current.count++
    }

    previous = t
  }

  return onsets
}

/**
 * Error onsets in the logs of a task definition's essential container since `since` (FilterLogEvents on the
 * group its logConfiguration names, bounded: 2 terms × 2 pages × 200 events), once per group and window.
 */
export async function errorOnsets(ctx: RunContext, td: TaskDefinition, since: Date): Promise<ErrorOnset[]> {
  const target = awslogsStreams(td)
  if (!target) return []
  return ctx.memo(`status:onsets:${target.group}:${target.streamPrefix ?? ''}:${since.toISOString()}`, async () => {
    const found = await Promise.all(
      ERROR_TERMS.map((term) =>
        matchingEvents(ctx, {
          group: target.group,
          streamPrefix: target.streamPrefix,
          term,
          since,
          maxEvents: MAX_EVENTS_PER_TERM,
          maxPages: MAX_PAGES,
        }),
      ),
    )
    const seen = new Set<string>()
    const unique = found.flat().filter((e) => {
      const key = `${e.at.getTime()}|${e.stream}|${e.message}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
    return onsetsOf(unique, since)
  })
}
