import type {ServiceEvent} from '@aws-sdk/client-ecs'

import {oneLine} from './text.js'

/** A service event shown once, with how many times it repeated ("(×12)"). */
export interface EventView {
  /** The newest occurrence. */
  at: string
  message: string
  count: number
}

/**
 * The service's latest events, newest first, identical messages folded into one line with their count
 * (ECS repeats "has reached a steady state" every few hours): at most `keep` distinct lines.
 */
export function dedupEvents(events: ServiceEvent[], keep = 5): EventView[] {
  const sorted = [...events].sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))
  const byMessage = new Map<string, EventView>()
  for (const e of sorted) {
    const message = oneLine(e.message ?? '', 240)
    const seen = byMessage.get(message)
    if (seen) seen.count++
    else byMessage.set(message, {at: (e.createdAt ?? new Date(0)).toISOString(), message, count: 1})
  }

  return [...byMessage.values()].slice(0, keep)
}

export const eventLine = (e: EventView): string => `${e.message}${e.count > 1 ? ` (×${e.count})` : ''}`
