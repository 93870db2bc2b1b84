import {
  type CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs'

import {EXIT, UserError} from '../../errors.js'
import type {LogTarget} from './filter.js'

/**
 * Finding one task's log stream. ECS awslogs names streams `<stream-prefix>/<container>/<task-id>`;
 * the stream prefix is set in the task definition, not in our config, so it is learnt from the
 * group's most recent streams. Short task ids (the first 8 characters) work: the stream filter
 * is a name prefix.
 */

export type TaskStream =
  | {kind: 'found'; prefix: string; streams: string[]}
  /** No stream of that task (yet): `prefix` is where it would be, `example` a stream that exists. */
  | {kind: 'none'; prefix: string; example?: string}
  | {kind: 'group-missing'}

/** "ecs/web/1a2b…" → "ecs/web/" */
const parentOf = (stream: string): string => stream.slice(0, stream.lastIndexOf('/') + 1)

export async function findTaskStream(
  client: CloudWatchLogsClient,
  opts: {group: string; container: string; taskId: string; signal?: AbortSignal},
): Promise<TaskStream> {
  const {group, container, taskId, signal} = opts
  let recent: string[]
  try {
    const out = await client.send(
      new DescribeLogStreamsCommand({logGroupName: group, orderBy: 'LastEventTime', descending: true, limit: 50}),
      {abortSignal: signal},
    )
    recent = (out.logStreams ?? []).flatMap((s) => (s.logStreamName ? [s.logStreamName] : []))
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return {kind: 'group-missing'}
    throw error
  }

  const ours = (s: string): boolean => s.split('/').at(-2) === container
  const direct = recent.filter((s) => s.split('/').pop()!.startsWith(taskId))
  const best = direct.find((s) => ours(s)) ?? direct[0]
  if (best) {
    const prefix = parentOf(best) + taskId
    return {kind: 'found', prefix, streams: direct.filter((s) => s.startsWith(prefix))}
  }

  // Not among the most recent streams: look under each stream prefix in use (the service's container first).
  const parents = [
    ...new Set([
      ...recent.filter((s) => ours(s)).map((s) => parentOf(s)),
      ...recent.map((s) => parentOf(s)),
      `ecs/${container}/`,
    ]),
  ]
    .filter(Boolean)
    .slice(0, 4)
  const found = await Promise.all(
    parents.map(async (parent) => {
      const out = await client.send(
        new DescribeLogStreamsCommand({logGroupName: group, logStreamNamePrefix: parent + taskId, limit: 50}),
        {abortSignal: signal},
      )
      return {
        prefix: parent + taskId,
        streams: (out.logStreams ?? []).flatMap((s) => (s.logStreamName ? [s.logStreamName] : [])),
      }
    }),
  )
  const hit = found.find((f) => f.streams.length > 0)
  if (hit) return {kind: 'found', ...hit}
  return {kind: 'none', prefix: parents[0] + taskId, example: recent[0]}
}

/**
 * Narrows a target to one task's stream (--task). Without a stream for that task: waits for it
 * when following (a task that has not logged yet), else a "not found" error (exit 1).
 */
export async function narrowToTask(
  client: CloudWatchLogsClient,
  target: LogTarget,
  opts: {
    container: string
    taskId: string
    follow: boolean
    signal?: AbortSignal
    notice(message: string): void
    hint: string
  },
): Promise<LogTarget> {
  const found = await findTaskStream(client, {
    group: target.group,
    container: opts.container,
    taskId: opts.taskId,
    signal: opts.signal,
  })
  if (found.kind === 'group-missing') return target // tail() reports the missing group
  if (found.kind === 'found') return {...target, streamPrefix: found.prefix}
  if (opts.follow) {
    opts.notice(`No log stream of task ${opts.taskId} in ${target.group} yet: waiting for ${found.prefix}.`)
    return {...target, streamPrefix: found.prefix}
  }

  throw new UserError(
    `No log stream of task ${opts.taskId} in ${target.group}${found.example ? ` (its streams look like ${found.example})` : ' (it has no streams)'}.`,
    {
      exit: EXIT.FAILED,
      code: 'LOG_STREAM_NOT_FOUND',
      suggestions: [opts.hint],
    },
  )
}
