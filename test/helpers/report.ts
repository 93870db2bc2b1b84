import {countStatuses} from '../../src/checks/run-checks.js'
import type {Report, ReportEntry} from '../../src/checks/report.js'

/** A report of staging over `checks`, counted and judged as runChecks does. */
export function reportOf(checks: ReportEntry[], over: Partial<Report> = {}): Report {
  const counts = countStatuses(checks)
  return {
    ok: counts.fail === 0 && counts.error === 0,
    environment: 'staging',
    region: 'us-east-1',
    accountId: '123456789012',
    timestamp: '2026-11-26T12:00:00.123Z',
    durationMs: 1234,
    counts,
    checks,
    ...over,
  }
}
