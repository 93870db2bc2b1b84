import {
  CostExplorerClient,
  DataUnavailableException,
  type Expression,
  GetCostAndUsageCommand,
  GetCostForecastCommand,
} from '@aws-sdk/client-cost-explorer'

import type {AwsClients} from '../../aws/clients.js'
import {DAY_MS} from '../../util/duration.js'
import {cents} from './estimate.js'
import type {ActualReport, ActualService, CostService} from './types.js'

/**
 * `--actual`: month-to-date spend by service from Cost Explorer (GetCostAndUsage, filtered
 * by the cost allocation tag `<tagKey>=<environment>`) and its forecast for the rest of the
 * month (GetCostForecast). Cost Explorer's API lives in us-east-1 and charges $0.01 per
 * request, so this is opt-in and every request is counted.
 */

export const CE_REGION = 'us-east-1'
export const CE_PRICE_PER_REQUEST = 0.01

/** Cost Explorer SERVICE names of the lines the estimate prices. */
export const CE_SERVICES: Record<string, CostService> = {
  'Amazon Elastic Container Service': 'ECS Fargate',
  'Amazon Relational Database Service': 'RDS',
  'Amazon ElastiCache': 'ElastiCache',
  'Amazon Elastic Load Balancing': 'Load Balancer',
  'Elastic Load Balancing': 'Load Balancer',
  'EC2 - Other': 'NAT Gateway',
  'Amazon Virtual Private Cloud': 'Public IPv4',
  'AWS Secrets Manager': 'Secrets Manager',
  'Amazon CloudFront': 'CloudFront',
  'Amazon Simple Storage Service': 'S3',
}

const isoDay = (d: Date): string => d.toISOString().slice(0, 10)

/** This month so far: [first of the month, today), plus the rest: [today, first of next month). */
export function monthPeriods(now: Date): {
  start: string
  today: string
  nextMonth: string
  elapsedDays: number
  daysInMonth: number
} {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()))
  const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1))
  return {
    start: isoDay(start),
    today: isoDay(today),
    nextMonth: isoDay(nextMonth),
    elapsedDays: Math.round((today.getTime() - start.getTime()) / DAY_MS),
    daysInMonth: Math.round((nextMonth.getTime() - start.getTime()) / DAY_MS),
  }
}

export interface ActualOptions {
  environment: string
  tagKey: string
  now: Date
  /** The estimate's monthly total, to compare with. */
  estimate: number
  signal?: AbortSignal
}

export async function actualCosts(aws: AwsClients, opts: ActualOptions): Promise<ActualReport> {
  const client = aws.client(CostExplorerClient, {region: CE_REGION})
  const p = monthPeriods(opts.now)
  const filter: Expression = {Tags: {Key: opts.tagKey, Values: [opts.environment], MatchOptions: ['EQUALS']}}
  const notes: string[] = []
  let requests = 0

  const monthToDate = async (): Promise<Map<string, number>> => {
    const byService = new Map<string, number>()
    if (p.elapsedDays === 0) {
      notes.push('First day of the month: no whole day of spend yet.')
      return byService
    }

    let token: string | undefined
    do {
      requests++
      const out = await client.send(
        new GetCostAndUsageCommand({
          TimePeriod: {Start: p.start, End: p.today},
          Granularity: 'MONTHLY',
          Metrics: ['UnblendedCost'],
          GroupBy: [{Type: 'DIMENSION', Key: 'SERVICE'}],
          Filter: filter,
          NextPageToken: token,
        }),
        {abortSignal: opts.signal},
      )
      for (const r of out.ResultsByTime ?? []) {
        for (const g of r.Groups ?? []) {
          const name = g.Keys?.[0] ?? '?'
          byService.set(name, (byService.get(name) ?? 0) + Number(g.Metrics?.UnblendedCost?.Amount ?? 0))
        }
      }

      token = out.NextPageToken
    } while (token)
    return byService
  }

  const forecast = async (): Promise<number | undefined> => {
    requests++
    try {
      const out = await client.send(
        new GetCostForecastCommand({
          TimePeriod: {Start: p.today, End: p.nextMonth},
          Metric: 'UNBLENDED_COST',
          Granularity: 'MONTHLY',
          Filter: filter,
        }),
        {abortSignal: opts.signal},
      )
      return Number(out.Total?.Amount ?? 0)
    } catch (error) {
      if (!(error instanceof DataUnavailableException)) throw error
      notes.push(
        `Cost Explorer has no forecast for ${opts.tagKey}=${opts.environment} (too little history under that tag): the month-to-date spend is projected at its daily rate instead.`,
      )
      return undefined
    }
  }

  const [byService, rest] = await Promise.all([monthToDate(), forecast()])
  const mtd = [...byService.values()].reduce((a, v) => a + v, 0)
  if (p.elapsedDays > 0 && mtd === 0) {
    notes.push(
      `Cost Explorer returned no spend tagged ${opts.tagKey}=${opts.environment} this month: the tag may not be activated as a cost allocation tag (Billing console → Cost allocation tags; activation takes up to 24 hours and is not retroactive), or the resources do not carry it. Try --cost-tag with the key your account uses.`,
    )
  }

  const project = (v: number): number => (p.elapsedDays > 0 ? (v / p.elapsedDays) * p.daysInMonth : 0)
  const services: ActualService[] = [...byService]
    .map(([ceService, v]) => ({
      ceService,
      service: CE_SERVICES[ceService],
      monthToDate: cents(v),
      projectedMonth: cents(project(v)),
    }))
    .sort((a, b) => b.monthToDate - a.monthToDate)
  if (services.some((s) => s.ceService === 'EC2 - Other'))
    notes.push('"EC2 - Other" holds NAT gateway charges and also EBS volumes, snapshots and data transfer.')

  const forecastMonth = rest === undefined ? undefined : cents(mtd + rest)
  return {
    tag: {key: opts.tagKey, value: opts.environment},
    period: {start: p.start, end: p.today},
    monthToDate: cents(mtd),
    forecastRest: rest === undefined ? undefined : cents(rest),
    forecastMonth,
    estimate: opts.estimate,
    unexplained: cents((forecastMonth ?? project(mtd)) - opts.estimate),
    days: {elapsed: p.elapsedDays, inMonth: p.daysInMonth},
    services,
    requests,
    notes,
  }
}
