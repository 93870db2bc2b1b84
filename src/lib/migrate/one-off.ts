import {CloudWatchLogsClient} from '@aws-sdk/client-cloudwatch-logs'
import {ECSClient} from '@aws-sdk/client-ecs'

import type {AwsClients} from '../../aws/clients.js'
import {describeAwsError, hintFor} from '../../aws/errors.js'
import {EXIT, isUserError, UserError} from '../../errors.js'
import {joinCommand} from '../exec/command-line.js'
import {taskId} from '../../resources/ecs.js'
import {LogFollower} from './logs.js'
import type {PreparedMigration} from './prepare.js'
import {followUp} from './render.js'
import {type MigrateResult, summarize} from './result.js'
import {startTask, type WaitClock, waitForTask} from './run-task.js'

export interface OneOffOptions {
  aws: AwsClients
  cluster: string
  prepared: PreparedMigration
  pollMs: number
  timeoutMs?: number
  profile?: string
  clock?: WaitClock
  /** Progress and notes (stderr). */
  info: (line: string) => void
  /** Each of the container's log lines (stdout). */
  onLine: (line: string) => void
  onStatus: (status: string, elapsedMs: number) => void
}

/**
 * Starts the prepared migration task and follows it to the end: status changes, log lines,
 * Ctrl+C (we stop watching; the task keeps running) and lost contact explained the same way.
 */
export async function runOneOff(o: OneOffOptions): Promise<{result: MigrateResult; lastStatus?: string}> {
  const {prepared} = o
  const ecs = o.aws.client(ECSClient)
  const task = await startTask(ecs, prepared.request)
  const id = taskId(task.taskArn)
  o.info(`Started task ${id} (${prepared.taskDefinition}) in ${o.cluster}: ${joinCommand(prepared.command)}`)
  const target = 'group' in prepared.logs ? prepared.logs : undefined
  const logs = target && new LogFollower(o.aws.client(CloudWatchLogsClient, target.region ? {region: target.region} : {}), target, id)
  o.info(logs ? `Logs: ${logs.target.group} ${logs.stream}` : `Not following the logs: ${'reason' in prepared.logs ? prepared.logs.reason : 'no awslogs'}.`)

  const lines: string[] = []
  const interrupt = new AbortController()
  const onSigint = (): void => interrupt.abort()
  process.once('SIGINT', onSigint)
  try {
    const wait = await waitForTask({
      ecs, cluster: o.cluster, taskArn: task.taskArn!, logs, signal: interrupt.signal, pollMs: o.pollMs, timeoutMs: o.timeoutMs, clock: o.clock,
      onStatus: o.onStatus,
      onLine(line) {
        lines.push(line)
        o.onLine(line)
      },
    })
    const result = summarize(wait, {
      container: prepared.container, command: prepared.command, cluster: o.cluster, taskDefinition: prepared.taskDefinition, logLines: lines,
      ...(logs && {log: {group: logs.target.group, stream: logs.stream}}),
    })
    return {result, lastStatus: wait.task.lastStatus}
  } catch (error) {
    // Whatever broke our watch (network, expired credentials), the task itself keeps running.
    if (isUserError(error)) throw error
    throw new UserError(`Lost track of migration task ${id}: ${describeAwsError(error)}. The task keeps running in ECS.`, {
      code: 'MIGRATE_WAIT_FAILED',
      exit: EXIT.FAILED,
      cause: error,
      suggestions: [hintFor(error, {profile: o.profile}), ...followUp(o.cluster, id, {group: logs?.target.group, stream: logs?.stream})].filter((s): s is string => Boolean(s)),
    })
  } finally {
    process.off('SIGINT', onSigint)
  }
}
