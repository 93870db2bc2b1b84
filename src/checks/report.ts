import type {CheckResult, CheckStatus} from './types.js'

/** The Report model: what `validate` returns, prints as --json, and what every report format renders. */

/** One check's outcome in a report: its result plus identity and timing. */
export interface ReportEntry extends CheckResult {
  id: string
  title: string
  required: boolean
  durationMs: number
}

export interface Report {
  /** True when no check failed or errored (warnings allowed). */
  ok: boolean
  environment: string
  region: string
  accountId?: string
  /** ISO time the run started. */
  timestamp: string
  durationMs: number
  /** AWS API calls sent during the run (retries included). */
  apiCalls?: number
  counts: Record<CheckStatus, number>
  checks: ReportEntry[]
}
