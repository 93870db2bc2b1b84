import {EXIT, UserError} from '../../errors.js'
import type {CpuArchitecture} from './types.js'

/**
 * The embedded price table: us-east-1 on-demand list prices in USD, each with the page
 * that publishes it. `--live-prices` asks the AWS Pricing API instead (live-prices.ts).
 *
 * Rates marked `approximate` are not fixed list prices: Fargate Spot prices move with
 * supply and demand, and reserved rates are shown as the discount AWS advertises for
 * 1-year No Upfront terms. --live-prices reads the exact current figures.
 */

export interface Rate {
  /** USD per `unit`. */
  usd: number
  unit: string
  /** The page that publishes the rate. */
  source: string
  note?: string
  approximate?: boolean
}

export interface PricedRate extends Rate {
  key: string
  from: 'table' | 'live'
}

/** Prices for one region, from the table or the Pricing API. */
export interface PriceBook {
  source: 'table' | 'live'
  /** Date of the table, or of the live lookup. */
  asOf: string
  region: string
  get(key: string): PricedRate | undefined
}

export const PRICE_TABLE_AS_OF = '2026-11-26'
export const TABLE_REGIONS = ['us-east-1'] as const

/** CloudFront's always-free tier, per account (per payer account in an AWS Organization). */
export const CLOUDFRONT_FREE_TIER = {gb: 1024, requests: 10_000_000}

/** gp3 on RDS: IOPS and throughput included in the storage price (PostgreSQL; 400 GB and up gets more). */
export const GP3_BASELINE = {
  small: {iops: 3000, throughputMiBps: 125},
  large: {iops: 12_000, throughputMiBps: 500, fromGb: 400},
}

const SRC = {
  fargate: 'https://aws.amazon.com/fargate/pricing/',
  rds: 'https://aws.amazon.com/rds/postgresql/pricing/',
  rdsReserved: 'https://aws.amazon.com/rds/reserved-instances/',
  elasticache: 'https://aws.amazon.com/elasticache/pricing/',
  elb: 'https://aws.amazon.com/elasticloadbalancing/pricing/',
  vpc: 'https://aws.amazon.com/vpc/pricing/',
  ipv4: 'https://aws.amazon.com/blogs/aws/new-aws-public-ipv4-address-charge-public-ip-insights/',
  privatelink: 'https://aws.amazon.com/privatelink/pricing/',
  secrets: 'https://aws.amazon.com/secrets-manager/pricing/',
  cloudfront: 'https://aws.amazon.com/cloudfront/pricing/',
  s3: 'https://aws.amazon.com/s3/pricing/',
} as const

/** Fargate Spot: AWS advertises "up to 70%" off; the current rate is on the pricing page and in the Pricing API. */
const SPOT_FACTOR = 0.3
/** 1-year No Upfront reservations: AWS advertises up to about 30% off on-demand for these classes. */
const RESERVED_FACTOR = 0.7
/** ElastiCache for Valkey node prices are 20% below Redis OSS. */
const VALKEY_FACTOR = 0.8

/** RDS for PostgreSQL, Single-AZ on-demand USD per instance-hour (Multi-AZ instance deployments cost twice as much). */
const RDS_POSTGRES_HOURLY: Record<string, number> = {
  'db.t3.micro': 0.018,
  'db.t3.small': 0.036,
  'db.t3.medium': 0.072,
  'db.t3.large': 0.145,
  'db.t4g.micro': 0.016,
  'db.t4g.small': 0.032,
  'db.t4g.medium': 0.065,
  'db.t4g.large': 0.129,
  'db.m5.large': 0.178,
  'db.m5.xlarge': 0.356,
  'db.m6g.large': 0.159,
  'db.m6g.xlarge': 0.318,
  'db.m7g.large': 0.168,
  'db.m7g.xlarge': 0.336,
  'db.r5.large': 0.25,
  'db.r5.xlarge': 0.5,
  'db.r6g.large': 0.225,
  'db.r6g.xlarge': 0.45,
}

/** ElastiCache for Redis OSS, on-demand USD per node-hour. */
const CACHE_REDIS_HOURLY: Record<string, number> = {
  'cache.t3.micro': 0.017,
  'cache.t3.small': 0.034,
  'cache.t3.medium': 0.068,
  'cache.t4g.micro': 0.016,
  'cache.t4g.small': 0.032,
  'cache.t4g.medium': 0.065,
  'cache.m5.large': 0.156,
  'cache.m6g.large': 0.149,
  'cache.r5.large': 0.216,
  'cache.r6g.large': 0.206,
  'cache.r6g.xlarge': 0.411,
}

const round = (n: number, digits = 6): number => Number(n.toFixed(digits))

function buildUsEast1(): Record<string, Rate> {
  const t: Record<string, Rate> = {
    'fargate.vcpu.x86': {usd: 0.04048, unit: 'vCPU-hour', source: SRC.fargate, note: 'Linux/x86'},
    'fargate.gb.x86': {usd: 0.004445, unit: 'GB-hour', source: SRC.fargate, note: 'Linux/x86'},
    'fargate.vcpu.arm': {usd: 0.03238, unit: 'vCPU-hour', source: SRC.fargate, note: 'Linux/ARM (Graviton)'},
    'fargate.gb.arm': {usd: 0.00356, unit: 'GB-hour', source: SRC.fargate, note: 'Linux/ARM (Graviton)'},
    'fargate.ephemeral-storage': {
      usd: 0.000111,
      unit: 'GB-hour',
      source: SRC.fargate,
      note: 'above the 20 GB included with every task',
    },
    'rds.storage.gp2.single-az': {usd: 0.115, unit: 'GB-month', source: SRC.rds},
    'rds.storage.gp2.multi-az': {usd: 0.23, unit: 'GB-month', source: SRC.rds},
    'rds.storage.gp3.single-az': {
      usd: 0.115,
      unit: 'GB-month',
      source: SRC.rds,
      note: '3,000 IOPS and 125 MiBps included (12,000 and 500 from 400 GB)',
    },
    'rds.storage.gp3.multi-az': {
      usd: 0.23,
      unit: 'GB-month',
      source: SRC.rds,
      note: '3,000 IOPS and 125 MiBps included (12,000 and 500 from 400 GB)',
    },
    'rds.iops.gp3.single-az': {usd: 0.02, unit: 'IOPS-month', source: SRC.rds, note: 'above the included baseline'},
    'rds.iops.gp3.multi-az': {usd: 0.04, unit: 'IOPS-month', source: SRC.rds, note: 'above the included baseline'},
    'rds.throughput.gp3.single-az': {
      usd: 0.08,
      unit: 'MiBps-month',
      source: SRC.rds,
      note: 'above the included baseline',
    },
    'rds.throughput.gp3.multi-az': {
      usd: 0.16,
      unit: 'MiBps-month',
      source: SRC.rds,
      note: 'above the included baseline',
    },
    'rds.storage.io1.single-az': {usd: 0.125, unit: 'GB-month', source: SRC.rds},
    'rds.storage.io1.multi-az': {usd: 0.25, unit: 'GB-month', source: SRC.rds},
    'rds.iops.io1.single-az': {usd: 0.1, unit: 'IOPS-month', source: SRC.rds},
    'rds.iops.io1.multi-az': {usd: 0.2, unit: 'IOPS-month', source: SRC.rds},
    'rds.storage.io2.single-az': {usd: 0.125, unit: 'GB-month', source: SRC.rds},
    'rds.storage.io2.multi-az': {usd: 0.25, unit: 'GB-month', source: SRC.rds},
    'rds.iops.io2.single-az': {usd: 0.1, unit: 'IOPS-month', source: SRC.rds, note: 'first tier (up to 32,000 IOPS)'},
    'rds.iops.io2.multi-az': {usd: 0.2, unit: 'IOPS-month', source: SRC.rds, note: 'first tier (up to 32,000 IOPS)'},
    'alb.hour': {usd: 0.0225, unit: 'hour', source: SRC.elb, note: 'Application Load Balancer'},
    'alb.lcu': {usd: 0.008, unit: 'LCU-hour', source: SRC.elb},
    'nat.hour': {usd: 0.045, unit: 'hour', source: SRC.vpc, note: 'NAT gateway'},
    'nat.gb': {usd: 0.045, unit: 'GB', source: SRC.vpc, note: 'data processed by a NAT gateway'},
    'ipv4.hour': {
      usd: 0.005,
      unit: 'address-hour',
      source: SRC.ipv4,
      note: 'every public IPv4 address in use, since 2024-02-01',
    },
    'vpce.hour': {usd: 0.01, unit: 'hour', source: SRC.privatelink, note: 'interface endpoint, per AZ'},
    'vpce.gb': {usd: 0.01, unit: 'GB', source: SRC.privatelink, note: 'data processed (first PB)'},
    'secrets.secret': {usd: 0.4, unit: 'secret-month', source: SRC.secrets},
    'secrets.api': {usd: 0.05, unit: '10k API calls', source: SRC.secrets},
    's3.standard.gb': {usd: 0.023, unit: 'GB-month', source: SRC.s3, note: 'S3 Standard, first 50 TB'},
    's3.put': {usd: 0.005, unit: '1k requests', source: SRC.s3, note: 'PUT, COPY, POST, LIST'},
    's3.get': {usd: 0.0004, unit: '1k requests', source: SRC.s3, note: 'GET, SELECT'},
    's3.intelligent-tiering.infrequent.gb': {
      usd: 0.0125,
      unit: 'GB-month',
      source: SRC.s3,
      note: 'Intelligent-Tiering Infrequent Access tier',
    },
    's3.intelligent-tiering.monitoring': {
      usd: 0.0025,
      unit: '1k objects-month',
      source: SRC.s3,
      note: 'objects of 128 KB and more',
    },
  }

  for (const [arch, od] of [['x86', {vcpu: 0.04048, gb: 0.004445}]] as const) {
    const spot = {
      approximate: true,
      note: 'Fargate Spot (X86_64 only): AWS advertises up to 70% off on-demand; the current rate moves with supply and demand',
    }
    t[`fargate-spot.vcpu.${arch}`] = {
      usd: round(od.vcpu * SPOT_FACTOR),
      unit: 'vCPU-hour',
      source: SRC.fargate,
      ...spot,
    }
    t[`fargate-spot.gb.${arch}`] = {usd: round(od.gb * SPOT_FACTOR), unit: 'GB-hour', source: SRC.fargate, ...spot}
  }

  for (const [cls, hourly] of Object.entries(RDS_POSTGRES_HOURLY)) {
    for (const [az, factor] of [
      ['single-az', 1],
      ['multi-az', 2],
    ] as const) {
      t[`rds.${cls}.postgres.${az}`] = {
        usd: round(hourly * factor, 4),
        unit: 'instance-hour',
        source: SRC.rds,
        note: `PostgreSQL, ${az === 'multi-az' ? 'Multi-AZ' : 'Single-AZ'}`,
      }
      t[`rds-reserved.${cls}.postgres.${az}`] = {
        usd: round(hourly * factor * RESERVED_FACTOR, 4),
        unit: 'instance-hour',
        source: SRC.rdsReserved,
        approximate: true,
        note: '1-year No Upfront: about 30% below on-demand',
      }
    }
  }

  for (const [node, hourly] of Object.entries(CACHE_REDIS_HOURLY)) {
    t[`elasticache.${node}.redis`] = {usd: hourly, unit: 'node-hour', source: SRC.elasticache, note: 'Redis OSS'}
    t[`elasticache-reserved.${node}.redis`] = {
      usd: round(hourly * RESERVED_FACTOR, 4),
      unit: 'node-hour',
      source: SRC.elasticache,
      approximate: true,
      note: 'reserved node, 1-year No Upfront: about 30% below on-demand',
    }
  }

  return t
}

/** Rates that do not depend on the environment's region. */
const GLOBAL: Record<string, Rate> = {
  'cloudfront.gb': {
    usd: 0.085,
    unit: 'GB',
    source: SRC.cloudfront,
    note: 'data transfer out, United States/Europe edges, first 10 TB',
  },
  'cloudfront.https': {
    usd: 0.01,
    unit: '10k requests',
    source: SRC.cloudfront,
    note: 'HTTPS requests, United States/Europe edges',
  },
}

export const PRICE_TABLE: {
  asOf: string
  currency: 'USD'
  regions: Record<string, Record<string, Rate>>
  global: Record<string, Rate>
} = {
  asOf: PRICE_TABLE_AS_OF,
  currency: 'USD',
  regions: {'us-east-1': buildUsEast1()},
  global: GLOBAL,
}

// ---------------------------------------------------------------- keys

const archKey = (arch: CpuArchitecture): 'arm' | 'x86' => (arch === 'ARM64' ? 'arm' : 'x86')
const azKey = (multiAz: boolean): string => (multiAz ? 'multi-az' : 'single-az')

/** The key of every rate the estimate asks for. */
export const rateKey = {
  fargateVcpu: (arch: CpuArchitecture, spot = false): string => `fargate${spot ? '-spot' : ''}.vcpu.${archKey(arch)}`,
  fargateGb: (arch: CpuArchitecture, spot = false): string => `fargate${spot ? '-spot' : ''}.gb.${archKey(arch)}`,
  fargateStorage: 'fargate.ephemeral-storage',
  rdsInstance: (cls: string, engine: string, multiAz: boolean): string => `rds.${cls}.${engine}.${azKey(multiAz)}`,
  rdsReserved: (cls: string, engine: string, multiAz: boolean): string =>
    `rds-reserved.${cls}.${engine}.${azKey(multiAz)}`,
  rdsStorage: (type: string, multiAz: boolean): string => `rds.storage.${type}.${azKey(multiAz)}`,
  rdsIops: (type: string, multiAz: boolean): string => `rds.iops.${type}.${azKey(multiAz)}`,
  rdsThroughput: (type: string, multiAz: boolean): string => `rds.throughput.${type}.${azKey(multiAz)}`,
  cacheNode: (nodeType: string, engine: string): string => `elasticache.${nodeType}.${engine}`,
  cacheReserved: (nodeType: string, engine: string): string => `elasticache-reserved.${nodeType}.${engine}`,
  albHour: 'alb.hour',
  albLcu: 'alb.lcu',
  natHour: 'nat.hour',
  natGb: 'nat.gb',
  ipv4: 'ipv4.hour',
  vpceHour: 'vpce.hour',
  vpceGb: 'vpce.gb',
  secret: 'secrets.secret',
  secretsApi: 'secrets.api',
  cloudfrontGb: 'cloudfront.gb',
  cloudfrontHttps: 'cloudfront.https',
  s3Standard: 's3.standard.gb',
  s3Put: 's3.put',
  s3Get: 's3.get',
  s3IntelligentInfrequent: 's3.intelligent-tiering.infrequent.gb',
  s3IntelligentMonitoring: 's3.intelligent-tiering.monitoring',
} as const

// ---------------------------------------------------------------- the table as a price book

export const hasTablePrices = (region: string): boolean => region in PRICE_TABLE.regions

/** A rate from the table: regional, global, or derived (Valkey nodes from Redis OSS). */
export function tableRate(region: string, key: string): PricedRate | undefined {
  const regional = PRICE_TABLE.regions[region]
  const direct = regional?.[key] ?? PRICE_TABLE.global[key]
  if (direct) return {...direct, key, from: 'table'}
  const valkey = /^(elasticache(?:-reserved)?\.cache\.[^.]+\.[^.]+)\.valkey$/.exec(key)
  const base = valkey && regional?.[`${valkey[1]}.redis`]
  if (base)
    return {
      ...base,
      usd: round(base.usd * VALKEY_FACTOR, 4),
      note: `Valkey: 20% below Redis OSS (${base.note ?? ''})`,
      key,
      from: 'table',
    }
  return undefined
}

export function noTablePricesError(region: string): UserError {
  return new UserError(
    `The embedded price table has no prices for ${region}: it holds ${TABLE_REGIONS.join(', ')} on-demand prices only, and prices differ by region, so none are guessed.`,
    {
      exit: EXIT.USAGE,
      code: 'NO_TABLE_PRICES',
      suggestions: [`Ask the AWS Pricing API for ${region} prices: add --live-prices (needs pricing:GetProducts).`],
    },
  )
}

/** The embedded table for a region; throws a UserError for a region it does not cover. */
export function tablePriceBook(region: string): PriceBook {
  if (!hasTablePrices(region)) throw noTablePricesError(region)
  return {source: 'table', asOf: PRICE_TABLE.asOf, region, get: (key) => tableRate(region, key)}
}
