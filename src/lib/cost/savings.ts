import type {EnvConfig} from '../../config.js'
import {cents, type Estimate, rate} from './estimate.js'
import {type PriceBook, rateKey} from './prices.js'
import {type FargateService, HOURS_PER_MONTH, type Inventory, type Saving, type Usage} from './types.js'

/**
 * Savings computed from the inventory, each with its monthly effect and the assumption
 * behind it. A saving whose input is unknown (no NAT traffic figure, no bucket size) is
 * not offered rather than guessed.
 */

/** Services that run Celery workers (interruptible: tasks are retried). celery-beat is a singleton scheduler and stays on FARGATE. */
const CELERY_WORKERS = new Set(['celery'])
/** Interface endpoints that take ECS-on-Fargate traffic off a NAT gateway (the S3 gateway endpoint is free). */
const INTERFACE_ENDPOINTS = ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager']

const pct = (part: number, whole: number): number | undefined =>
  whole > 0 ? Math.round((part / whole) * 1000) / 10 : undefined
const money = (n: number): string => `$${cents(n).toFixed(2)}`

function taskMonthly(
  prices: PriceBook,
  s: FargateService,
  tasks: number,
  arch: FargateService['architecture'],
  spot: boolean,
): number | undefined {
  const v = prices.get(rateKey.fargateVcpu(arch, spot))
  const g = prices.get(rateKey.fargateGb(arch, spot))
  if (!v || !g) return undefined
  return tasks * HOURS_PER_MONTH * (s.vcpu * v.usd + s.memoryGb * g.usd)
}

const linux = (s: FargateService): boolean =>
  s.operatingSystem === 'LINUX' && Number.isFinite(s.vcpu) && Number.isFinite(s.memoryGb)

function fargateSpot(inv: Inventory, prices: PriceBook): Saving | undefined {
  const parts = inv.services
    .filter((s) => CELERY_WORKERS.has(s.key) && linux(s) && s.architecture === 'X86_64' && s.placement.onDemand > 0)
    .map((s) => ({
      s,
      od: taskMonthly(prices, s, s.placement.onDemand, 'X86_64', false),
      spot: taskMonthly(prices, s, s.placement.onDemand, 'X86_64', true),
    }))
    .filter((p): p is {s: FargateService; od: number; spot: number} => p.od !== undefined && p.spot !== undefined)
  if (parts.length === 0) return undefined
  const od = parts.reduce((n, p) => n + p.od, 0)
  const spot = parts.reduce((n, p) => n + p.spot, 0)
  const approximate = prices.get(rateKey.fargateVcpu('X86_64', true))?.approximate
  return {
    id: 'fargate-spot',
    title: `Fargate Spot for the Celery workers (${parts.map((p) => p.s.name).join(', ')})`,
    monthly: cents(od - spot),
    percent: pct(od - spot, od),
    detail:
      parts
        .map(
          (p) =>
            `${p.s.name}: ${p.s.placement.onDemand} FARGATE task(s) of ${p.s.vcpu} vCPU/${p.s.memoryGb} GB, ${money(p.od)} → ${money(p.spot)} a month on FARGATE_SPOT`,
        )
        .join('; ') +
      (approximate ? '. The Spot rate is the advertised ~70% discount; --live-prices reads the current one.' : '.'),
    caveat:
      'Spot tasks get a two-minute warning: Celery must acknowledge late (task_acks_late) and tasks must be idempotent. Keep celery-beat on FARGATE.',
  }
}

function fargateArm(inv: Inventory, prices: PriceBook): Saving | undefined {
  const parts = inv.services
    .filter((s) => linux(s) && s.architecture === 'X86_64' && s.placement.onDemand > 0)
    .map((s) => ({
      s,
      x86: taskMonthly(prices, s, s.placement.onDemand, 'X86_64', false),
      arm: taskMonthly(prices, s, s.placement.onDemand, 'ARM64', false),
    }))
    .filter((p): p is {s: FargateService; x86: number; arm: number} => p.x86 !== undefined && p.arm !== undefined)
  if (parts.length === 0) return undefined
  const x86 = parts.reduce((n, p) => n + p.x86, 0)
  const arm = parts.reduce((n, p) => n + p.arm, 0)
  const weaviate = parts.some((p) => p.s.key === 'weaviate')
  const own = parts.filter((p) => p.s.key !== 'weaviate').map((p) => p.s.key)
  return {
    id: 'fargate-arm',
    title: `ARM64 (Graviton) for ${parts.map((p) => p.s.key).join(', ')}`,
    monthly: cents(x86 - arm),
    percent: pct(x86 - arm, x86),
    detail:
      parts.map((p) => `${p.s.name}: ${money(p.x86)} → ${money(p.arm)}`).join('; ') +
      ' (runtimePlatform.cpuArchitecture ARM64, on-demand tasks).',
    caveat: [
      own.length > 0
        ? `Build the ${own.join(', ')} image${own.length > 1 ? 's' : ''} for linux/arm64 (docker buildx --platform linux/amd64,linux/arm64).`
        : '',
      weaviate ? 'Weaviate: check the image supports arm64 (a multi-arch manifest) before switching.' : '',
      'ARM64 tasks cannot run on Fargate Spot: for Celery workers, choose this or Spot.',
    ]
      .filter(Boolean)
      .join(' '),
  }
}

function rdsReserved(inv: Inventory, prices: PriceBook): Saving | undefined {
  const db = inv.rds
  if (!db) return undefined
  const od = prices.get(rateKey.rdsInstance(db.instanceClass, db.engine, db.multiAz))
  const ri = prices.get(rateKey.rdsReserved(db.instanceClass, db.engine, db.multiAz))
  if (!od || !ri) return undefined
  const saved = (od.usd - ri.usd) * HOURS_PER_MONTH
  return {
    id: 'rds-reserved',
    title: `Reserved instance for ${db.id} (${db.instanceClass}, 1 year, No Upfront)`,
    monthly: cents(saved),
    percent: pct(od.usd - ri.usd, od.usd),
    detail: `$${od.usd}/h on-demand → $${ri.usd}/h reserved × ${HOURS_PER_MONTH} h${ri.approximate ? ` (${ri.note}; --live-prices reads the exact offering)` : ''}.`,
    caveat:
      'A 1-year commitment to this class, engine, region and deployment (size-flexible within the family for PostgreSQL); it is paid whether the instance runs or not.',
  }
}

function cacheReserved(inv: Inventory, prices: PriceBook): Saving | undefined {
  const c = inv.cache
  if (!c || c.nodes === 0) return undefined
  const od = prices.get(rateKey.cacheNode(c.nodeType, c.engine))
  const ri = prices.get(rateKey.cacheReserved(c.nodeType, c.engine))
  if (!od || !ri) return undefined
  return {
    id: 'elasticache-reserved',
    title: `Reserved nodes for ${c.id} (${c.nodes} × ${c.nodeType}, 1 year, No Upfront)`,
    monthly: cents((od.usd - ri.usd) * c.nodes * HOURS_PER_MONTH),
    percent: pct(od.usd - ri.usd, od.usd),
    detail: `$${od.usd}/h on-demand → $${ri.usd}/h reserved per node${ri.approximate ? ` (${ri.note}; --live-prices reads the exact offering)` : ''}.`,
    caveat: 'A 1-year commitment per node type and region; it is paid whether the nodes run or not.',
  }
}

function vpcEndpoints(inv: Inventory, usage: Usage | undefined, prices: PriceBook): Saving | undefined {
  const processed = inv.natGateways.map((n) => usage?.natGb.get(n.id)).filter((f) => f !== undefined)
  const natGb = prices.get(rateKey.natGb)
  const hour = prices.get(rateKey.vpceHour)
  const perGb = prices.get(rateKey.vpceGb)
  if (processed.length === 0 || !natGb || !hour || !perGb) return undefined
  const gb = processed.reduce((n, f) => n + f.monthly, 0)
  const azs = Math.max(inv.alb?.availabilityZones ?? 0, inv.natGateways.length, 1)
  const fixed = INTERFACE_ENDPOINTS.length * azs * HOURS_PER_MONTH * hour.usd
  const moved = gb * (natGb.usd - perGb.usd)
  const net = moved - fixed
  return {
    id: 'vpc-endpoints',
    title:
      net >= 0
        ? 'VPC endpoints instead of the NAT gateway for AWS traffic'
        : 'VPC endpoints instead of the NAT gateway: would cost more at this traffic',
    monthly: cents(net),
    upperBound: true,
    detail:
      `${gb.toFixed(1)} GB/month processed by NAT. If all of it is AWS traffic (ECR pulls, CloudWatch Logs, Secrets Manager, S3): ` +
      `${money(moved)} saved at ${rate(natGb.usd - perGb.usd)}/GB, minus ${INTERFACE_ENDPOINTS.length} interface endpoints (${INTERFACE_ENDPOINTS.join(', ')}) × ${azs} AZ × $${hour.usd}/h = ${money(fixed)}; net ${money(net)}.`,
    caveat:
      'Upper bound: traffic to the internet (OpenAI, Stripe, …) still needs the NAT gateway. The S3 gateway endpoint is free: add it in any case.',
  }
}

function rdsSingleAz(env: EnvConfig, inv: Inventory, est: Estimate): Saving | undefined {
  const db = inv.rds
  if (!db?.multiAz || env.name === 'production' || env.rds.expectMultiAz) return undefined
  const rdsMonthly = est.lines.filter((l) => l.service === 'RDS').reduce((n, l) => n + l.monthly, 0)
  if (rdsMonthly === 0) return undefined
  return {
    id: 'rds-single-az',
    title: `Single-AZ for ${db.id} (${env.name} is not production)`,
    monthly: cents(rdsMonthly / 2),
    percent: 50,
    detail: `Multi-AZ doubles the instance and storage price: ${money(rdsMonthly)} → ${money(rdsMonthly / 2)} a month.`,
    caveat:
      'Without a standby, an AZ failure or some maintenance means minutes of downtime; fine for staging, not for production.',
  }
}

function s3IntelligentTiering(inv: Inventory, usage: Usage | undefined, prices: PriceBook): Saving | undefined {
  const media = inv.buckets.find((b) => b.key === 'media')
  const size = media && usage?.s3StorageGb.get(media.key)
  const std = prices.get(rateKey.s3Standard)
  const ia = prices.get(rateKey.s3IntelligentInfrequent)
  const monitor = prices.get(rateKey.s3IntelligentMonitoring)
  if (!media || !size || !std || !ia || !monitor) return undefined
  const objects = usage?.s3Objects.get(media.key)?.monthly
  const tiering = size.monthly * (std.usd - ia.usd)
  const monitoring = objects === undefined ? 0 : (objects / 1000) * monitor.usd
  return {
    id: 's3-intelligent-tiering',
    title: `S3 Intelligent-Tiering for the media bucket (${media.name})`,
    monthly: cents(tiering - monitoring),
    upperBound: true,
    percent: pct(tiering - monitoring, size.monthly * std.usd),
    detail:
      `${size.monthly.toFixed(1)} GB: at most ${money(tiering)} if every object goes 30 days without access ($${std.usd} → $${ia.usd}/GB-month)` +
      (objects === undefined
        ? `, minus monitoring at $${monitor.usd} per 1,000 objects of 128 KB and more (object count unknown).`
        : `, minus ${money(monitoring)} monitoring for ${Math.round(objects)} objects.`),
    caveat:
      'Upper bound: objects read within 30 days stay at the Standard price. No retrieval fees in the Frequent/Infrequent tiers.',
  }
}

export function computeSavings(
  env: EnvConfig,
  inv: Inventory,
  usage: Usage | undefined,
  est: Estimate,
  prices: PriceBook,
): Saving[] {
  return [
    fargateSpot(inv, prices),
    fargateArm(inv, prices),
    rdsReserved(inv, prices),
    cacheReserved(inv, prices),
    vpcEndpoints(inv, usage, prices),
    rdsSingleAz(env, inv, est),
    s3IntelligentTiering(inv, usage, prices),
  ].filter((s): s is Saving => s !== undefined)
}
