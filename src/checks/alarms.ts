import {type Check, type CheckResult, fail, pass, plural, warn} from './types.js'
import {type Alarm, listAlarms, withTag} from '../resources/alarms.js'
import {formatAge} from '../util/duration.js'

import {shq} from '../util/shell.js'
const REASON_MAX = 160

const truncate = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s)
const names = (alarms: Alarm[]): string =>
  alarms
    .slice(0, 3)
    .map((a) => a.name)
    .join(', ') + (alarms.length > 3 ? `, +${alarms.length - 3} more` : '')

/** The environment's CloudWatch alarms (by name prefix, or by tag when alarms.tag is set) are OK: ALARM fails, INSUFFICIENT_DATA warns. */
export const alarms: Check = {
  id: 'alarms',
  title: 'CloudWatch alarms of the environment OK',
  iam: ['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'],
  async run(ctx) {
    const {prefix, tag} = ctx.env.alarms
    const listed = await listAlarms(ctx, tag ? undefined : prefix)
    // Filtered here as well: some emulators apply only one of DescribeAlarms' filters.
    const mine = tag ? await withTag(ctx, listed, tag) : listed.filter((a) => a.name.startsWith(prefix))
    const selector = tag ? `tag ${tag.key}=${tag.value}` : `prefix ${prefix}`
    const data = {
      selector,
      count: mine.length,
      alarms: mine.map((a) => ({name: a.name, type: a.type, state: a.state, since: a.since?.toISOString() ?? null})),
    }
    if (mine.length === 0) {
      return warn(`no alarms found with ${selector}`, {
        details: [
          `no CloudWatch alarm in ${ctx.region} has ${selector}: nothing alerts on this environment (monitoring gap)`,
        ],
        hint: `Create the environment's alarms (ALB 5xx, ECS CPU/memory, RDS CPU/storage, Redis memory) named ${prefix}-…, or set alarms.prefix (or alarms.tag) for ${ctx.env.name} in allthrive.config.json.`,
        data,
      })
    }

    const inAlarm = mine.filter((a) => a.state === 'ALARM')
    const noData = mine.filter((a) => a.state === 'INSUFFICIENT_DATA')
    if (inAlarm.length === 0 && noData.length === 0) return pass(`${plural(mine.length, 'alarm')} OK`, {data})

    const line = (a: Alarm): string =>
      `${a.name}: ${a.state}${a.since ? ` for ${formatAge(ctx.now.getTime() - a.since.getTime())}` : ''}${a.reason ? ` — ${truncate(a.reason, REASON_MAX)}` : ''}`
    const parts = [
      ...(inAlarm.length > 0 ? [`${inAlarm.length} in ALARM: ${names(inAlarm)}`] : []),
      ...(noData.length > 0
        ? [`${noData.length} with INSUFFICIENT_DATA${inAlarm.length > 0 ? '' : `: ${names(noData)}`}`]
        : []),
    ]
    const state = inAlarm.length > 0 ? 'ALARM' : 'INSUFFICIENT_DATA'
    const cli = tag
      ? `aws cloudwatch describe-alarms --alarm-names ${(inAlarm.length > 0 ? inAlarm : noData).map((a) => shq(a.name)).join(' ')} --state-value ${shq(state)}`
      : `aws cloudwatch describe-alarms --alarm-name-prefix ${shq(prefix)} --state-value ${shq(state)}`
    const result: Omit<CheckResult, 'status' | 'summary'> = {
      details: [...inAlarm, ...noData].map(line),
      hint: `See them in the console: https://console.aws.amazon.com/cloudwatch/home?region=${ctx.region}#alarmsV2: or with: ${cli}`,
      data,
    }
    return inAlarm.length > 0 ? fail(parts.join('; '), result) : warn(parts.join('; '), result)
  },
}
