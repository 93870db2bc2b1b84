import {formatSeconds as seconds} from '../util/duration.js'
import {verdictOf} from './terminal.js'
import type {Report} from '../checks/report.js'
import type {CheckStatus} from '../checks/types.js'
import {safeText} from '../util/safe-text.js'

/**
 * The report as a Markdown document, for $GITHUB_STEP_SUMMARY and incident tickets:
 * a heading (environment, region, account, time), the verdict, one table row per check,
 * then each check that needs attention with its details and the next thing to do.
 */

const MARK: Record<CheckStatus, string> = {pass: '✅', warn: '⚠️', fail: '❌', error: '❗', skip: '⏭️'}

/**
 * Text that renders as itself: Markdown punctuation and HTML are backslash-escaped.
 * "_" is left alone between letters or digits (DJANGO_SETTINGS_MODULE), where it cannot emphasise.
 */
export const escapeMarkdown = (s: string): string =>
  safeText(s)
    .replaceAll(/[\\`*[\]<>|~&]/g, String.raw`\$&`)
    .replaceAll(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, String.raw`\_`)

/** A table cell: escaped, `|` escaped, line breaks as <br>. */
export const cell = (s: string): string => escapeMarkdown(s).replaceAll(/\r\n|\r|\n/g, '<br>')

/** A fenced block that no backtick run inside it can close. */
function fenced(lines: string[]): string[] {
  const longest = Math.max(0, ...lines.map((l) => Math.max(0, ...[...l.matchAll(/`+/g)].map((m) => m[0].length))))
  const fence = '`'.repeat(Math.max(3, longest + 1))
  return [`${fence}text`, ...lines.flatMap((l) => l.split(/\r\n|\r|\n/).map((x) => safeText(x))), fence]
}

const code = (id: string): string => `\`${id}\``

function verdict(report: Report): string {
  const v = verdictOf(report, code)
  const env = escapeMarkdown(report.environment)
  if (v.level === 'unhealthy') return `**${MARK.fail} ${env} is NOT healthy** — ${v.why}`
  if (v.level === 'nothing-checked')
    return `**${MARK.skip} ${env}: nothing was checked** — every selected check skipped`
  return v.level === 'warnings'
    ? `**${MARK.warn} ${env} is healthy, with warnings** — ${v.warned.map((e) => code(e.id)).join(', ')}`
    : `**${MARK.pass} ${env} is healthy**`
}

export function toMarkdown(report: Report, opts: {verbose?: boolean} = {}): string {
  const {counts} = report
  const tally = [
    `${counts.pass} passed`,
    counts.warn && `${counts.warn} warning${counts.warn > 1 ? 's' : ''}`,
    counts.fail && `${counts.fail} failed`,
    counts.error && `${counts.error} errored`,
    counts.skip && `${counts.skip} skipped`,
  ].filter(Boolean)
  const where = [
    `Environment **${escapeMarkdown(report.environment)}**`,
    `region \`${report.region}\``,
    ...(report.accountId ? [`account \`${report.accountId}\``] : []),
    report.timestamp.replace(/\.\d+Z$/, 'Z'),
    `${report.checks.length} check${report.checks.length === 1 ? '' : 's'} in ${seconds(report.durationMs)}`,
  ]
  const lines = [
    `## allthrive validate: ${escapeMarkdown(report.environment)}`,
    '',
    where.join(' · '),
    '',
    verdict(report),
    '',
    tally.join(' · '),
    '',
    '| status | check | summary |',
    '| --- | --- | --- |',
    ...report.checks.map((c) => `| ${MARK[c.status]} ${c.status} | \`${c.id}\` | ${cell(c.summary)} |`),
  ]

  const attention = report.checks.filter(
    (c) => ['fail', 'error', 'warn'].includes(c.status) || (opts.verbose && c.status === 'pass' && c.details?.length),
  )
  if (attention.length > 0) lines.push('', '### Details')
  for (const c of attention) {
    lines.push('', `#### ${MARK[c.status]} \`${c.id}\` — ${escapeMarkdown(c.title)}`, '', escapeMarkdown(c.summary))
    if (c.details?.length) lines.push('', ...fenced(c.details))
    if (c.hint && c.status !== 'pass') lines.push('', `**Next:** ${escapeMarkdown(c.hint)}`)
  }

  return `${lines.join('\n')}\n`
}
