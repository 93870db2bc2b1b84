import {type Filter, paginateGetProducts, PricingClient} from '@aws-sdk/client-pricing'

import type {AwsClients} from '../../aws/clients.js'
import {type PriceBook, type PricedRate, tableRate} from './prices.js'

/**
 * `--live-prices`: the rates the estimate needs, from the AWS Pricing API (GetProducts,
 * endpoint us-east-1), one paginated query per product group, run concurrently. Each
 * product is matched on its usage type without the region prefix ("USE2-", "EUW1-").
 * A rate the API does not return falls back to the table (with a warning) when the
 * table has it; the caller falls back to the whole table when the API fails.
 */

export const PRICING_REGION = 'us-east-1'

interface Spec {
  serviceCode: string
  filters: Record<string, string>
  /** Usage type without its region prefix. */
  usageType: RegExp
  term: 'OnDemand' | 'Reserved'
  unit: string
  /** Multiplies the API's price into `unit` (per request → per 1,000 requests). */
  scale?: number
}

const ENGINE_NAMES: Record<string, string> = {postgres: 'PostgreSQL', mysql: 'MySQL', mariadb: 'MariaDB'}
const CACHE_ENGINES: Record<string, string> = {redis: 'Redis', valkey: 'Valkey', memcached: 'Memcached'}
const esc = (s: string): string => s.replaceAll(/[.*+?^${}()|[\]\\]/g, String.raw`\$&`)
const ut = (suffix: string): RegExp => new RegExp(`^(?:[A-Z]{2,4}\\d?-)?${suffix}$`)

/** The Pricing API query for a rate key; undefined for rates kept in the table (CloudFront is global). */
export function specFor(key: string, region: string): Spec | undefined {
  const r = {regionCode: region}
  const fargate: Record<string, [string, string]> = {
    'fargate.vcpu.x86': ['Fargate-vCPU-Hours:perCPU', 'vCPU-hour'],
    'fargate.gb.x86': ['Fargate-GB-Hours', 'GB-hour'],
    'fargate.vcpu.arm': ['Fargate-ARM-vCPU-Hours:perCPU', 'vCPU-hour'],
    'fargate.gb.arm': ['Fargate-ARM-GB-Hours', 'GB-hour'],
    'fargate-spot.vcpu.x86': ['SpotUsage-Fargate-vCPU-Hours:perCPU', 'vCPU-hour'],
    'fargate-spot.gb.x86': ['SpotUsage-Fargate-GB-Hours', 'GB-hour'],
    'fargate.ephemeral-storage': ['Fargate-EphemeralStorage-GB-Hours', 'GB-hour'],
  }
  if (fargate[key])
    return {
      serviceCode: 'AmazonECS',
      filters: r,
      usageType: ut(esc(fargate[key][0])),
      term: 'OnDemand',
      unit: fargate[key][1],
    }

  const rdsInstance = /^(rds|rds-reserved)\.(db\.[^.]+\.[^.]+)\.([^.]+)\.(single-az|multi-az)$/.exec(key)
  if (rdsInstance) {
    const [, kind, cls, engine, az] = rdsInstance
    if (!ENGINE_NAMES[engine]) return undefined
    return {
      serviceCode: 'AmazonRDS',
      filters: {...r, instanceType: cls, databaseEngine: ENGINE_NAMES[engine]},
      usageType: ut(`${az === 'multi-az' ? 'Multi-AZUsage' : 'InstanceUsage'}:${esc(cls)}`),
      term: kind === 'rds' ? 'OnDemand' : 'Reserved',
      unit: 'instance-hour',
    }
  }

  const rdsStorage = /^rds\.(storage|iops|throughput)\.(gp2|gp3|io1|io2)\.(single-az|multi-az)$/.exec(key)
  if (rdsStorage) {
    const [, what, type, az] = rdsStorage
    const maz = az === 'multi-az' ? 'Multi-AZ-' : ''
    const names: Record<string, [string, string, string]> = {
      'storage.gp2': ['Database Storage', `RDS:${maz}GP2-Storage`, 'GB-month'],
      'storage.gp3': ['Database Storage', `RDS:${maz}GP3-Storage`, 'GB-month'],
      'storage.io1': ['Database Storage', `RDS:${maz}PIOPS-Storage`, 'GB-month'],
      'storage.io2': ['Database Storage', `RDS:${maz}PIOPS-Storage-IO2`, 'GB-month'],
      'iops.gp3': ['Provisioned IOPS', `RDS:${maz}GP3-PIOPS`, 'IOPS-month'],
      'iops.io1': ['Provisioned IOPS', `RDS:${maz}PIOPS`, 'IOPS-month'],
      'iops.io2': ['Provisioned IOPS', `RDS:${maz}PIOPS-IO2`, 'IOPS-month'],
      'throughput.gp3': ['Provisioned Throughput', `RDS:${maz}GP3-Throughput`, 'MiBps-month'],
    }
    const n = names[`${what}.${type}`]
    return n
      ? {
          serviceCode: 'AmazonRDS',
          filters: {...r, productFamily: n[0]},
          usageType: ut(esc(n[1])),
          term: 'OnDemand',
          unit: n[2],
        }
      : undefined
  }

  const cache = /^(elasticache|elasticache-reserved)\.(cache\.[^.]+\.[^.]+)\.([^.]+)$/.exec(key)
  if (cache) {
    const [, kind, node, engine] = cache
    if (!CACHE_ENGINES[engine]) return undefined
    return {
      serviceCode: 'AmazonElastiCache',
      filters: {...r, instanceType: node, cacheEngine: CACHE_ENGINES[engine]},
      usageType: ut(`NodeUsage:${esc(node)}`),
      term: kind === 'elasticache' ? 'OnDemand' : 'Reserved',
      unit: 'node-hour',
    }
  }

  const fixed: Record<string, Spec> = {
    'alb.hour': {
      serviceCode: 'AWSELB',
      filters: {...r, productFamily: 'Load Balancer-Application'},
      usageType: ut('LoadBalancerUsage'),
      term: 'OnDemand',
      unit: 'hour',
    },
    'alb.lcu': {
      serviceCode: 'AWSELB',
      filters: {...r, productFamily: 'Load Balancer-Application'},
      usageType: ut('LCUUsage'),
      term: 'OnDemand',
      unit: 'LCU-hour',
    },
    'nat.hour': {
      serviceCode: 'AmazonEC2',
      filters: {...r, productFamily: 'NAT Gateway'},
      usageType: ut('NatGateway-Hours'),
      term: 'OnDemand',
      unit: 'hour',
    },
    'nat.gb': {
      serviceCode: 'AmazonEC2',
      filters: {...r, productFamily: 'NAT Gateway'},
      usageType: ut('NatGateway-Bytes'),
      term: 'OnDemand',
      unit: 'GB',
    },
    'ipv4.hour': {
      serviceCode: 'AmazonVPC',
      filters: r,
      usageType: ut(esc('PublicIPv4:InUseAddress')),
      term: 'OnDemand',
      unit: 'address-hour',
    },
    'vpce.hour': {
      serviceCode: 'AmazonVPC',
      filters: r,
      usageType: ut('VpcEndpoint-Hours'),
      term: 'OnDemand',
      unit: 'hour',
    },
    'vpce.gb': {serviceCode: 'AmazonVPC', filters: r, usageType: ut('VpcEndpoint-Bytes'), term: 'OnDemand', unit: 'GB'},
    'secrets.secret': {
      serviceCode: 'AWSSecretsManager',
      filters: r,
      usageType: ut('AWSSecretsManager-Secrets'),
      term: 'OnDemand',
      unit: 'secret-month',
    },
    'secrets.api': {
      serviceCode: 'AWSSecretsManager',
      filters: r,
      usageType: ut('AWSSecretsManager-APIRequest'),
      term: 'OnDemand',
      unit: '10k API calls',
      scale: 10_000,
    },
    's3.standard.gb': {
      serviceCode: 'AmazonS3',
      filters: {...r, productFamily: 'Storage'},
      usageType: ut('TimedStorage-ByteHrs'),
      term: 'OnDemand',
      unit: 'GB-month',
    },
    's3.intelligent-tiering.infrequent.gb': {
      serviceCode: 'AmazonS3',
      filters: {...r, productFamily: 'Storage'},
      usageType: ut('TimedStorage-INT-IA-ByteHrs'),
      term: 'OnDemand',
      unit: 'GB-month',
    },
    's3.put': {
      serviceCode: 'AmazonS3',
      filters: {...r, productFamily: 'API Request'},
      usageType: ut('Requests-Tier1'),
      term: 'OnDemand',
      unit: '1k requests',
      scale: 1000,
    },
    's3.get': {
      serviceCode: 'AmazonS3',
      filters: {...r, productFamily: 'API Request'},
      usageType: ut('Requests-Tier2'),
      term: 'OnDemand',
      unit: '1k requests',
      scale: 1000,
    },
    's3.intelligent-tiering.monitoring': {
      serviceCode: 'AmazonS3',
      filters: r,
      usageType: ut('Monitoring-Automation-INT'),
      term: 'OnDemand',
      unit: '1k objects-month',
      scale: 1000,
    },
  }
  return fixed[key]
}

interface PriceDimension {
  unit?: string
  beginRange?: string
  pricePerUnit?: {USD?: string}
}
interface Term {
  termAttributes?: Record<string, string>
  priceDimensions?: Record<string, PriceDimension>
}
interface Product {
  product?: {attributes?: Record<string, string>}
  terms?: {OnDemand?: Record<string, Term>; Reserved?: Record<string, Term>}
}

/** The first-tier on-demand price, or the hourly fee of a 1-year No Upfront standard reservation. */
export function priceOf(p: Product, term: Spec['term']): number | undefined {
  const terms = Object.values(p.terms?.[term] ?? {}).filter(
    (t) =>
      term === 'OnDemand' ||
      (t.termAttributes?.LeaseContractLength === '1yr' &&
        t.termAttributes?.PurchaseOption === 'No Upfront' &&
        (t.termAttributes?.OfferingClass ?? 'standard') === 'standard'),
  )
  const dims = terms.flatMap((t) => Object.values(t.priceDimensions ?? {}))
  const pick =
    term === 'Reserved'
      ? dims.find((d) => d.unit?.toLowerCase().startsWith('hr'))
      : (dims.find((d) => (d.beginRange ?? '0') === '0') ?? dims[0])
  const usd = Number(pick?.pricePerUnit?.USD)
  return Number.isFinite(usd) ? usd : undefined
}

const parse = (item: unknown): Product | undefined => {
  try {
    return (typeof item === 'string' ? JSON.parse(item) : item) as Product
  } catch {
    return undefined
  }
}

export interface LiveLookup {
  book: PriceBook
  /** Rates the API did not return, and what was used instead. */
  warnings: string[]
}

/**
 * Looks up `keys` for `region`. Throws when every query fails (AccessDenied on
 * pricing:GetProducts, no network): the caller then falls back to the table.
 */
export async function livePriceBook(
  aws: AwsClients,
  region: string,
  keys: string[],
  opts: {now: Date; signal?: AbortSignal},
): Promise<LiveLookup> {
  const specs = new Map(keys.map((k) => [k, specFor(k, region)] as const))
  const groups = new Map<string, {serviceCode: string; filters: Record<string, string>}>()
  const groupOf = (s: Spec): string => `${s.serviceCode} ${JSON.stringify(Object.entries(s.filters).sort())}`
  for (const s of specs.values()) if (s) groups.set(groupOf(s), {serviceCode: s.serviceCode, filters: s.filters})

  const client = aws.client(PricingClient, {region: PRICING_REGION})
  const outcomes = await Promise.allSettled(
    [...groups].map(async ([id, g]) => {
      const products: Product[] = []
      const filters: Filter[] = Object.entries(g.filters).map(([Field, Value]) => ({Type: 'TERM_MATCH', Field, Value}))
      for await (const page of paginateGetProducts(
        {client},
        {ServiceCode: g.serviceCode, Filters: filters, FormatVersion: 'aws_v1'},
        {abortSignal: opts.signal},
      )) {
        for (const item of (page.PriceList ?? []) as unknown[]) {
          const p = parse(item)
          if (p) products.push(p)
        }
      }

      return [id, products] as const
    }),
  )

  const failures = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')
  if (groups.size > 0 && failures.length === groups.size) throw failures[0].reason
  const products = new Map(outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : [])))

  const live = new Map<string, PricedRate>()
  for (const [key, spec] of specs) {
    if (!spec) continue
    const match = (products.get(groupOf(spec)) ?? []).find(
      (p) => spec.usageType.test(p.product?.attributes?.usagetype ?? '') && priceOf(p, spec.term) !== undefined,
    )
    if (!match) continue
    live.set(key, {
      key,
      usd: Number((priceOf(match, spec.term)! * (spec.scale ?? 1)).toFixed(8)),
      unit: spec.unit,
      source: `AWS Pricing API GetProducts ${spec.serviceCode} ${match.product?.attributes?.usagetype}`,
      from: 'live',
    })
  }

  const warnings: string[] = []
  const fallback = keys.filter((k) => !live.has(k) && specs.get(k) !== undefined)
  const fromTable = fallback.filter((k) => tableRate(region, k))
  if (fromTable.length > 0)
    warnings.push(
      `--live-prices: the Pricing API returned no ${region} price for ${fromTable.join(', ')}; the embedded table's rate is used.`,
    )
  if (failures.length > 0)
    warnings.push(
      `--live-prices: ${failures.length} of ${groups.size} Pricing API queries failed (${String((failures[0].reason as Error)?.name ?? failures[0].reason)}).`,
    )

  const asOf = opts.now.toISOString().slice(0, 10)
  return {book: {source: 'live', asOf, region, get: (key) => live.get(key) ?? tableRate(region, key)}, warnings}
}
