import {DescribeServicesCommand} from '@aws-sdk/client-ecs'
import {GetProductsCommand, type GetProductsCommandInput, type GetProductsCommandOutput} from '@aws-sdk/client-pricing'
import {beforeEach, describe, expect, it} from 'vitest'

import {createAwsClients} from '../../../src/aws/clients.js'
import type {UserError} from '../../../src/errors.js'
import {livePriceBook, priceOf, specFor} from '../../../src/lib/cost/live-prices.js'
import {costReport} from '../../../src/lib/cost/report.js'
import {accessDenied, mocks, resetMocks} from '../../helpers/aws.js'
import {env, mockReference, NOW} from './fixtures.js'

/** A GetProducts PriceList entry as the API returns it: a JSON string. */
function product(
  usagetype: string,
  usd: string,
  opts: {unit?: string; reservedHourly?: string; beginRange?: string} = {},
): string {
  const reserved =
    opts.reservedHourly === undefined
      ? {}
      : {
          Reserved: {
            'SKU.NUP': {
              termAttributes: {LeaseContractLength: '1yr', PurchaseOption: 'No Upfront', OfferingClass: 'standard'},
              priceDimensions: {'SKU.NUP.HRS': {unit: 'Hrs', pricePerUnit: {USD: opts.reservedHourly}}},
            },
            'SKU.AUP': {
              termAttributes: {LeaseContractLength: '1yr', PurchaseOption: 'All Upfront', OfferingClass: 'standard'},
              priceDimensions: {'SKU.AUP.HRS': {unit: 'Hrs', pricePerUnit: {USD: '0.0000000000'}}},
            },
          },
        }
  return JSON.stringify({
    product: {attributes: {usagetype}},
    terms: {
      OnDemand: {
        'SKU.OD': {
          priceDimensions: {
            'SKU.OD.1': {
              unit: opts.unit ?? 'Hrs',
              beginRange: opts.beginRange ?? '0',
              endRange: 'Inf',
              pricePerUnit: {USD: usd},
            },
          },
        },
      },
      ...reserved,
    },
  })
}

/** A Pricing API for eu-west-1 (usage types prefixed "EU-"). */
const CATALOGUE: Record<string, string[]> = {
  AmazonECS: [
    product('EU-Fargate-vCPU-Hours:perCPU', '0.0448400000'),
    product('EU-Fargate-GB-Hours', '0.0049100000'),
    product('EU-Fargate-ARM-vCPU-Hours:perCPU', '0.0358700000'),
    product('EU-Fargate-ARM-GB-Hours', '0.0039400000'),
    product('EU-Fargate-Windows-vCPU-Hours:perCPU', '0.1'),
  ],
  AmazonRDS: [
    product('EU-InstanceUsage:db.t3.micro', '0.0200000000', {reservedHourly: '0.0140000000'}),
    product('EU-Multi-AZUsage:db.t3.micro', '0.0400000000'),
    product('EU-RDS:GP2-Storage', '0.1270000000', {unit: 'GB-Mo'}),
  ],
  AmazonElastiCache: [product('EU-NodeUsage:cache.t3.micro', '0.0180000000', {reservedHourly: '0.0126000000'})],
  AWSELB: [product('EU-LoadBalancerUsage', '0.0252000000'), product('EU-LCUUsage', '0.0080000000', {unit: 'LCU-Hrs'})],
  AmazonEC2: [
    product('EU-NatGateway-Hours', '0.0480000000'),
    product('EU-NatGateway-Bytes', '0.0480000000', {unit: 'GB'}),
  ],
  AmazonVPC: [product('EU-PublicIPv4:InUseAddress', '0.0050000000'), product('EU-VpcEndpoint-Hours', '0.0110000000')],
  AWSSecretsManager: [
    product('EU-AWSSecretsManager-Secrets', '0.4000000000', {unit: 'Secrets'}),
    product('EU-AWSSecretsManager-APIRequest', '0.0000050000', {unit: 'API Requests'}),
  ],
  AmazonS3: [
    product('EU-TimedStorage-ByteHrs', '0.0230000000', {unit: 'GB-Mo'}),
    product('EU-TimedStorage-ByteHrs', '0.0220000000', {unit: 'GB-Mo', beginRange: '51200'}),
    product('EU-Requests-Tier1', '0.0000050000', {unit: 'Requests'}),
  ],
}

function mockPricing(catalogue = CATALOGUE): void {
  mocks.pricing.on(GetProductsCommand).callsFake((input: GetProductsCommandInput): GetProductsCommandOutput => ({
    $metadata: {},
    FormatVersion: 'aws_v1',
    PriceList: catalogue[input.ServiceCode ?? ''] ?? [],
  }))
}

const aws = () => createAwsClients({region: 'eu-west-1'})

describe('specFor', () => {
  it('maps rate keys to Pricing API queries', () => {
    expect(specFor('rds.db.t3.micro.postgres.multi-az', 'eu-west-1')).toMatchObject({
      serviceCode: 'AmazonRDS',
      filters: {regionCode: 'eu-west-1', instanceType: 'db.t3.micro', databaseEngine: 'PostgreSQL'},
      term: 'OnDemand',
    })
    expect(specFor('elasticache-reserved.cache.t3.micro.valkey', 'eu-west-1')).toMatchObject({
      filters: {cacheEngine: 'Valkey'},
      term: 'Reserved',
    })
    expect(specFor('cloudfront.gb', 'eu-west-1')).toBeUndefined()
    expect(specFor('fargate.vcpu.x86', 'eu-west-1')!.usageType.test('EU-Fargate-ARM-vCPU-Hours:perCPU')).toBe(false)
  })

  it('reads the first tier on demand, and the hourly fee of 1-year No Upfront standard reservations', () => {
    const p = JSON.parse(product('X', '0.02', {reservedHourly: '0.014'}))
    expect(priceOf(p, 'OnDemand')).toBe(0.02)
    expect(priceOf(p, 'Reserved')).toBe(0.014)
  })
})

describe('livePriceBook', () => {
  beforeEach(() => {
    resetMocks()
  })

  it('looks rates up in us-east-1, one query per product group, and converts their units', async () => {
    mockPricing()
    const keys = [
      'fargate.vcpu.x86',
      'fargate.gb.arm',
      'rds.db.t3.micro.postgres.single-az',
      'rds-reserved.db.t3.micro.postgres.single-az',
      'rds.storage.gp2.single-az',
      'secrets.api',
      's3.standard.gb',
      's3.put',
      'alb.hour',
      'alb.lcu',
    ]
    const {book, warnings} = await livePriceBook(aws(), 'eu-west-1', keys, {now: NOW})
    expect(Object.fromEntries(keys.map((k) => [k, book.get(k)?.usd]))).toEqual({
      'fargate.vcpu.x86': 0.04484,
      'fargate.gb.arm': 0.00394,
      'rds.db.t3.micro.postgres.single-az': 0.02,
      'rds-reserved.db.t3.micro.postgres.single-az': 0.014,
      'rds.storage.gp2.single-az': 0.127,
      'secrets.api': 0.05, // per request × 10,000
      's3.standard.gb': 0.023, // first tier
      's3.put': 0.005, // per request × 1,000
      'alb.hour': 0.0252,
      'alb.lcu': 0.008,
    })
    expect(book.get('fargate.vcpu.x86')).toMatchObject({
      from: 'live',
      source: 'AWS Pricing API GetProducts AmazonECS EU-Fargate-vCPU-Hours:perCPU',
    })
    expect(warnings).toEqual([])
    expect(book).toMatchObject({source: 'live', asOf: '2026-11-26', region: 'eu-west-1'})
    const calls = mocks.pricing.commandCalls(GetProductsCommand)
    expect(calls.map((c) => c.args[0].input.ServiceCode).sort()).toEqual([
      'AWSELB',
      'AWSSecretsManager',
      'AmazonECS',
      'AmazonRDS',
      'AmazonRDS',
      'AmazonS3',
      'AmazonS3',
    ])
    expect(await (calls[0].thisValue as {config: {region: () => Promise<string>}}).config.region()).toBe('us-east-1')
    expect(calls.find((c) => c.args[0].input.ServiceCode === 'AmazonECS')!.args[0].input.Filters).toEqual([
      {Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-west-1'},
    ])
  })

  it('falls back to the table, with a warning, for a rate the API does not return (us-east-1)', async () => {
    mockPricing({AmazonECS: []})
    const {book, warnings} = await livePriceBook(
      createAwsClients({region: 'us-east-1'}),
      'us-east-1',
      ['fargate.vcpu.x86'],
      {now: NOW},
    )
    expect(book.get('fargate.vcpu.x86')).toMatchObject({usd: 0.04048, from: 'table'})
    expect(warnings[0]).toContain('no us-east-1 price for fargate.vcpu.x86')
  })

  it('throws when every query fails, so the caller can fall back', async () => {
    mocks.pricing.on(GetProductsCommand).rejects(accessDenied('pricing:GetProducts'))
    await expect(livePriceBook(aws(), 'eu-west-1', ['alb.hour', 'nat.hour'], {now: NOW})).rejects.toThrow(
      /pricing:GetProducts/,
    )
  })
})

describe('costReport prices', () => {
  beforeEach(() => {
    resetMocks()
    mockReference(env())
  })

  const report = (region: string, livePrices: boolean) =>
    costReport({env: env(), region, aws: createAwsClients({region}), now: NOW}, {livePrices, freeTier: true})

  it('refuses a region without table prices before any AWS call, naming it and --live-prices (exit 2)', async () => {
    const error = await report('eu-west-1', false).catch((e: UserError) => e)
    expect(error).toMatchObject({code: 'NO_TABLE_PRICES', exit: 2})
    expect((error as UserError).message).toContain('no prices for eu-west-1')
    expect((error as UserError).suggestions[0]).toContain('--live-prices')
    expect(mocks.ecs).not.toHaveReceivedCommand(DescribeServicesCommand)
  })

  it('prices a region without table prices with --live-prices, and says which rates the API lacked', async () => {
    mockPricing()
    const r = await report('eu-west-1', true)
    expect(r.pricesSource).toBe('live')
    expect(r.lines.find((l) => l.item.startsWith('web '))).toMatchObject({
      unitPrice: 0.5 * 0.04484 + 0.00491,
      priceSource: 'live',
    })
    expect(r.subtotals.RDS).toBe(Number((0.02 * 730 + 20 * 0.127).toFixed(2)))
    // The catalogue above has no S3 GET price, and the table none for eu-west-1: said, not guessed.
    expect(r.usageNotEstimated).toContainEqual({
      service: 'S3',
      item: 'requests',
      reason: 'no price for s3.get in eu-west-1: neither the Pricing API nor the embedded table has it',
    })
  })

  it('falls back to the table with a warning when the Pricing API denies access (us-east-1)', async () => {
    mocks.pricing.on(GetProductsCommand).rejects(accessDenied('pricing:GetProducts'))
    const r = await report('us-east-1', true)
    expect(r.pricesSource).toBe('table')
    expect(r.total).toBeGreaterThan(0)
    expect(r.warnings).toHaveLength(1)
    expect(r.warnings[0]).toMatch(
      /^--live-prices: The AWS Pricing API failed: AccessDeniedException \(HTTP 403.*Grant pricing:GetProducts.*Using the embedded us-east-1 price table dated 2026-11-26 instead\.$/,
    )
  })

  it('fails with exit 1 when the Pricing API fails and the table has no prices for the region', async () => {
    mocks.pricing.on(GetProductsCommand).rejects(accessDenied('pricing:GetProducts'))
    await expect(report('eu-west-1', true)).rejects.toMatchObject({
      exit: 1,
      code: 'NO_PRICES',
      message: expect.stringContaining('no prices for eu-west-1 to fall back to'),
    })
  })
})
