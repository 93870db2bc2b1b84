import {CloudWatchLogsClient, paginateFilterLogEvents, ResourceNotFoundException} from '@aws-sdk/client-cloudwatch-logs'

import type {ServiceConfig} from '../config.js'
import {parseDuration} from '../util/duration.js'
import {distinctiveTerm, signatureOf} from '../lib/logs/signatures.js'
import {type Check, type CheckContext, type CheckStatus, plural} from './types.js'
import {shq} from '../util/shell.js'

/** Sent to FilterLogEvents. AWS matches terms case-sensitively. */
export const ERROR_FILTER_PATTERN = '?ERROR ?CRITICAL ?Traceback'
/** The same test client-side: some emulators return every event for an OR pattern. */
const IS_ERROR = /\b(ERROR|CRITICAL)\b|Traceback/

/** FilterLogEvents returns at most 10,000 events a page. */
const MAX_PAGE = 10_000

interface GroupScan {
  service: ServiceConfig
  count: number
  truncated: boolean
  missing: boolean
  /** Signature → events, and the keyword that matched the first one (a filter for signatures with no usable word). */
  signatures: Map<string, {count: number; keyword: string}>
}

/** Reads the error events of one log group, stopping after `max`. A group that does not exist is a result, not an error. */
async function scanGroup(
  ctx: CheckContext,
  service: ServiceConfig,
  window: {startTime: number; endTime: number},
  max: number,
): Promise<GroupScan> {
  const scan: GroupScan = {service, count: 0, truncated: false, missing: false, signatures: new Map()}
  const client = ctx.aws.client(CloudWatchLogsClient)
  // One log group shared by several services: each reads only its own streams, `<stream-prefix>/<container>/`.
  const shared = service.logStreamPrefix && ctx.env.services.filter((s) => s.logGroup === service.logGroup).length > 1
  const pages = paginateFilterLogEvents(
    {client, pageSize: Math.min(max, MAX_PAGE)},
    {
      logGroupName: service.logGroup,
      ...(shared && {logStreamNamePrefix: `${service.logStreamPrefix}/${service.container}/`}),
      filterPattern: ERROR_FILTER_PATTERN,
      ...window,
    },
    {abortSignal: ctx.signal},
  )
  try {
    for await (const page of pages) {
      for (const event of page.events ?? []) {
        if (!event.message || !IS_ERROR.test(event.message)) continue
        if (scan.count >= max) {
          scan.truncated = true
          break
        }

        scan.count++
        const sig = signatureOf(event.message)
        const seen = scan.signatures.get(sig)
        if (seen) seen.count++
        else scan.signatures.set(sig, {count: 1, keyword: IS_ERROR.exec(event.message)![0]})
      }

      if (scan.count >= max) {
        scan.truncated ||= Boolean(page.nextToken)
        break
      }
    }
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error
    scan.missing = true
  }

  return scan
}

/** "/ecs/production-allthrive-web" → "/ecs/production-allthrive": what to list when a group is missing. */
const groupPrefix = (s: ServiceConfig): string =>
  s.logGroup.endsWith(`-${s.key}`) ? s.logGroup.slice(0, -s.key.length - 1) : s.logGroup

/** Error, critical and traceback lines per service log group in the recent window, grouped by message. */
export const cloudwatchErrors: Check = {
  id: 'cloudwatch-errors',
  title: 'No recent errors in the service logs',
  iam: ['logs:FilterLogEvents'],
  async run(ctx) {
    const {env} = ctx
    const t = env.thresholds.cloudwatchErrors
    const since = t.since.replace(/\s+/g, '')
    const endTime = ctx.now.getTime()
    const window = {startTime: endTime - parseDuration(since, 'thresholds.cloudwatchErrors.since'), endTime}
    // A service logging elsewhere (awsfirelens, splunk) is said plainly: its logs cannot be read here.
    const elsewhere = env.services.filter((s) => s.logElsewhere)
    const scans = await Promise.all(
      env.services.filter((s) => !s.logElsewhere).map((s) => scanGroup(ctx, s, window, t.maxEventsPerGroup)),
    )

    const found = scans.filter((s) => !s.missing)
    const missing = scans.filter((s) => s.missing)
    const missingGroups = [...new Set(missing.map((s) => s.service.logGroup))]
    const total = found.reduce((n, s) => n + s.count, 0)
    const truncated = found.some((s) => s.truncated)
    const top = found
      .flatMap((s) => [...s.signatures].map(([message, {count, keyword}]) => ({scan: s, message, count, keyword})))
      .sort((a, b) => b.count - a.count)
      .slice(0, t.topMessages)
      .map(({scan, message, count, keyword}) => {
        const term = distinctiveTerm(message, [...scan.signatures.keys()]) ?? keyword
        return {
          service: scan.service.key,
          count,
          message,
          command: `allthrive logs tail ${shq(scan.service.key)} -e ${shq(env.name)} --since ${shq(since)} --filter "${shq(term)}"`,
        }
      })

    const status: CheckStatus = total >= t.failAt ? 'fail' : total >= t.warnAt || missing.length > 0 ? 'warn' : 'pass'
    const perService = found
      .filter((s) => s.count > 0)
      .map((s) => `${s.service.key} ${s.truncated ? '≥' : ''}${s.count}`)
    const summary = [
      total > 0
        ? `${truncated ? 'at least ' : ''}${plural(total, 'error event')} in the last ${since} (${perService.join(', ')})`
        : found.length > 0
          ? `no errors in the last ${since} in ${plural(new Set(found.map((s) => s.service.logGroup)).size, 'log group')}`
          : undefined,
      missingGroups.length > 0
        ? `${plural(missingGroups.length, 'log group')} ${missingGroups.length === 1 ? 'does' : 'do'} not exist`
        : undefined,
    ]
      .filter(Boolean)
      .join('; ')

    const details = [
      ...top.map((m) => `${m.service} ×${m.count}  ${m.message} — ${m.command}`),
      ...found
        .filter((s) => s.truncated)
        .map(
          (s) =>
            `${s.service.logGroup}: stopped after ${s.count} events (thresholds.cloudwatchErrors.maxEventsPerGroup)`,
        ),
      ...missingGroups.map((group) => `log group ${group} does not exist`),
      ...elsewhere.map((s) => `${s.key}: ${s.logElsewhere}`),
    ]
    const prefixes = [...new Set(missing.map((s) => groupPrefix(s.service)))]
    const hint = [
      total > 0 ? 'Run the allthrive logs tail command of a line to read those events in context.' : undefined,
      missing.length > 0
        ? `A missing log group means the service has not logged yet or the name is wrong: ${prefixes.map((p) => `aws logs describe-log-groups --log-group-name-prefix ${shq(p)}`).join('; ')}`
        : undefined,
    ]
      .filter(Boolean)
      .join(' ')

    return {
      status,
      summary,
      ...(details.length > 0 && {details}),
      ...(hint && {hint}),
      data: {
        since,
        total,
        perGroup: scans.map((s) => ({
          service: s.service.key,
          logGroup: s.service.logGroup,
          count: s.count,
          truncated: s.truncated,
          missing: s.missing,
        })),
        ...(elsewhere.length > 0 && {notRead: elsewhere.map((s) => ({service: s.key, why: s.logElsewhere}))}),
        top,
      },
    }
  },
}
