import {CloudWatchLogsClient} from '@aws-sdk/client-cloudwatch-logs'
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs'

import type {AwsClients} from '../../aws/clients.js'
import {describeAwsError, hintFor} from '../../aws/errors.js'
import {EXIT, isUserError, UserError} from '../../errors.js'

import {taskDefinitionLabel, taskId} from '../../resources/ecs.js'
import {awslogsTarget, LogFollower, type AwslogsTarget} from './logs.js'
import type {PreparedMigration} from './prepare.js'
import {followUp, migrationRunningError, reattachCommand} from './render.js'
import {STARTED_BY} from './request.js'
import {type MigrateResult, summarize} from './result.js'
import {runningTasksStartedBy, startTask, type WaitClock, waitForTask} from './run-task.js'
import {shJoin, shq} from '../../util/shell.js'

interface WatchOptions {
  aws: AwsClients
  cluster: string
  /** The environment's name, for the re-attach command. */
  env?: string
  pollMs: number
  timeoutMs?: number
  /** How long to ride out transient errors while watching (default: run-task's DEFAULT_OUTAGE_MS). */
  outageMs?: number
  profile?: string
  clock?: WaitClock
  /** Progress and notes (stderr). */
  info: (line: string) => void
  /** Each of the container's log lines (stdout). */
  onLine: (line: string) => void
  onStatus: (status: string, elapsedMs: number) => void
}

export interface OneOffOptions extends WatchOptions {
  prepared: PreparedMigration
}

/**
 * Starts the prepared migration task and follows it to the end: status changes, log lines,
 * Ctrl+C (we stop watching; the task keeps running) and lost contact explained the same way.
 * After starting, it looks again for other migration tasks: when two were started at once, the
 * younger one stops itself, so that only one migration ever runs.
 */
export async function runOneOff(o: OneOffOptions): Promise<{result: MigrateResult; lastStatus?: string}> {
  const {prepared} = o
  const ecs = o.aws.client(ECSClient)
  const task = await startTask(ecs, prepared.request)
  const id = taskId(task.taskArn)
  o.info(`Started task ${id} (${prepared.taskDefinition}) in ${o.cluster}: ${shJoin(prepared.command)}`)
  await yieldToOlderMigration(o, task, prepared.request.startedBy ?? STARTED_BY.migrate)
  const target = 'group' in prepared.logs ? prepared.logs : undefined
  if (!target) o.info(`Not following the logs: ${'reason' in prepared.logs ? prepared.logs.reason : 'no awslogs'}.`)
  return watch(o, {
    taskArn: task.taskArn!,
    container: prepared.container,
    command: prepared.command,
    taskDefinition: prepared.taskDefinition,
    logs: target,
  })
}

/** Another migration task started at about the same time as ours: the younger task (ours, or the other) gives way. */
async function yieldToOlderMigration(o: OneOffOptions, ours: Task, startedBy: string): Promise<void> {
  const running = await runningTasksStartedBy(o.aws.client(ECSClient), o.cluster, startedBy)
  const others = running.filter((t) => t.taskArn !== ours.taskArn)
  const key = (t: Task): [number, string] => [t.createdAt?.getTime() ?? Number.MAX_SAFE_INTEGER, t.taskArn ?? '']
  const older = others.filter((t) => {
    const [a, b] = [key(t), key(ours)]
    return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])
  })
  if (older.length === 0) return
  await o.aws.client(ECSClient).send(
    new StopTaskCommand({
      cluster: o.cluster,
      task: ours.taskArn,
      reason: `allthrive: another migration (${taskId(older[0].taskArn)}) started first`,
    }),
  )
  const error = migrationRunningError(older, o.cluster, o.clock?.now() ?? Date.now(), o.env)
  const stopped = `task ${taskId(ours.taskArn)}, started at the same time, was stopped`
  throw new UserError(`${error.message.replace(/; nothing was started\.$/, '')}; ${stopped}.`, {
    code: 'MIGRATION_RUNNING',
    exit: EXIT.FAILED,
    suggestions: error.suggestions,
  })
}

/** Re-attaches to a migration task (`migrate --attach TASK`): follows it to the end and returns its exit code. */
export async function attachToTask(
  o: WatchOptions & {task: string; container: string},
): Promise<{result: MigrateResult; lastStatus?: string}> {
  const ecs = o.aws.client(ECSClient)
  const out = await ecs.send(new DescribeTasksCommand({cluster: o.cluster, tasks: [o.task]}))
  const task = out.tasks?.[0]
  if (!task?.taskArn) {
    const reason = out.failures?.[0]?.reason ? ` (${out.failures[0].reason})` : ''
    const why = `ECS keeps a stopped task for about an hour`
    throw new UserError(`Task ${o.task} is not known in cluster ${o.cluster}${reason}: ${why}.`, {
      code: 'TASK_NOT_FOUND',
      suggestions: [
        `List the migration tasks: aws ecs list-tasks --cluster ${shq(o.cluster)}` +
          ` --started-by ${shq(STARTED_BY.migrate)} --desired-status STOPPED`,
      ],
    })
  }

  const definition = task.taskDefinitionArn
    ? (await ecs.send(new DescribeTaskDefinitionCommand({taskDefinition: task.taskDefinitionArn}))).taskDefinition
    : undefined
  const logs = awslogsTarget(definition, o.container)
  const command = task.overrides?.containerOverrides?.find((c) => c.name === o.container)?.command ?? []
  const td = taskDefinitionLabel(task.taskDefinitionArn)
  o.info(
    `Attached to task ${taskId(task.taskArn)} (${td}) in ${o.cluster}, ${task.lastStatus ?? 'status unknown'}` +
      `${command.length > 0 ? `: ${shJoin(command)}` : ''}`,
  )
  if (!('group' in logs)) o.info(`Not following the logs: ${logs.reason}.`)
  const target = 'group' in logs ? logs : undefined
  return watch(o, {taskArn: task.taskArn, container: o.container, command, taskDefinition: td, logs: target})
}

async function watch(
  o: WatchOptions,
  t: {taskArn: string; container: string; command: string[]; taskDefinition?: string; logs?: AwslogsTarget},
): Promise<{result: MigrateResult; lastStatus?: string}> {
  const ecs = o.aws.client(ECSClient)
  const id = taskId(t.taskArn)
  const logsClient = t.logs && o.aws.client(CloudWatchLogsClient, t.logs.region ? {region: t.logs.region} : {})
  const logs = t.logs && logsClient && new LogFollower(logsClient, t.logs, id)
  if (logs) o.info(`Logs: ${logs.target.group} ${logs.stream}`)
  o.info(`If this command stops, wait for the task again with: ${reattachCommand(id, o.env)}`)
  const lines: string[] = []
  const interrupt = new AbortController()
  const onSigint = (): void => interrupt.abort()
  process.once('SIGINT', onSigint)
  try {
    const wait = await waitForTask({
      ecs,
      cluster: o.cluster,
      taskArn: t.taskArn,
      logs,
      signal: interrupt.signal,
      pollMs: o.pollMs,
      timeoutMs: o.timeoutMs,
      clock: o.clock,
      outageMs: o.outageMs,
      onStatus: o.onStatus,
      onNote: o.info,
      onLine(line) {
        lines.push(line)
        o.onLine(line)
      },
    })
    const result = summarize(wait, {
      container: t.container,
      command: t.command,
      cluster: o.cluster,
      taskDefinition: t.taskDefinition,
      logLines: lines,
      env: o.env,
      ...(logs && {log: {group: logs.target.group, stream: logs.stream}}),
    })
    return {result, lastStatus: wait.task.lastStatus}
  } catch (error) {
    // Whatever broke our watch (a long outage, expired credentials), the task itself keeps running.
    if (isUserError(error)) throw error
    const lost = `Lost track of migration task ${id}: ${describeAwsError(error)}`
    throw new UserError(`${lost}. The task keeps running in ECS.`, {
      code: 'MIGRATE_WAIT_FAILED',
      exit: EXIT.FAILED,
      cause: error,
      suggestions: [
        hintFor(error, {profile: o.profile}),
        ...followUp(o.cluster, id, {group: logs?.target.group, stream: logs?.stream}, o.env),
      ].filter((s): s is string => Boolean(s)),
    })
  } finally {
    process.off('SIGINT', onSigint)
  }
}
