import {
  ClusterNotFoundException,
  type ECSClient,
  paginateListTasks,
  ServiceNotFoundException,
  type Task,
} from '@aws-sdk/client-ecs'

import {EXIT, UserError} from '../../errors.js'
import {containerExits, describeTasksOf, stopReason, taskId} from '../../resources/ecs.js'
import {formatDuration} from '../../util/duration.js'
import {shq} from '../../util/shell.js'

/**
 * `logs tail --previous`: the service's most recently stopped task (what crashed), found with
 * ListTasks (desiredStatus STOPPED) and DescribeTasks. ECS keeps stopped tasks for about an hour.
 */

/** Log events can be stamped a little outside startedAt..stoppedAt (clock, flush on exit). */
const MARGIN_MS = 60_000

const stoppedTime = (t: Task): number =>
  t.stoppedAt?.getTime() ?? t.stoppingAt?.getTime() ?? t.executionStoppedAt?.getTime() ?? 0

export async function lastStoppedTask(
  ecs: ECSClient,
  opts: {cluster: string; serviceName: string; signal?: AbortSignal},
): Promise<Task | undefined> {
  const {cluster, serviceName, signal} = opts
  const arns: string[] = []
  try {
    for await (const page of paginateListTasks(
      {client: ecs},
      {cluster, serviceName, desiredStatus: 'STOPPED'},
      {abortSignal: signal},
    )) {
      arns.push(...(page.taskArns ?? []))
    }
  } catch (error) {
    if (error instanceof ClusterNotFoundException) {
      throw new UserError(`ECS cluster ${cluster} does not exist in this account and region.`, {
        exit: EXIT.FAILED,
        code: 'CLUSTER_NOT_FOUND',
        cause: error,
        suggestions: ['Check --environment and --region, or set "cluster" in allthrive.config.json.'],
      })
    }

    if (error instanceof ServiceNotFoundException) {
      throw new UserError(`ECS service ${serviceName} does not exist in cluster ${cluster}.`, {
        exit: EXIT.FAILED,
        code: 'SERVICE_NOT_FOUND',
        cause: error,
        suggestions: [`List the services: aws ecs list-services --cluster ${shq(cluster)}`],
      })
    }

    throw error
  }

  // ListTasks filters by service on AWS; some emulators ignore serviceName, so check the task's group too.
  const tasks = (await describeTasksOf(ecs, cluster, arns, signal)).filter(
    (t) => !t.group || t.group === `service:${serviceName}`,
  )
  return tasks.sort((a, b) => stoppedTime(b) - stoppedTime(a))[0]
}

/** The task's lifetime, padded a minute each side; from its creation when it never started. */
export function taskWindow(t: Task, now: number): {startTime: number; endTime: number} {
  const start = t.startedAt ?? t.pullStartedAt ?? t.createdAt
  const end = stoppedTime(t) || now
  return {startTime: (start?.getTime() ?? end - 3_600_000) - MARGIN_MS, endTime: Math.min(now, end + MARGIN_MS)}
}

/** "task 1a2b… (web:42) stopped 2025-12-25T10:04:00.000Z after 3m: EssentialContainerExited — Essential container in task exited; container web exit 137: OutOfMemoryError". */
export function describeStoppedTaskInFull(t: Task): string {
  const stopped = stoppedTime(t)
  const started = t.startedAt?.getTime()
  const revision = t.taskDefinitionArn?.split('/').pop()
  const when = stopped ? ` stopped ${new Date(stopped).toISOString()}` : ' stopped'
  const lifetime =
    started && stopped
      ? ` after ${formatDuration(stopped - started, {seconds: true})}`
      : started
        ? ''
        : ' before it started'
  const why = stopReason(t) ?? 'no reason recorded'
  const containers = containerExits(t)
  return `task ${taskId(t.taskArn)}${revision ? ` (${revision})` : ''}${when}${lifetime}: ${why}${containers.length > 0 ? `; ${containers.join('; ')}` : ''}`
}

/**
 * --previous: the service's last stopped task, said on stderr (which, when, why), and the window
 * and task id to read its stream with. No stopped task is an error (exit 1).
 */
export async function previousTask(
  ecs: ECSClient,
  opts: {
    cluster: string
    environment: string
    service: {key: string; name: string}
    now: number
    signal?: AbortSignal
    notice(message: string): void
  },
): Promise<{taskId: string; window: {startTime: number; endTime: number}}> {
  const {cluster, service} = opts
  const task = await lastStoppedTask(ecs, {cluster, serviceName: service.name, signal: opts.signal})
  if (!task) {
    throw new UserError(
      `No stopped task of ${service.key} (${service.name}) in cluster ${cluster}: ECS keeps stopped tasks for about an hour.`,
      {
        exit: EXIT.FAILED,
        code: 'NO_STOPPED_TASK',
        suggestions: [
          `Read the service's recent logs instead: allthrive logs tail ${shq(service.key)} --environment ${shq(opts.environment)} --since 3h`,
        ],
      },
    )
  }

  opts.notice(`Last stopped ${describeStoppedTaskInFull(task)}`)
  return {taskId: taskId(task.taskArn), window: taskWindow(task, opts.now)}
}
