import {
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RunTaskCommand,
  type RunTaskCommandInput,
  type Task,
} from '@aws-sdk/client-ecs'

import {randomUUID} from 'node:crypto'

import {classifyAwsError, describeAwsError} from '../../aws/errors.js'
import {EXIT, UserError} from '../../errors.js'
import {taskId} from '../../resources/ecs.js'
import {systemTicker, type Ticker} from '../../util/sleep.js'
import {backoffMs} from '../../util/backoff.js'
import type {LogFollower} from './logs.js'
import {type Explanation, explainRunTaskFailure} from './stop-reasons.js'

/** Elapsed time and waiting, injectable so a test polls instantly. */
export type WaitClock = Pick<Ticker, 'now' | 'sleep'>

/**
 * Starts the task; RunTask `failures[]` (or no task) become a UserError (exit 1) in plain words. The request carries
 * one clientToken (RunTask's idempotency token) for this migration: the SDK resends the same request object on each
 * retry, so a retry after a lost answer returns the task already started instead of starting a second one.
 */
export async function startTask(ecs: ECSClient, request: RunTaskCommandInput, signal?: AbortSignal): Promise<Task> {
  const input = {...request, clientToken: request.clientToken ?? randomUUID()}
  const out = await ecs.send(new RunTaskCommand(input), {abortSignal: signal})
  const task = out.tasks?.[0]
  if (task?.taskArn && (out.failures ?? []).length === 0) return task
  const explained = (out.failures ?? []).map((f) => explainRunTaskFailure(f))
  const first: Explanation = explained[0] ?? {summary: 'ECS returned no task and no reason.'}
  throw new UserError(
    `The migration task could not be started: ${first.summary}${first.detail ? ` [${first.detail}]` : ''}`,
    {
      code: 'RUN_TASK_FAILED',
      exit: EXIT.FAILED,
      suggestions: explained.map((e) => e.fix).filter((f): f is string => Boolean(f)),
    },
  )
}

/** Tasks started by `startedBy` that are not stopped yet (ListTasks desiredStatus RUNNING covers PENDING too). */
export async function runningTasksStartedBy(
  ecs: ECSClient,
  cluster: string,
  startedBy: string,
  signal?: AbortSignal,
): Promise<Task[]> {
  const listed = await ecs.send(new ListTasksCommand({cluster, startedBy, desiredStatus: 'RUNNING', maxResults: 100}), {
    abortSignal: signal,
  })
  const arns = listed.taskArns ?? []
  if (arns.length === 0) return []
  const described = await ecs.send(new DescribeTasksCommand({cluster, tasks: arns}), {abortSignal: signal})
  return (described.tasks ?? []).filter((t) => t.startedBy === startedBy && t.lastStatus !== 'STOPPED')
}

export interface WaitOptions {
  ecs: ECSClient
  cluster: string
  taskArn: string
  pollMs: number
  /** Stop waiting (the task keeps running) after this long; undefined = as long as it takes. */
  timeoutMs?: number
  logs?: LogFollower
  signal?: AbortSignal
  clock?: WaitClock
  /** How long to keep trying through transient errors (network, timeouts, throttling, 5xx) before giving up. */
  outageMs?: number
  onStatus?: (status: string, elapsedMs: number, task: Task) => void
  onLine?: (line: string) => void
  /** Notes for the user: contact lost, contact back. */
  onNote?: (line: string) => void
}

/** Default for WaitOptions.outageMs: a network blip, a VPN reconnect or an expired proxy session are ridden out. */
export const DEFAULT_OUTAGE_MS = 5 * 60_000

const TRANSIENT = new Set(['network', 'timeout', 'throttling', 'server', 'unparsable'])

/** An error worth retrying while watching: the connection or AWS, not the caller's rights or input. */
export const isTransient = (e: unknown): boolean => TRANSIENT.has(classifyAwsError(e))

export type WaitEnd = 'stopped' | 'timeout' | 'interrupted'

export interface WaitResult {
  end: WaitEnd
  task: Task
  elapsedMs: number
}

const isAbort = (e: unknown): boolean => (e as Error)?.name === 'AbortError'

/**
 * Polls DescribeTasks until the task is STOPPED (or the timeout / the signal), reporting each
 * status change and streaming the container's log lines as they arrive.
 */
export async function waitForTask(o: WaitOptions): Promise<WaitResult> {
  const clock = o.clock ?? systemTicker
  const started = clock.now()
  let last: Task | undefined
  let lastStatus: string | undefined
  const emit = (lines: string[]): void => {
    for (const l of lines) o.onLine?.(l)
  }

  let outageStarted: number | undefined
  let failures = 0
  try {
    for (;;) {
      let described, lines
      try {
        ;[described, lines] = await Promise.all([
          o.ecs.send(new DescribeTasksCommand({cluster: o.cluster, tasks: [o.taskArn]}), {abortSignal: o.signal}),
          o.logs ? o.logs.poll() : Promise.resolve([]),
        ])
      } catch (error) {
        if (o.signal?.aborted || !isTransient(error)) throw error
        const now = clock.now()
        outageStarted ??= now
        if (now - outageStarted >= (o.outageMs ?? DEFAULT_OUTAGE_MS)) throw error
        if (failures === 0) {
          o.onNote?.(`Lost contact with ECS (${describeAwsError(error)}): retrying; the task runs on.`)
        }

        await clock.sleep(backoffMs(failures++, Math.min(o.pollMs, 1000), 10_000), o.signal)
        continue
      }

      if (outageStarted !== undefined) {
        o.onNote?.(`Back in contact with ECS after ${Math.round((clock.now() - outageStarted) / 1000)}s.`)
        outageStarted = undefined
        failures = 0
      }

      emit(lines)
      const task = described.tasks?.[0]
      if (!task) {
        const why = described.failures?.[0]
        throw new UserError(`Task ${taskId(o.taskArn)} is no longer known to ECS${why ? ` (${why.reason})` : ''}.`, {
          code: 'TASK_GONE',
          exit: EXIT.FAILED,
        })
      }

      last = task
      const elapsed = clock.now() - started
      if (task.lastStatus && task.lastStatus !== lastStatus) {
        lastStatus = task.lastStatus
        o.onStatus?.(task.lastStatus, elapsed, task)
      }

      if (task.lastStatus === 'STOPPED') {
        await drain(o, clock, task, emit)
        return {end: 'stopped', task, elapsedMs: clock.now() - started}
      }

      if (o.timeoutMs !== undefined && elapsed >= o.timeoutMs) return {end: 'timeout', task, elapsedMs: elapsed}
      await clock.sleep(
        Math.min(o.pollMs, o.timeoutMs === undefined ? o.pollMs : Math.max(0, o.timeoutMs - elapsed)),
        o.signal,
      )
      o.signal?.throwIfAborted()
    }
  } catch (error) {
    if (isAbort(error) && o.signal?.aborted && last)
      return {end: 'interrupted', task: last, elapsedMs: clock.now() - started}
    throw error
  }
}

/** CloudWatch Logs lags the container by a few seconds: after STOPPED, read again until nothing new arrives (at most twice more). */
async function drain(o: WaitOptions, clock: WaitClock, task: Task, emit: (lines: string[]) => void): Promise<void> {
  if (!o.logs) return
  emit(await o.logs.poll())
  if (!task.containers?.some((c) => c.lastStatus === 'STOPPED' && c.exitCode !== undefined)) return
  for (let i = 0; i < 2; i++) {
    await clock.sleep(Math.min(o.pollMs, 2000), o.signal)
    o.signal?.throwIfAborted()
    const lines = await o.logs.poll()
    emit(lines)
    if (lines.length === 0) return
  }
}
