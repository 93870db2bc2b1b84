import {
  CloudWatchClient,
  type CompositeAlarm,
  type DescribeAlarmsCommandInput,
  ListTagsForResourceCommand,
  type MetricAlarm,
  paginateDescribeAlarmHistory,
  paginateDescribeAlarms,
} from '@aws-sdk/client-cloudwatch'

import type {RunContext} from '../aws/context.js'
import {mapBounded} from '../util/concurrency.js'

/** One alarm, metric or composite. */
export interface Alarm {
  name: string
  arn?: string
  type: 'metric' | 'composite'
  state: string
  reason?: string
  /** When the state value last changed (else last updated). */
  since?: Date
}

/** ListTagsForResource calls in flight at once (tag selection only). */
const TAG_CONCURRENCY = 5

const toAlarm = (a: MetricAlarm | CompositeAlarm, type: Alarm['type']): Alarm => ({
  name: a.AlarmName ?? '?',
  arn: a.AlarmArn,
  type,
  state: a.StateValue ?? 'UNKNOWN',
  reason: a.StateReason,
  since: a.StateTransitionedTimestamp ?? a.StateUpdatedTimestamp,
})

/** Every metric and composite alarm, by name prefix when given. */
export async function listAlarms(ctx: RunContext, prefix: string | undefined): Promise<Alarm[]> {
  const all: Alarm[] = []
  const input: DescribeAlarmsCommandInput = {
    AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    ...(prefix && {AlarmNamePrefix: prefix}),
  }
  for await (const page of paginateDescribeAlarms({client: ctx.aws.client(CloudWatchClient), pageSize: 100}, input, {
    abortSignal: ctx.signal,
  })) {
    all.push(
      ...(page.MetricAlarms ?? []).map((a) => toAlarm(a, 'metric')),
      ...(page.CompositeAlarms ?? []).map((a) => toAlarm(a, 'composite')),
    )
  }

  return all
}

/** The alarms carrying the tag: ListTagsForResource per alarm, at most TAG_CONCURRENCY at a time. */
export async function withTag(ctx: RunContext, alarms: Alarm[], tag: {key: string; value: string}): Promise<Alarm[]> {
  const client = ctx.aws.client(CloudWatchClient)
  const tagged = await mapBounded(alarms, TAG_CONCURRENCY, async (alarm) => {
    if (!alarm.arn) return false
    const out = await client.send(new ListTagsForResourceCommand({ResourceARN: alarm.arn}), {abortSignal: ctx.signal})
    return (out.Tags ?? []).some((t) => t.Key === tag.key && t.Value === tag.value)
  })
  return alarms.filter((_, i) => tagged[i])
}

/**
 * The environment's alarms (every state), by name prefix, or by tag when alarms.tag is set; read once per run.
 * Filtered here as well: some emulators apply only one of DescribeAlarms' filters.
 */
export function environmentAlarms(ctx: RunContext): Promise<Alarm[]> {
  return ctx.memo('cloudwatch:env-alarms', async () => {
    const {prefix, tag} = ctx.env.alarms
    const listed = await listAlarms(ctx, tag ? undefined : prefix)
    return tag ? withTag(ctx, listed, tag) : listed.filter((a) => a.name.startsWith(prefix))
  })
}

/** One state change of an alarm. */
export interface AlarmStateChange {
  alarm: string
  at: Date
  from?: string
  to: string
  summary: string
}

/** State changes parsed from a history item's JSON data ({"oldState":{"stateValue":…},"newState":{…}}). */
function states(data: string | undefined): {from?: string; to?: string} {
  try {
    const parsed = JSON.parse(data ?? '{}') as {oldState?: {stateValue?: string}; newState?: {stateValue?: string}}
    return {from: parsed.oldState?.stateValue, to: parsed.newState?.stateValue}
  } catch {
    return {}
  }
}

/** Most history items read per run (DescribeAlarmHistory pages of 100). */
const MAX_HISTORY = 500

/**
 * State changes of the environment's alarms since `since`, newest first: DescribeAlarmHistory
 * (HistoryItemType StateUpdate, all alarms of the account in the window, at most 500 items), kept to `names`.
 */
export function alarmHistory(ctx: RunContext, names: string[], since: Date): Promise<AlarmStateChange[]> {
  return ctx.memo(`cloudwatch:alarm-history:${since.toISOString()}`, async () => {
    const wanted = new Set(names)
    const changes: AlarmStateChange[] = []
    if (wanted.size === 0) return changes
    const pages = paginateDescribeAlarmHistory(
      {client: ctx.aws.client(CloudWatchClient), pageSize: 100},
      {
        HistoryItemType: 'StateUpdate',
        StartDate: since,
        EndDate: ctx.now,
        ScanBy: 'TimestampDescending',
      },
      {abortSignal: ctx.signal},
    )
    let read = 0
    for await (const page of pages) {
      for (const item of page.AlarmHistoryItems ?? []) {
        read++
        if (!item.AlarmName || !wanted.has(item.AlarmName) || !item.Timestamp) continue
        const {from, to} = states(item.HistoryData)
        changes.push({
          alarm: item.AlarmName,
          at: item.Timestamp,
          from,
          to: to ?? '?',
          summary: item.HistorySummary ?? '',
        })
      }

      if (read >= MAX_HISTORY) break
    }

    return changes.sort((a, b) => b.at.getTime() - a.at.getTime())
  })
}
