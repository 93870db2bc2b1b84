import {GetMetricDataCommand, type GetMetricDataCommandOutput} from '@aws-sdk/client-cloudwatch'
import {
  type DBInstance,
  DBInstanceNotFoundFault,
  DescribeCertificatesCommand,
  type DescribeCertificatesCommandOutput,
  DescribeDBInstancesCommand,
  type DescribeDBInstancesCommandOutput,
} from '@aws-sdk/client-rds'
import {beforeEach, describe, expect, it} from 'vitest'

import {rds} from '../../src/checks/rds.js'
import {runOne} from '../../src/checks/run-checks.js'
import {GIB} from '../../src/resources/rds.js'
import {accessDenied, awsError, mocks, resetMocks, throttled} from '../helpers/aws.js'
import {ctxWith, expectErrorNaming, NOW} from '../helpers/context.js'

const ID = 'production-allthrive-db'
const DAY = 86_400_000
/** The second argument of `send` (the typed stub only declares the command). */
const optionsOf = (call: {args: readonly unknown[]}): unknown => call.args[1]

/** A healthy production instance: 20 GiB, Multi-AZ, 7-day backups, protected, CA valid for years. */
function instance(over: Partial<DBInstance> = {}): DBInstance {
  return {
    DBInstanceIdentifier: ID,
    DBInstanceStatus: 'available',
    Engine: 'postgres',
    EngineVersion: '16.4',
    DBInstanceClass: 'db.t3.micro',
    MultiAZ: true,
    BackupRetentionPeriod: 7,
    DeletionProtection: true,
    AllocatedStorage: 20,
    CACertificateIdentifier: 'rds-ca-rsa2048-g1',
    CertificateDetails: {CAIdentifier: 'rds-ca-rsa2048-g1', ValidTill: new Date('2061-05-21T22:24:12Z')},
    Endpoint: {Address: `${ID}.abc123.us-east-1.rds.amazonaws.com`, Port: 5432},
    ...over,
  }
}

const describes = (db: DBInstance) => {
  const out: DescribeDBInstancesCommandOutput = {$metadata: {}, DBInstances: [db]}
  mocks.rds.on(DescribeDBInstancesCommand).resolves(out)
}

/** FreeStorageSpace minimums, newest first, as CloudWatch returns them. */
const freeBytes = (...values: number[]) => {
  const out: GetMetricDataCommandOutput = {
    $metadata: {},
    MetricDataResults: [
      {
        Id: 'free',
        StatusCode: 'Complete',
        Values: values,
        Timestamps: values.map((_, i) => new Date(NOW.getTime() - (i + 1) * 300_000)),
      },
    ],
  }
  mocks.cloudwatch.on(GetMetricDataCommand).resolves(out)
}

describe('rds check', () => {
  beforeEach(() => resetMocks())

  it('passes a healthy production instance, reading storage from CloudWatch for the last 15 minutes', async () => {
    describes(instance())
    freeBytes(16.8 * GIB, 16.4 * GIB, 16.6 * GIB)
    const ctx = ctxWith()
    const r = await rds.run(ctx)
    expect(r.status).toBe('pass')
    expect(r.summary).toBe(`${ID} available, postgres 16.4 db.t3.micro, Multi-AZ, 7-day backups, 82% storage free`)
    expect(r.details).toEqual([
      `${ID}: 82% storage free (16.4 GiB of 20 GiB)`,
      `${ID}: rds-ca-rsa2048-g1 valid until 2061-05-21 (12595 days left)`,
    ])
    expect(r.data).toEqual({
      id: ID,
      status: 'available',
      engine: 'postgres',
      engineVersion: '16.4',
      class: 'db.t3.micro',
      multiAz: true,
      backupRetentionDays: 7,
      deletionProtection: true,
      allocatedGiB: 20,
      maxAllocatedGiB: null,
      freePercent: 82,
      caCertificate: 'rds-ca-rsa2048-g1',
      caValidTill: '2061-05-21T22:24:12.000Z',
      caDaysLeft: 12595,
      endpoint: `${ID}.abc123.us-east-1.rds.amazonaws.com:5432`,
    })
    expect(mocks.rds).toHaveReceivedCommandWith(DescribeDBInstancesCommand, {DBInstanceIdentifier: ID})
    expect(mocks.cloudwatch).toHaveReceivedCommandWith(GetMetricDataCommand, {
      StartTime: new Date('2026-11-26T11:45:00Z'),
      EndTime: NOW,
      MetricDataQueries: [
        {
          Id: 'free',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/RDS',
              MetricName: 'FreeStorageSpace',
              Dimensions: [{Name: 'DBInstanceIdentifier', Value: ID}],
            },
            Period: 300,
            Stat: 'Minimum',
          },
        },
      ],
    })
    expect(mocks.rds).not.toHaveReceivedCommand(DescribeCertificatesCommand)
    expect(optionsOf(mocks.rds.call(0))).toEqual({abortSignal: ctx.signal})
    expect(optionsOf(mocks.cloudwatch.call(0))).toEqual({abortSignal: ctx.signal})
  })

  it('asks CloudWatch without waiting for RDS to answer', async () => {
    let answer: (out: DescribeDBInstancesCommandOutput) => void = () => {}
    mocks.rds.on(DescribeDBInstancesCommand).callsFake(() => new Promise((resolve) => (answer = resolve)))
    freeBytes(10 * GIB)
    const pending = rds.run(ctxWith())
    await new Promise((resolve) => setImmediate(resolve))
    expect(mocks.cloudwatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 1)
    answer({$metadata: {}, DBInstances: [instance()]})
    expect((await pending).status).toBe('pass')
  })

  it('warns, "costs double", when staging runs Multi-AZ', async () => {
    describes(instance({DBInstanceIdentifier: 'staging-allthrive-db', MultiAZ: true, DeletionProtection: false}))
    freeBytes(15 * GIB)
    const r = await rds.run(ctxWith({}, {name: 'staging'}))
    expect(r.status).toBe('warn')
    expect(r.summary).toBe('staging-allthrive-db: Multi-AZ costs double')
    expect(r.details?.[0]).toBe('staging-allthrive-db: Multi-AZ is on, which staging does not expect: it costs double')
    expect(r.hint).toContain('--no-multi-az')
  })

  it('passes staging Single-AZ without deletion protection', async () => {
    describes(instance({DBInstanceIdentifier: 'staging-allthrive-db', MultiAZ: false, DeletionProtection: false}))
    freeBytes(15 * GIB)
    const r = await rds.run(ctxWith({}, {name: 'staging'}))
    expect(r.status).toBe('pass')
    expect(r.summary).toBe(
      'staging-allthrive-db available, postgres 16.4 db.t3.micro, Single-AZ, 7-day backups, 75% storage free',
    )
  })

  it('fails on every production finding at once, each named, worst first, with each fix', async () => {
    describes(instance({MultiAZ: false, BackupRetentionPeriod: 0, DeletionProtection: false}))
    freeBytes(3 * GIB)
    const r = await rds.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.summary).toBe(`${ID}: Single-AZ, backups off, deletion protection off, 15% storage free`)
    expect(r.details).toEqual([
      `${ID}: Multi-AZ is off; production expects a standby in a second Availability Zone`,
      `${ID}: automated backups are off (retention period 0 days)`,
      `${ID}: deletion protection is off`,
      `${ID}: 15% storage free (3.0 GiB of 20 GiB; warns below 20%)`,
      `${ID}: rds-ca-rsa2048-g1 valid until 2061-05-21 (12595 days left)`,
    ])
    expect(r.hint).toContain(`aws rds modify-db-instance --db-instance-identifier ${ID} --multi-az --apply-immediately`)
    expect(r.hint).toContain('--backup-retention-period 7')
    expect(r.hint).toContain(
      `aws rds modify-db-instance --db-instance-identifier ${ID} --deletion-protection --apply-immediately`,
    )
    expect(r.data).toMatchObject({multiAz: false, backupRetentionDays: 0, deletionProtection: false, freePercent: 15})
  })

  it.each([
    ['backing-up', 'warn'],
    ['modifying', 'warn'],
    ['maintenance', 'warn'],
    ['upgrading', 'warn'],
    ['configuring-enhanced-monitoring', 'warn'],
    ['storage-optimization', 'warn'],
    ['stopped', 'fail'],
    ['storage-full', 'fail'],
    ['failed', 'fail'],
    ['incompatible-parameters', 'fail'],
    ['inaccessible-encryption-credentials', 'fail'],
    ['rebooting', 'fail'],
  ])('reports status %s as %s, naming it', async (status, expected) => {
    describes(instance({DBInstanceStatus: status}))
    freeBytes(10 * GIB)
    const r = await rds.run(ctxWith())
    expect(r.status).toBe(expected)
    expect(r.summary).toBe(`${ID}: ${status}`)
    expect(r.details?.[0]).toMatch(new RegExp(`^${ID}: status is ${status}`))
    expect(r.data).toMatchObject({status})
  })

  it('hints how to start a stopped instance', async () => {
    describes(instance({DBInstanceStatus: 'stopped'}))
    freeBytes(10 * GIB)
    expect((await rds.run(ctxWith())).hint).toBe(`Start it: aws rds start-db-instance --db-instance-identifier ${ID}`)
  })

  it('fails below the storage fail threshold, using the lowest datapoint', async () => {
    describes(instance())
    freeBytes(5 * GIB, 1.5 * GIB, 4 * GIB)
    const r = await rds.run(ctxWith())
    expect(r).toMatchObject({
      status: 'fail',
      summary: `${ID}: 7% storage free`,
      details: [`${ID}: 7% storage free (1.5 GiB of 20 GiB; fails below 10%)`, expect.any(String)],
    })
    expect(r.hint).toContain('--allocated-storage <GiB> --max-allocated-storage <GiB>')
  })

  it('follows configured storage thresholds', async () => {
    describes(instance())
    freeBytes(10 * GIB)
    const ctx = ctxWith()
    ctx.env.thresholds = {
      ...ctx.env.thresholds,
      rds: {...ctx.env.thresholds.rds, storageWarnFreePercent: 60, storageFailFreePercent: 55},
    }
    expect(await rds.run(ctx)).toMatchObject({status: 'fail', summary: `${ID}: 50% storage free`})
  })

  it('counts storage autoscaling room as headroom, and says so', async () => {
    describes(instance({AllocatedStorage: 20, MaxAllocatedStorage: 100}))
    freeBytes(1 * GIB)
    const r = await rds.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(r.summary).toBe(
      `${ID} available, postgres 16.4 db.t3.micro, Multi-AZ, 7-day backups, 81% storage free (autoscaling)`,
    )
    expect(r.details?.[0]).toBe(`${ID}: 81% storage free (81.0 GiB of 100 GiB autoscaling maximum, 20 GiB allocated)`)
    expect(r.data).toMatchObject({allocatedGiB: 20, maxAllocatedGiB: 100, freePercent: 81})
  })

  it('warns when even the autoscaling maximum is nearly used, hinting to raise it', async () => {
    describes(instance({AllocatedStorage: 90, MaxAllocatedStorage: 100}))
    freeBytes(5 * GIB)
    const r = await rds.run(ctxWith())
    expect(r).toMatchObject({status: 'warn', summary: `${ID}: 15% storage free`})
    expect(r.hint).toContain('--max-allocated-storage <GiB>')
  })

  it('ignores a MaxAllocatedStorage that is not above AllocatedStorage', async () => {
    describes(instance({AllocatedStorage: 20, MaxAllocatedStorage: 20}))
    freeBytes(1 * GIB)
    expect(await rds.run(ctxWith())).toMatchObject({status: 'fail', summary: `${ID}: 5% storage free`})
  })

  it('reports storage as unknown, not a failure, when CloudWatch has no datapoints', async () => {
    describes(instance())
    freeBytes()
    const r = await rds.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(r.summary).toBe(`${ID} available, postgres 16.4 db.t3.micro, Multi-AZ, 7-day backups, storage unknown`)
    expect(r.details).toContain(
      `${ID}: storage headroom unknown: no FreeStorageSpace datapoints in the last 15 minutes`,
    )
    expect(r.data).toMatchObject({freePercent: null})
  })

  it('keeps the RDS findings when CloudWatch is denied, and warns naming cloudwatch:GetMetricData', async () => {
    describes(instance({DeletionProtection: false}))
    mocks.cloudwatch.on(GetMetricDataCommand).rejects(accessDenied('cloudwatch:GetMetricData'))
    const r = await rds.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.summary).toBe(`${ID}: deletion protection off, storage unknown`)
    expect(r.details?.slice(0, 2)).toEqual([
      `${ID}: deletion protection is off`,
      `${ID}: storage headroom unknown: CloudWatch GetMetricData was denied (AccessDeniedException (HTTP 403, request req-1234))`,
    ])
    expect(r.hint).toContain('--deletion-protection')
    expect(r.hint).toContain('Grant cloudwatch:GetMetricData')
  })

  it('is at least a warning when CloudWatch is denied on an otherwise healthy instance', async () => {
    describes(instance())
    mocks.cloudwatch
      .on(GetMetricDataCommand)
      .rejects(
        awsError(
          'AccessDenied',
          'User: arn:aws:iam::123456789012:user/me is not authorized to perform: cloudwatch:GetMetricData',
          403,
        ),
      )
    const r = await rds.run(ctxWith())
    expect(r).toMatchObject({status: 'warn', summary: `${ID}: storage unknown`})
    expect(r.hint).toBe(
      'Grant cloudwatch:GetMetricData to the caller (see README "IAM policy") to check storage headroom.',
    )
  })

  it('cannot decide when CloudWatch keeps throttling', async () => {
    describes(instance())
    mocks.cloudwatch.on(GetMetricDataCommand).rejects(throttled())
    await expectErrorNaming(rds, 'lower --concurrency')
  })

  it('looks the CA up with DescribeCertificates when the instance has no CertificateDetails, and fails when it expires soon', async () => {
    describes(instance({CertificateDetails: undefined, CACertificateIdentifier: 'rds-ca-2019'}))
    freeBytes(10 * GIB)
    const certs: DescribeCertificatesCommandOutput = {
      $metadata: {},
      Certificates: [{CertificateIdentifier: 'rds-ca-2019', ValidTill: new Date(NOW.getTime() + 12.5 * DAY)}],
    }
    mocks.rds.on(DescribeCertificatesCommand).resolves(certs)
    const r = await rds.run(ctxWith())
    expect(mocks.rds).toHaveReceivedCommandWith(DescribeCertificatesCommand, {CertificateIdentifier: 'rds-ca-2019'})
    expect(r.status).toBe('fail')
    expect(r.summary).toBe(`${ID}: CA expires in 12 days`)
    expect(r.details?.[0]).toBe(`${ID}: rds-ca-2019 valid until 2026-12-09 (12 days left, minimum 30)`)
    expect(r.hint).toBe(
      `Rotate the CA (the instance reboots): aws rds modify-db-instance --db-instance-identifier ${ID} --ca-certificate-identifier rds-ca-rsa2048-g1 --apply-immediately`,
    )
    expect(r.data).toMatchObject({
      caCertificate: 'rds-ca-2019',
      caDaysLeft: 12,
      caValidTill: '2026-12-09T00:00:00.000Z',
    })
  })

  it('fails on an expired CA', async () => {
    describes(
      instance({CertificateDetails: {CAIdentifier: 'rds-ca-2019', ValidTill: new Date('2024-08-22T17:08:50Z')}}),
    )
    freeBytes(10 * GIB)
    const r = await rds.run(ctxWith())
    expect(r).toMatchObject({status: 'fail', summary: `${ID}: CA expired`})
    expect(r.details?.[0]).toBe(`${ID}: rds-ca-2019 expired on 2024-08-22`)
    expect(r.data).toMatchObject({caDaysLeft: -826})
  })

  it('reports the CA expiry as unknown when AWS names no certificate', async () => {
    describes(instance({CertificateDetails: undefined, CACertificateIdentifier: undefined}))
    freeBytes(10 * GIB)
    const r = await rds.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(r.details).toContain(`${ID}: CA certificate expiry unknown`)
    expect(r.data).toMatchObject({caValidTill: null, caDaysLeft: null})
    expect(mocks.rds).not.toHaveReceivedCommand(DescribeCertificatesCommand)
  })

  it('warns naming rds:DescribeCertificates when the CA cannot be read, keeping the instance findings', async () => {
    describes(instance({CertificateDetails: undefined, MultiAZ: false}))
    freeBytes(10 * GIB)
    mocks.rds.on(DescribeCertificatesCommand).rejects(accessDenied('rds:DescribeCertificates'))
    const r = await runOne(rds, ctxWith(), {timeoutMs: 5000})
    expect(r.status).toBe('fail') // Multi-AZ off in production still fails
    expect(r.summary).toContain('CA expiry unknown')
    expect(r.details?.some((d) => d.includes('expiry could not be read: AccessDeniedException'))).toBe(true)
    expect(r.hint).toContain('rds:DescribeCertificates')
  })

  it('warns when only the CA lookup fails', async () => {
    describes(instance({CertificateDetails: undefined}))
    freeBytes(10 * GIB)
    mocks.rds.on(DescribeCertificatesCommand).rejects(accessDenied('rds:DescribeCertificates'))
    const r = await rds.run(ctxWith())
    expect(r.status).toBe('warn')
  })

  it('fails naming the id when the instance does not exist, without reading the CA', async () => {
    mocks.rds
      .on(DescribeDBInstancesCommand)
      .rejects(new DBInstanceNotFoundFault({message: `DBInstance ${ID} not found.`, $metadata: {httpStatusCode: 404}}))
    freeBytes()
    const r = await rds.run(ctxWith())
    expect(r).toMatchObject({
      status: 'fail',
      summary: `${ID} not found`,
      details: [`${ID}: no RDS instance with this identifier in us-east-1`],
      data: {id: ID},
    })
    expect(r.hint).toContain('aws rds describe-db-instances --query "DBInstances[].DBInstanceIdentifier"')
    expect(r.hint).toContain('rds.instanceId')
    expect(mocks.rds).not.toHaveReceivedCommand(DescribeCertificatesCommand)
  })

  it('uses the configured instance id', async () => {
    describes(instance({DBInstanceIdentifier: 'legacy-db'}))
    freeBytes(10 * GIB)
    const ctx = ctxWith({rds: {instanceId: 'legacy-db', expectMultiAz: true, expectDeletionProtection: true}})
    await rds.run(ctx)
    expect(mocks.rds).toHaveReceivedCommandWith(DescribeDBInstancesCommand, {DBInstanceIdentifier: 'legacy-db'})
    expect(mocks.cloudwatch).toHaveReceivedCommandWith(GetMetricDataCommand, {
      MetricDataQueries: [
        expect.objectContaining({
          MetricStat: expect.objectContaining({
            Metric: expect.objectContaining({Dimensions: [{Name: 'DBInstanceIdentifier', Value: 'legacy-db'}]}),
          }),
        }),
      ],
    })
  })

  it('is an error naming rds:DescribeDBInstances when RDS is denied', async () => {
    mocks.rds.on(DescribeDBInstancesCommand).rejects(accessDenied('rds:DescribeDBInstances'))
    freeBytes(10 * GIB)
    await expect(rds.run(ctxWith())).rejects.toThrow(/rds:DescribeDBInstances/)
    await expectErrorNaming(rds, 'rds:DescribeDBInstances')
  })

  it('declares every IAM action it calls', () => {
    expect(rds.iam).toEqual(['rds:DescribeDBInstances', 'rds:DescribeCertificates', 'cloudwatch:GetMetricData'])
  })
})
