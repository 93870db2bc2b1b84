import {
  type CompositeAlarm,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandOutput,
  ListTagsForResourceCommand,
  type ListTagsForResourceCommandInput,
  type ListTagsForResourceCommandOutput,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch'
import {beforeEach, describe, expect, it} from 'vitest'

import {alarms} from '../../src/checks/alarms.js'
import {accessDenied, mocks, resetMocks} from '../helpers/aws.js'
import {ctxWith, expectErrorNaming, NOW} from '../helpers/context.js'

const ago = (minutes: number): Date => new Date(NOW.getTime() - minutes * 60_000)
const alarmArn = (name: string) => `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`

const metricAlarm = (name: string, over: Partial<MetricAlarm> = {}): MetricAlarm => ({
  AlarmName: name,
  AlarmArn: alarmArn(name),
  ActionsEnabled: true,
  Namespace: 'AWS/ApplicationELB',
  MetricName: 'HTTPCode_Target_5XX_Count',
  Statistic: 'Sum',
  Period: 60,
  EvaluationPeriods: 5,
  Threshold: 10,
  ComparisonOperator: 'GreaterThanThreshold',
  StateValue: 'OK',
  StateReason: 'Threshold Crossed: 5 datapoints were not greater than the threshold (10.0).',
  StateUpdatedTimestamp: ago(600),
  StateTransitionedTimestamp: ago(600),
  ...over,
})

const compositeAlarm = (name: string, over: Partial<CompositeAlarm> = {}): CompositeAlarm => ({
  AlarmName: name,
  AlarmArn: alarmArn(name),
  AlarmRule: 'ALARM("production-allthrive-web-5xx") OR ALARM("production-allthrive-db-cpu")',
  StateValue: 'OK',
  StateReason: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:production-allthrive-web-5xx transitioned to OK',
  StateUpdatedTimestamp: ago(60),
  ...over,
})

const PREFIX = 'production-allthrive'
const healthyMetric = [
  'web-5xx',
  'web-cpu',
  'web-memory',
  'celery-cpu',
  'db-cpu',
  'db-storage',
  'db-connections',
  'redis-memory',
  'redis-cpu',
  'alb-latency',
  'weaviate-cpu',
].map((n) => metricAlarm(`${PREFIX}-${n}`))

const describeAlarms = (out: Partial<DescribeAlarmsCommandOutput>) =>
  mocks.cloudwatch.on(DescribeAlarmsCommand).resolves(out)

describe('alarms check', () => {
  beforeEach(() => resetMocks())

  it('passes when every alarm of the prefix is OK, asking for metric and composite alarms', async () => {
    describeAlarms({MetricAlarms: healthyMetric, CompositeAlarms: [compositeAlarm(`${PREFIX}-site-down`)]})
    const r = await alarms.run(ctxWith())
    expect(r).toMatchObject({status: 'pass', summary: '12 alarms OK'})
    expect(mocks.cloudwatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
      AlarmNamePrefix: PREFIX,
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    })
    expect(mocks.cloudwatch).toHaveReceivedCommandTimes(ListTagsForResourceCommand, 0)
    expect(r.data).toMatchObject({selector: `prefix ${PREFIX}`, count: 12})
  })

  it('reads every page', async () => {
    mocks.cloudwatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce({MetricAlarms: healthyMetric.slice(0, 5), NextToken: 'page-2'})
      .resolvesOnce({
        MetricAlarms: healthyMetric.slice(5),
        CompositeAlarms: [compositeAlarm(`${PREFIX}-site-down`, {StateValue: 'ALARM'})],
      })
    const r = await alarms.run(ctxWith())
    expect(r.summary).toBe(`1 in ALARM: ${PREFIX}-site-down`)
    expect(mocks.cloudwatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 2)
    expect(mocks.cloudwatch).toHaveReceivedNthCommandWith(DescribeAlarmsCommand, 2, {
      NextToken: 'page-2',
      AlarmNamePrefix: PREFIX,
    })
  })

  it('fails on alarms in ALARM, naming each with its reason and for how long', async () => {
    const reason = `Threshold Crossed: 5 out of the last 5 datapoints [42.0 (26/11/26 11:55:00), 38.0 (26/11/26 11:54:00)] were greater than the threshold (10.0) (minimum 5 datapoints for OK -> ALARM transition). ${'x'.repeat(200)}`
    describeAlarms({
      MetricAlarms: [
        ...healthyMetric.slice(2),
        metricAlarm(`${PREFIX}-web-5xx`, {
          StateValue: 'ALARM',
          StateReason: reason,
          StateTransitionedTimestamp: ago(133),
          StateUpdatedTimestamp: ago(2),
        }),
        metricAlarm(`${PREFIX}-db-cpu`, {
          StateValue: 'ALARM',
          StateReason: 'Threshold Crossed: 3 datapoints were greater than the threshold (80.0).',
          StateTransitionedTimestamp: undefined,
          StateUpdatedTimestamp: ago(3 * 1440 + 250),
        }),
        metricAlarm(`${PREFIX}-redis-memory`, {
          StateValue: 'INSUFFICIENT_DATA',
          StateReason: 'Insufficient Data: 5 datapoints were unknown.',
          StateTransitionedTimestamp: ago(45),
        }),
      ],
    })
    const r = await alarms.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.summary).toBe(`2 in ALARM: ${PREFIX}-web-5xx, ${PREFIX}-db-cpu; 1 with INSUFFICIENT_DATA`)
    expect(r.details).toEqual([
      `${PREFIX}-web-5xx: ALARM for 2h 13m — ${reason.slice(0, 159)}…`,
      `${PREFIX}-db-cpu: ALARM for 3d 4h — Threshold Crossed: 3 datapoints were greater than the threshold (80.0).`,
      `${PREFIX}-redis-memory: INSUFFICIENT_DATA for 45m — Insufficient Data: 5 datapoints were unknown.`,
    ])
    expect(r.hint).toBe(
      `See them in the console: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2: or with: aws cloudwatch describe-alarms --alarm-name-prefix ${PREFIX} --state-value ALARM`,
    )
  })

  it('warns on alarms with INSUFFICIENT_DATA', async () => {
    describeAlarms({
      MetricAlarms: [
        ...healthyMetric.slice(1),
        metricAlarm(`${PREFIX}-web-5xx`, {
          StateValue: 'INSUFFICIENT_DATA',
          StateReason: 'Unchecked: Initial alarm creation',
          StateTransitionedTimestamp: ago(5),
        }),
      ],
    })
    const r = await alarms.run(ctxWith())
    expect(r).toMatchObject({
      status: 'warn',
      summary: `1 with INSUFFICIENT_DATA: ${PREFIX}-web-5xx`,
      details: [`${PREFIX}-web-5xx: INSUFFICIENT_DATA for 5m — Unchecked: Initial alarm creation`],
    })
    expect(r.hint).toContain('--state-value INSUFFICIENT_DATA')
  })

  it('filters names and states itself when the API ignores a filter', async () => {
    describeAlarms({
      MetricAlarms: [
        ...healthyMetric,
        metricAlarm('staging-allthrive-web-5xx', {StateValue: 'ALARM'}),
        metricAlarm('billing-alarm', {StateValue: 'ALARM'}),
      ],
    })
    const r = await alarms.run(ctxWith())
    expect(r).toMatchObject({status: 'pass', summary: '11 alarms OK'})
  })

  it('warns about a monitoring gap when no alarm has the prefix', async () => {
    describeAlarms({MetricAlarms: [], CompositeAlarms: []})
    const r = await alarms.run(ctxWith())
    expect(r).toMatchObject({status: 'warn', summary: `no alarms found with prefix ${PREFIX}`})
    expect(r.details).toEqual([
      `no CloudWatch alarm in us-east-1 has prefix ${PREFIX}: nothing alerts on this environment (monitoring gap)`,
    ])
    expect(r.hint).toContain('alarms.prefix')
  })

  it('uses the configured prefix', async () => {
    describeAlarms({MetricAlarms: [metricAlarm('prod-web-5xx')]})
    const r = await alarms.run(ctxWith({alarms: {prefix: 'prod-', tag: undefined}}))
    expect(r.summary).toBe('1 alarm OK')
    expect(mocks.cloudwatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, {AlarmNamePrefix: 'prod-'})
  })

  describe('by tag', () => {
    const tag = {key: 'Environment', value: 'production'}
    const all = [
      metricAlarm(`${PREFIX}-web-5xx`, {StateValue: 'ALARM', StateTransitionedTimestamp: ago(20)}),
      metricAlarm('team-a-latency'),
      metricAlarm('staging-web-5xx', {StateValue: 'ALARM'}),
      ...Array.from({length: 9}, (_, i) => metricAlarm(`other-${i}`)),
    ]

    /** Tags by ARN; records the most calls in flight at once. */
    function tags(tagged: Set<string>): {maxInFlight: number} {
      const seen = {maxInFlight: 0}
      let inFlight = 0
      mocks.cloudwatch.on(ListTagsForResourceCommand).callsFake(async (input: ListTagsForResourceCommandInput) => {
        inFlight++
        seen.maxInFlight = Math.max(seen.maxInFlight, inFlight)
        await new Promise((r) => setTimeout(r, 2))
        inFlight--
        const name = input.ResourceARN!.split(':alarm:')[1]
        const out: Partial<ListTagsForResourceCommandOutput> = {
          Tags: tagged.has(name)
            ? [{Key: 'Environment', Value: 'production'}]
            : [{Key: 'Environment', Value: 'staging'}],
        }
        return out
      })
      return seen
    }

    it('lists every alarm and keeps those with the tag, reading tags with bounded concurrency', async () => {
      describeAlarms({MetricAlarms: all, CompositeAlarms: [compositeAlarm('site-down')]})
      const seen = tags(new Set([`${PREFIX}-web-5xx`, 'team-a-latency', 'site-down']))
      const r = await alarms.run(ctxWith({alarms: {prefix: PREFIX, tag}}))
      expect(r.status).toBe('fail')
      expect(r.summary).toBe(`1 in ALARM: ${PREFIX}-web-5xx`)
      expect(r.data).toMatchObject({selector: 'tag Environment=production', count: 3})
      expect(r.hint).toContain(`aws cloudwatch describe-alarms --alarm-names ${PREFIX}-web-5xx --state-value ALARM`)
      const input = mocks.cloudwatch.commandCalls(DescribeAlarmsCommand)[0].args[0].input
      expect(input.AlarmNamePrefix).toBeUndefined()
      expect(mocks.cloudwatch).toHaveReceivedCommandTimes(ListTagsForResourceCommand, 13)
      expect(mocks.cloudwatch).toHaveReceivedCommandWith(ListTagsForResourceCommand, {
        ResourceARN: alarmArn('site-down'),
      })
      expect(seen.maxInFlight).toBeGreaterThan(1)
      expect(seen.maxInFlight).toBeLessThanOrEqual(5)
    })

    it('warns when no alarm carries the tag', async () => {
      describeAlarms({MetricAlarms: all})
      tags(new Set())
      const r = await alarms.run(ctxWith({alarms: {prefix: PREFIX, tag}}))
      expect(r).toMatchObject({status: 'warn', summary: 'no alarms found with tag Environment=production'})
    })
  })

  it('is an error naming the IAM action when DescribeAlarms is denied', async () => {
    mocks.cloudwatch.on(DescribeAlarmsCommand).rejects(accessDenied('cloudwatch:DescribeAlarms'))
    await expectErrorNaming(alarms, 'cloudwatch:DescribeAlarms')
  })

  it('is an error when tags cannot be read', async () => {
    describeAlarms({MetricAlarms: [metricAlarm('a')]})
    mocks.cloudwatch.on(ListTagsForResourceCommand).rejects(accessDenied('cloudwatch:ListTagsForResource'))
    await expectErrorNaming(
      alarms,
      'cloudwatch:ListTagsForResource',
      ctxWith({alarms: {prefix: PREFIX, tag: {key: 'Environment', value: 'production'}}}),
    )
  })
})
