import {
  type DescribeNatGatewaysCommandInput,
  DescribeSubnetsCommand,
  EC2Client,
  paginateDescribeNatGateways,
  paginateDescribeNetworkInterfaces,
} from '@aws-sdk/client-ec2'
import {
  type CapacityProviderStrategyItem,
  ClusterNotFoundException,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  type Service,
  type TaskDefinition,
} from '@aws-sdk/client-ecs'
import {
  CacheClusterNotFoundFault,
  DescribeCacheClustersCommand,
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  ReplicationGroupNotFoundFault,
} from '@aws-sdk/client-elasticache'
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
  LoadBalancerNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {DBInstanceNotFoundFault, DescribeDBInstancesCommand, RDSClient} from '@aws-sdk/client-rds'

import {classifyAwsError, describeAwsError} from '../../aws/errors.js'
import {isUserError} from '../../errors.js'
import {findDistribution} from '../../resources/cloudfront.js'
import {describeServicesOf} from '../../resources/ecs.js'
import type {
  AlbInventory,
  CacheInventory,
  CostContext,
  CpuArchitecture,
  FargateService,
  Inventory,
  NatGatewayInventory,
  RdsInventory,
  TaskPlacement,
} from './types.js'

/**
 * What runs, read from the APIs concurrently: the environment's ECS services with their
 * task sizes and capacity providers, RDS, ElastiCache, the ALB and its public IPv4
 * addresses, the NAT gateways of its VPC, and the CloudFront distribution. Something not
 * found is an absent line and a note, never an error.
 */

const opts = (ctx: CostContext) => ({abortSignal: ctx.signal})

/**
 * Expected tasks per capacity for `count` tasks: `base` first, the rest split by weight
 * (fractions: ECS places whole tasks, an estimate of a month need not).
 */
export function placementOf(
  service: Pick<Service, 'capacityProviderStrategy' | 'launchType'>,
  count: number,
  clusterDefault: CapacityProviderStrategyItem[] = [],
): TaskPlacement {
  const strategy = service.capacityProviderStrategy?.length
    ? service.capacityProviderStrategy
    : service.launchType
      ? []
      : clusterDefault
  if (strategy.length === 0) {
    const launchType = service.launchType ?? 'unknown launch type'
    return launchType === 'FARGATE'
      ? {onDemand: count, spot: 0, other: 0, label: 'FARGATE'}
      : {onDemand: 0, spot: 0, other: count, label: launchType}
  }

  const tasks = new Map<string, number>()
  let remaining = count
  for (const item of strategy) {
    const base = Math.min(item.base ?? 0, remaining)
    tasks.set(item.capacityProvider ?? '?', base)
    remaining -= base
  }

  const totalWeight = strategy.reduce((sum, i) => sum + (i.weight ?? 0), 0)
  for (const item of strategy) {
    const p = item.capacityProvider ?? '?'
    const share =
      totalWeight > 0 ? (remaining * (item.weight ?? 0)) / totalWeight : item === strategy[0] ? remaining : 0
    tasks.set(p, (tasks.get(p) ?? 0) + share)
  }

  const onDemand = tasks.get('FARGATE') ?? 0
  const spot = tasks.get('FARGATE_SPOT') ?? 0
  const label = strategy
    .map((i) => `${i.capacityProvider} weight ${i.weight ?? 0}${i.base ? ` base ${i.base}` : ''}`)
    .join(', ')
  return {onDemand, spot, other: Math.max(0, count - onDemand - spot), label}
}

function toFargateService(
  key: FargateService['key'],
  svc: Service,
  td: TaskDefinition | undefined,
  clusterDefault: CapacityProviderStrategyItem[],
): FargateService {
  const desired = svc.desiredCount ?? 0
  return {
    key,
    name: svc.serviceName ?? key,
    status: svc.status ?? 'UNKNOWN',
    taskDefinition: (svc.taskDefinition ?? '?').split('/').pop()!,
    vcpu: Number(td?.cpu ?? Number.NaN) / 1024,
    memoryGb: Number(td?.memory ?? Number.NaN) / 1024,
    architecture: (td?.runtimePlatform?.cpuArchitecture ?? 'X86_64') as CpuArchitecture,
    operatingSystem: td?.runtimePlatform?.operatingSystemFamily ?? 'LINUX',
    ephemeralGb: td?.ephemeralStorage?.sizeInGiB ?? 20,
    desired,
    running: svc.runningCount ?? 0,
    placement: placementOf(svc, desired, clusterDefault),
    publicIp: svc.networkConfiguration?.awsvpcConfiguration?.assignPublicIp === 'ENABLED',
  }
}

interface EcsPart {
  services: FargateService[]
  /** A subnet of the services, to find the VPC when there is no ALB. */
  subnet?: string
  notFound: string[]
  notes: string[]
}

async function ecsInventory(ctx: CostContext): Promise<EcsPart> {
  const {cluster, services: configured} = ctx.env
  const client = ctx.aws.client(ECSClient, {region: ctx.region})
  let found: Service[]
  try {
    found = await describeServicesOf(
      {aws: ctx.aws, signal: ctx.signal, region: ctx.region},
      cluster,
      configured.map((s) => s.name),
    )
  } catch (error) {
    if (error instanceof ClusterNotFoundException)
      return {services: [], notFound: [`ECS cluster ${cluster}`], notes: []}
    throw error
  }

  const matched = configured.map((s) => {
    const matches = found.filter(
      (f) => (f.serviceName === s.name || f.serviceArn === s.name) && f.status !== 'INACTIVE',
    )
    return {config: s, svc: matches.find((f) => f.status === 'ACTIVE') ?? matches[0]}
  })
  const present = matched.filter((m): m is {config: typeof m.config; svc: Service} => m.svc !== undefined)
  const notFound = matched.filter((m) => !m.svc).map((m) => `ECS service ${m.config.name} (cluster ${cluster})`)

  const arns = [...new Set(present.map((m) => m.svc.taskDefinition).filter((a): a is string => Boolean(a)))]
  const needsClusterDefault = present.some((m) => !m.svc.launchType && !m.svc.capacityProviderStrategy?.length)
  const [defs, clusters] = await Promise.all([
    Promise.all(arns.map((arn) => client.send(new DescribeTaskDefinitionCommand({taskDefinition: arn}), opts(ctx)))),
    needsClusterDefault ? client.send(new DescribeClustersCommand({clusters: [cluster]}), opts(ctx)) : undefined,
  ])
  const byArn = new Map(arns.map((arn, i) => [arn, defs[i].taskDefinition]))
  const clusterDefault = clusters?.clusters?.[0]?.defaultCapacityProviderStrategy ?? []

  const notes: string[] = []
  const services = present.map(({config, svc}) => {
    const s = toFargateService(config.key, svc, byArn.get(svc.taskDefinition ?? ''), clusterDefault)
    if (s.running !== s.desired)
      notes.push(`${s.name}: ${s.running} of ${s.desired} desired tasks running; priced at the desired count.`)
    return s
  })
  const subnet = present.map((m) => m.svc.networkConfiguration?.awsvpcConfiguration?.subnets?.[0]).find(Boolean)
  return {services, subnet, notFound, notes}
}

async function rdsInventory(ctx: CostContext): Promise<RdsInventory | undefined> {
  const id = ctx.env.rds.instanceId
  try {
    const out = await ctx.aws
      .client(RDSClient, {region: ctx.region})
      .send(new DescribeDBInstancesCommand({DBInstanceIdentifier: id}), opts(ctx))
    const db = out.DBInstances?.[0]
    if (!db) return undefined
    return {
      id,
      instanceClass: db.DBInstanceClass ?? '?',
      engine: db.Engine ?? '?',
      status: db.DBInstanceStatus ?? '?',
      multiAz: db.MultiAZ ?? false,
      storageType: db.StorageType ?? 'gp2',
      allocatedGb: db.AllocatedStorage ?? 0,
      iops: db.Iops,
      throughputMiBps: db.StorageThroughput,
    }
  } catch (error) {
    if (error instanceof DBInstanceNotFoundFault) return undefined
    throw error
  }
}

async function cacheInventory(ctx: CostContext): Promise<CacheInventory | undefined> {
  const id = ctx.env.redis.replicationGroupId
  const client = ctx.aws.client(ElastiCacheClient, {region: ctx.region})
  try {
    const out = await client.send(new DescribeReplicationGroupsCommand({ReplicationGroupId: id}), opts(ctx))
    const rg = out.ReplicationGroups?.[0]
    if (rg) {
      const members = rg.MemberClusters?.length || rg.NodeGroups?.flatMap((g) => g.NodeGroupMembers ?? []).length || 0
      return {
        id,
        kind: 'replication-group',
        nodeType: rg.CacheNodeType ?? '?',
        nodes: members,
        engine: rg.Engine ?? 'redis',
      }
    }
  } catch (error) {
    if (!(error instanceof ReplicationGroupNotFoundFault)) throw error
  }

  try {
    const out = await client.send(new DescribeCacheClustersCommand({CacheClusterId: id}), opts(ctx))
    const cc = out.CacheClusters?.[0]
    return cc
      ? {
          id,
          kind: 'cache-cluster',
          nodeType: cc.CacheNodeType ?? '?',
          nodes: cc.NumCacheNodes ?? 1,
          engine: cc.Engine ?? 'redis',
        }
      : undefined
  } catch (error) {
    if (error instanceof CacheClusterNotFoundFault) return undefined
    throw error
  }
}

/** Public IPv4 addresses of an internet-facing ALB: its ENIs with a public IP, else one per AZ. */
async function albPublicIps(
  ctx: CostContext,
  dimension: string,
  azs: number,
  notes: string[],
): Promise<Pick<AlbInventory, 'publicIps' | 'publicIpSource'>> {
  try {
    let withPublicIp = 0
    const pages = paginateDescribeNetworkInterfaces(
      {client: ctx.aws.client(EC2Client, {region: ctx.region})},
      {Filters: [{Name: 'description', Values: [`ELB ${dimension}`]}]},
      opts(ctx),
    )
    for await (const page of pages)
      withPublicIp += (page.NetworkInterfaces ?? []).filter((n) => n.Association?.PublicIp).length
    if (withPublicIp > 0) return {publicIps: withPublicIp, publicIpSource: 'network-interfaces'}
  } catch (error) {
    if (classifyAwsError(error) !== 'access-denied') throw error
    notes.push(
      `ALB network interfaces could not be read (${describeAwsError(error)}): one public IPv4 address per Availability Zone assumed.`,
    )
  }

  return {publicIps: azs, publicIpSource: 'availability-zones'}
}

async function albInventory(ctx: CostContext, notes: string[]): Promise<AlbInventory | undefined> {
  const name = ctx.env.alb.name
  let lb
  try {
    const out = await ctx.aws
      .client(ElasticLoadBalancingV2Client, {region: ctx.region})
      .send(new DescribeLoadBalancersCommand({Names: [name]}), opts(ctx))
    lb = out.LoadBalancers?.[0]
  } catch (error) {
    if (error instanceof LoadBalancerNotFoundException) return undefined
    throw error
  }

  if (!lb) return undefined
  const arn = lb.LoadBalancerArn ?? ''
  const dimension = arn.split(':loadbalancer/')[1] ?? `app/${name}`
  const azs = lb.AvailabilityZones?.length ?? 0
  const scheme = lb.Scheme ?? 'internet-facing'
  const ips =
    scheme === 'internet-facing'
      ? await albPublicIps(ctx, dimension, azs, notes)
      : {publicIps: 0, publicIpSource: 'internal' as const}
  return {name, arn, dimension, scheme, availabilityZones: azs, vpcId: lb.VpcId, ...ips}
}

async function vpcOfSubnet(ctx: CostContext, subnet: string | undefined): Promise<string | undefined> {
  if (!subnet) return undefined
  const out = await ctx.aws
    .client(EC2Client, {region: ctx.region})
    .send(new DescribeSubnetsCommand({SubnetIds: [subnet]}), opts(ctx))
  return out.Subnets?.[0]?.VpcId
}

async function natGateways(ctx: CostContext, vpcId: string): Promise<NatGatewayInventory[]> {
  const all: NatGatewayInventory[] = []
  const input = {
    Filter: [
      {Name: 'vpc-id', Values: [vpcId]},
      {Name: 'state', Values: ['available']},
    ],
  } satisfies DescribeNatGatewaysCommandInput
  for await (const page of paginateDescribeNatGateways(
    {client: ctx.aws.client(EC2Client, {region: ctx.region})},
    input,
    opts(ctx),
  )) {
    for (const n of page.NatGateways ?? []) {
      if (n.VpcId && n.VpcId !== vpcId) continue
      if (n.State && n.State !== 'available') continue
      all.push({
        id: n.NatGatewayId ?? '?',
        subnetId: n.SubnetId,
        connectivity: n.ConnectivityType ?? 'public',
        publicIps: (n.NatGatewayAddresses ?? []).filter((a) => a.PublicIp).length,
      })
    }
  }

  return all
}

async function cloudfrontDistribution(ctx: CostContext): Promise<Inventory['cloudfront']> {
  try {
    const found = await findDistribution({aws: ctx.aws, env: ctx.env, signal: ctx.signal})
    return {distributionId: found.id, reason: found.reason}
  } catch (error) {
    if (isUserError(error)) return {reason: error.message}
    if (classifyAwsError(error) === 'access-denied')
      return {reason: `the distribution could not be looked up: ${describeAwsError(error)}`}
    throw error
  }
}

export async function collectInventory(ctx: CostContext): Promise<Inventory> {
  const notes: string[] = []
  const [ecs, rds, cache, alb, cloudfront] = await Promise.all([
    ecsInventory(ctx),
    rdsInventory(ctx),
    cacheInventory(ctx),
    albInventory(ctx, notes),
    cloudfrontDistribution(ctx),
  ])

  const vpcId = alb?.vpcId ?? (await vpcOfSubnet(ctx, ecs.subnet))
  const nats = vpcId ? await natGateways(ctx, vpcId) : []

  const notFound = [...ecs.notFound]
  if (!rds) notFound.push(`RDS instance ${ctx.env.rds.instanceId}`)
  if (!cache) notFound.push(`ElastiCache replication group or cache cluster ${ctx.env.redis.replicationGroupId}`)
  if (!alb) notFound.push(`load balancer ${ctx.env.alb.name}`)
  if (!vpcId) notFound.push('the VPC (no ALB and no ECS service subnet to find it from): NAT gateways not looked for')
  else if (nats.length === 0) notFound.push(`NAT gateways in ${vpcId} (state available)`)
  if (nats.length > 0)
    notes.push(`NAT gateways serve all of ${vpcId}: if other environments share that VPC, they share this cost.`)

  return {
    services: ecs.services,
    rds,
    cache,
    alb,
    vpcId,
    natGateways: nats,
    secrets: ctx.env.secrets.length,
    buckets: Object.entries(ctx.env.buckets).map(([key, name]) => ({key, name})),
    cloudfront,
    notFound,
    notes: [...ecs.notes, ...notes],
  }
}
