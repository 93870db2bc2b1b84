import {DescribeNatGatewaysCommand, DescribeNetworkInterfacesCommand, DescribeSubnetsCommand} from '@aws-sdk/client-ec2'
import {ClusterNotFoundException, DescribeClustersCommand, DescribeServicesCommand} from '@aws-sdk/client-ecs'
import {
  CacheClusterNotFoundFault,
  DescribeCacheClustersCommand,
  DescribeReplicationGroupsCommand,
  ReplicationGroupNotFoundFault,
} from '@aws-sdk/client-elasticache'
import {DescribeLoadBalancersCommand, LoadBalancerNotFoundException} from '@aws-sdk/client-elastic-load-balancing-v2'
import {DBInstanceNotFoundFault, DescribeDBInstancesCommand} from '@aws-sdk/client-rds'
import {beforeEach, describe, expect, it} from 'vitest'

import {createAwsClients} from '../../../src/aws/clients.js'
import {collectInventory, placementOf} from '../../../src/lib/cost/inventory.js'
import type {CostContext} from '../../../src/lib/cost/types.js'
import {accessDenied, mocks, resetMocks} from '../../helpers/aws.js'
import {env, mockReference, NAT_ID, NOW, service, taskDefinition, VPC_ID} from './fixtures.js'

const ctx = (e = env()): CostContext => ({
  env: e,
  region: 'us-east-1',
  aws: createAwsClients({region: 'us-east-1'}),
  now: NOW,
})

describe('placementOf', () => {
  it('puts every task on FARGATE for launchType FARGATE, and none on Fargate for EC2', () => {
    expect(placementOf({launchType: 'FARGATE'}, 3)).toEqual({onDemand: 3, spot: 0, other: 0, label: 'FARGATE'})
    expect(placementOf({launchType: 'EC2'}, 2)).toEqual({onDemand: 0, spot: 0, other: 2, label: 'EC2'})
  })

  it('places base tasks first, then splits the rest by weight', () => {
    const strategy = [
      {capacityProvider: 'FARGATE', weight: 1, base: 1},
      {capacityProvider: 'FARGATE_SPOT', weight: 3},
    ]
    expect(placementOf({capacityProviderStrategy: strategy}, 5)).toMatchObject({onDemand: 2, spot: 3, other: 0})
    expect(placementOf({capacityProviderStrategy: strategy}, 1)).toMatchObject({onDemand: 1, spot: 0})
    expect(placementOf({capacityProviderStrategy: [{capacityProvider: 'FARGATE_SPOT', weight: 1}]}, 2)).toMatchObject({
      onDemand: 0,
      spot: 2,
      label: 'FARGATE_SPOT weight 1',
    })
  })

  it('uses the cluster default strategy when the service has neither a strategy nor a launch type', () => {
    expect(
      placementOf({}, 4, [
        {capacityProvider: 'FARGATE', weight: 1},
        {capacityProvider: 'FARGATE_SPOT', weight: 1},
      ]),
    ).toMatchObject({onDemand: 2, spot: 2})
  })
})

describe('collectInventory', () => {
  beforeEach(() => {
    resetMocks()
    mockReference(env())
  })

  it('reads the reference environment: services, task sizes, RDS, ElastiCache, ALB IPs, NAT gateways, distribution', async () => {
    const inv = await collectInventory(ctx())
    expect(inv.services.map((s) => [s.key, s.vcpu, s.memoryGb, s.architecture, s.desired, s.placement.label])).toEqual([
      ['web', 0.5, 1, 'X86_64', 1, 'FARGATE'],
      ['celery', 0.5, 1, 'X86_64', 1, 'FARGATE'],
      ['celery-beat', 0.25, 0.5, 'X86_64', 1, 'FARGATE'],
      ['weaviate', 0.5, 1, 'X86_64', 1, 'FARGATE'],
    ])
    expect(inv.rds).toMatchObject({
      instanceClass: 'db.t3.micro',
      engine: 'postgres',
      multiAz: false,
      storageType: 'gp2',
      allocatedGb: 20,
    })
    expect(inv.cache).toMatchObject({kind: 'replication-group', nodeType: 'cache.t3.micro', nodes: 1, engine: 'redis'})
    expect(inv.alb).toMatchObject({
      dimension: 'app/production-allthrive-alb/50dc6c495c0c9188',
      availabilityZones: 2,
      publicIps: 2,
      publicIpSource: 'network-interfaces',
    })
    expect(inv.natGateways).toEqual([{id: NAT_ID, connectivity: 'public', publicIps: 1, subnetId: undefined}])
    expect(inv.cloudfront.distributionId).toBe('E2REFERENCE01')
    expect(inv.notFound).toEqual([])
    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeServicesCommand, 1)
    expect(mocks.ec2).toHaveReceivedCommandWith(DescribeNatGatewaysCommand, {
      Filter: [
        {Name: 'vpc-id', Values: [VPC_ID]},
        {Name: 'state', Values: ['available']},
      ],
    })
    expect(mocks.ec2).toHaveReceivedCommandWith(DescribeNetworkInterfacesCommand, {
      Filters: [{Name: 'description', Values: ['ELB app/production-allthrive-alb/50dc6c495c0c9188']}],
    })
  })

  it('reads capacity provider strategies, ARM64 task definitions and public task IPs', async () => {
    const e = env()
    mockReference(e, {
      services: [
        service(e, 'web', {
          launchType: undefined,
          networkConfiguration: {awsvpcConfiguration: {subnets: ['subnet-0ref'], assignPublicIp: 'ENABLED'}},
        }),
        service(e, 'celery', {
          launchType: undefined,
          desiredCount: 4,
          runningCount: 3,
          capacityProviderStrategy: [
            {capacityProvider: 'FARGATE', base: 1, weight: 0},
            {capacityProvider: 'FARGATE_SPOT', weight: 1},
          ],
        }),
        service(e, 'celery-beat'),
        service(e, 'weaviate'),
      ],
      taskDefinitions: [
        taskDefinition(e, 'web', {runtimePlatform: {cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX'}}),
        taskDefinition(e, 'celery'),
        taskDefinition(e, 'celery-beat'),
        taskDefinition(e, 'weaviate', {ephemeralStorage: {sizeInGiB: 50}}),
      ],
    })
    mocks.ecs.on(DescribeClustersCommand).resolves({
      clusters: [
        {clusterName: e.cluster, defaultCapacityProviderStrategy: [{capacityProvider: 'FARGATE_SPOT', weight: 1}]},
      ],
    })
    const inv = await collectInventory(ctx(e))
    const by = Object.fromEntries(inv.services.map((s) => [s.key, s]))
    expect(by.web).toMatchObject({architecture: 'ARM64', publicIp: true, placement: {onDemand: 0, spot: 1}}) // cluster default strategy
    expect(by.celery.placement).toMatchObject({onDemand: 1, spot: 3})
    expect(by.weaviate.ephemeralGb).toBe(50)
    expect(inv.notes).toContain(
      'production-allthrive-celery: 3 of 4 desired tasks running; priced at the desired count.',
    )
  })

  it('lists what it did not find instead of failing: services, RDS, Redis, ALB, NAT', async () => {
    const e = env()
    mockReference(e, {services: [service(e, 'web')], taskDefinitions: [taskDefinition(e, 'web')]})
    mocks.rds.on(DescribeDBInstancesCommand).rejects(new DBInstanceNotFoundFault({message: 'not found', $metadata: {}}))
    mocks.elasticache
      .on(DescribeReplicationGroupsCommand)
      .rejects(new ReplicationGroupNotFoundFault({message: 'not found', $metadata: {}}))
    mocks.elasticache
      .on(DescribeCacheClustersCommand)
      .rejects(new CacheClusterNotFoundFault({message: 'not found', $metadata: {}}))
    mocks.elbv2
      .on(DescribeLoadBalancersCommand)
      .rejects(new LoadBalancerNotFoundException({message: 'not found', $metadata: {}}))
    mocks.ec2.on(DescribeNatGatewaysCommand).resolves({NatGateways: []})
    const inv = await collectInventory(ctx(e))
    expect(inv.services.map((s) => s.key)).toEqual(['web'])
    expect(inv.notFound).toEqual([
      'ECS service production-allthrive-celery (cluster production-allthrive-cluster)',
      'ECS service production-allthrive-celery-beat (cluster production-allthrive-cluster)',
      'ECS service production-allthrive-weaviate (cluster production-allthrive-cluster)',
      'RDS instance production-allthrive-db',
      'ElastiCache replication group or cache cluster production-allthrive-redis',
      'load balancer production-allthrive-alb',
      `NAT gateways in ${VPC_ID} (state available)`,
    ])
    expect(mocks.ec2).toHaveReceivedCommandWith(DescribeSubnetsCommand, {SubnetIds: ['subnet-0ref']}) // VPC from the tasks' subnet
  })

  it('reports a missing cluster as not found', async () => {
    mocks.ecs
      .on(DescribeServicesCommand)
      .rejects(new ClusterNotFoundException({message: 'Cluster not found.', $metadata: {}}))
    const inv = await collectInventory(ctx())
    expect(inv.services).toEqual([])
    expect(inv.notFound[0]).toBe('ECS cluster production-allthrive-cluster')
  })

  it('falls back to a cache cluster when there is no replication group', async () => {
    mocks.elasticache
      .on(DescribeReplicationGroupsCommand)
      .rejects(new ReplicationGroupNotFoundFault({message: 'not found', $metadata: {}}))
    mocks.elasticache.on(DescribeCacheClustersCommand).resolves({
      CacheClusters: [
        {
          CacheClusterId: 'production-allthrive-redis',
          CacheNodeType: 'cache.t4g.small',
          NumCacheNodes: 1,
          Engine: 'valkey',
        },
      ],
    })
    expect((await collectInventory(ctx())).cache).toEqual({
      id: 'production-allthrive-redis',
      kind: 'cache-cluster',
      nodeType: 'cache.t4g.small',
      nodes: 1,
      engine: 'valkey',
    })
  })

  it('assumes one public IPv4 address per AZ when the ALB network interfaces cannot be read, and says so', async () => {
    mocks.ec2.on(DescribeNetworkInterfacesCommand).rejects(accessDenied('ec2:DescribeNetworkInterfaces'))
    const inv = await collectInventory(ctx())
    expect(inv.alb).toMatchObject({publicIps: 2, publicIpSource: 'availability-zones'})
    expect(inv.notes.join('\n')).toContain('one public IPv4 address per Availability Zone assumed')
  })

  it('counts no public IPv4 address for an internal ALB', async () => {
    mocks.elbv2.on(DescribeLoadBalancersCommand).resolves({
      LoadBalancers: [
        {
          LoadBalancerName: 'x',
          LoadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/x/1',
          Scheme: 'internal',
          VpcId: VPC_ID,
          AvailabilityZones: [{ZoneName: 'a'}, {ZoneName: 'b'}],
        },
      ],
    })
    expect((await collectInventory(ctx())).alb).toMatchObject({publicIps: 0, publicIpSource: 'internal'})
    expect(mocks.ec2).not.toHaveReceivedCommand(DescribeNetworkInterfacesCommand)
  })

  it('rethrows AWS failures it cannot work around (AccessDenied on RDS)', async () => {
    mocks.rds.on(DescribeDBInstancesCommand).rejects(accessDenied('rds:DescribeDBInstances'))
    await expect(collectInventory(ctx())).rejects.toThrow(/rds:DescribeDBInstances/)
  })
})
