import {GetMetricDataCommand} from '@aws-sdk/client-cloudwatch'
import {beforeEach, describe, expect, it} from 'vitest'

import {createAwsClients} from '../../../src/aws/clients.js'
import {costReport} from '../../../src/lib/cost/report.js'
import type {CostReport, CostService} from '../../../src/lib/cost/types.js'
import {mocks, resetMocks} from '../../helpers/aws.js'
import {env, mockReference, NOW, referenceMetrics} from './fixtures.js'

/**
 * The reference doc's hand estimate (aws-infrastructure.md, "Cost Estimate", ~$160/month)
 * against what the CLI computes for the inventory that doc describes, read through the
 * mocked APIs. README.md (section cost) explains each difference.
 *
 * Tolerance: each row within 10% of the reference or $2, whichever is larger (the
 * reference rounds to "~$5" steps). The reference names no traffic: the usage-based rows
 * use the assumption in fixtures.ts referenceMetrics() (0.6 LCU, 40 GB through NAT,
 * 140 GB and 1M requests out of CloudFront, 100 GB in S3).
 */
const REFERENCE: {row: string; monthly: number; services: CostService[]}[] = [
  {row: 'ECS Fargate (Web + Celery + Beat + Weaviate)', monthly: 65, services: ['ECS Fargate']},
  {row: 'RDS PostgreSQL (db.t3.micro)', monthly: 15, services: ['RDS']},
  {row: 'ElastiCache Redis', monthly: 12, services: ['ElastiCache']},
  {row: 'ALB', monthly: 20, services: ['Load Balancer']},
  {row: 'NAT Gateway', monthly: 35, services: ['NAT Gateway']},
  {row: 'CloudFront + S3', monthly: 15, services: ['CloudFront', 'S3']},
]
const REFERENCE_TOTAL = 160
const tolerance = (reference: number): number => Math.max(0.1 * reference, 2)
const rowOf = (r: CostReport, services: CostService[]): number =>
  services.reduce((n, s) => n + (r.subtotals[s] ?? 0), 0)

async function estimate(opts: {freeTier: boolean; metrics: boolean}): Promise<CostReport> {
  const e = env()
  mockReference(e)
  if (opts.metrics) mocks.cloudwatch.on(GetMetricDataCommand).resolves(referenceMetrics())
  return costReport(
    {env: e, region: 'us-east-1', aws: createAwsClients({region: 'us-east-1'}), now: NOW},
    {livePrices: false, freeTier: opts.freeTier},
  )
}

describe("the reference environment against the reference doc's cost table", () => {
  beforeEach(() => {
    resetMocks()
  })

  it.each(REFERENCE)(
    '$row lands within tolerance of ~$$monthly (reference traffic, no free tier)',
    async ({monthly, services}) => {
      const r = await estimate({freeTier: false, metrics: true})
      expect(Math.abs(rowOf(r, services) - monthly)).toBeLessThanOrEqual(tolerance(monthly))
    },
  )

  it('computes each row exactly as README.md (section cost) states', async () => {
    const r = await estimate({freeTier: false, metrics: true})
    expect(r.subtotals).toEqual({
      'ECS Fargate': 63.07, // 1.75 vCPU × $0.04048 + 3.5 GB × $0.004445, × 730 h
      RDS: 15.44, // $0.018 × 730 + 20 GB × $0.115
      ElastiCache: 12.41, // $0.017 × 730
      'Load Balancer': 19.93, // $0.0225 × 730 + 0.6 LCU × 730 × $0.008
      'NAT Gateway': 34.65, // $0.045 × 730 + 40 GB × $0.045
      'Public IPv4': 10.95, // (2 ALB + 1 NAT) × $0.005 × 730: not in the reference (charged since Feb 2024)
      'Secrets Manager': 2, // 5 × $0.40: not in the reference
      CloudFront: 12.9, // 140 GB × $0.085 + 100 × 10k requests × $0.01
      S3: 2.3, // 100 GB × $0.023
    })
    const comparable = REFERENCE.reduce((n, row) => n + rowOf(r, row.services), 0)
    expect(Math.abs(comparable - REFERENCE_TOTAL) / REFERENCE_TOTAL).toBeLessThan(0.05)
    expect(r.total).toBe(173.65)
  })

  it('with the always-free tier, CloudFront at this traffic costs nothing and the total lands at the reference total', async () => {
    const r = await estimate({freeTier: true, metrics: true})
    expect(r.subtotals.CloudFront).toBe(0)
    expect(r.lines.find((l) => l.service === 'CloudFront')?.item).toContain('140 GB/month')
    expect(Math.abs(r.total - REFERENCE_TOTAL)).toBeLessThanOrEqual(tolerance(REFERENCE_TOTAL))
  })

  it('without metrics, fixed rows still land near the reference and traffic rows say they are not estimated', async () => {
    const r = await estimate({freeTier: true, metrics: false})
    for (const row of REFERENCE.slice(0, 3))
      expect(Math.abs(rowOf(r, row.services) - row.monthly)).toBeLessThanOrEqual(tolerance(row.monthly))
    expect(r.subtotals['Load Balancer']).toBe(16.43) // hourly charge only
    expect(r.subtotals['NAT Gateway']).toBe(32.85)
    expect(r.subtotals.CloudFront).toBeUndefined()
    expect(r.usageNotEstimated.map((n) => n.item)).toEqual(
      expect.arrayContaining([
        'production-allthrive-alb LCUs',
        'nat-0ref0000000000001 data processed',
        'E2REFERENCE01 data transfer out',
        'media (production-allthrive-media) storage',
      ]),
    )
  })
})
