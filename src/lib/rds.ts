import {CloudWatchClient, type MetricDataQuery, paginateGetMetricData} from '@aws-sdk/client-cloudwatch'
import {type DBInstance, DBInstanceNotFoundFault, DescribeCertificatesCommand, DescribeDBInstancesCommand, RDSClient} from '@aws-sdk/client-rds'

import type {CheckContext, CheckStatus} from '../checks/types.js'

/**
 * RDS facts the checks need beyond DescribeDBInstances: how an instance status should
 * be read, the free storage CloudWatch last saw, and when the instance's CA expires.
 */

export const GIB = 1024 ** 3

/** Statuses during which the instance still serves traffic: worth a warning, not a failure. */
const TRANSIENT = new Set(['backing-up', 'modifying', 'maintenance', 'upgrading', 'storage-optimization', 'storage-config-upgrade', 'resetting-master-credentials'])

/** pass for `available`, warn for work in progress that keeps serving, fail for anything else (stopped, storage-full, failed, incompatible-*, …). */
export function instanceStatusSeverity(status: string): CheckStatus {
  if (status === 'available') return 'pass'
  if (TRANSIENT.has(status) || status.startsWith('configuring-')) return 'warn'
  return 'fail'
}

/** What to do about an instance that is not available. */
export function statusHint(id: string, status: string): string {
  if (status === 'stopped') return `Start it: aws rds start-db-instance --db-instance-identifier ${id}`
  if (status === 'storage-full') return `Add storage: aws rds modify-db-instance --db-instance-identifier ${id} --allocated-storage <GiB> --apply-immediately`
  return `See what happened: aws rds describe-events --source-type db-instance --source-identifier ${id} --duration 1440`
}

/**
 * The lowest FreeStorageSpace (bytes) over the 15 minutes ending at `ctx.now`, from
 * 5-minute minimums; undefined when CloudWatch has no datapoints.
 */
export async function minFreeStorageBytes(ctx: CheckContext, instanceId: string): Promise<number | undefined> {
  const query: MetricDataQuery = {
    Id: 'free',
    MetricStat: {
      Metric: {Namespace: 'AWS/RDS', MetricName: 'FreeStorageSpace', Dimensions: [{Name: 'DBInstanceIdentifier', Value: instanceId}]},
      Period: 300,
      Stat: 'Minimum',
    },
  }
  const input = {MetricDataQueries: [query], StartTime: new Date(ctx.now.getTime() - 15 * 60_000), EndTime: ctx.now}
  const values: number[] = []
  for await (const page of paginateGetMetricData({client: ctx.aws.client(CloudWatchClient)}, input, {abortSignal: ctx.signal})) {
    for (const r of page.MetricDataResults ?? []) values.push(...(r.Values ?? []))
  }

  return values.length > 0 ? Math.min(...values) : undefined
}

/** When the instance's server certificate's CA stops being valid: from the instance, else DescribeCertificates. */
export async function caValidTill(ctx: CheckContext, db: DBInstance): Promise<Date | undefined> {
  if (db.CertificateDetails?.ValidTill) return db.CertificateDetails.ValidTill
  if (!db.CACertificateIdentifier) return undefined
  const out = await ctx.aws.client(RDSClient).send(
    new DescribeCertificatesCommand({CertificateIdentifier: db.CACertificateIdentifier}),
    {abortSignal: ctx.signal},
  )
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
export function storageHeadroom(freeBytes: number, allocatedGiB: number, maxAllocatedGiB: number | undefined): StorageHeadroom {
  const autoscaling = maxAllocatedGiB !== undefined && maxAllocatedGiB > allocatedGiB
  const capacityGiB = autoscaling ? maxAllocatedGiB : allocatedGiB
  const freeGiB = freeBytes / GIB + (capacityGiB - allocatedGiB)
  return {freePercent: capacityGiB > 0 ? Math.max(0, Math.min(100, (freeGiB / capacityGiB) * 100)) : 0, capacityGiB, freeGiB, autoscaling}
}

export const dbInstance = (ctx: CheckContext): Promise<DBInstance | undefined> =>
  ctx.memo('rds:instance', async () => {
    try {
      const out = await ctx.aws.client(RDSClient).send(new DescribeDBInstancesCommand({DBInstanceIdentifier: ctx.env.rds.instanceId}), {abortSignal: ctx.signal})
      return out.DBInstances?.[0]
    } catch (error) {
      if (error instanceof DBInstanceNotFoundFault) return undefined
      throw error
    }
  })
