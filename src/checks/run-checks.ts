import type {DefaultRenderer} from 'listr2'
import {setMaxListeners} from 'node:events'

export {createMemo} from '../util/concurrency.js'
import {inCallChain} from '../aws/critical-path.js'
import {classifyAwsError, describeAwsError, hintFor} from '../aws/errors.js'
import {limiter} from '../util/concurrency.js'
import {formatDuration, formatSeconds} from '../util/duration.js'
import {readsEcsOrLogs} from './index.js'
import type {Report, ReportEntry} from './report.js'
import {CHECK_STATUSES, type Check, type CheckContext, type CheckResult, type CheckStatus} from './types.js'

/** How progress is shown while checks run. */
export type ProgressMode = 'live' | 'plain' | 'silent'

export interface RunOptions {
  concurrency: number
  /** Per-check time budget. */
  timeoutMs: number
  progress: ProgressMode
  /** Called as each check completes (plain mode prints a line from it). */
  onResult?: (entry: ReportEntry) => void
  /** The profile in use, for credential hints. */
  profile?: string
}

/** Everything a check needs except its own signal. */
export type CheckRunBase = Omit<CheckContext, 'signal'>

/**
 * The contexts of one run: the checks that read ECS or the service logs run on the environment discovered in the
 * account; the others start at once, while discovery runs, on the environment as configured (what they read does not
 * depend on discovery: the `discovery` flag of the registry, kept true to each check's `iam`).
 */
export interface RunContexts {
  early: CheckRunBase
  /** Its environment, region and account are the report's. When it fails, the run fails with its error. */
  discovered: Promise<CheckRunBase>
}

export class CheckTimeoutError extends Error {
  override readonly name = 'TimeoutError'
}

/**
 * Runs one check and always resolves: a check that throws or exceeds its budget
 * becomes an `error` result with the cause and what to do about it.
 */
export async function runOne(
  check: Check,
  base: CheckRunBase,
  opts: Pick<RunOptions, 'timeoutMs' | 'profile'> & {signal?: AbortSignal},
): Promise<ReportEntry> {
  const started = performance.now()
  const controller = new AbortController()
  // A check sends many calls on one signal, and the SDK adds a listener per call and retry.
  setMaxListeners(0, controller.signal)
  // The run's end (discovery failed) ends the check too.
  const stop = (): void => controller.abort(opts.signal?.reason)
  if (opts.signal?.aborted) stop()
  opts.signal?.addEventListener('abort', stop, {once: true})
  const ctx: CheckContext = {...base, signal: controller.signal}
  const required = check.required ?? true
  let timer: NodeJS.Timeout | undefined
  let result: CheckResult
  try {
    const applies = check.applies ? check.applies(ctx) : true
    if (applies === true) {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const err = new CheckTimeoutError(
            `did not finish within ${opts.timeoutMs < 1000 ? formatSeconds(opts.timeoutMs) : formatDuration(opts.timeoutMs)}`,
          )
          controller.abort(err)
          reject(err)
        }, opts.timeoutMs)
      })
      result = await Promise.race([inCallChain(() => check.run(ctx)), timeout])
    } else {
      result = {status: 'skip', summary: applies}
    }
  } catch (error) {
    result = errorResult(error, opts)
  } finally {
    clearTimeout(timer)
    opts.signal?.removeEventListener('abort', stop)
  }

  if (!required && result.status === 'fail')
    result = {...result, status: 'warn', summary: `${result.summary} (optional check)`}
  return {id: check.id, title: check.title, required, ...result, durationMs: Math.round(performance.now() - started)}
}

/** The result for a check that could not decide. */
export function errorResult(error: unknown, opts: {profile?: string; timeoutMs?: number} = {}): CheckResult {
  if (error instanceof CheckTimeoutError) {
    return {
      status: 'error',
      summary: `check timed out: ${error.message}`,
      hint: 'AWS did not answer in time: run again, raise thresholds.checkTimeoutSeconds, or lower --concurrency.',
      data: {errorKind: 'timeout'},
    }
  }

  const kind = classifyAwsError(error)
  return {
    status: 'error',
    summary: `check could not run: ${describeAwsError(error)}`,
    hint:
      hintFor(error, opts) ?? 'This looks like a bug in the check: run again with --debug and report the stack trace.',
    data: {errorKind: kind},
  }
}

export function countStatuses(entries: Pick<ReportEntry, 'status'>[]): Record<CheckStatus, number> {
  const counts = Object.fromEntries(CHECK_STATUSES.map((s) => [s, 0])) as Record<CheckStatus, number>
  for (const e of entries) counts[e.status]++
  return counts
}

/**
 * Runs checks concurrently (at most `opts.concurrency` at once). listr2 draws live progress on a terminal; plain and
 * silent runs do not load it, and `onResult` reports each completion. Never throws because of a
 * check; the report keeps declaration order. With `RunContexts`, the checks that need no discovery start before it
 * ends; a failed discovery stops the run and is thrown.
 */
export async function runChecks(
  checks: Check[],
  contexts: CheckRunBase | RunContexts,
  opts: RunOptions,
): Promise<Report> {
  const {early, discovered} = 'early' in contexts ? contexts : {early: contexts, discovered: Promise.resolve(contexts)}
  const started = new Date()
  const t0 = performance.now()
  const outcomes = new Map<string, ReportEntry>()
  const stop = new AbortController()
  let failed: {error: unknown} | undefined
  discovered.catch((error: unknown) => {
    failed ??= {error}
    stop.abort(error)
  })
  const slot = limiter(opts.concurrency)
  /** Runs one check on its context, in a slot; undefined when the run stopped (discovery failed) meanwhile. */
  const run = async (check: Check): Promise<ReportEntry | undefined> => {
    const ctx = readsEcsOrLogs(check.iam) ? await discovered : early
    const entry = await slot(() => runOne(check, ctx, {...opts, signal: stop.signal}))
    if (failed) return undefined
    outcomes.set(check.id, entry)
    opts.onResult?.(entry)
    return entry
  }

  // Every check starts at once (one waiting for discovery holds no slot); `slot` bounds the work. listr2 draws the
  // live progress on a terminal, and loads only then; plain and silent runs need no more than the promises.
  if (opts.progress === 'live') await runLive(checks, run)
  else await Promise.all(checks.map((c) => run(c).catch(() => undefined)))
  if (failed) throw failed.error

  const ctx = await discovered
  const entries = checks.map((c) => outcomes.get(c.id)!)
  const counts = countStatuses(entries)
  return {
    ok: counts.fail === 0 && counts.error === 0 && !nothingChecked(counts),
    environment: ctx.env.name,
    region: ctx.region,
    ...(ctx.accountId && {accountId: ctx.accountId}),
    timestamp: started.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    apiCalls: ctx.aws.calls,
    counts,
    checks: entries,
  }
}

/** The checks under listr2's live renderer: a line per check, redrawn as each one ends. */
async function runLive(checks: Check[], run: (check: Check) => Promise<ReportEntry | undefined>): Promise<void> {
  const {Listr} = await import('listr2')
  const warned = new Set<string>()
  const list = new Listr(
    checks.map((check) => ({
      title: check.title,
      task: async (_: unknown, task: {title: string; skip(message?: string): void; task: {id: string}}) => {
        const entry = await run(check).catch(() => undefined)
        // The run stopped (discovery failed): drawn as not run; the command then prints why.
        if (!entry) return task.skip(`${check.title} — not run: the environment could not be discovered`)
        task.title = `${check.title} — ${entry.summary}`
        if (entry.status === 'warn') warned.add(task.task.id)
        // Collapsed: the skip reason replaces the title, drawn once with the skip mark.
        if (entry.status === 'skip') task.skip(task.title)
        if (entry.status === 'fail' || entry.status === 'error') throw new Error(task.title)
      },
    })),
    {
      concurrent: true,
      exitOnError: false,
      renderer: await checkRenderer(warned),
      rendererOptions: {
        collapseErrors: false,
        collapseSkips: true,
        suffixSkips: false,
        showSkipMessage: true,
        showErrorMessage: false,
      },
    },
  )
  await list.run()
}

/**
 * listr2's live renderer, except that a check that warned is drawn with a yellow warning mark
 * (listr2 knows only completed, failed and skipped tasks; a warn completes).
 */
export async function checkRenderer(warned: ReadonlySet<string>): Promise<typeof DefaultRenderer> {
  const {color, DefaultRenderer: Base, figures} = await import('listr2')
  return class CheckRenderer extends Base {
    protected override style(task: Parameters<DefaultRenderer['style']>[0], output = false): string {
      if (!output && task.isCompleted() && warned.has(task.id)) return color.yellow(figures.warning)
      return super.style(task, output)
    }
  }
}

/** True when the run decided nothing: every check skipped (e.g. --only drift without --compare). */
export function nothingChecked(counts: Record<CheckStatus, number>): boolean {
  return CHECK_STATUSES.every((s) => s === 'skip' || counts[s] === 0)
}

/**
 * Exit code for a report: 0 healthy, 1 a check failed or errored (or warned, with --fail-on warn),
 * 2 nothing was checked (every check skipped).
 */
export function exitCodeFor(report: Pick<Report, 'counts'>, failOn: 'fail' | 'warn' = 'fail'): number {
  const {counts} = report
  if (nothingChecked(counts)) return 2
  if (counts.fail > 0 || counts.error > 0) return 1
  if (failOn === 'warn' && counts.warn > 0) return 1
  return 0
}
