import type {Task} from '@aws-sdk/client-ecs'

import {taskId} from '../../resources/ecs.js'
import type {WaitResult} from './run-task.js'
import {type Explanation, explainNotStarted} from './stop-reasons.js'

/** What `migrate --json` prints. */
export interface MigrateResult {
  /** succeeded: exit 0; failed: the command exited non-zero; not-started: the task stopped before the container ran; timeout / interrupted: we stopped waiting, the task keeps running. */
  outcome: 'succeeded' | 'failed' | 'not-started' | 'timeout' | 'interrupted'
  via: 'run-task' | 'exec'
  taskArn: string
  taskId: string
  cluster: string
  taskDefinition?: string
  command: string[]
  startedAt: string | null
  stoppedAt: string | null
  /** From RunTask to STOPPED (or to when we stopped waiting). */
  durationMs: number
  /** The container's exit code; null when it never ran or is still running. */
  exitCode: number | null
  stopCode: string | null
  stoppedReason: string | null
  /** The container's reason (OutOfMemoryError…), when ECS gave one. */
  containerReason: string | null
  /** Plain-words cause and fix when the task did not start. */
  explanation?: Explanation
  logGroup?: string
  logStream?: string
  logLines: string[]
}

const iso = (d: Date | undefined): string | null => (d ? d.toISOString() : null)

export function summarize(
  wait: WaitResult,
  o: {
    container: string
    command: string[]
    cluster: string
    taskDefinition?: string
    logLines: string[]
    log?: {group: string; stream: string}
    env?: string
  },
): MigrateResult {
  const t: Task = wait.task
  const c = t.containers?.find((x) => x.name === o.container)
  // An exit code counts only from a container that ran and STOPPED: a task stopped before its container ran
  // (an emulator, or ECS, may still fill in 0) is a failure to start, with the stop reason.
  const exitCode = c?.lastStatus === 'STOPPED' && t.lastStatus === 'STOPPED' ? (c.exitCode ?? null) : null
  const outcome: MigrateResult['outcome'] =
    wait.end === 'timeout'
      ? 'timeout'
      : wait.end === 'interrupted'
        ? 'interrupted'
        : exitCode === null
          ? 'not-started'
          : exitCode === 0
            ? 'succeeded'
            : 'failed'
  return {
    outcome,
    via: 'run-task',
    taskArn: t.taskArn ?? '',
    taskId: taskId(t.taskArn),
    cluster: o.cluster,
    ...(o.taskDefinition && {taskDefinition: o.taskDefinition}),
    command: o.command,
    startedAt: iso(t.startedAt),
    stoppedAt: iso(t.stoppedAt),
    durationMs: t.stoppedAt && t.createdAt ? t.stoppedAt.getTime() - t.createdAt.getTime() : wait.elapsedMs,
    exitCode: wait.end === 'stopped' ? exitCode : null,
    stopCode: t.stopCode ?? null,
    stoppedReason: t.stoppedReason ?? null,
    containerReason: c?.reason ?? null,
    ...(outcome === 'not-started' && {explanation: explainNotStarted(t, o.container, o.env)}),
    ...(o.log && {logGroup: o.log.group, logStream: o.log.stream}),
    logLines: o.logLines,
  }
}

/** The documented exit code: the container's when it ran (0-255), 1 when it did not start or we timed out, 130 when interrupted. */
export function migrateExitCode(r: Pick<MigrateResult, 'outcome' | 'exitCode'>): number {
  switch (r.outcome) {
    case 'succeeded':
      return 0
    case 'failed':
      return r.exitCode !== null && r.exitCode > 0 && r.exitCode <= 255 ? r.exitCode : 1
    case 'interrupted':
      return 130
    default:
      return 1
  }
}
