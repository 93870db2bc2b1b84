import {CloudWatchClient, type MetricDataQuery, paginateGetMetricData} from '@aws-sdk/client-cloudwatch'
import {
  type DBInstance,
  DBInstanceNotFoundFault,
  DescribeCertificatesCommand,
  DescribeDBInstancesCommand,
  RDSClient,
} from '@aws-sdk/client-rds'

import type {RunContext} from '../aws/context.js'

/**
 * RDS facts the checks need beyond DescribeDBInstances: how an instance status should
 * be read, the free storage CloudWatch last saw, and when the instance's CA expires.
 */

export const GIB = 1024 ** 3

/**
 * The lowest FreeStorageSpace (bytes) over the 15 minutes ending at `ctx.now`, from
 * 5-minute minimums; undefined when CloudWatch has no datapoints.
 */
export async function minFreeStorageBytes(ctx: RunContext, instanceId: string): Promise<number | undefined> {
  const query: MetricDataQuery = {
    Id: 'free',
    MetricStat: {
      Metric: {
        Namespace: 'AWS/RDS',
        MetricName: 'FreeStorageSpace',
        Dimensions: [{Name: 'DBInstanceIdentifier', Value: instanceId}],
      },
      Period: 300,
      Stat: 'Minimum',
    },
  }
  const input = {MetricDataQueries: [query], StartTime: new Date(ctx.now.getTime() - 15 * 60_000), EndTime: ctx.now}
  const values: number[] = []
  for await (const page of paginateGetMetricData({client: ctx.aws.client(CloudWatchClient)}, input, {
    abortSignal: ctx.signal,
  })) {
    for (const r of page.MetricDataResults ?? []) values.push(...(r.Values ?? []))
  }

  return values.length > 0 ? Math.min(...values) : undefined
}

/** When the instance's server certificate's CA stops being valid: from the instance, else DescribeCertificates. */
export async function caValidTill(ctx: RunContext, db: DBInstance): Promise<Date | undefined> {
  if (db.CertificateDetails?.ValidTill) return db.CertificateDetails.ValidTill
  if (!db.CACertificateIdentifier) return undefined
  const out = await ctx.aws
    .client(RDSClient)
    .send(new DescribeCertificatesCommand({CertificateIdentifier: db.CACertificateIdentifier}), {
      abortSignal: ctx.signal,
    })
  return out.Certificates?.[0]?.ValidTill
}

export interface StorageHeadroom {
  /** Free share of the capacity the instance can grow to, 0-100. */
  freePercent: number
  /** GiB the percentage is taken of: MaxAllocatedStorage with autoscaling, else AllocatedStorage. */
  capacityGiB: number
  freeGiB: number
  autoscaling: boolean
}

/** Free storage as a share of what the instance can use; autoscaling's unallocated room counts as free. */
export function storageHeadroom(
  freeBytes: number,
  allocatedGiB: number,
  maxAllocatedGiB: number | undefined,
): StorageHeadroom {
  const autoscaling = maxAllocatedGiB !== undefined && maxAllocatedGiB > allocatedGiB
  const capacityGiB = autoscaling ? maxAllocatedGiB : allocatedGiB
  const freeGiB = freeBytes / GIB + (capacityGiB - allocatedGiB)
  return {
    freePercent: capacityGiB > 0 ? Math.max(0, Math.min(100, (freeGiB / capacityGiB) * 100)) : 0,
    capacityGiB,
    freeGiB,
    autoscaling,
  }
}

export const dbInstance = (ctx: RunContext): Promise<DBInstance | undefined> =>
  ctx.memo('rds:instance', async () => {
    try {
      const out = await ctx.aws
        .client(RDSClient)
        .send(new DescribeDBInstancesCommand({DBInstanceIdentifier: ctx.env.rds.instanceId}), {abortSignal: ctx.signal})
      return out.DBInstances?.[0]
    } catch (error) {
      if (error instanceof DBInstanceNotFoundFault) return undefined
      throw error
    }
  })
