import ansis from 'ansis'

import type {Report, ReportEntry} from '../checks/report.js'
import type {CheckStatus} from '../checks/types.js'
import {formatSeconds as seconds} from '../util/duration.js'
import {hintSteps, wrap} from './wrap.js'
import {safeLine, safeText} from '../util/safe-text.js'

const MARK: Record<CheckStatus, string> = {pass: '✔', warn: '⚠', fail: '✖', skip: '↓', error: '✖'}
const COLOR: Record<CheckStatus, (s: string) => string> = {
  pass: ansis.green,
  warn: ansis.yellow,
  fail: ansis.red,
  skip: ansis.gray,
  error: ansis.magenta,
}
const LABEL: Record<CheckStatus, string> = {pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP', error: 'ERROR'}

export interface Verdict {
  level: 'unhealthy' | 'warnings' | 'healthy' | 'nothing-checked'
  /** "failed: a, b; could not check: c" when unhealthy, else empty. */
  why: string
  warned: ReportEntry[]
}

/** The run's verdict, shared by the terminal and Markdown reports; `name` decorates each check id. */
export function verdictOf(report: Report, name: (id: string) => string = (id) => id): Verdict {
  const ids = (status: CheckStatus) => report.checks.filter((c) => c.status === status).map((c) => name(c.id))
  const [failed, errored] = [ids('fail'), ids('error')]
  const warned = report.checks.filter((c) => c.status === 'warn')
  if (failed.length > 0 || errored.length > 0) {
    const why = [
      failed.length > 0 ? `failed: ${failed.join(', ')}` : '',
      errored.length > 0 ? `could not check: ${errored.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ')
    return {level: 'unhealthy', why, warned}
  }

  if (report.checks.every((c) => c.status === 'skip')) return {level: 'nothing-checked', why: '', warned}
  return {level: warned.length > 0 ? 'warnings' : 'healthy', why: '', warned}
}

/** One line per completed check, for CI logs and pipes: "✖ FAIL  rds  summary (212ms)". */
export function plainLine(e: ReportEntry): string {
  return `${COLOR[e.status](`${MARK[e.status]} ${LABEL[e.status].padEnd(5)}`)} ${e.id.padEnd(18)} ${safeLine(e.summary)} ${ansis.gray(`(${seconds(e.durationMs)})`)}`
}

/**
 * Details and hints of the checks that need attention (all checks with verbose); with `width`, they
 * wrap at it (see wrap.ts), and a hint of several steps lists one per line.
 */
export function detailLines(report: Report, verbose = false, width?: number): string[] {
  const lines: string[] = []
  for (const e of report.checks) {
    const show = verbose || e.status === 'fail' || e.status === 'error' || e.status === 'warn'
    if (!show || (!e.details?.length && !e.hint)) continue
    lines.push(`${COLOR[e.status](`${MARK[e.status]} ${e.id}`)}: ${safeLine(e.summary)}`)
    for (const d of e.details ?? []) lines.push(...wrap(safeText(d), width, {first: '    • ', rest: '      '}))
    if (e.hint && e.status !== 'pass') {
      for (const step of hintSteps(safeText(e.hint)))
        lines.push(...wrap(step, width, {first: `    ${ansis.cyan('→')} `, rest: '      '}))
    }
  }

  return lines
}

/** "8 checks: 6 passed, 1 warning, 1 failed (1.2s)" and the one-line verdict. */
export function summaryLines(report: Report): string[] {
  const {counts} = report
  const parts = [
    `${counts.pass} passed`,
    counts.warn ? ansis.yellow(`${counts.warn} warning${counts.warn > 1 ? 's' : ''}`) : undefined,
    counts.fail ? ansis.red(`${counts.fail} failed`) : undefined,
    counts.error ? ansis.magenta(`${counts.error} errored`) : undefined,
    counts.skip ? `${counts.skip} skipped` : undefined,
  ].filter(Boolean)
  const total = report.checks.length
  const where = `${report.environment} (${report.region}${report.accountId ? `, account ${report.accountId}` : ''})`
  const v = verdictOf(report)
  const verdict =
    v.level === 'unhealthy'
      ? ansis.red.bold(`✖ ${where} is NOT healthy — ${v.why}`)
      : v.level === 'warnings'
        ? ansis.yellow.bold(`⚠ ${where} is healthy, with warnings`)
        : v.level === 'nothing-checked'
          ? ansis.yellow.bold(`↓ ${where}: nothing was checked — every selected check skipped`)
          : ansis.green.bold(`✔ ${where} is healthy`)

  return [`${total} check${total === 1 ? '' : 's'}: ${parts.join(', ')} (${seconds(report.durationMs)})`, verdict]
}

/** Everything printed after the checks ran. */
export function renderReport(report: Report, opts: {verbose?: boolean; width?: number} = {}): string[] {
  const details = detailLines(report, opts.verbose, opts.width)
  return [...(details.length > 0 ? ['', ...details] : []), '', ...summaryLines(report)]
}
