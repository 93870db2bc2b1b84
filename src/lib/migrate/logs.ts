import type {TaskDefinition} from '@aws-sdk/client-ecs'

import {CloudWatchLogsClient, GetLogEventsCommand, ResourceNotFoundException} from '@aws-sdk/client-cloudwatch-logs'

import {logTargetOf} from '../../resources/containers.js'

/** Where a container's awslogs output goes: `<awslogs-stream-prefix>/<container>/<taskId>` in `awslogs-group`. */
export interface AwslogsTarget {
  group: string
  /** Stream prefix; the stream is `${prefix}/${container}/${taskId}`. */
  prefix: string
  container: string
  /** awslogs-region when it differs from the clients' region. */
  region?: string
}

/** The container's awslogs target from its task definition (resources/containers), or the reason its lines cannot be followed. */
export function awslogsTarget(td: TaskDefinition | undefined, container: string): AwslogsTarget | {reason: string} {
  const target = logTargetOf(td, container)
  if (target.kind === 'none') {
    const def = td?.containerDefinitions?.find((c) => c.name === container)
    const log = def?.logConfiguration
    if (log?.logDriver === 'awslogs') return {reason: 'awslogs-group is not set'}
    return {reason: `container ${container} has no logConfiguration`}
  }

  if (target.kind === 'elsewhere') {
    const where =
      target.destination === 'not named in the task definition'
        ? ''
        : ` (${target.destination}): they cannot be read here`
    return {reason: `container ${container} logs with ${target.driver}, not awslogs${where}`}
  }

  if (!target.streamPrefix) return {reason: 'awslogs-stream-prefix is not set, so the stream name is not known'}
  return {group: target.group, prefix: target.streamPrefix, container, ...(target.region && {region: target.region})}
}

export const streamName = (t: AwslogsTarget, taskId: string): string => `${t.prefix}/${t.container}/${taskId}`

const MAX_PAGES_PER_POLL = 50

/**
 * Follows one log stream from its start with GetLogEvents and nextForwardToken, tolerant of
 * the stream not existing yet (it appears when the container starts).
 */
export class LogFollower {
  private token: string | undefined
  readonly stream: string

  constructor(
    private readonly client: CloudWatchLogsClient,
    readonly target: AwslogsTarget,
    taskId: string,
    private readonly signal?: AbortSignal,
  ) {
    this.stream = streamName(target, taskId)
  }

  /** Reads every event written since the last call; returns their messages. */
  async poll(): Promise<string[]> {
    const lines: string[] = []
    for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
      let out
      try {
        out = await this.client.send(
          new GetLogEventsCommand({
            logGroupName: this.target.group,
            logStreamName: this.stream,
            startFromHead: true,
            ...(this.token && {nextToken: this.token}),
          }),
          {abortSignal: this.signal},
        )
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return lines // not created yet
        throw error
      }

      for (const e of out.events ?? []) lines.push((e.message ?? '').replace(/\r?\n$/, ''))
      const next = out.nextForwardToken
      const done = !next || next === this.token || (out.events ?? []).length === 0
      if (next) this.token = next
      if (done) break
    }

    return lines
  }
}
