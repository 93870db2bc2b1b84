import type {RunContext} from '../aws/context.js'
import type {EnvConfig} from '../config.js'

/**
 * The check contract.
 * - `fail`: the thing checked is unhealthy (a finding).
 * - `error`: the check itself could not decide (AccessDenied, throttling, timeout, a bug).
 * Keep the two apart: an on-call engineer acts differently on each.
 */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip' | 'error'
export const CHECK_STATUSES: readonly CheckStatus[] = ['pass', 'warn', 'fail', 'skip', 'error']

export interface CheckResult {
  status: CheckStatus
  /** One line, shown next to the title. */
  summary: string
  /** Findings, one per line, each naming the resource. */
  details?: string[]
  /** What to do next: a command or a console area. */
  hint?: string
  /** Facts for --json (ids, days left, counts). Never secret values. */
  data?: Record<string, unknown>
}

/** A check's view of the run: the run context with its own signal (aborted when its budget runs out). */
export interface CheckContext extends RunContext {
  /** Aborted when the check's time budget runs out: pass it to every `send` as `{abortSignal}`. */
  signal: AbortSignal
  /** --probe: connect to the environment's endpoints (PostgreSQL, Redis, Weaviate) from where the CLI runs. */
  probe?: boolean
  /** --compare: the environment the drift check compares this one with (same account; its config region, else this run's). */
  compare?: {env: EnvConfig}
}

export interface Check {
  /** kebab-case id, used by --only/--skip and in reports. */
  id: string
  /** What a pass means, e.g. "RDS instance available and protected". */
  title: string
  /** IAM actions the check calls, for README's policy and AccessDenied hints. */
  iam: string[]
  /** Default true. A failing optional check is reported as warn. */
  required?: boolean
  /** true, or the reason to skip. */
  applies?(ctx: CheckContext): true | string
  run(ctx: CheckContext): Promise<CheckResult>
}

type Extras = Omit<CheckResult, 'status' | 'summary'>

export const pass = (summary: string, extras: Extras = {}): CheckResult => ({status: 'pass', summary, ...extras})
export const warn = (summary: string, extras: Extras = {}): CheckResult => ({status: 'warn', summary, ...extras})
export const fail = (summary: string, extras: Extras = {}): CheckResult => ({status: 'fail', summary, ...extras})
export const skip = (summary: string, extras: Extras = {}): CheckResult => ({status: 'skip', summary, ...extras})

/** The worst of several statuses: error > fail > warn > pass > skip. */
export function worst(statuses: CheckStatus[]): CheckStatus {
  const rank: Record<CheckStatus, number> = {skip: 0, pass: 1, warn: 2, fail: 3, error: 4}
  return statuses.reduce<CheckStatus>((a, b) => (rank[b] > rank[a] ? b : a), 'pass')
}

/** "1 bucket" / "3 buckets". */
export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`

/** One observation of a multi-part check: `pass` findings are notes (shown in details), the others are problems. */
export interface Finding {
  status: CheckStatus
  /** A few words for the summary. */
  short?: string
  detail: string
  hint?: string
}

const SEVERITY_ORDER: Record<CheckStatus, number> = {error: 0, fail: 1, warn: 2, pass: 3, skip: 4}

/**
 * Status is the worst finding; problems (worst first) lead the summary, details and hints; notes
 * follow in details. `subject` names the resource in the summary ("production-allthrive-db: …");
 * empty when the findings name their resources themselves.
 */
export function resultFromFindings(
  subject: string,
  findings: Finding[],
  healthy: string,
  data: CheckResult['data'],
): CheckResult {
  const problems = findings
    .filter((f) => f.status !== 'pass')
    .sort((a, b) => SEVERITY_ORDER[a.status] - SEVERITY_ORDER[b.status])
  const details = [...problems, ...findings.filter((f) => f.status === 'pass')].map((f) => f.detail)
  if (problems.length === 0) return {status: 'pass', summary: healthy, details, data}
  const hint = [...new Set(problems.map((f) => f.hint).filter(Boolean))].join('; ')
  const shorts = problems
    .map((f) => f.short)
    .filter(Boolean)
    .join(', ')
  return {
    status: worst(problems.map((f) => f.status)),
    summary: subject ? `${subject}: ${shorts}` : shorts,
    details,
    ...(hint && {hint}),
    data,
  }
}
