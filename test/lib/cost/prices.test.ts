import {describe, expect, it} from 'vitest'

import {hasTablePrices, PRICE_TABLE, rateKey, tablePriceBook, tableRate} from '../../../src/lib/cost/prices.js'

describe('the embedded price table', () => {
  it('is dated and gives every rate a unit and the page that publishes it', () => {
    expect(PRICE_TABLE.asOf).toMatch(/^\d{4}-\d\d-\d\d$/)
    const all = [
      ...Object.values(PRICE_TABLE.regions).flatMap((r) => Object.values(r)),
      ...Object.values(PRICE_TABLE.global),
    ]
    expect(all.length).toBeGreaterThan(80)
    for (const rate of all) {
      expect(rate.usd).toBeGreaterThan(0)
      expect(rate.unit).toBeTruthy()
      expect(rate.source).toMatch(/^https:\/\/aws\.amazon\.com\//)
    }
  })

  it('holds the us-east-1 list prices the brief names', () => {
    const r = (key: string) => tableRate('us-east-1', key)?.usd
    expect([
      r(rateKey.fargateVcpu('X86_64')),
      r(rateKey.fargateGb('X86_64')),
      r(rateKey.fargateVcpu('ARM64')),
      r(rateKey.fargateGb('ARM64')),
    ]).toEqual([0.04048, 0.004445, 0.03238, 0.00356])
    expect(r(rateKey.rdsInstance('db.t3.micro', 'postgres', false))).toBe(0.018)
    expect(r(rateKey.rdsInstance('db.t3.micro', 'postgres', true))).toBe(0.036)
    expect([r(rateKey.rdsStorage('gp2', false)), r(rateKey.rdsStorage('gp2', true))]).toEqual([0.115, 0.23])
    expect(r(rateKey.cacheNode('cache.t3.micro', 'redis'))).toBe(0.017)
    expect([r(rateKey.albHour), r(rateKey.albLcu), r(rateKey.natHour), r(rateKey.natGb), r(rateKey.ipv4)]).toEqual([
      0.0225, 0.008, 0.045, 0.045, 0.005,
    ])
    expect([
      r(rateKey.secret),
      r(rateKey.secretsApi),
      r(rateKey.cloudfrontGb),
      r(rateKey.s3Standard),
      r(rateKey.s3Put),
      r(rateKey.s3Get),
    ]).toEqual([0.4, 0.05, 0.085, 0.023, 0.005, 0.0004])
    expect([r(rateKey.vpceHour), r(rateKey.vpceGb)]).toEqual([0.01, 0.01])
  })

  it('marks the rates that move or are derived as approximate', () => {
    expect(tableRate('us-east-1', rateKey.fargateVcpu('X86_64', true))).toMatchObject({
      approximate: true,
      usd: 0.012144,
    })
    expect(tableRate('us-east-1', rateKey.rdsReserved('db.t3.micro', 'postgres', false))).toMatchObject({
      approximate: true,
      usd: 0.0126,
    })
    expect(tableRate('us-east-1', rateKey.fargateVcpu('ARM64', true))).toBeUndefined() // Fargate Spot is X86_64 only
  })

  it('covers us-east-1 only; CloudFront rates are global', () => {
    expect(hasTablePrices('us-east-1')).toBe(true)
    expect(hasTablePrices('eu-west-1')).toBe(false)
    expect(tableRate('eu-west-1', rateKey.albHour)).toBeUndefined()
    expect(tableRate('eu-west-1', rateKey.cloudfrontGb)?.usd).toBe(0.085)
    expect(() => tablePriceBook('ap-southeast-2')).toThrow('The embedded price table has no prices for ap-southeast-2')
  })
})
