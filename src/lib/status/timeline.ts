/** The "what changed" time line: changes and breakage on one line, newest first, with likely triggers marked. */

export type TimelineKind = 'task-definition' | 'deployment' | 'secret' | 'alarm' | 'error-onset'

export interface TimelineEntry {
  /** ISO 8601, UTC. */
  at: string
  kind: TimelineKind
  /** Short service name, when the entry belongs to one. */
  service?: string
  summary: string
  /** A breakage: an alarm entering ALARM, or an error onset. */
  breakage?: boolean
  /** Set on a change that landed shortly before a breakage: the breakages it likely triggered. */
  likelyTriggerOf?: string[]
}

/** A change this long (or less) before a breakage is marked as its likely trigger. */
export const TRIGGER_WINDOW_MS = 15 * 60_000

const CHANGE_KINDS = new Set<TimelineKind>(['task-definition', 'deployment', 'secret'])

/**
 * Sorts newest first and marks each change (task-definition, deployment, secret) that landed within
 * `windowMs` before a breakage (alarm into ALARM, error onset) as its likely trigger. A change on another
 * service still counts (a secret is shared), but a service-scoped breakage prefers its own service's changes:
 * when one of them is in the window, other services' changes are not marked for it.
 */
export function buildTimeline(entries: TimelineEntry[], windowMs = TRIGGER_WINDOW_MS): TimelineEntry[] {
  const sorted = entries
    .map((e) => ({...e}))
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || a.kind.localeCompare(b.kind))
  const changes = sorted.filter((e) => CHANGE_KINDS.has(e.kind))
  for (const b of sorted.filter((e) => e.breakage)) {
    const t = Date.parse(b.at)
    const inWindow = changes.filter((c) => {
      const dt = t - Date.parse(c.at)
      return dt >= 0 && dt <= windowMs
    })
    const own = b.service ? inWindow.filter((c) => c.service === b.service || !c.service) : []
    const chosen = b.service && own.length > 0 ? own : inWindow
    for (const c of chosen) c.likelyTriggerOf = [...(c.likelyTriggerOf ?? []), b.summary]
  }

  return sorted
}
