import {
  DataUnavailableException,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandOutput,
  GetCostForecastCommand,
  type GetCostForecastCommandOutput,
  type Group,
} from '@aws-sdk/client-cost-explorer'
import {beforeEach, describe, expect, it} from 'vitest'

import {createAwsClients} from '../../../src/aws/clients.js'
import {actualCosts, monthPeriods} from '../../../src/lib/cost/actual.js'
import {mocks, resetMocks} from '../../helpers/aws.js'
import {NOW} from './fixtures.js'

const group = (service: string, amount: string): Group => ({
  Keys: [service],
  Metrics: {UnblendedCost: {Amount: amount, Unit: 'USD'}},
})

function costs(groups: Group[], next?: string): GetCostAndUsageCommandOutput {
  return {
    $metadata: {},
    ResultsByTime: [{TimePeriod: {Start: '2026-11-01', End: '2026-11-26'}, Groups: groups, Estimated: true}],
    NextPageToken: next,
  }
}

const forecast = (amount: string): GetCostForecastCommandOutput => ({
  $metadata: {},
  Total: {Amount: amount, Unit: 'USD'},
})

const run = (now = NOW) =>
  actualCosts(createAwsClients({region: 'eu-west-1'}), {
    environment: 'production',
    tagKey: 'Environment',
    now,
    estimate: 160,
  })

describe('actualCosts', () => {
  beforeEach(() => resetMocks())

  it('asks Cost Explorer in us-east-1 for this month by SERVICE, filtered by the tag, and the rest-of-month forecast', async () => {
    mocks.costExplorer
      .on(GetCostAndUsageCommand)
      .resolves(
        costs([
          group('Amazon Elastic Container Service', '52.50'),
          group('EC2 - Other', '30.00'),
          group('AmazonCloudWatch', '4.10'),
        ]),
      )
    mocks.costExplorer.on(GetCostForecastCommand).resolves(forecast('25.00'))
    const a = await run()
    expect(mocks.costExplorer).toHaveReceivedCommandWith(GetCostAndUsageCommand, {
      TimePeriod: {Start: '2026-11-01', End: '2026-11-26'},
      Granularity: 'MONTHLY',
      GroupBy: [{Type: 'DIMENSION', Key: 'SERVICE'}],
      Filter: {Tags: {Key: 'Environment', Values: ['production'], MatchOptions: ['EQUALS']}},
    })
    expect(mocks.costExplorer).toHaveReceivedCommandWith(GetCostForecastCommand, {
      TimePeriod: {Start: '2026-11-26', End: '2026-12-01'},
      Metric: 'UNBLENDED_COST',
    })
    const regions = await Promise.all(
      mocks.costExplorer.calls().map((c) => (c.thisValue as {config: {region: () => Promise<string>}}).config.region()),
    )
    expect(new Set(regions)).toEqual(new Set(['us-east-1']))
    expect(a).toMatchObject({
      monthToDate: 86.6,
      forecastRest: 25,
      forecastMonth: 111.6,
      estimate: 160,
      unexplained: -48.4,
      requests: 2,
      days: {elapsed: 25, inMonth: 30},
    })
    expect(a.services[0]).toEqual({
      ceService: 'Amazon Elastic Container Service',
      service: 'ECS Fargate',
      monthToDate: 52.5,
      projectedMonth: 63,
    })
    expect(a.services.find((s) => s.ceService === 'AmazonCloudWatch')?.service).toBeUndefined()
    expect(a.notes.join(' ')).toContain('"EC2 - Other" holds NAT gateway charges')
  })

  it('says the tag may not be activated when Cost Explorer returns nothing for it', async () => {
    mocks.costExplorer.on(GetCostAndUsageCommand).resolves(costs([]))
    mocks.costExplorer.on(GetCostForecastCommand).rejects(
      new DataUnavailableException({
        message: 'Insufficient amount of historical data to generate forecast.',
        $metadata: {},
      }),
    )
    const a = await run()
    expect(a.monthToDate).toBe(0)
    expect(a.forecastMonth).toBeUndefined()
    expect(a.unexplained).toBe(-160)
    expect(a.notes.join('\n')).toContain('the tag may not be activated as a cost allocation tag')
    expect(a.notes.join('\n')).toContain('no forecast')
  })

  it('counts every request it pays for, pages included', async () => {
    mocks.costExplorer
      .on(GetCostAndUsageCommand)
      .resolvesOnce(costs([group('Amazon ElastiCache', '10')], 'page-2'))
      .resolvesOnce(costs([group('Amazon ElastiCache', '1')]))
    mocks.costExplorer.on(GetCostForecastCommand).resolves(forecast('2'))
    const a = await run()
    expect(a.requests).toBe(3)
    expect(a.monthToDate).toBe(11)
  })

  it('on the first day of the month, asks only for the forecast', async () => {
    mocks.costExplorer.on(GetCostForecastCommand).resolves(forecast('150'))
    const a = await run(new Date('2026-12-01T03:00:00Z'))
    expect(mocks.costExplorer).not.toHaveReceivedCommand(GetCostAndUsageCommand)
    expect(a).toMatchObject({monthToDate: 0, forecastMonth: 150, requests: 1})
  })

  it('splits the month at today (UTC)', () => {
    expect(monthPeriods(new Date('2026-02-28T23:00:00Z'))).toEqual({
      start: '2026-02-01',
      today: '2026-02-28',
      nextMonth: '2026-03-01',
      elapsedDays: 27,
      daysInMonth: 28,
    })
  })
})
