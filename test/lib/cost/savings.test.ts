import {describe, expect, it} from 'vitest'

import {buildEstimate} from '../../../src/lib/cost/estimate.js'
import {tablePriceBook} from '../../../src/lib/cost/prices.js'
import {computeSavings} from '../../../src/lib/cost/savings.js'
import type {Inventory, Saving, SavingId, Usage} from '../../../src/lib/cost/types.js'
import {env, NAT_ID, referenceInventory, usage} from './fixtures.js'

const prices = tablePriceBook('us-east-1')
const fig = (monthly: number) => ({monthly, unit: 'GB', days: 7, basis: 'test'})

function savings(inv: Inventory, u?: Usage, name = 'production'): Record<SavingId, Saving> {
  const e = env(name)
  const est = buildEstimate(inv, u, prices, {freeTier: true})
  return Object.fromEntries(computeSavings(e, inv, u, est, prices).map((s) => [s.id, s])) as Record<SavingId, Saving>
}

describe('computeSavings', () => {
  it('Fargate Spot for the Celery worker only (not beat): about 70% of its compute', () => {
    const s = savings(referenceInventory())['fargate-spot']
    expect(s.title).toBe('Fargate Spot for the Celery workers (production-allthrive-celery)')
    expect(s.monthly).toBe(12.61) // $18.02 on FARGATE → $5.41 on FARGATE_SPOT
    expect(s.percent).toBe(70)
    expect(s.detail).not.toContain('celery-beat')
  })

  it('offers no Spot saving for tasks already on Spot, nor for ARM64 workers', () => {
    const spot = referenceInventory()
    spot.services = spot.services.map((x) =>
      x.key === 'celery' ? {...x, placement: {onDemand: 0, spot: 1, other: 0, label: 'FARGATE_SPOT'}} : x,
    )
    expect(savings(spot)['fargate-spot']).toBeUndefined()
    const arm = referenceInventory()
    arm.services = arm.services.map((x) => (x.key === 'celery' ? {...x, architecture: 'ARM64' as const} : x))
    expect(savings(arm)['fargate-spot']).toBeUndefined()
  })

  it("ARM64 for the x86 services: 20% less, naming them, and warning to check Weaviate's image", () => {
    const s = savings(referenceInventory())['fargate-arm']
    expect(s.title).toBe('ARM64 (Graviton) for web, celery, celery-beat, weaviate')
    expect(s.monthly).toBe(12.61) // $63.07 → $50.46
    expect(s.percent).toBe(20)
    expect(s.caveat).toContain('Weaviate: check the image supports arm64')
    expect(s.caveat).toContain('cannot run on Fargate Spot')
  })

  it('reserved RDS and ElastiCache: 1-year No Upfront, with the percentage', () => {
    const s = savings(referenceInventory())
    expect(s['rds-reserved']).toMatchObject({monthly: 3.94, percent: 30}) // ($0.018 − $0.0126) × 730
    expect(s['elasticache-reserved']).toMatchObject({monthly: 3.72, percent: 30}) // ($0.017 − $0.0119) × 730
  })

  it("VPC endpoints only when NAT processed bytes are known, with the net effect of the endpoints' own cost", () => {
    expect(savings(referenceInventory())['vpc-endpoints']).toBeUndefined()
    const low = savings(referenceInventory(), usage({natGb: new Map([[NAT_ID, fig(40)]])}))['vpc-endpoints']
    // 40 GB × ($0.045 − $0.01) = $1.40, minus 4 endpoints × 2 AZ × $0.01 × 730 h = $58.40
    expect(low).toMatchObject({monthly: -57, upperBound: true})
    expect(low.title).toContain('would cost more')
    const high = savings(referenceInventory(), usage({natGb: new Map([[NAT_ID, fig(5000)]])}))['vpc-endpoints']
    expect(high.monthly).toBe(116.6) // 5,000 × $0.035 − $58.40
  })

  it('Single-AZ RDS outside production: half the instance and storage cost', () => {
    const inv = referenceInventory(env('staging'))
    inv.rds = {...inv.rds!, multiAz: true}
    expect(savings(inv, undefined, 'staging')['rds-single-az']).toMatchObject({monthly: 15.44, percent: 50}) // $30.88 → $15.44
    const prod = referenceInventory()
    prod.rds = {...prod.rds!, multiAz: true}
    expect(savings(prod)['rds-single-az']).toBeUndefined()
  })

  it('S3 Intelligent-Tiering for the media bucket only when its size is known, as an upper bound net of monitoring', () => {
    expect(savings(referenceInventory())['s3-intelligent-tiering']).toBeUndefined()
    const s = savings(
      referenceInventory(),
      usage({s3StorageGb: new Map([['media', fig(1000)]]), s3Objects: new Map([['media', fig(200_000)]])}),
    )['s3-intelligent-tiering']
    // 1,000 GB × ($0.023 − $0.0125) = $10.50, minus 200,000 objects × $0.0025/1,000 = $0.50
    expect(s).toMatchObject({monthly: 10, upperBound: true})
  })
})
