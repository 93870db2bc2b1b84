import type {Report, ReportEntry} from '../checks/report.js'
import {safeLine, safeText} from '../util/safe-text.js'

/**
 * GitHub Actions workflow-command annotations: one per check that failed, errored or warned,
 * shown on the run's summary page. The message is the summary, the details (at most
 * MAX_DETAILS lines) and the hint, so the annotation names what to run next.
 */

const MAX_DETAILS = 20

/** True inside a GitHub Actions job. */
export const onGitHubActions = (env: NodeJS.ProcessEnv = process.env): boolean => env.GITHUB_ACTIONS === 'true'

/** A command's message, escaped as @actions/core does: %, CR and LF. */
export const escapeData = (s: string): string =>
  s.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A')

/** A command's property value: the message escapes plus ":" and ",", which separate properties. */
export const escapeProperty = (s: string): string => escapeData(s).replaceAll(':', '%3A').replaceAll(',', '%2C')

/** `::error title=rds::message` */
export function workflowCommand(
  command: 'error' | 'warning' | 'notice',
  properties: Record<string, string>,
  message: string,
): string {
  const props = Object.entries(properties)
    .map(([k, v]) => `${k}=${escapeProperty(v)}`)
    .join(',')
  return `::${command}${props ? ` ${props}` : ''}::${escapeData(message)}`
}

function message(e: ReportEntry): string {
  const details = (e.details ?? []).map((d) => safeText(d))
  const shown = details.slice(0, MAX_DETAILS)
  const more = details.length - shown.length
  const summary = safeLine(e.summary)
  return [
    details.length === 1 ? `${summary} — ${details[0]}` : summary,
    ...(details.length > 1 ? shown.map((d) => `• ${d}`) : []),
    ...(more > 0 ? [`… ${more} more (see the job summary or --json)`] : []),
    ...(e.hint ? [`Next: ${safeText(e.hint)}`] : []),
  ].join('\n')
}

/** One annotation per failing (`error`) or warning (`warning`) check, in report order. */
export function annotations(report: Report): string[] {
  return report.checks.flatMap((e) => {
    if (e.status === 'fail' || e.status === 'error') return [workflowCommand('error', {title: e.id}, message(e))]
    if (e.status === 'warn') return [workflowCommand('warning', {title: e.id}, message(e))]
    return []
  })
}
