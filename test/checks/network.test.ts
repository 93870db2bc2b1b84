import {
  DescribeSecurityGroupsCommand,
  type DescribeSecurityGroupsCommandInput,
  type DescribeSecurityGroupsCommandOutput,
  DescribeSubnetsCommand,
  type DescribeSubnetsCommandInput,
  type DescribeSubnetsCommandOutput,
  type IpPermission,
  type SecurityGroup,
  type Subnet,
} from '@aws-sdk/client-ec2'
import type {Service} from '@aws-sdk/client-ecs'
import {
  type CacheCluster,
  DescribeCacheClustersCommand,
  DescribeReplicationGroupsCommand,
  type ReplicationGroup,
  ReplicationGroupNotFoundFault,
} from '@aws-sdk/client-elasticache'
import {type DBInstance, DBInstanceNotFoundFault, DescribeDBInstancesCommand} from '@aws-sdk/client-rds'
import {beforeEach, describe, expect, it} from 'vitest'

import {network} from '../../src/checks/network.js'
import {redis} from '../../src/checks/redis.js'
import {dbInstance} from '../../src/resources/rds.js'
import {accessDenied, mocks, resetMocks} from '../helpers/aws.js'
import {ctxWith, expectErrorNaming} from '../helpers/context.js'
import {describeServices, type Key, KEYS, noCluster, service as ecsService} from '../helpers/ecs.js'

const P = 'production-allthrive'

const ALL_TCP_EGRESS: IpPermission[] = [{IpProtocol: '-1', IpRanges: [{CidrIp: '0.0.0.0/0'}]}]
const tcp = (port: number, from: Omit<IpPermission, 'IpProtocol' | 'FromPort' | 'ToPort'>): IpPermission => ({
  IpProtocol: 'tcp',
  FromPort: port,
  ToPort: port,
  ...from,
})

const sg = (id: string, ingress: IpPermission[], egress: IpPermission[] = ALL_TCP_EGRESS): SecurityGroup => ({
  GroupId: id,
  GroupName: `${P}-${id}`,
  Description: id,
  VpcId: 'vpc-0a1b',
  OwnerId: '123456789012',
  IpPermissions: ingress,
  IpPermissionsEgress: egress,
})

/** The platform's groups: tasks (self-referencing for Weaviate), RDS from the tasks' group, Redis from the VPC CIDR. */
const healthyGroups = (): SecurityGroup[] => [
  sg('sg-tasks', [
    tcp(8000, {UserIdGroupPairs: [{GroupId: 'sg-alb'}]}),
    tcp(8080, {UserIdGroupPairs: [{GroupId: 'sg-tasks'}]}),
  ]),
  sg('sg-rds', [tcp(5432, {UserIdGroupPairs: [{GroupId: 'sg-tasks', UserId: '123456789012'}]})]),
  sg('sg-redis', [tcp(6379, {IpRanges: [{CidrIp: '10.0.0.0/16', Description: 'VPC'}]})]),
]

const SUBNETS: Subnet[] = [
  {SubnetId: 'subnet-a', VpcId: 'vpc-0a1b', CidrBlock: '10.0.10.0/24', AvailabilityZone: 'us-east-1a'},
  {SubnetId: 'subnet-b', VpcId: 'vpc-0a1b', CidrBlock: '10.0.11.0/24', AvailabilityZone: 'us-east-1b'},
  {SubnetId: 'subnet-db-a', VpcId: 'vpc-0a1b', CidrBlock: '10.0.20.0/24', AvailabilityZone: 'us-east-1a'},
]

const service = (key: Key, over: Partial<Service> = {}): Service =>
  ecsService(key, {
    launchType: 'FARGATE',
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: ['subnet-a', 'subnet-b'],
        securityGroups: ['sg-tasks'],
        assignPublicIp: 'DISABLED',
      },
    },
    ...over,
  })

const db = (over: Partial<DBInstance> = {}): DBInstance => ({
  DBInstanceIdentifier: `${P}-db`,
  DBInstanceStatus: 'available',
  Engine: 'postgres',
  Endpoint: {Address: `${P}-db.abc.us-east-1.rds.amazonaws.com`, Port: 5432},
  VpcSecurityGroups: [{VpcSecurityGroupId: 'sg-rds', Status: 'active'}],
  DBSubnetGroup: {
    DBSubnetGroupName: `${P}-db-subnets`,
    VpcId: 'vpc-0a1b',
    Subnets: [{SubnetIdentifier: 'subnet-db-a'}],
  },
  ...over,
})

const replicationGroup = (over: Partial<ReplicationGroup> = {}): ReplicationGroup => ({
  ReplicationGroupId: `${P}-redis`,
  Status: 'available',
  MemberClusters: [`${P}-redis-001`, `${P}-redis-002`],
  NodeGroups: [
    {NodeGroupId: '0001', PrimaryEndpoint: {Address: `master.${P}-redis.abc.use1.cache.amazonaws.com`, Port: 6379}},
  ],
  ...over,
})

const cacheCluster = (id: string, over: Partial<CacheCluster> = {}): CacheCluster => ({
  CacheClusterId: id,
  CacheClusterStatus: 'available',
  ReplicationGroupId: `${P}-redis`,
  CacheSubnetGroupName: `${P}-redis-subnets`,
  SecurityGroups: [{SecurityGroupId: 'sg-redis', Status: 'active'}],
  ...over,
})

interface Setup {
  services?: Service[]
  db?: DBInstance | 'missing'
  group?: ReplicationGroup | 'missing'
  clusters?: CacheCluster[]
  groups?: SecurityGroup[]
}

/** Mocks every call; EC2 answers by its filters, as AWS does (absent ids are left out). */
function given(s: Setup = {}): void {
  describeServices(s.services ?? KEYS.map((k) => service(k)))
  if (s.db === 'missing')
    mocks.rds
      .on(DescribeDBInstancesCommand)
      .rejects(new DBInstanceNotFoundFault({message: `DBInstance ${P}-db not found.`, $metadata: {}}))
  else mocks.rds.on(DescribeDBInstancesCommand).resolves({DBInstances: [s.db ?? db()]})
  if (s.group === 'missing')
    mocks.elasticache
      .on(DescribeReplicationGroupsCommand)
      .rejects(new ReplicationGroupNotFoundFault({message: 'not found', $metadata: {}}))
  else
    mocks.elasticache
      .on(DescribeReplicationGroupsCommand)
      .resolves({ReplicationGroups: [s.group ?? replicationGroup()]})
  const clusters = s.clusters ?? [cacheCluster(`${P}-redis-001`), cacheCluster(`${P}-redis-002`)]
  mocks.elasticache.on(DescribeCacheClustersCommand).resolves({CacheClusters: clusters})
  const groups = s.groups ?? healthyGroups()
  const values = (filters: {Name?: string; Values?: string[]}[] | undefined, name: string) =>
    filters?.find((f) => f.Name === name)?.Values ?? []
  mocks.ec2.on(DescribeSecurityGroupsCommand).callsFake(async (input: DescribeSecurityGroupsCommandInput) => {
    const out: Partial<DescribeSecurityGroupsCommandOutput> = {
      SecurityGroups: groups.filter((g) => values(input.Filters, 'group-id').includes(g.GroupId!)),
    }
    return out
  })
  mocks.ec2.on(DescribeSubnetsCommand).callsFake(async (input: DescribeSubnetsCommandInput) => {
    const out: Partial<DescribeSubnetsCommandOutput> = {
      Subnets: SUBNETS.filter((x) => values(input.Filters, 'subnet-id').includes(x.SubnetId!)),
    }
    return out
  })
}

const pathsOf = (data: unknown) => (data as {paths: {service: string; target: string; status: string}[]}).paths

describe('network check', () => {
  beforeEach(() => resetMocks())

  it('passes when every task group reaches RDS, Redis and Weaviate, in one call for all groups', async () => {
    given()
    const r = await network.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(r.summary).toBe('ECS tasks reach RDS:5432, Redis:6379, Weaviate:8080')
    expect(r.details).toEqual([
      `${P}-web → RDS:5432 (${P}-db): allowed (sg-rds inbound tcp/5432 from sg-tasks; sg-tasks outbound to 0.0.0.0/0)`,
      `${P}-celery → RDS:5432 (${P}-db): allowed (sg-rds inbound tcp/5432 from sg-tasks; sg-tasks outbound to 0.0.0.0/0)`,
      `${P}-celery-beat → RDS:5432 (${P}-db): allowed (sg-rds inbound tcp/5432 from sg-tasks; sg-tasks outbound to 0.0.0.0/0)`,
      `${P}-web → Redis:6379 (${P}-redis): allowed (inbound from sg-redis 10.0.0.0/16; sg-tasks outbound to 0.0.0.0/0)`,
      `${P}-celery → Redis:6379 (${P}-redis): allowed (inbound from sg-redis 10.0.0.0/16; sg-tasks outbound to 0.0.0.0/0)`,
      `${P}-celery-beat → Redis:6379 (${P}-redis): allowed (inbound from sg-redis 10.0.0.0/16; sg-tasks outbound to 0.0.0.0/0)`,
      `${P}-web → Weaviate:8080 (${P}-weaviate): allowed (sg-tasks inbound tcp/8080 from sg-tasks; sg-tasks outbound to 0.0.0.0/0)`,
      `${P}-celery → Weaviate:8080 (${P}-weaviate): allowed (sg-tasks inbound tcp/8080 from sg-tasks; sg-tasks outbound to 0.0.0.0/0)`,
    ])
    expect(mocks.ec2).toHaveReceivedCommandTimes(DescribeSecurityGroupsCommand, 1)
    expect(mocks.ec2).toHaveReceivedCommandWith(DescribeSecurityGroupsCommand, {
      Filters: [{Name: 'group-id', Values: ['sg-tasks', 'sg-rds', 'sg-redis']}],
    })
    expect(mocks.ec2).toHaveReceivedCommandTimes(DescribeSubnetsCommand, 1)
    expect(mocks.ec2).toHaveReceivedCommandWith(DescribeSubnetsCommand, {
      Filters: [{Name: 'subnet-id', Values: ['subnet-a', 'subnet-b', 'subnet-db-a']}],
    })
    expect(mocks.rds).toHaveReceivedCommandWith(DescribeDBInstancesCommand, {DBInstanceIdentifier: `${P}-db`})
    expect(mocks.elasticache).toHaveReceivedCommandWith(DescribeReplicationGroupsCommand, {
      ReplicationGroupId: `${P}-redis`,
    })
    // The region's cache clusters, listed once (the redis check reads the same list).
    expect(mocks.elasticache).toHaveReceivedCommandTimes(DescribeCacheClustersCommand, 1)
    expect(mocks.elasticache).toHaveReceivedCommandWith(DescribeCacheClustersCommand, {ShowCacheNodeInfo: true})
  })

  it('shares the list of cache clusters with the redis check: one DescribeCacheClusters a run', async () => {
    given()
    const ctx = ctxWith()
    const [n, r] = await Promise.all([network.run(ctx), redis.run(ctx)])
    // (This fixture's replication group is thinner than the redis check wants: it judges it, it does not error.)
    expect([n.status, r.status]).toEqual(['pass', 'fail'])
    expect(mocks.elasticache).toHaveReceivedCommandTimes(DescribeCacheClustersCommand, 1)
  })

  it('fails naming each service whose tasks RDS does not admit, with the exact fix', async () => {
    const groups = healthyGroups()
    groups[1] = sg('sg-rds', [tcp(5432, {UserIdGroupPairs: [{GroupId: 'sg-bastion'}]})])
    given({groups})
    const r = await network.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.summary).toBe('RDS:5432 blocked')
    expect(r.details?.slice(0, 3)).toEqual([
      `${P}-web → RDS:5432 (${P}-db): no inbound rule of sg-rds admits the tasks' groups sg-tasks on 5432`,
      `${P}-celery → RDS:5432 (${P}-db): no inbound rule of sg-rds admits the tasks' groups sg-tasks on 5432`,
      `${P}-celery-beat → RDS:5432 (${P}-db): no inbound rule of sg-rds admits the tasks' groups sg-tasks on 5432`,
    ])
    expect(r.hint).toBe(
      'aws ec2 authorize-security-group-ingress --group-id sg-rds --protocol tcp --port 5432 --source-group sg-tasks',
    )
    expect(pathsOf(r.data).filter((p) => p.status === 'fail')).toHaveLength(3)
  })

  it('fails when a Redis CIDR rule leaves a task subnet out', async () => {
    const groups = healthyGroups()
    groups[2] = sg('sg-redis', [tcp(6379, {IpRanges: [{CidrIp: '10.0.10.0/24'}]})])
    given({groups})
    const r = await network.run(ctxWith())
    expect(r.summary).toBe('Redis:6379 blocked')
    expect(r.details?.[0]).toBe(
      `${P}-web → Redis:6379 (${P}-redis): no inbound rule of sg-redis admits the tasks' groups sg-tasks on 6379`,
    )
  })

  it("fails when Weaviate's own group does not admit the web and celery tasks; celery-beat does not need Weaviate", async () => {
    given({
      services: [
        ...KEYS.filter((k) => k !== 'weaviate').map((k) => service(k)),
        service('weaviate', {
          networkConfiguration: {awsvpcConfiguration: {subnets: ['subnet-a'], securityGroups: ['sg-weaviate']}},
        }),
      ],
      groups: [...healthyGroups(), sg('sg-weaviate', [tcp(50051, {UserIdGroupPairs: [{GroupId: 'sg-tasks'}]})])],
    })
    const r = await network.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.details?.slice(0, 2)).toEqual([
      `${P}-web → Weaviate:8080 (${P}-weaviate): no inbound rule of sg-weaviate admits the tasks' groups sg-tasks on 8080`,
      `${P}-celery → Weaviate:8080 (${P}-weaviate): no inbound rule of sg-weaviate admits the tasks' groups sg-tasks on 8080`,
    ])
    expect(r.hint).toBe(
      'aws ec2 authorize-security-group-ingress --group-id sg-weaviate --protocol tcp --port 8080 --source-group sg-tasks',
    )
    expect(pathsOf(r.data).some((p) => p.service === `${P}-celery-beat` && p.target === 'Weaviate')).toBe(false)
  })

  it("fails when the tasks' egress blocks the ports", async () => {
    const groups = healthyGroups()
    groups[0] = {...groups[0], IpPermissionsEgress: [tcp(443, {IpRanges: [{CidrIp: '0.0.0.0/0'}]})]}
    given({groups})
    const r = await network.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.summary).toBe('RDS:5432 blocked, Redis:6379 blocked, Weaviate:8080 blocked')
    expect(r.details?.[0]).toBe(`${P}-web → RDS:5432 (${P}-db): outbound rules of sg-tasks block port 5432 to sg-rds`)
    expect(r.hint).toContain(
      `aws ec2 authorize-security-group-egress --group-id sg-tasks --ip-permissions 'IpProtocol=tcp,FromPort=5432,ToPort=5432,UserIdGroupPairs=[{GroupId=sg-rds}]'`,
    )
  })

  it("accepts egress to the VPC CIDR where the target's subnets are known, and warns where they are not (Redis)", async () => {
    const groups = healthyGroups()
    groups[0] = {...groups[0], IpPermissionsEgress: [{IpProtocol: '-1', IpRanges: [{CidrIp: '10.0.0.0/16'}]}]}
    given({groups})
    const r = await network.run(ctxWith())
    expect(r.status).toBe('warn')
    expect(r.summary).toBe('Redis:6379 unverified')
    expect(r.details?.[0]).toBe(
      `${P}-web → Redis:6379 (${P}-redis): not verified: rules to 10.0.0.0/16 cannot be matched: the subnets are unknown`,
    )
    expect(r.details).toContain(
      `${P}-web → RDS:5432 (${P}-db): allowed (sg-rds inbound tcp/5432 from sg-tasks; outbound to sg-tasks 10.0.0.0/16)`,
    )
  })

  it('notes what it cannot find and checks the rest', async () => {
    given({
      db: 'missing',
      services: [
        service('web'),
        service('celery', {networkConfiguration: undefined, launchType: 'EC2'}),
        service('weaviate'),
      ],
    })
    const r = await network.run(ctxWith())
    expect(r.status).toBe('warn')
    expect(r.details?.slice(0, 3)).toEqual([
      `${P}-celery: no awsvpc security groups: its paths are not checked`,
      `${P}-celery-beat: service not found: its paths are not checked`,
      `${P}-db: RDS instance not found: paths to RDS are not checked`,
    ])
    expect(r.details).toContain(
      `${P}-web → Redis:6379 (${P}-redis): allowed (inbound from sg-redis 10.0.0.0/16; sg-tasks outbound to 0.0.0.0/0)`,
    )
    expect(pathsOf(r.data)).toHaveLength(2)
  })

  it('reads a standalone Redis cluster when there is no replication group, and notes a missing one', async () => {
    given({
      group: 'missing',
      clusters: [
        cacheCluster(`${P}-redis`, {
          ReplicationGroupId: undefined,
          CacheNodes: [{CacheNodeId: '0001', Endpoint: {Address: 'x', Port: 6380}}],
        }),
      ],
      groups: [
        ...healthyGroups().slice(0, 2),
        sg('sg-redis', [tcp(6380, {UserIdGroupPairs: [{GroupId: 'sg-tasks'}]})]),
      ],
    })
    const r = await network.run(ctxWith())
    expect(r).toMatchObject({status: 'pass', summary: 'ECS tasks reach RDS:5432, Redis:6380, Weaviate:8080'})

    resetMocks()
    mocks.ec2.reset()
    given({group: 'missing', clusters: []})
    const missing = await network.run(ctxWith())
    expect(missing.status).toBe('warn')
    expect(missing.details?.[0]).toBe(`${P}-redis: Redis not found: paths to Redis are not checked`)
  })

  it('warns about a security group that no longer exists', async () => {
    given({groups: healthyGroups().filter((g) => g.GroupId !== 'sg-rds')})
    const r = await network.run(ctxWith())
    expect(r.status).toBe('warn')
    expect(r.details?.[0]).toBe(`sg-rds: security group not found (used by ${P}-db)`)
    expect(pathsOf(r.data).some((p) => p.target === 'RDS')).toBe(false)
  })

  it('warns, without crashing, when the cluster does not exist', async () => {
    given()
    noCluster()
    const r = await network.run(ctxWith())
    expect(r.status).toBe('warn')
    expect(r.summary).toBe('cluster not found')
    expect(r.details).toEqual([`${P}-cluster: ECS cluster not found: no service's paths are checked`])
    expect(mocks.ec2).toHaveReceivedCommandTimes(DescribeSecurityGroupsCommand, 0)
  })

  it('reads the RDS instance once per run', async () => {
    given()
    const ctx = ctxWith()
    await Promise.all([network.run(ctx), dbInstance(ctx)])
    expect(mocks.rds).toHaveReceivedCommandTimes(DescribeDBInstancesCommand, 1)
  })

  it('is an error naming the IAM action when DescribeSecurityGroups is denied', async () => {
    given()
    mocks.ec2.on(DescribeSecurityGroupsCommand).rejects(accessDenied('ec2:DescribeSecurityGroups'))
    await expectErrorNaming(network, 'ec2:DescribeSecurityGroups')
  })

  it('is an error when DescribeDBInstances is denied', async () => {
    given()
    mocks.rds.on(DescribeDBInstancesCommand).rejects(accessDenied('rds:DescribeDBInstances'))
    await expect(network.run(ctxWith())).rejects.toThrow(/rds:DescribeDBInstances/)
  })
})
