import {
  type CloudWatchLogsClient,
  type FilteredLogEvent,
  paginateFilterLogEvents,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs'

import {classifyAwsError} from '../../aws/errors.js'
import {type LogLine, taskIdFromStream} from './format.js'
import {readAhead} from './merge.js'

/** A service's log group, and optionally the stream prefix of one task (--task, --previous). */
export interface LogTarget {
  /** Config key ("web"). */
  service: string
  /** Log group name. */
  group: string
  /** Only streams whose names start with this ("ecs/web/1a2b3c4d"). */
  streamPrefix?: string
}

/** How reading a group ended: all read, the group does not exist, or a failure worth retrying. */
export type ReadOutcome = {kind: 'ok'} | {kind: 'missing'} | {kind: 'retry'; error: unknown}

/** Throttling, network trouble and AWS-side faults pass: retry later. Anything else (AccessDenied) is final. */
export function isTransient(error: unknown): boolean {
  const kind = classifyAwsError(error)
  if (kind === 'throttling' || kind === 'network' || kind === 'timeout') return true
  const e = error as {$fault?: string; name?: string}
  return e?.$fault === 'server' || e?.name === 'ServiceUnavailableException' || e?.name === 'InternalServerException'
}

export const toLogLine = (target: LogTarget, e: FilteredLogEvent): LogLine => ({
  timestamp: e.timestamp ?? 0,
  service: target.service,
  group: target.group,
  stream: e.logStreamName ?? '',
  taskId: taskIdFromStream(e.logStreamName ?? ''),
  message: e.message ?? '',
  eventId: e.eventId,
})

export interface ReadOptions {
  startTime: number
  /** Omitted when following: up to whatever AWS has now. */
  endTime?: number
  /** CloudWatch Logs filter pattern, applied by AWS. */
  filterPattern?: string
  signal: AbortSignal
  /** Set when the generator ends: how the read went. */
  outcome: {value: ReadOutcome}
  /** Report throttling and AWS-side failures as `retry` (following) instead of throwing (one window). */
  tolerateTransient?: boolean
  /** Called once the group has answered (it exists), before its first event. */
  onFound?: () => void
}

/**
 * The events of one log group in a window, in timestamp order, page by page (FilterLogEvents
 * returns events of all streams interleaved; each page is sorted again to be sure).
 * A group that does not exist, a retryable failure and an abort end the sequence and are
 * reported in `outcome`; other errors are thrown.
 */
export async function* readEvents(
  client: CloudWatchLogsClient,
  target: LogTarget,
  opts: ReadOptions,
): AsyncGenerator<LogLine> {
  opts.outcome.value = {kind: 'ok'}
  const pages = paginateFilterLogEvents(
    {client},
    {
      logGroupName: target.group,
      startTime: opts.startTime,
      ...(opts.endTime !== undefined && {endTime: opts.endTime}),
      ...(opts.filterPattern && {filterPattern: opts.filterPattern}),
      ...(target.streamPrefix && {logStreamNamePrefix: target.streamPrefix}),
    },
    {abortSignal: opts.signal},
  )
  try {
    let found = false
    for await (const page of readAhead(pages)) {
      if (!found) opts.onFound?.()
      found = true
      const events = (page.events ?? [])
        .map((e) => toLogLine(target, e))
        // AWS applies logStreamNamePrefix; moto ignores it.
        .filter((l) => !target.streamPrefix || l.stream.startsWith(target.streamPrefix))
        .sort((a, b) => a.timestamp - b.timestamp)
      yield* events
    }
  } catch (error) {
    if (opts.signal.aborted) return
    if (error instanceof ResourceNotFoundException) opts.outcome.value = {kind: 'missing'}
    else if (opts.tolerateTransient && isTransient(error)) opts.outcome.value = {kind: 'retry', error}
    else throw error
  }
}
