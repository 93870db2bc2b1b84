import type {Task} from '@aws-sdk/client-ecs'

import {EXIT, UserError} from '../../errors.js'
import {formatDuration, formatElapsed} from '../../util/duration.js'
import {sh} from '../../util/shell.js'
import {taskId} from '../../resources/ecs.js'
import type {MigrateResult} from './result.js'

/** "  RUNNING        +45s" */
export const statusLine = (status: string, elapsedMs: number): string =>
  `  ${status.padEnd(14)} +${formatElapsed(elapsedMs)}`

/** The command that re-attaches to a migration task and waits for its exit code. */
export const reattachCommand = (id: string, env?: string): string =>
  sh`allthrive migrate --attach ${id}` + (env ? sh` --environment ${env}` : '')

/** How to keep an eye on (or stop) a task we no longer wait for. */
export function followUp(cluster: string, id: string, log?: {group?: string; stream?: string}, env?: string): string[] {
  return [
    `Wait for it: ${reattachCommand(id, env)}`,
    `Watch it:  ${sh`aws ecs describe-tasks --cluster ${cluster} --tasks ${id}`}` +
      ' --query "tasks[0].[lastStatus,containers[0].exitCode,stoppedReason]"',
    ...(log?.group && log.stream
      ? [`Its logs:  ${sh`aws logs tail ${log.group} --log-stream-names ${log.stream}`} --follow`]
      : []),
    `Stop it:   ${sh`aws ecs stop-task --cluster ${cluster} --task ${id}`} --reason "stopped from allthrive"`,
  ]
}

/** The closing lines (stderr) for a finished, failed, never-started or abandoned migration task. */
export function renderOutcome(
  r: MigrateResult,
  o: {plan: boolean; container: string; timeoutMs?: number; lastStatus?: string; env?: string},
): string[] {
  const what = o.plan ? 'Migration plan' : 'Migration'
  const took = formatElapsed(r.durationMs)
  switch (r.outcome) {
    case 'succeeded':
      return [`✔ ${what} finished: ${o.container} exited 0 after ${took}.`]
    case 'failed':
      if (r.exitCode === null)
        return [
          `✖ ${what} ended without reporting its exit status${r.explanation ? `: ${r.explanation.summary}` : '.'}`,
        ]
      return [
        `✖ ${what} failed: ${o.container} exited ${r.exitCode}${r.containerReason ? ` (${r.containerReason})` : ''} after ${took}.`,
        ...(r.logGroup && r.logStream
          ? [`  Full output: ${sh`aws logs tail ${r.logGroup} --log-stream-names ${r.logStream}`} --since 1d`]
          : []),
      ]
    case 'not-started':
      return [
        `✖ The ${what.toLowerCase()} task ${r.taskId} never started: ${r.explanation?.summary ?? 'it stopped before the container ran.'}`,
        ...(r.explanation?.detail ? [`  ECS said: ${r.explanation.detail}`] : []),
        ...(r.explanation?.fix ? [`  Fix: ${r.explanation.fix}`] : []),
      ]
    case 'timeout':
    case 'interrupted':
      return [
        `✖ ${r.outcome === 'timeout' ? `Stopped waiting after ${formatDuration(o.timeoutMs ?? r.durationMs)} (--timeout)` : 'Interrupted'}: task ${r.taskId} is still ${o.lastStatus ?? 'running'} and keeps running in ECS.`,
        ...followUp(r.cluster, r.taskId, {group: r.logGroup, stream: r.logStream}, o.env).map((l) => `  ${l}`),
      ]
  }
}

/** The refusal when another allthrive migration task is still running (exit 1). */
export function migrationRunningError(tasks: Task[], cluster: string, now: number, env?: string): UserError {
  const t = tasks[0]
  const id = taskId(t.taskArn)
  const since = t.startedAt ?? t.createdAt
  const when = since
    ? `started ${since.toISOString()}, ${formatDuration(now - since.getTime())} ago`
    : 'not started yet'
  const more =
    tasks.length > 1
      ? ` (and ${tasks.length - 1} more: ${tasks
          .slice(1)
          .map((x) => taskId(x.taskArn))
          .join(', ')})`
      : ''
  return new UserError(
    `Another migration is still running in ${cluster}: task ${id} (${t.lastStatus ?? 'PENDING'}, ${when})${more}. Two migrations at once can leave the schema half-applied; nothing was started.`,
    {
      code: 'MIGRATION_RUNNING',
      exit: EXIT.FAILED,
      suggestions: followUp(cluster, id, undefined, env),
    },
  )
}
