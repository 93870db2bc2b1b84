import {classifyAwsError, describeAwsError, errorTag, hintFor} from '../aws/errors.js'
import {daysUntil} from '../util/duration.js'
import {caValidTill, dbInstance, minFreeStorageBytes, storageHeadroom} from '../resources/rds.js'
import {type Check, type CheckStatus, fail, type Finding, resultFromFindings} from './types.js'
import {shq} from '../util/shell.js'

/** The instance is available, as resilient as the environment expects, backed up, with storage and CA headroom. */
export const rds: Check = {
  id: 'rds',
  title: 'RDS instance available, protected and backed up',
  iam: ['rds:DescribeDBInstances', 'rds:DescribeCertificates', 'cloudwatch:GetMetricData'],
  async run(ctx) {
    const {env} = ctx
    const {instanceId: id} = env.rds
    const t = env.thresholds.rds
    // Started first and never left rejected: it runs while RDS answers and is judged below.
    const metric = minFreeStorageBytes(ctx, id).then(
      (bytes) => ({bytes}),
      (error: unknown) => ({error}),
    )
    const db = await dbInstance(ctx)

    if (!db) {
      return fail(`${id} not found`, {
        details: [`${id}: no RDS instance with this identifier in ${ctx.region}`],
        hint: `List instances with: aws rds describe-db-instances --query "DBInstances[].DBInstanceIdentifier", or fix rds.instanceId in allthrive.config.json.`,
        data: {id},
      })
    }

    // The CA lookup is a side fact: when it fails, say so and keep the instance's findings.
    const [caLookup, free] = await Promise.all([
      caValidTill(ctx, db).then(
        (v) => ({v}),
        (error: unknown) => ({error}),
      ),
      metric,
    ])
    const validTill = 'v' in caLookup ? caLookup.v : undefined
    const status = db.DBInstanceStatus ?? 'unknown'
    const multiAz = db.MultiAZ ?? false
    const retention = db.BackupRetentionPeriod ?? 0
    const allocated = db.AllocatedStorage ?? 0
    const modify = `aws rds modify-db-instance --db-instance-identifier ${shq(id)}`
    const findings: Finding[] = []
    const severity = instanceStatusSeverity(status)
    if (severity !== 'pass') {
      const note = severity === 'warn' ? ' (work in progress; it still serves connections)' : ''
      findings.push({
        status: severity,
        short: status,
        detail: `${id}: status is ${status}${note}`,
        hint: statusHint(id, status),
      })
    }

    if (env.rds.expectMultiAz && !multiAz) {
      findings.push({
        status: 'fail',
        short: 'Single-AZ',
        detail: `${id}: Multi-AZ is off; ${env.name} expects a standby in a second Availability Zone`,
        hint: `Enable it: ${modify} --multi-az --apply-immediately`,
      })
    } else if (!env.rds.expectMultiAz && multiAz) {
      findings.push({
        status: 'warn',
        short: 'Multi-AZ costs double',
        detail: `${id}: Multi-AZ is on, which ${env.name} does not expect: it costs double`,
        hint: `Turn it off with: ${modify} --no-multi-az --apply-immediately, or set rds.expectMultiAz to true in allthrive.config.json`,
      })
    }

    if (retention === 0) {
      findings.push({
        status: 'fail',
        short: 'backups off',
        detail: `${id}: automated backups are off (retention period 0 days)`,
        hint: `Enable them: ${modify} --backup-retention-period 7 --apply-immediately`,
      })
    }

    if (env.rds.expectDeletionProtection && !db.DeletionProtection) {
      findings.push({
        status: 'fail',
        short: 'deletion protection off',
        detail: `${id}: deletion protection is off`,
        hint: `Turn it on: ${modify} --deletion-protection --apply-immediately`,
      })
    }

    const storage = storageFinding(id, free, allocated, db.MaxAllocatedStorage, env.thresholds.rds)
    findings.push(storage.finding)

    const caDaysLeft = validTill ? daysUntil(validTill, ctx.now) : null
    const ca = db.CertificateDetails?.CAIdentifier ?? db.CACertificateIdentifier ?? 'CA certificate'
    if (validTill && caDaysLeft !== null) {
      const when = `${caDaysLeft < 0 ? 'expired on' : 'valid until'} ${validTill.toISOString().slice(0, 10)}`
      findings.push(
        caDaysLeft < t.caCertificateMinDays
          ? {
              status: 'fail',
              short: caDaysLeft < 0 ? 'CA expired' : `CA expires in ${caDaysLeft} days`,
              detail: `${id}: ${ca} ${when}${caDaysLeft < 0 ? '' : ` (${caDaysLeft} days left, minimum ${t.caCertificateMinDays})`}`,
              hint: `Rotate the CA (the instance reboots): ${modify} --ca-certificate-identifier rds-ca-rsa2048-g1 --apply-immediately`,
            }
          : {status: 'pass', detail: `${id}: ${ca} ${when} (${caDaysLeft} days left)`},
      )
    } else if ('error' in caLookup) {
      findings.push({
        status: 'warn',
        short: 'CA expiry unknown',
        detail: `${id}: ${ca} expiry could not be read: ${describeAwsError(caLookup.error)}`,
        hint: hintFor(caLookup.error) ?? 'Run again; if it persists, check rds:DescribeCertificates.',
      })
    } else {
      findings.push({status: 'pass', detail: `${id}: CA certificate expiry unknown`})
    }

    const healthy = `${id} available, ${db.Engine} ${db.EngineVersion} ${db.DBInstanceClass}, ${multiAz ? 'Multi-AZ' : 'Single-AZ'}, ${retention}-day backups, ${storage.summary}`
    return resultFromFindings(id, findings, healthy, {
      id,
      status,
      engine: db.Engine,
      engineVersion: db.EngineVersion,
      class: db.DBInstanceClass,
      multiAz,
      backupRetentionDays: retention,
      deletionProtection: db.DeletionProtection ?? false,
      allocatedGiB: allocated,
      maxAllocatedGiB: db.MaxAllocatedStorage ?? null,
      freePercent: storage.freePercent,
      caCertificate: ca,
      caValidTill: validTill?.toISOString() ?? null,
      caDaysLeft,
      endpoint: db.Endpoint?.Address ? `${db.Endpoint.Address}:${db.Endpoint.Port}` : null,
    })
  },
}

/** Storage headroom from CloudWatch's reading; AccessDenied on CloudWatch becomes a warning, other errors propagate. */
function storageFinding(
  id: string,
  free: {bytes: number | undefined} | {error: unknown},
  allocated: number,
  maxAllocated: number | undefined,
  t: {storageWarnFreePercent: number; storageFailFreePercent: number},
): {finding: Finding; freePercent: number | null; summary: string} {
  if ('error' in free) {
    if (classifyAwsError(free.error) !== 'access-denied') throw free.error
    return {
      finding: {
        status: 'warn',
        short: 'storage unknown',
        detail: `${id}: storage headroom unknown: CloudWatch GetMetricData was denied (${errorTag(free.error)})`,
        hint: 'Grant cloudwatch:GetMetricData to the caller (see README "IAM policy") to check storage headroom.',
      },
      freePercent: null,
      summary: 'storage unknown',
    }
  }

  if (free.bytes === undefined || allocated <= 0) {
    return {
      finding: {
        status: 'pass',
        detail: `${id}: storage headroom unknown: no FreeStorageSpace datapoints in the last 15 minutes`,
      },
      freePercent: null,
      summary: 'storage unknown',
    }
  }

  const h = storageHeadroom(free.bytes, allocated, maxAllocated)
  const status: CheckStatus =
    h.freePercent < t.storageFailFreePercent ? 'fail' : h.freePercent < t.storageWarnFreePercent ? 'warn' : 'pass'
  const shown = `${Math.floor(h.freePercent)}% storage free`
  const of = h.autoscaling ? `${h.capacityGiB} GiB autoscaling maximum, ${allocated} GiB allocated` : `${allocated} GiB`
  const limit = {
    pass: '',
    warn: `; warns below ${t.storageWarnFreePercent}%`,
    fail: `; fails below ${t.storageFailFreePercent}%`,
  }[status as 'pass' | 'warn' | 'fail']
  const modify = `aws rds modify-db-instance --db-instance-identifier ${shq(id)}`
  return {
    finding: {
      status,
      short: shown,
      detail: `${id}: ${shown} (${h.freeGiB.toFixed(1)} GiB of ${of}${limit})`,
      hint: h.autoscaling
        ? `Raise the storage autoscaling limit: ${modify} --max-allocated-storage <GiB> --apply-immediately`
        : `Add storage or enable storage autoscaling: ${modify} --allocated-storage <GiB> --max-allocated-storage <GiB> --apply-immediately`,
    },
    freePercent: Math.round(h.freePercent * 10) / 10,
    summary: h.autoscaling ? `${shown} (autoscaling)` : shown,
  }
}

/** Statuses during which the instance still serves traffic: worth a warning, not a failure. */
const TRANSIENT = new Set([
  'backing-up',
  'modifying',
  'maintenance',
  'upgrading',
  'storage-optimization',
  'storage-config-upgrade',
  'resetting-master-credentials',
])

/** pass for `available`, warn for work in progress that keeps serving, fail for anything else (stopped, storage-full, failed, incompatible-*, …). */
export function instanceStatusSeverity(status: string): CheckStatus {
  if (status === 'available') return 'pass'
  if (TRANSIENT.has(status) || status.startsWith('configuring-')) return 'warn'
  return 'fail'
}

/** What to do about an instance that is not available. */
export function statusHint(id: string, status: string): string {
  if (status === 'stopped') return `Start it: aws rds start-db-instance --db-instance-identifier ${shq(id)}`
  if (status === 'storage-full')
    return `Add storage: aws rds modify-db-instance --db-instance-identifier ${shq(id)} --allocated-storage <GiB> --apply-immediately`
  return `See what happened: aws rds describe-events --source-type db-instance --source-identifier ${shq(id)} --duration 1440`
}
