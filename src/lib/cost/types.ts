import type {AwsClients} from '../../aws/clients.js'
import type {EnvConfig} from '../../config.js'

/** A month, as AWS prices it: 730 hours (8,760 / 12). */
export const HOURS_PER_MONTH = 730

/** Bytes in the "GB" AWS bills (GiB, 2^30 bytes). */
export const BYTES_PER_GB = 1024 ** 3

/** Everything the cost code needs about one environment, with an injectable clock. */
export interface CostContext {
  env: EnvConfig
  /** The region the environment's resources live in. */
  region: string
  aws: AwsClients
  signal?: AbortSignal
  now: Date
}

// ---------------------------------------------------------------- inventory

export type CpuArchitecture = 'X86_64' | 'ARM64'

/** How a service's tasks are placed: expected tasks per capacity (fractions when a strategy splits them). */
export interface TaskPlacement {
  /** FARGATE tasks. */
  onDemand: number
  /** FARGATE_SPOT tasks. */
  spot: number
  /** Tasks not on Fargate (EC2 or EXTERNAL launch type, EC2 capacity providers): not priced as Fargate. */
  other: number
  /** "FARGATE", "FARGATE 1 : FARGATE_SPOT 3 (base 1 FARGATE)", "EC2". */
  label: string
}

export interface FargateService {
  key: string
  name: string
  status: string
  /** "production-allthrive-web:42" */
  taskDefinition: string
  /** Task size in vCPU (task cpu units / 1024). */
  vcpu: number
  /** Task size in GB (task memory MiB / 1024). */
  memoryGb: number
  architecture: CpuArchitecture
  operatingSystem: string
  /** Ephemeral storage of the task (20 GB is included in the Fargate price). */
  ephemeralGb: number
  desired: number
  running: number
  placement: TaskPlacement
  /** awsvpc assignPublicIp ENABLED: each task holds a public IPv4 address. */
  publicIp: boolean
}

export interface RdsInventory {
  id: string
  instanceClass: string
  /** "postgres", "aurora-postgresql", ... */
  engine: string
  status: string
  multiAz: boolean
  /** gp2, gp3, io1, io2, standard, aurora */
  storageType: string
  allocatedGb: number
  iops?: number
  throughputMiBps?: number
}

export interface CacheInventory {
  id: string
  kind: 'replication-group' | 'cache-cluster'
  nodeType: string
  nodes: number
  /** redis, valkey, memcached */
  engine: string
}

export interface AlbInventory {
  name: string
  arn: string
  /** CloudWatch dimension LoadBalancer: "app/<name>/<id>". */
  dimension: string
  scheme: string
  availabilityZones: number
  vpcId?: string
  publicIps: number
  /** How the public IPv4 count was found. */
  publicIpSource: 'network-interfaces' | 'availability-zones' | 'internal'
}

export interface NatGatewayInventory {
  id: string
  subnetId?: string
  publicIps: number
  connectivity: string
}

export interface Inventory {
  services: FargateService[]
  rds?: RdsInventory
  cache?: CacheInventory
  alb?: AlbInventory
  vpcId?: string
  natGateways: NatGatewayInventory[]
  secrets: number
  buckets: {key: string; name: string}[]
  cloudfront: {distributionId?: string; reason?: string}
  /** What was looked for and not found: absent lines, not errors. */
  notFound: string[]
  /** Facts worth knowing about how the inventory was read. */
  notes: string[]
}

// ---------------------------------------------------------------- usage

/** A usage figure read from CloudWatch over the window, extrapolated to a 730-hour month. */
export interface UsageFigure {
  /** Per month, in `unit`. */
  monthly: number
  unit: string
  /** Days of data the figure is based on. */
  days: number
  /** How it was measured: "BytesOutToDestination + BytesOutToSource, Sum, 7 days". */
  basis: string
}

export interface Usage {
  window: {start: string; end: string; days: number}
  /** Processed GB per month, by NAT gateway id. */
  natGb: Map<string, UsageFigure>
  albLcuHours?: UsageFigure
  cloudfrontGb?: UsageFigure
  cloudfrontRequests?: UsageFigure
  /** Latest BucketSizeBytes (Standard) in GB, by bucket key. */
  s3StorageGb: Map<string, UsageFigure>
  s3Objects: Map<string, UsageFigure>
  s3Puts: Map<string, UsageFigure>
  s3Gets: Map<string, UsageFigure>
}

// ---------------------------------------------------------------- estimate

/** The AWS service a line belongs to, as the bill groups it (see actual.ts for Cost Explorer's names). */
export type CostService =
  | 'ECS Fargate'
  | 'RDS'
  | 'ElastiCache'
  | 'Load Balancer'
  | 'NAT Gateway'
  | 'Public IPv4'
  | 'Secrets Manager'
  | 'CloudFront'
  | 'S3'

export const COST_SERVICES: readonly CostService[] = [
  'ECS Fargate',
  'RDS',
  'ElastiCache',
  'Load Balancer',
  'NAT Gateway',
  'Public IPv4',
  'Secrets Manager',
  'CloudFront',
  'S3',
]

export interface CostLine {
  service: CostService
  item: string
  /** Per month, in `unit`. */
  quantity: number
  unit: string
  /** USD per `unit`. */
  unitPrice: number
  /** USD per month (quantity × unitPrice). */
  monthly: number
  /** Price keys used (see prices.ts), for tracing a figure to its source. */
  rates: string[]
  /** fixed: from what is provisioned; usage: from CloudWatch metrics. */
  basis: 'fixed' | 'usage'
  /** Where the price came from. */
  priceSource: 'table' | 'live'
  note?: string
}

/** A charge that exists but could not be estimated honestly: said, never guessed. */
export interface NotEstimated {
  service: CostService
  item: string
  reason: string
}

export type SavingId =
  | 'fargate-spot'
  | 'fargate-arm'
  | 'rds-reserved'
  | 'elasticache-reserved'
  | 'vpc-endpoints'
  | 'rds-single-az'
  | 's3-intelligent-tiering'

export interface Saving {
  id: SavingId
  title: string
  /** USD per month saved; negative means the change would cost more. */
  monthly: number
  /** Percentage of the affected cost. */
  percent?: number
  /** How the figure was computed, with its assumption. */
  detail: string
  /** What to check before doing it. */
  caveat?: string
  /** Upper bound rather than an expected figure. */
  upperBound?: boolean
}

export interface ActualService {
  /** Cost Explorer's SERVICE name ("Amazon Relational Database Service"). */
  ceService: string
  /** Our line group, when the service is one the estimate covers. */
  service?: CostService
  monthToDate: number
  /** Month-to-date spread over the whole month at the same daily rate. */
  projectedMonth: number
}

export interface ActualReport {
  tag: {key: string; value: string}
  period: {start: string; end: string}
  monthToDate: number
  /** Cost Explorer's forecast for the rest of the month; undefined when it has none. */
  forecastRest?: number
  /** monthToDate + forecastRest. */
  forecastMonth?: number
  estimate: number
  /** forecastMonth (or the month-to-date projected) − estimate: what the estimate does not explain. */
  unexplained: number
  /** Days of the month elapsed (whole days before today) and in the month. */
  days: {elapsed: number; inMonth: number}
  services: ActualService[]
  /** Cost Explorer requests made ($0.01 each). */
  requests: number
  notes: string[]
}

export interface CostReport {
  environment: string
  region: string
  /** Date of the embedded price table, or of the live lookup. */
  asOf: string
  pricesSource: 'table' | 'live'
  hoursPerMonth: number
  lines: CostLine[]
  subtotals: Partial<Record<CostService, number>>
  total: number
  usageNotEstimated: NotEstimated[]
  savings: Saving[]
  notFound: string[]
  notes: string[]
  /** Degraded results: prices or metrics that could not be read (also printed on stderr). */
  warnings: string[]
  usageWindow?: Usage['window']
  actual?: ActualReport
  /** Set when --actual was asked for and Cost Explorer failed. */
  actualError?: {message: string; hint?: string}
}
