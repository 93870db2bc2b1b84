import {
  type DistributionSummary,
  GetDistributionCommand,
  ListDistributionsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-cloudfront'
import {GetMetricDataCommand, type GetMetricDataCommandOutput, type MetricDataResult} from '@aws-sdk/client-cloudwatch'
import {
  DescribeNatGatewaysCommand,
  type DescribeNatGatewaysCommandOutput,
  DescribeNetworkInterfacesCommand,
  type DescribeNetworkInterfacesCommandOutput,
  DescribeSubnetsCommand,
} from '@aws-sdk/client-ec2'
import type {Service, TaskDefinition} from '@aws-sdk/client-ecs'
import {
  DescribeReplicationGroupsCommand,
  type DescribeReplicationGroupsCommandOutput,
} from '@aws-sdk/client-elasticache'
import {
  DescribeLoadBalancersCommand,
  type DescribeLoadBalancersCommandOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {type DBInstance, DescribeDBInstancesCommand, type DescribeDBInstancesCommandOutput} from '@aws-sdk/client-rds'

import {conventionFor, type EnvConfig} from '../../../src/config.js'
import type {FargateService, Inventory, Usage} from '../../../src/lib/cost/types.js'
import {mocks} from '../../helpers/aws.js'
import * as cloudfront from '../../helpers/cloudfront.js'
import {
  describeServices,
  describeTaskDefinitions,
  namedService,
  serviceName,
  taskDefinition as ecsTaskDefinition,
  tdArn,
} from '../../helpers/ecs.js'

/**
 * The environment the platform's reference doc (aws-infrastructure.md, "Cost Estimate")
 * describes: 4 Fargate services (512/1024 ×3, 256/512 for beat), 1 task each, x86,
 * FARGATE; RDS db.t3.micro Single-AZ 20 GB gp2; ElastiCache 1 × cache.t3.micro; one
 * internet-facing ALB in 2 AZs; one NAT gateway; CloudFront and S3.
 */

export const NOW = new Date('2026-11-26T07:00:00Z')
export const ACCOUNT = '123456789012'
export const DISTRIBUTION = 'E2REFERENCE01'
export const NAT_ID = 'nat-0ref0000000000001'
export const VPC_ID = 'vpc-0ref'
export const ALB_ID = '50dc6c495c0c9188'

export function env(name = 'production', overrides: Partial<EnvConfig> = {}): EnvConfig {
  return {...conventionFor(name), source: 'test', cloudfront: {distributionId: DISTRIBUTION}, ...overrides}
}

const SIZES: Record<string, {cpu: string; memory: string}> = {
  web: {cpu: '512', memory: '1024'},
  celery: {cpu: '512', memory: '1024'},
  'celery-beat': {cpu: '256', memory: '512'},
  weaviate: {cpu: '512', memory: '1024'},
}

/** A pure inventory of the reference environment, for estimate and savings tests. */
export function referenceInventory(e = env()): Inventory {
  const services: FargateService[] = e.services.map((s) => ({
    key: s.key,
    name: s.name,
    status: 'ACTIVE',
    taskDefinition: `${s.name}:7`,
    vcpu: Number(SIZES[s.key].cpu) / 1024,
    memoryGb: Number(SIZES[s.key].memory) / 1024,
    architecture: 'X86_64',
    operatingSystem: 'LINUX',
    ephemeralGb: 20,
    desired: 1,
    running: 1,
    placement: {onDemand: 1, spot: 0, other: 0, label: 'FARGATE'},
    publicIp: false,
  }))
  return {
    services,
    rds: {
      id: e.rds.instanceId,
      instanceClass: 'db.t3.micro',
      engine: 'postgres',
      status: 'available',
      multiAz: false,
      storageType: 'gp2',
      allocatedGb: 20,
    },
    cache: {
      id: e.redis.replicationGroupId,
      kind: 'replication-group',
      nodeType: 'cache.t3.micro',
      nodes: 1,
      engine: 'redis',
    },
    alb: {
      name: e.alb.name,
      arn: 'arn',
      dimension: `app/${e.alb.name}/${ALB_ID}`,
      scheme: 'internet-facing',
      availabilityZones: 2,
      vpcId: VPC_ID,
      publicIps: 2,
      publicIpSource: 'network-interfaces',
    },
    vpcId: VPC_ID,
    natGateways: [{id: NAT_ID, connectivity: 'public', publicIps: 1}],
    secrets: e.secrets.length,
    buckets: Object.entries(e.buckets).map(([key, name]) => ({key, name})),
    cloudfront: {distributionId: DISTRIBUTION},
    notFound: [],
    notes: [],
  }
}

// ---------------------------------------------------------------- AWS responses

/** Services and task definitions of the reference run revision 7. */
export function service(e: EnvConfig, key: string, over: Partial<Service> = {}): Service {
  return namedService(
    serviceName(key, e.name),
    {
      desiredCount: 1,
      runningCount: 1,
      launchType: 'FARGATE',
      taskDefinition: tdArn(key, 7, e.name),
      networkConfiguration: {awsvpcConfiguration: {subnets: ['subnet-0ref'], assignPublicIp: 'DISABLED'}},
      ...over,
    },
    e.cluster,
  )
}

export function taskDefinition(e: EnvConfig, key: string, over: Partial<TaskDefinition> = {}): TaskDefinition {
  return ecsTaskDefinition(key, {...SIZES[key], requiresCompatibilities: ['FARGATE'], ...over}, 7, e.name)
}

export const db = (e: EnvConfig, over: Partial<DBInstance> = {}): DescribeDBInstancesCommandOutput => ({
  $metadata: {},
  DBInstances: [
    {
      DBInstanceIdentifier: e.rds.instanceId,
      DBInstanceClass: 'db.t3.micro',
      Engine: 'postgres',
      DBInstanceStatus: 'available',
      MultiAZ: false,
      StorageType: 'gp2',
      AllocatedStorage: 20,
      ...over,
    },
  ],
})

/** The environment's distribution, as ListDistributions summarises it (aliases by the naming convention). */
export function distributionSummary(e: EnvConfig): DistributionSummary {
  return cloudfront.distributionSummary(
    DISTRIBUTION,
    [e.domains[0] ?? `${e.name}.allthrive.ai`],
    `${e.name}-allthrive`,
    {LastModifiedTime: NOW, DomainName: 'd1.cloudfront.net'},
  )
}

/** Sets every mock up for the reference environment `e`. Pass `services` to change ECS. */
export function mockReference(
  e: EnvConfig,
  opts: {services?: Service[]; taskDefinitions?: TaskDefinition[]} = {},
): void {
  const services = opts.services ?? e.services.map((s) => service(e, s.key))
  const defs = opts.taskDefinitions ?? e.services.map((s) => taskDefinition(e, s.key))
  describeServices(services)
  describeTaskDefinitions(defs)

  mocks.rds.on(DescribeDBInstancesCommand).resolves(db(e))
  mocks.elasticache.on(DescribeReplicationGroupsCommand).resolves({
    ReplicationGroups: [
      {
        ReplicationGroupId: e.redis.replicationGroupId,
        CacheNodeType: 'cache.t3.micro',
        MemberClusters: [`${e.redis.replicationGroupId}-001`],
        Engine: 'redis',
        Status: 'available',
      },
    ],
  } satisfies Partial<DescribeReplicationGroupsCommandOutput>)
  mocks.elbv2.on(DescribeLoadBalancersCommand).resolves({
    LoadBalancers: [
      {
        LoadBalancerName: e.alb.name,
        LoadBalancerArn: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/${e.alb.name}/${ALB_ID}`,
        Scheme: 'internet-facing',
        Type: 'application',
        VpcId: VPC_ID,
        AvailabilityZones: [{ZoneName: 'us-east-1a'}, {ZoneName: 'us-east-1b'}],
      },
    ],
  } satisfies Partial<DescribeLoadBalancersCommandOutput>)
  mocks.ec2.on(DescribeNetworkInterfacesCommand).resolves({
    NetworkInterfaces: [
      {NetworkInterfaceId: 'eni-1', Description: `ELB app/${e.alb.name}/${ALB_ID}`, Association: {PublicIp: '3.3.3.1'}},
      {NetworkInterfaceId: 'eni-2', Description: `ELB app/${e.alb.name}/${ALB_ID}`, Association: {PublicIp: '3.3.3.2'}},
    ],
  } satisfies Partial<DescribeNetworkInterfacesCommandOutput>)
  mocks.ec2.on(DescribeSubnetsCommand).resolves({Subnets: [{SubnetId: 'subnet-0ref', VpcId: VPC_ID}]})
  mocks.ec2.on(DescribeNatGatewaysCommand).resolves({
    NatGateways: [
      {
        NatGatewayId: NAT_ID,
        VpcId: VPC_ID,
        State: 'available',
        ConnectivityType: 'public',
        NatGatewayAddresses: [{AllocationId: 'eipalloc-1', PublicIp: '3.3.3.9'}],
      },
    ],
  } satisfies Partial<DescribeNatGatewaysCommandOutput>)
  const summary = distributionSummary(e)
  mocks.cloudfront.on(GetDistributionCommand).resolves(cloudfront.distributionDetail(summary))
  mocks.cloudfront.on(ListDistributionsCommand).resolves(cloudfront.distributionList([summary]))
  mocks.cloudfront.on(ListTagsForResourceCommand).resolves({Tags: {Items: []}, $metadata: {}})
  mocks.cloudwatch.on(GetMetricDataCommand).resolves({MetricDataResults: []})
}

const GB = 1024 ** 3
const days = (n: number, end = new Date('2026-11-26T00:00:00Z')): Date[] =>
  Array.from({length: n}, (_, i) => new Date(end.getTime() - (n - i) * 86_400_000))

/** Daily datapoints summing to `perMonth` over a 730-hour month (7 whole days). */
export function daily(id: string, perMonth: number, n = 7): MetricDataResult {
  const perDay = (perMonth * 24) / 730
  return {Id: id, Timestamps: days(n), Values: Array.from({length: n}, () => perDay), StatusCode: 'Complete'}
}

/** A gauge: the same value every day (Average statistics: LCUs, bucket size). */
export function gauge(id: string, value: number, n = 7): MetricDataResult {
  return {Id: id, Timestamps: days(n), Values: Array.from({length: n}, () => value), StatusCode: 'Complete'}
}

/**
 * The traffic the comparison assumes (the reference names none): 0.6 LCU on average,
 * 40 GB a month through the NAT gateway, 140 GB and 1M HTTPS requests out of CloudFront,
 * 100 GB in the media bucket.
 */
export function referenceMetrics(): GetMetricDataCommandOutput {
  return {
    $metadata: {},
    MetricDataResults: [
      daily('nat0dst', 30 * GB),
      daily('nat0src', 10 * GB),
      gauge('alblcu', 0.6),
      gauge('s31size', 100 * GB),
      gauge('s31objects', 40_000),
      daily('cfbytes', 140 * GB),
      daily('cfrequests', 1_000_000),
    ],
  }
}

/** Usage figures of a 7-day window with none measured, except those given. */
export function usage(over: Partial<Usage> = {}): Usage {
  return {
    window: {start: '2026-11-19T00:00:00.000Z', end: '2026-11-26T00:00:00.000Z', days: 7},
    natGb: new Map(),
    s3StorageGb: new Map(),
    s3Objects: new Map(),
    s3Puts: new Map(),
    s3Gets: new Map(),
    ...over,
  }
}
