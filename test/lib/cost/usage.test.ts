import {GetMetricDataCommand, type GetMetricDataCommandInput} from '@aws-sdk/client-cloudwatch'
import {beforeEach, describe, expect, it} from 'vitest'

import {createAwsClients} from '../../../src/aws/clients.js'
import {collectUsage, usageWindow} from '../../../src/lib/cost/usage.js'
import type {CostContext} from '../../../src/lib/cost/types.js'
import {mocks, resetMocks} from '../../helpers/aws.js'
import {daily, env, gauge, NAT_ID, NOW, referenceInventory, referenceMetrics} from './fixtures.js'

const GB = 1024 ** 3
const ctx = (region = 'us-east-1'): CostContext => ({env: env(), region, aws: createAwsClients({region}), now: NOW})

describe('collectUsage', () => {
  beforeEach(() => resetMocks())

  it('asks for every metric in one GetMetricData request over the last 7 whole days', async () => {
    mocks.cloudwatch.on(GetMetricDataCommand).resolves({MetricDataResults: []})
    await collectUsage(ctx(), referenceInventory())
    const calls = mocks.cloudwatch.commandCalls(GetMetricDataCommand)
    expect(calls).toHaveLength(1)
    const input = calls[0].args[0].input as GetMetricDataCommandInput
    expect(input.StartTime).toEqual(new Date('2026-11-19T00:00:00Z'))
    expect(input.EndTime).toEqual(new Date('2026-11-26T00:00:00Z'))
    const ids = input.MetricDataQueries!.map((q) => `${q.Id}:${q.MetricStat?.Metric?.MetricName}/${q.MetricStat?.Stat}`)
    expect(ids).toEqual([
      'nat0dst:BytesOutToDestination/Sum',
      'nat0src:BytesOutToSource/Sum',
      'alblcu:ConsumedLCUs/Average',
      's30size:BucketSizeBytes/Average',
      's30objects:NumberOfObjects/Average',
      's30put:PutRequests/Sum',
      's30get:GetRequests/Sum',
      's31size:BucketSizeBytes/Average',
      's31objects:NumberOfObjects/Average',
      's31put:PutRequests/Sum',
      's31get:GetRequests/Sum',
      's32size:BucketSizeBytes/Average',
      's32objects:NumberOfObjects/Average',
      's32put:PutRequests/Sum',
      's32get:GetRequests/Sum',
      'cfbytes:BytesDownloaded/Sum',
      'cfrequests:Requests/Sum',
    ])
    const cf = input.MetricDataQueries!.find((q) => q.Id === 'cfbytes')!.MetricStat!.Metric!.Dimensions
    expect(cf).toEqual([
      {Name: 'DistributionId', Value: 'E2REFERENCE01'},
      {Name: 'Region', Value: 'Global'},
    ])
  })

  it('extrapolates 7 days of datapoints to a 730-hour month', async () => {
    mocks.cloudwatch.on(GetMetricDataCommand).resolves(referenceMetrics())
    const u = await collectUsage(ctx(), referenceInventory())
    expect(u.natGb.get(NAT_ID)?.monthly).toBeCloseTo(40, 6)
    expect(u.albLcuHours?.monthly).toBeCloseTo(0.6 * 730, 6)
    expect(u.cloudfrontGb?.monthly).toBeCloseTo(140, 6)
    expect(u.cloudfrontRequests?.monthly).toBeCloseTo(1_000_000, 3)
    expect(u.s3StorageGb.get('media')?.monthly).toBeCloseTo(100, 6)
    expect(u.s3Objects.get('media')?.monthly).toBe(40_000)
    expect(u.natGb.get(NAT_ID)?.basis).toBe('BytesOutToDestination + BytesOutToSource, 7 days')
  })

  it('extrapolates from the days a new resource has data for, not the whole window', async () => {
    mocks.cloudwatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        {
          Id: 'nat0dst',
          Timestamps: [new Date('2026-11-24T00:00:00Z'), new Date('2026-11-25T00:00:00Z')],
          Values: [GB, GB],
        },
      ],
    })
    const u = await collectUsage(ctx(), referenceInventory())
    expect(u.natGb.get(NAT_ID)).toMatchObject({days: 2, monthly: (2 * 730) / 48})
  })

  it('leaves a figure out when its metric has no datapoints', async () => {
    mocks.cloudwatch
      .on(GetMetricDataCommand)
      .resolves({MetricDataResults: [{Id: 'nat0dst', Timestamps: [], Values: []}, gauge('s31size', 5 * GB)]})
    const u = await collectUsage(ctx(), referenceInventory())
    expect(u.natGb.size).toBe(0)
    expect(u.albLcuHours).toBeUndefined()
    expect(u.cloudfrontGb).toBeUndefined()
    expect([...u.s3StorageGb.keys()]).toEqual(['media'])
  })

  it('reads CloudFront metrics from us-east-1 in a second request when the environment is elsewhere', async () => {
    mocks.cloudwatch.on(GetMetricDataCommand).resolves({MetricDataResults: [daily('cfbytes', 10 * GB)]})
    const u = await collectUsage(ctx('eu-west-1'), referenceInventory())
    const calls = mocks.cloudwatch.commandCalls(GetMetricDataCommand)
    const regions = await Promise.all(
      calls.map((c) => (c.thisValue as {config: {region: () => Promise<string>}}).config.region()),
    )
    expect(regions.sort()).toEqual(['eu-west-1', 'us-east-1'])
    const global = calls.find((c) =>
      (c.args[0].input as GetMetricDataCommandInput).MetricDataQueries!.some((q) => q.Id === 'cfbytes'),
    )!
    expect((global.args[0].input as GetMetricDataCommandInput).MetricDataQueries!.map((q) => q.Id)).toEqual([
      'cfbytes',
      'cfrequests',
    ])
    expect(u.cloudfrontGb?.monthly).toBeGreaterThan(0)
  })

  it('follows NextToken pages', async () => {
    mocks.cloudwatch
      .on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [{Id: 'nat0dst', Timestamps: [new Date('2026-11-19T00:00:00Z')], Values: [GB]}],
        NextToken: 'p2',
      })
      .resolvesOnce({
        MetricDataResults: [{Id: 'nat0dst', Timestamps: [new Date('2026-11-20T00:00:00Z')], Values: [GB]}],
      })
    const u = await collectUsage(ctx(), referenceInventory())
    expect(u.natGb.get(NAT_ID)?.monthly).toBeCloseTo((2 * 730) / 168, 6)
  })

  it('windows whole UTC days', () => {
    expect(usageWindow(new Date('2026-11-26T23:59:00Z'), 7)).toEqual({
      start: new Date('2026-11-19T00:00:00Z'),
      end: new Date('2026-11-26T00:00:00Z'),
    })
  })
})
