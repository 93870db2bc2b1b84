import {CLOUDFRONT_FREE_TIER, GP3_BASELINE, type PriceBook, type PricedRate, rateKey} from './prices.js'
import {
  COST_SERVICES,
  type CostLine,
  type CostService,
  type FargateService,
  HOURS_PER_MONTH,
  type Inventory,
  type NotEstimated,
  type RdsInventory,
  type Usage,
} from './types.js'

/**
 * Inventory × prices (× usage) → priced lines. Pure: no AWS calls, so each figure can be
 * checked by hand. A charge without a price or without usage data becomes a
 * "not estimated" entry that says why and what the rate is — never a made-up number.
 */

export interface EstimateOptions {
  /** Apply CloudFront's always-free tier (1 TB and 10M requests a month per account). */
  freeTier: boolean
}

export interface Estimate {
  lines: CostLine[]
  usageNotEstimated: NotEstimated[]
  subtotals: Partial<Record<CostService, number>>
  total: number
  notes: string[]
}

/** USD to the cent; half a cent rounds up despite binary fractions (0.0225 × 730 = 16.425 → 16.43). */
export const cents = (n: number): number => Math.round(Number((n * 100).toFixed(6))) / 100
const qty = (n: number): number => Math.round(n * 1000) / 1000
/** "$0.40", "$0.024685", "$0.0004": every significant digit of a rate, at least two decimals. */
export const rate = (n: number): string => {
  const [whole, frac = ''] = n
    .toFixed(6)
    .replace(/\.?0+$/, '')
    .split('.')
  return `$${whole}.${frac.padEnd(2, '0')}`
}

const usd = rate
const plural = (n: number, word: string, words = `${word}s`): string =>
  `${Number.isInteger(n) ? n : n.toFixed(2)} ${n === 1 ? word : words}`
const gb = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toFixed(n >= 1 ? 1 : 3))

class LineBuilder {
  readonly lines: CostLine[] = []
  readonly missing: NotEstimated[] = []
  readonly notes: string[] = []

  constructor(private readonly prices: PriceBook) {}

  /** The rates, or undefined after recording why the line cannot be priced. */
  rates(service: CostService, item: string, keys: string[]): PricedRate[] | undefined {
    const found = keys.map((k) => this.prices.get(k))
    const absent = keys.filter((_, i) => !found[i])
    if (absent.length === 0) return found as PricedRate[]
    const why =
      this.prices.source === 'live'
        ? 'neither the Pricing API nor the embedded table has it'
        : 'not in the embedded price table; run with --live-prices to look it up'
    this.missing.push({service, item, reason: `no price for ${absent.join(', ')} in ${this.prices.region}: ${why}`})
    return undefined
  }

  /** A line priced at one rate (quantity × rate); when the rate is not known, only why is recorded. */
  priced(line: {
    service: CostService
    item: string
    key: string
    quantity: number
    unit: string
    basis: CostLine['basis']
  }): void {
    const {key, ...rest} = line
    const rates = this.rates(line.service, line.item, [key])
    if (rates) this.add({...rest, unitPrice: rates[0].usd, rates})
  }

  add(
    line: Omit<CostLine, 'monthly' | 'priceSource' | 'rates' | 'quantity'> & {
      quantity: number
      rates: PricedRate[]
      monthly?: number
    },
  ): void {
    const {rates, ...rest} = line
    this.lines.push({
      ...rest,
      quantity: qty(line.quantity),
      unitPrice: Number(line.unitPrice.toFixed(6)),
      monthly: cents(line.monthly ?? line.quantity * line.unitPrice),
      rates: rates.map((r) => r.key),
      priceSource: rates.every((r) => r.from === 'live') ? 'live' : 'table',
      note:
        [line.note, ...rates.filter((r) => r.approximate).map((r) => `${r.key} is approximate: ${r.note}`)]
          .filter(Boolean)
          .join('; ') || undefined,
    })
  }

  notEstimated(service: CostService, item: string, reason: string): void {
    this.missing.push({service, item, reason})
  }
}

function fargate(b: LineBuilder, s: FargateService): void {
  const size = `${s.vcpu} vCPU, ${s.memoryGb} GB, ${s.architecture}`
  if (s.desired === 0) {
    b.notes.push(`${s.name}: desired count 0, no Fargate charge.`)
    return
  }

  if (!Number.isFinite(s.vcpu) || !Number.isFinite(s.memoryGb)) {
    b.notEstimated('ECS Fargate', s.name, `task definition ${s.taskDefinition} has no task-level cpu and memory`)
    return
  }

  if (s.operatingSystem !== 'LINUX') {
    b.notEstimated('ECS Fargate', s.name, `${s.operatingSystem} tasks are not priced (the table holds Linux rates)`)
    return
  }

  for (const [tasks, spot] of [
    [s.placement.onDemand, false],
    [s.placement.spot, true],
  ] as const) {
    if (tasks <= 0) continue
    const item = `${s.key} (${size}) × ${plural(tasks, 'task')} on ${spot ? 'FARGATE_SPOT' : 'FARGATE'}`
    if (spot && s.architecture === 'ARM64') {
      b.notEstimated(
        'ECS Fargate',
        item,
        'Fargate Spot runs only X86_64 tasks: these ARM64 tasks cannot be placed on FARGATE_SPOT',
      )
      continue
    }

    const rates = b.rates('ECS Fargate', item, [
      rateKey.fargateVcpu(s.architecture, spot),
      rateKey.fargateGb(s.architecture, spot),
    ])
    if (!rates) continue
    const perTask = s.vcpu * rates[0].usd + s.memoryGb * rates[1].usd
    b.add({
      service: 'ECS Fargate',
      item,
      quantity: tasks * HOURS_PER_MONTH,
      unit: 'task-hour',
      unitPrice: perTask,
      rates,
      basis: 'fixed',
      note: `${s.vcpu} × ${usd(rates[0].usd)}/vCPU-h + ${s.memoryGb} × ${usd(rates[1].usd)}/GB-h`,
    })
  }

  if (s.placement.other > 0) {
    b.notEstimated(
      'ECS Fargate',
      `${s.key} × ${plural(s.placement.other, 'task')} on ${s.placement.label}`,
      'not Fargate capacity: billed as the EC2 instances that run it',
    )
  }

  const fargateTasks = s.placement.onDemand + s.placement.spot
  if (s.ephemeralGb > 20 && fargateTasks > 0) {
    const item = `${s.key} ephemeral storage above 20 GB (${s.ephemeralGb - 20} GB × ${plural(fargateTasks, 'task')})`
    b.priced({
      service: 'ECS Fargate',
      item,
      key: rateKey.fargateStorage,
      quantity: (s.ephemeralGb - 20) * fargateTasks * HOURS_PER_MONTH,
      unit: 'GB-hour',
      basis: 'fixed',
    })
  }

  if (s.publicIp) {
    const item = `${s.key} tasks: public IP on each of ${plural(s.desired, 'task')} (assignPublicIp ENABLED)`
    b.priced({
      service: 'Public IPv4',
      item,
      key: rateKey.ipv4,
      quantity: s.desired * HOURS_PER_MONTH,
      unit: 'address-hour',
      basis: 'fixed',
    })
  }
}

function rds(b: LineBuilder, db: RdsInventory): void {
  const az = db.multiAz ? 'Multi-AZ' : 'Single-AZ'
  const item = `${db.id} ${db.instanceClass} ${db.engine}, ${az}`
  if (db.status === 'stopped')
    b.notes.push(`${db.id} is stopped: priced as running, because AWS starts a stopped instance again after 7 days.`)
  b.priced({
    service: 'RDS',
    item,
    key: rateKey.rdsInstance(db.instanceClass, db.engine, db.multiAz),
    quantity: HOURS_PER_MONTH,
    unit: 'instance-hour',
    basis: 'fixed',
  })

  const type = db.storageType
  if (!['gp2', 'gp3', 'io1', 'io2'].includes(type)) {
    b.notEstimated('RDS', `${db.id} ${type} storage, ${db.allocatedGb} GB`, `${type} storage is not in the price table`)
    return
  }

  const storageItem = `${db.id} ${type} storage ${db.allocatedGb} GB, ${az}`
  b.priced({
    service: 'RDS',
    item: storageItem,
    key: rateKey.rdsStorage(type, db.multiAz),
    quantity: db.allocatedGb,
    unit: 'GB-month',
    basis: 'fixed',
  })

  const baseline =
    type === 'gp3'
      ? db.allocatedGb >= GP3_BASELINE.large.fromGb
        ? GP3_BASELINE.large
        : GP3_BASELINE.small
      : {iops: 0, throughputMiBps: Infinity}
  const extraIops = Math.max(0, (db.iops ?? 0) - baseline.iops)
  if (extraIops > 0) {
    const iopsItem = `${db.id} ${type} provisioned IOPS: ${extraIops.toLocaleString('en-US')}${type === 'gp3' ? ` above the ${baseline.iops.toLocaleString('en-US')} included` : ''}`
    b.priced({
      service: 'RDS',
      item: iopsItem,
      key: rateKey.rdsIops(type, db.multiAz),
      quantity: extraIops,
      unit: 'IOPS-month',
      basis: 'fixed',
    })
  }

  const extraThroughput = type === 'gp3' ? Math.max(0, (db.throughputMiBps ?? 0) - baseline.throughputMiBps) : 0
  if (extraThroughput > 0) {
    const tpItem = `${db.id} gp3 throughput: ${extraThroughput} MiBps above the ${baseline.throughputMiBps} included`
    b.priced({
      service: 'RDS',
      item: tpItem,
      key: rateKey.rdsThroughput(type, db.multiAz),
      quantity: extraThroughput,
      unit: 'MiBps-month',
      basis: 'fixed',
    })
  }
}

function network(b: LineBuilder, inv: Inventory, usage: Usage | undefined): void {
  const window = usage ? `the last ${usage.window.days} days` : 'the usage window'
  if (inv.alb) {
    const {alb} = inv
    const item = `${alb.name} (${alb.scheme}, ${plural(alb.availabilityZones, 'AZ')})`
    b.priced({
      service: 'Load Balancer',
      item,
      key: rateKey.albHour,
      quantity: HOURS_PER_MONTH,
      unit: 'hour',
      basis: 'fixed',
    })
    const lcuItem = `${alb.name} LCUs`
    const lcu = b.rates('Load Balancer', lcuItem, [rateKey.albLcu])
    if (lcu && usage?.albLcuHours) {
      b.add({
        service: 'Load Balancer',
        item: `${lcuItem} (${usage.albLcuHours.basis})`,
        quantity: usage.albLcuHours.monthly,
        unit: 'LCU-hour',
        unitPrice: lcu[0].usd,
        rates: lcu,
        basis: 'usage',
      })
    } else if (lcu) {
      b.notEstimated(
        'Load Balancer',
        lcuItem,
        `usage-based, not estimated: no ConsumedLCUs datapoints for ${alb.dimension} in ${window}. ${usd(lcu[0].usd)} per LCU-hour; an LCU is the highest of 25 new connections/s, 3,000 active connections/min, 1 GB processed/hour and 1,000 rule evaluations/s`,
      )
    }

    if (alb.publicIps > 0) {
      const how =
        alb.publicIpSource === 'network-interfaces' ? 'from its network interfaces' : 'one per Availability Zone'
      const ipItem = `${alb.name}: ${plural(alb.publicIps, 'public IPv4 address', 'public IPv4 addresses')} (${how})`
      b.priced({
        service: 'Public IPv4',
        item: ipItem,
        key: rateKey.ipv4,
        quantity: alb.publicIps * HOURS_PER_MONTH,
        unit: 'address-hour',
        basis: 'fixed',
      })
    }
  }

  for (const nat of inv.natGateways) {
    const hour = b.rates('NAT Gateway', nat.id, [rateKey.natHour])
    if (hour)
      b.add({
        service: 'NAT Gateway',
        item: `${nat.id} (${nat.connectivity})`,
        quantity: HOURS_PER_MONTH,
        unit: 'hour',
        unitPrice: hour[0].usd,
        rates: hour,
        basis: 'fixed',
      })
    const dataItem = `${nat.id} data processed`
    const perGb = b.rates('NAT Gateway', dataItem, [rateKey.natGb])
    const processed = usage?.natGb.get(nat.id)
    if (perGb && processed) {
      b.add({
        service: 'NAT Gateway',
        item: `${dataItem} (${gb(processed.monthly)} GB/month from ${processed.basis})`,
        quantity: processed.monthly,
        unit: 'GB',
        unitPrice: perGb[0].usd,
        rates: perGb,
        basis: 'usage',
      })
    } else if (perGb) {
      b.notEstimated(
        'NAT Gateway',
        dataItem,
        `usage-based, not estimated: no AWS/NATGateway BytesOutToDestination/BytesOutToSource datapoints in ${window}. ${usd(perGb[0].usd)} per GB processed, in both directions`,
      )
    }
  }

  const eips = inv.natGateways.reduce((n, g) => n + g.publicIps, 0)
  if (eips > 0) {
    const item = `NAT gateways: ${plural(eips, 'Elastic IP')}`
    b.priced({
      service: 'Public IPv4',
      item,
      key: rateKey.ipv4,
      quantity: eips * HOURS_PER_MONTH,
      unit: 'address-hour',
      basis: 'fixed',
    })
  }
}

function cloudfront(b: LineBuilder, inv: Inventory, usage: Usage | undefined, opts: EstimateOptions): void {
  const id = inv.cloudfront.distributionId
  if (!id) {
    b.notEstimated(
      'CloudFront',
      'distribution',
      `usage-based, not estimated: no distribution (${inv.cloudfront.reason ?? 'not configured'})`,
    )
    return
  }

  const free = opts.freeTier ? CLOUDFRONT_FREE_TIER : {gb: 0, requests: 0}
  const freeNote = opts.freeTier
    ? 'always-free tier applied (per account; shared by every distribution in it)'
    : 'free tier not applied (--no-free-tier)'
  const dataItem = `${id} data transfer out`
  const perGb = b.rates('CloudFront', dataItem, [rateKey.cloudfrontGb])
  if (perGb && usage?.cloudfrontGb) {
    const total = usage.cloudfrontGb.monthly
    b.add({
      service: 'CloudFront',
      item: `${dataItem}: ${gb(total)} GB/month (${usage.cloudfrontGb.basis})${free.gb ? `, first ${free.gb} GB free` : ''}`,
      quantity: Math.max(0, total - free.gb),
      unit: 'GB',
      unitPrice: perGb[0].usd,
      rates: perGb,
      basis: 'usage',
      note: freeNote,
    })
  } else if (perGb) {
    b.notEstimated(
      'CloudFront',
      dataItem,
      `usage-based, not estimated: no BytesDownloaded datapoints for ${id}. ${usd(perGb[0].usd)}/GB (US/Europe, first 10 TB)${opts.freeTier ? '; the first 1 TB a month is free' : ''}`,
    )
  }

  const reqItem = `${id} HTTPS requests`
  const perTenK = b.rates('CloudFront', reqItem, [rateKey.cloudfrontHttps])
  if (perTenK && usage?.cloudfrontRequests) {
    const total = usage.cloudfrontRequests.monthly
    b.add({
      service: 'CloudFront',
      item: `${reqItem}: ${(total / 1e6).toFixed(2)}M/month${free.requests ? ', first 10M free' : ''}`,
      quantity: Math.max(0, total - free.requests) / 10_000,
      unit: '10k requests',
      unitPrice: perTenK[0].usd,
      rates: perTenK,
      basis: 'usage',
      note: freeNote,
    })
  } else if (perTenK) {
    b.notEstimated(
      'CloudFront',
      reqItem,
      `usage-based, not estimated: no Requests datapoints for ${id}. ${usd(perTenK[0].usd)} per 10,000 HTTPS requests`,
    )
  }
}

function s3(b: LineBuilder, inv: Inventory, usage: Usage | undefined): void {
  const noRequestMetrics: string[] = []
  for (const bucket of inv.buckets) {
    const label = `${bucket.key} (${bucket.name})`
    const size = usage?.s3StorageGb.get(bucket.key)
    const std = b.rates('S3', `${label} storage`, [rateKey.s3Standard])
    if (std && size) {
      b.add({
        service: 'S3',
        item: `${label} Standard storage (${size.basis})`,
        quantity: size.monthly,
        unit: 'GB-month',
        unitPrice: std[0].usd,
        rates: std,
        basis: 'usage',
      })
    } else if (std) {
      b.notEstimated(
        'S3',
        `${label} storage`,
        `usage-based, not estimated: no BucketSizeBytes (StandardStorage) datapoints (no such bucket, an empty one, one in another region, or not reported yet). ${usd(std[0].usd)}/GB-month`,
      )
    }

    const puts = usage?.s3Puts.get(bucket.key)
    const gets = usage?.s3Gets.get(bucket.key)
    if (!puts && !gets) noRequestMetrics.push(bucket.key)
    for (const [fig, key, what] of [
      [puts, rateKey.s3Put, 'PUT'],
      [gets, rateKey.s3Get, 'GET'],
    ] as const) {
      if (!fig) continue
      const item = `${label} ${what} requests (${fig.basis})`
      b.priced({
        service: 'S3',
        item,
        key: key,
        quantity: fig.monthly / 1000,
        unit: '1k requests',
        basis: 'usage',
      })
    }
  }

  if (noRequestMetrics.length > 0) {
    const put = b.rates('S3', 'requests', [rateKey.s3Put])
    const get = b.rates('S3', 'requests', [rateKey.s3Get])
    if (put && get) {
      b.notEstimated(
        'S3',
        `requests (${noRequestMetrics.join(', ')})`,
        `usage-based, not estimated: S3 request metrics (filter "EntireBucket") are not enabled. ${usd(put[0].usd)}/1k PUT, ${usd(get[0].usd)}/1k GET`,
      )
    }
  }
}

export function buildEstimate(
  inv: Inventory,
  usage: Usage | undefined,
  prices: PriceBook,
  opts: EstimateOptions,
): Estimate {
  const b = new LineBuilder(prices)
  for (const s of inv.services) fargate(b, s)
  if (inv.rds) rds(b, inv.rds)
  if (inv.cache) {
    const c = inv.cache
    const item = `${c.id} ${c.nodeType} × ${plural(c.nodes, 'node')} (${c.engine})`
    b.priced({
      service: 'ElastiCache',
      item,
      key: rateKey.cacheNode(c.nodeType, c.engine),
      quantity: c.nodes * HOURS_PER_MONTH,
      unit: 'node-hour',
      basis: 'fixed',
    })
  }

  network(b, inv, usage)
  if (inv.secrets > 0) {
    const item = `${plural(inv.secrets, 'secret')} (config)`
    b.priced({
      service: 'Secrets Manager',
      item,
      key: rateKey.secret,
      quantity: inv.secrets,
      unit: 'secret-month',
      basis: 'fixed',
    })
    const api = b.rates('Secrets Manager', 'API calls', [rateKey.secretsApi])
    if (api)
      b.notEstimated(
        'Secrets Manager',
        'API calls',
        `usage-based, not estimated: ${usd(api[0].usd)} per 10,000 calls; ECS reads secrets when a task starts, so usually cents`,
      )
  }

  cloudfront(b, inv, usage, opts)
  s3(b, inv, usage)

  const subtotals: Partial<Record<CostService, number>> = {}
  for (const service of COST_SERVICES) {
    const lines = b.lines.filter((l) => l.service === service)
    if (lines.length > 0) subtotals[service] = cents(lines.reduce((sum, l) => sum + l.monthly, 0))
  }

  const total = cents(Object.values(subtotals).reduce((sum, v) => sum + (v ?? 0), 0))
  return {lines: b.lines, usageNotEstimated: b.missing, subtotals, total, notes: b.notes}
}
