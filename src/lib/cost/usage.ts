import {CloudWatchClient, type MetricDataQuery, paginateGetMetricData} from '@aws-sdk/client-cloudwatch'

import {DAY_MS} from '../../util/duration.js'
import {BYTES_PER_GB, type CostContext, HOURS_PER_MONTH, type Inventory, type Usage, type UsageFigure} from './types.js'

/**
 * Usage-based quantities from CloudWatch: one GetMetricData request (paginated) per
 * region with every query, over the last whole days, extrapolated to a 730-hour month.
 * A metric without datapoints yields no figure: the line is "usage-based, not estimated".
 *
 *   NAT processed GB    AWS/NATGateway BytesOutToDestination + BytesOutToSource (Sum)
 *   ALB LCU-hours       AWS/ApplicationELB ConsumedLCUs (Average LCUs × hours)
 *   CloudFront GB       AWS/CloudFront BytesDownloaded, Requests (Sum; us-east-1, Region=Global)
 *   S3 storage          AWS/S3 BucketSizeBytes StandardStorage, NumberOfObjects (daily; latest)
 *   S3 requests         AWS/S3 PutRequests, GetRequests (Sum; only with request metrics filter "EntireBucket")
 */

export const USAGE_DAYS = 7
const CLOUDFRONT_METRICS_REGION = 'us-east-1'

type Stat = 'Sum' | 'Average'

function query(
  id: string,
  namespace: string,
  metric: string,
  dimensions: Record<string, string>,
  stat: Stat,
): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: namespace,
        MetricName: metric,
        Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({Name, Value})),
      },
      Period: 86_400,
      Stat: stat,
    },
    ReturnData: true,
  }
}

/** The window: the last `days` whole UTC days before `now`. */
export function usageWindow(now: Date, days = USAGE_DAYS): {start: Date; end: Date} {
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()))
  return {start: new Date(end.getTime() - days * DAY_MS), end}
}

interface Series {
  timestamps: Date[]
  values: number[]
}

async function fetchSeries(
  ctx: CostContext,
  region: string,
  queries: MetricDataQuery[],
  window: {start: Date; end: Date},
): Promise<Map<string, Series>> {
  const series = new Map<string, Series>()
  if (queries.length === 0) return series
  const client = ctx.aws.client(CloudWatchClient, {region})
  const pages = paginateGetMetricData(
    {client},
    {MetricDataQueries: queries, StartTime: window.start, EndTime: window.end, ScanBy: 'TimestampAscending'},
    {abortSignal: ctx.signal},
  )
  for await (const page of pages) {
    for (const r of page.MetricDataResults ?? []) {
      const s = series.get(r.Id ?? '') ?? {timestamps: [], values: []}
      s.timestamps.push(...(r.Timestamps ?? []))
      s.values.push(...(r.Values ?? []))
      series.set(r.Id ?? '', s)
    }
  }

  return series
}

/** Days the series covers: from its first datapoint to the end of the window. */
function coveredDays(s: Series, end: Date): number {
  const first = Math.min(...s.timestamps.map((t) => new Date(t).getTime()))
  return Math.max(1, Math.round((end.getTime() - first) / DAY_MS))
}

/** A Sum metric over the window, as a monthly figure; undefined without datapoints. */
function monthlySum(
  parts: (Series | undefined)[],
  end: Date,
  scale: number,
  unit: string,
  basis: string,
): UsageFigure | undefined {
  const present = parts.filter((s): s is Series => s !== undefined && s.values.length > 0)
  if (present.length === 0) return undefined
  const days = Math.max(...present.map((s) => coveredDays(s, end)))
  const total = present.reduce((sum, s) => sum + s.values.reduce((a, v) => a + v, 0), 0) * scale
  return {
    monthly: (total * HOURS_PER_MONTH) / (days * 24),
    unit,
    days,
    basis: `${basis}, ${days} day${days === 1 ? '' : 's'}`,
  }
}

/** The latest datapoint of a daily gauge (S3 storage). */
function latest(s: Series | undefined, scale: number, unit: string, basis: string): UsageFigure | undefined {
  if (!s || s.values.length === 0) return undefined
  let at = 0
  s.timestamps.forEach((t, i) => {
    if (new Date(t).getTime() >= new Date(s.timestamps[at]).getTime()) at = i
  })
  return {
    monthly: s.values[at] * scale,
    unit,
    days: 1,
    basis: `${basis} on ${new Date(s.timestamps[at]).toISOString().slice(0, 10)}`,
  }
}

export async function collectUsage(ctx: CostContext, inv: Inventory, days = USAGE_DAYS): Promise<Usage> {
  const window = usageWindow(ctx.now, days)
  const regional: MetricDataQuery[] = []
  const global: MetricDataQuery[] = []

  inv.natGateways.forEach((n, i) => {
    regional.push(query(`nat${i}dst`, 'AWS/NATGateway', 'BytesOutToDestination', {NatGatewayId: n.id}, 'Sum'))
    regional.push(query(`nat${i}src`, 'AWS/NATGateway', 'BytesOutToSource', {NatGatewayId: n.id}, 'Sum'))
  })
  if (inv.alb)
    regional.push(query('alblcu', 'AWS/ApplicationELB', 'ConsumedLCUs', {LoadBalancer: inv.alb.dimension}, 'Average'))
  inv.buckets.forEach((b, i) => {
    regional.push(
      query(`s3${i}size`, 'AWS/S3', 'BucketSizeBytes', {BucketName: b.name, StorageType: 'StandardStorage'}, 'Average'),
      query(
        `s3${i}objects`,
        'AWS/S3',
        'NumberOfObjects',
        {BucketName: b.name, StorageType: 'AllStorageTypes'},
        'Average',
      ),
      query(`s3${i}put`, 'AWS/S3', 'PutRequests', {BucketName: b.name, FilterId: 'EntireBucket'}, 'Sum'),
      query(`s3${i}get`, 'AWS/S3', 'GetRequests', {BucketName: b.name, FilterId: 'EntireBucket'}, 'Sum'),
    )
  })
  const distribution = inv.cloudfront.distributionId
  if (distribution) {
    global.push(
      query('cfbytes', 'AWS/CloudFront', 'BytesDownloaded', {DistributionId: distribution, Region: 'Global'}, 'Sum'),
      query('cfrequests', 'AWS/CloudFront', 'Requests', {DistributionId: distribution, Region: 'Global'}, 'Sum'),
    )
  }

  // CloudFront's metrics live in us-east-1: one request when the environment is there too.
  const sameRegion = ctx.region === CLOUDFRONT_METRICS_REGION
  const [a, b] = await Promise.all([
    fetchSeries(ctx, ctx.region, sameRegion ? [...regional, ...global] : regional, window),
    sameRegion ? new Map<string, Series>() : fetchSeries(ctx, CLOUDFRONT_METRICS_REGION, global, window),
  ])
  const s = new Map([...a, ...b])
  const {end} = window

  const natGb = new Map<string, UsageFigure>()
  inv.natGateways.forEach((n, i) => {
    const f = monthlySum(
      [s.get(`nat${i}dst`), s.get(`nat${i}src`)],
      end,
      1 / BYTES_PER_GB,
      'GB',
      'BytesOutToDestination + BytesOutToSource',
    )
    if (f) natGb.set(n.id, f)
  })

  let albLcuHours: UsageFigure | undefined
  const lcu = s.get('alblcu')
  if (lcu && lcu.values.length > 0) {
    const average = lcu.values.reduce((x, v) => x + v, 0) / lcu.values.length
    const covered = coveredDays(lcu, end)
    albLcuHours = {
      monthly: average * HOURS_PER_MONTH,
      unit: 'LCU-hour',
      days: covered,
      basis: `average ConsumedLCUs ${average.toFixed(3)} over ${covered} day${covered === 1 ? '' : 's'}`,
    }
  }

  const byBucket = (
    suffix: string,
    f: (x: Series | undefined) => UsageFigure | undefined,
  ): Map<string, UsageFigure> => {
    const m = new Map<string, UsageFigure>()
    inv.buckets.forEach((bucket, i) => {
      const fig = f(s.get(`s3${i}${suffix}`))
      if (fig) m.set(bucket.key, fig)
    })
    return m
  }

  return {
    window: {start: window.start.toISOString(), end: window.end.toISOString(), days},
    natGb,
    albLcuHours,
    cloudfrontGb: monthlySum([s.get('cfbytes')], end, 1 / BYTES_PER_GB, 'GB', 'BytesDownloaded'),
    cloudfrontRequests: monthlySum([s.get('cfrequests')], end, 1, 'requests', 'Requests'),
    s3StorageGb: byBucket('size', (x) => latest(x, 1 / BYTES_PER_GB, 'GB-month', 'BucketSizeBytes (Standard)')),
    s3Objects: byBucket('objects', (x) => latest(x, 1, 'objects', 'NumberOfObjects')),
    s3Puts: byBucket('put', (x) => monthlySum([x], end, 1, 'requests', 'PutRequests')),
    s3Gets: byBucket('get', (x) => monthlySum([x], end, 1, 'requests', 'GetRequests')),
  }
}
