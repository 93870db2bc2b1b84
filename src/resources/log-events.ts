import {CloudWatchLogsClient, FilterLogEventsCommand, ResourceNotFoundException} from '@aws-sdk/client-cloudwatch-logs'

import type {RunContext} from '../aws/context.js'

export interface MatchedEvent {
  at: Date
  stream?: string
  message: string
}

/**
 * Events of a log group matching a single term (`ERROR`, `Traceback`) since `since`, oldest first, at most
 * `maxEvents` over at most `maxPages` pages: bounded, however noisy the group. A group that does not exist
 * yet has no events.
 */
export async function matchingEvents(
  ctx: RunContext,
  o: {
    group: string
    streamPrefix?: string
    term: string
    since: Date
    maxEvents?: number
    maxPages?: number
  },
): Promise<MatchedEvent[]> {
  const client = ctx.aws.client(CloudWatchLogsClient)
  const events: MatchedEvent[] = []
  const maxEvents = o.maxEvents ?? 500
  let nextToken: string | undefined
  let pages = 0
  try {
    do {
      const out = await client.send(
        new FilterLogEventsCommand({
          logGroupName: o.group,
          ...(o.streamPrefix && {logStreamNamePrefix: o.streamPrefix}),
          filterPattern: o.term,
          startTime: o.since.getTime(),
          endTime: ctx.now.getTime(),
          nextToken,
          limit: maxEvents,
        }),
        {abortSignal: ctx.signal},
      )
      for (const e of out.events ?? [])
        events.push({at: new Date(e.timestamp ?? 0), stream: e.logStreamName, message: e.message ?? ''})
      nextToken = out.nextToken
      pages++
    } while (nextToken && events.length < maxEvents && pages < (o.maxPages ?? 5))
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return []
    throw error
  }

  return events.sort((a, b) => a.at.getTime() - b.at.getTime()).slice(0, maxEvents)
}
