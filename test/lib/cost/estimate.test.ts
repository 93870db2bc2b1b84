import {describe, expect, it} from 'vitest'

import {buildEstimate} from '../../../src/lib/cost/estimate.js'
import {PRICE_TABLE, tablePriceBook} from '../../../src/lib/cost/prices.js'
import type {FargateService, Inventory, Usage} from '../../../src/lib/cost/types.js'
import {NAT_ID, referenceInventory, usage} from './fixtures.js'

const prices = tablePriceBook('us-east-1')
const usEast1 = PRICE_TABLE.regions['us-east-1']

function withService(key: string, change: Partial<FargateService>): Inventory {
  const inv = referenceInventory()
  inv.services = inv.services.map((s) => (s.key === key ? {...s, ...change} : s))
  return inv
}

const lines = (inv: Inventory, usage?: Usage, freeTier = true) => buildEstimate(inv, usage, prices, {freeTier})

const fig = (monthly: number, unit = 'GB') => ({monthly, unit, days: 7, basis: 'test, 7 days'})

describe('buildEstimate', () => {
  it('prices a Fargate service per task-hour from its task size: 0.5 vCPU + 1 GB x86 = $0.024685/h', () => {
    const web = lines(referenceInventory()).lines.find((l) => l.item.startsWith('web '))
    expect(web).toMatchObject({
      service: 'ECS Fargate',
      quantity: 730,
      unit: 'task-hour',
      unitPrice: 0.024685,
      monthly: 18.02,
      rates: ['fargate.vcpu.x86', 'fargate.gb.x86'],
      basis: 'fixed',
    })
  })

  it('splits a capacity provider strategy by base and weight: FARGATE base 1 weight 1, FARGATE_SPOT weight 3, 5 tasks', () => {
    const inv = withService('celery', {
      desired: 5,
      placement: {onDemand: 2, spot: 3, other: 0, label: 'FARGATE weight 1 base 1, FARGATE_SPOT weight 3'},
    })
    const celery = lines(inv).lines.filter((l) => l.item.startsWith('celery ('))
    expect(celery.map((l) => [l.item, l.quantity, l.unitPrice, l.monthly])).toEqual([
      ['celery (0.5 vCPU, 1 GB, X86_64) × 2 tasks on FARGATE', 1460, 0.024685, 36.04],
      [
        'celery (0.5 vCPU, 1 GB, X86_64) × 3 tasks on FARGATE_SPOT',
        2190,
        Number((0.5 * usEast1['fargate-spot.vcpu.x86'].usd + usEast1['fargate-spot.gb.x86'].usd).toFixed(6)),
        16.22,
      ],
    ])
    expect(celery[1].rates).toEqual(['fargate-spot.vcpu.x86', 'fargate-spot.gb.x86'])
    expect(celery[1].note).toContain('approximate')
  })

  it('prices ARM64 tasks at the Graviton rates ($0.03238/vCPU-h, $0.00356/GB-h), 20% less', () => {
    const arm = lines(withService('web', {architecture: 'ARM64'})).lines.find((l) => l.item.startsWith('web '))!
    expect(arm.unitPrice).toBe(0.5 * 0.03238 + 0.00356)
    expect(arm.monthly).toBe(14.42)
    expect(arm.item).toContain('ARM64')
  })

  it('refuses to price ARM64 tasks on FARGATE_SPOT (Spot runs only X86_64) and says so', () => {
    const inv = withService('web', {
      architecture: 'ARM64',
      placement: {onDemand: 0, spot: 1, other: 0, label: 'FARGATE_SPOT'},
    })
    const est = lines(inv)
    expect(est.lines.some((l) => l.item.startsWith('web '))).toBe(false)
    expect(est.usageNotEstimated).toContainEqual(
      expect.objectContaining({service: 'ECS Fargate', reason: expect.stringContaining('only X86_64')}),
    )
  })

  it('doubles RDS instance and storage prices for Multi-AZ', () => {
    const single = lines(referenceInventory()).subtotals.RDS!
    const inv = referenceInventory()
    inv.rds = {...inv.rds!, multiAz: true}
    const multi = lines(inv)
    expect(multi.subtotals.RDS).toBe(single * 2)
    expect(multi.lines.filter((l) => l.service === 'RDS').map((l) => l.unitPrice)).toEqual([0.036, 0.23])
  })

  it('prices gp3 storage, with IOPS and throughput above the included 3,000 IOPS / 125 MiBps', () => {
    const inv = referenceInventory()
    inv.rds = {...inv.rds!, storageType: 'gp3', allocatedGb: 100, iops: 3000, throughputMiBps: 125}
    expect(
      lines(inv)
        .lines.filter((l) => l.service === 'RDS')
        .map((l) => l.item),
    ).toEqual([
      'production-allthrive-db db.t3.micro postgres, Single-AZ',
      'production-allthrive-db gp3 storage 100 GB, Single-AZ',
    ])
    inv.rds = {...inv.rds, allocatedGb: 500, iops: 15_000, throughputMiBps: 600}
    const rds = lines(inv).lines.filter((l) => l.service === 'RDS')
    expect(rds.map((l) => [l.quantity, l.unit, l.monthly])).toEqual([
      [730, 'instance-hour', 13.14],
      [500, 'GB-month', 57.5],
      [3000, 'IOPS-month', 60], // 15,000 − 12,000 included from 400 GB
      [100, 'MiBps-month', 8], // 600 − 500 included from 400 GB
    ])
  })

  it('says which price is missing instead of guessing one (class not in the table, magnetic storage)', () => {
    const inv = referenceInventory()
    inv.rds = {...inv.rds!, instanceClass: 'db.x2g.large', storageType: 'standard'}
    const est = lines(inv)
    expect(est.lines.filter((l) => l.service === 'RDS')).toEqual([])
    expect(est.usageNotEstimated.filter((n) => n.service === 'RDS').map((n) => n.reason)).toEqual([
      'no price for rds.db.x2g.large.postgres.single-az in us-east-1: not in the embedded price table; run with --live-prices to look it up',
      'standard storage is not in the price table',
    ])
  })

  it('prices Valkey nodes 20% below Redis OSS', () => {
    const inv = referenceInventory()
    inv.cache = {...inv.cache!, engine: 'valkey', nodes: 2}
    expect(lines(inv).lines.find((l) => l.service === 'ElastiCache')).toMatchObject({
      quantity: 1460,
      unitPrice: 0.0136,
      monthly: 19.86,
    })
  })

  it('charges $0.005/h for every public IPv4 address: ALB ENIs, NAT EIPs and tasks with assignPublicIp', () => {
    const est = lines(withService('weaviate', {publicIp: true}))
    expect(est.lines.filter((l) => l.service === 'Public IPv4').map((l) => [l.item, l.monthly])).toEqual([
      ['weaviate tasks: public IP on each of 1 task (assignPublicIp ENABLED)', 3.65],
      ['production-allthrive-alb: 2 public IPv4 addresses (from its network interfaces)', 7.3],
      ['NAT gateways: 1 Elastic IP', 3.65],
    ])
  })

  it('charges ephemeral storage above the 20 GB included', () => {
    const line = lines(withService('weaviate', {ephemeralGb: 50})).lines.find((l) => l.item.includes('ephemeral'))
    expect(line).toMatchObject({quantity: 30 * 730, unitPrice: 0.000111, monthly: 2.43})
  })

  it('turns usage figures into lines, and missing ones into "not estimated" with the rate', () => {
    const u = usage({
      natGb: new Map([[NAT_ID, fig(200)]]),
      albLcuHours: fig(365, 'LCU-hour'),
      cloudfrontGb: fig(2048),
      cloudfrontRequests: fig(20e6, 'requests'),
    })
    const est = lines(referenceInventory(), u)
    const usageLines = est.lines.filter((l) => l.basis === 'usage').map((l) => [l.service, l.quantity, l.monthly])
    expect(usageLines).toEqual([
      ['Load Balancer', 365, 2.92],
      ['NAT Gateway', 200, 9],
      ['CloudFront', 1024, 87.04], // 2,048 GB − 1,024 GB free
      ['CloudFront', 1000, 10], // 20M − 10M free, per 10k
    ])
    expect(est.usageNotEstimated.find((n) => n.service === 'S3' && n.item.startsWith('requests'))?.reason).toContain(
      'request metrics (filter "EntireBucket") are not enabled',
    )
  })

  it('with --no-free-tier, charges CloudFront from the first GB', () => {
    const est = lines(referenceInventory(), usage({cloudfrontGb: fig(100)}), false)
    expect(est.lines.find((l) => l.service === 'CloudFront')).toMatchObject({
      quantity: 100,
      monthly: 8.5,
      note: 'free tier not applied (--no-free-tier)',
    })
  })

  it('explains a CloudFront distribution that could not be found', () => {
    const inv = referenceInventory()
    inv.cloudfront = {reason: 'No CloudFront distribution found for "production"'}
    expect(lines(inv).usageNotEstimated).toContainEqual({
      service: 'CloudFront',
      item: 'distribution',
      reason: expect.stringContaining('No CloudFront distribution found'),
    })
  })

  it('leaves tasks on EC2 capacity out of the Fargate lines, saying why', () => {
    const est = lines(withService('web', {placement: {onDemand: 0, spot: 0, other: 1, label: 'EC2'}}))
    expect(est.usageNotEstimated).toContainEqual(
      expect.objectContaining({item: 'web × 1 task on EC2', reason: expect.stringContaining('EC2 instances')}),
    )
    expect(est.subtotals['ECS Fargate']).toBe(45.05)
  })

  it('subtotals by AWS service and totals to the cent', () => {
    const est = lines(referenceInventory())
    expect(est.total).toBe(
      Number(
        Object.values(est.subtotals)
          .reduce((a, b) => a + b!, 0)!
          .toFixed(2),
      ),
    )
    expect(Object.keys(est.subtotals)).toEqual([
      'ECS Fargate',
      'RDS',
      'ElastiCache',
      'Load Balancer',
      'NAT Gateway',
      'Public IPv4',
      'Secrets Manager',
    ])
  })
})
