import {
  type CacheCluster,
  DescribeCacheClustersCommand,
  type DescribeCacheClustersCommandOutput,
  DescribeReplicationGroupsCommand,
  type DescribeReplicationGroupsCommandOutput,
  type ReplicationGroup,
  ReplicationGroupNotFoundFault,
} from '@aws-sdk/client-elasticache'
import {beforeEach, describe, expect, it} from 'vitest'

import {redis} from '../../src/checks/redis.js'
import {accessDenied, mocks, resetMocks} from '../helpers/aws.js'
import {ctxWith, expectErrorNaming} from '../helpers/context.js'

const RG = 'production-allthrive-redis'
/** The second argument of `send` (the typed stub only declares the command). */
const optionsOf = (call: {args: readonly unknown[]}): unknown => call.args[1]
const ENDPOINT = {Address: `master.${RG}.abc123.use1.cache.amazonaws.com`, Port: 6379}

/** A healthy cluster-mode-disabled group: a primary and a replica, TLS required. */
function group(over: Partial<ReplicationGroup> = {}): ReplicationGroup {
  return {
    ReplicationGroupId: RG,
    Status: 'available',
    Engine: 'redis',
    MemberClusters: [`${RG}-001`, `${RG}-002`],
    NodeGroups: [
      {
        NodeGroupId: '0001',
        Status: 'available',
        PrimaryEndpoint: ENDPOINT,
        NodeGroupMembers: [
          {CacheClusterId: `${RG}-001`, CacheNodeId: '0001', CurrentRole: 'primary'},
          {CacheClusterId: `${RG}-002`, CacheNodeId: '0001', CurrentRole: 'replica'},
        ],
      },
    ],
    AutomaticFailover: 'enabled',
    MultiAZ: 'enabled',
    ClusterEnabled: false,
    CacheNodeType: 'cache.t3.micro',
    TransitEncryptionEnabled: true,
    TransitEncryptionMode: 'required',
    AtRestEncryptionEnabled: true,
    ...over,
  }
}

function cluster(id: string, over: Partial<CacheCluster> = {}, nodeStatus = 'available'): CacheCluster {
  return {
    CacheClusterId: id,
    ReplicationGroupId: RG,
    CacheClusterStatus: 'available',
    Engine: 'redis',
    EngineVersion: '7.1.0',
    CacheNodeType: 'cache.t3.micro',
    NumCacheNodes: 1,
    CacheNodes: [
      {
        CacheNodeId: '0001',
        CacheNodeStatus: nodeStatus,
        Endpoint: {Address: `${id}.abc123.0001.use1.cache.amazonaws.com`, Port: 6379},
        CustomerAvailabilityZone: 'us-east-1a',
      },
    ],
    TransitEncryptionEnabled: true,
    AtRestEncryptionEnabled: true,
    ...over,
  }
}

const groupIs = (g: ReplicationGroup) => {
  const out: DescribeReplicationGroupsCommandOutput = {$metadata: {}, ReplicationGroups: [g]}
  mocks.elasticache.on(DescribeReplicationGroupsCommand).resolves(out)
}

const noGroup = () =>
  mocks.elasticache.on(DescribeReplicationGroupsCommand).rejects(
    new ReplicationGroupNotFoundFault({
      message: `ReplicationGroup ${RG} not found.`,
      $metadata: {httpStatusCode: 404},
    }),
  )

const clustersAre = (...clusters: CacheCluster[]) => {
  const out: DescribeCacheClustersCommandOutput = {$metadata: {}, CacheClusters: clusters}
  mocks.elasticache.on(DescribeCacheClustersCommand).resolves(out)
}

const healthyMembers = () => [cluster(`${RG}-001`), cluster(`${RG}-002`, {}, 'available')]

describe('redis check', () => {
  beforeEach(() => resetMocks())

  it('passes a healthy replication group, looking only at its own member clusters', async () => {
    groupIs(group())
    clustersAre(
      cluster('other-app-redis-001', {
        ReplicationGroupId: 'other-app-redis',
        EngineVersion: '6.2.6',
        CacheClusterStatus: 'deleting',
      }),
      ...healthyMembers(),
    )
    const ctx = ctxWith()
    const r = await redis.run(ctx)
    expect(r.status).toBe('pass')
    expect(r.summary).toBe(`${RG} available, redis 7.1.0 cache.t3.micro, 2 nodes, TLS on`)
    expect(r.details).toEqual([])
    expect(r.data).toMatchObject({
      id: RG,
      kind: 'replication-group',
      status: 'available',
      engine: 'redis',
      engineVersion: '7.1.0',
      nodeType: 'cache.t3.micro',
      nodeGroups: 1,
      nodes: 2,
      transitEncryption: true,
      transitEncryptionMode: 'required',
      atRestEncryption: true,
      automaticFailover: 'enabled',
      multiAz: 'enabled',
      endpoint: `${ENDPOINT.Address}:6379`,
    })
    expect((r.data?.members as unknown[]).length).toBe(2)
    expect(mocks.elasticache).toHaveReceivedCommandWith(DescribeReplicationGroupsCommand, {ReplicationGroupId: RG})
    expect(mocks.elasticache).toHaveReceivedCommandWith(DescribeCacheClustersCommand, {ShowCacheNodeInfo: true})
    for (const call of mocks.elasticache.calls()) expect(optionsOf(call)).toEqual({abortSignal: ctx.signal})
  })

  it('lists clusters while the replication group is still being described', async () => {
    let answer: (out: DescribeReplicationGroupsCommandOutput) => void = () => {}
    mocks.elasticache.on(DescribeReplicationGroupsCommand).callsFake(() => new Promise((resolve) => (answer = resolve)))
    clustersAre(...healthyMembers())
    const pending = redis.run(ctxWith())
    await new Promise((resolve) => setImmediate(resolve))
    expect(mocks.elasticache).toHaveReceivedCommandTimes(DescribeCacheClustersCommand, 1)
    answer({$metadata: {}, ReplicationGroups: [group()]})
    expect((await pending).status).toBe('pass')
  })

  it('follows every page of clusters', async () => {
    groupIs(group())
    const first: DescribeCacheClustersCommandOutput = {
      $metadata: {},
      CacheClusters: [cluster(`${RG}-001`)],
      Marker: 'page-2',
    }
    const second: DescribeCacheClustersCommandOutput = {
      $metadata: {},
      CacheClusters: [cluster(`${RG}-002`, {}, 'failed')],
    }
    mocks.elasticache
      .on(DescribeCacheClustersCommand)
      .resolves(first)
      .on(DescribeCacheClustersCommand, {Marker: 'page-2'})
      .resolves(second)
    const r = await redis.run(ctxWith())
    expect(mocks.elasticache).toHaveReceivedCommandTimes(DescribeCacheClustersCommand, 2)
    expect(mocks.elasticache).toHaveReceivedNthCommandWith(DescribeCacheClustersCommand, 2, {
      Marker: 'page-2',
      ShowCacheNodeInfo: true,
    })
    expect(r.details).toEqual([`${RG}-002/0001: node status is failed`])
  })

  it('fails naming each unavailable node and cluster', async () => {
    groupIs(group())
    clustersAre(
      cluster(`${RG}-001`),
      cluster(`${RG}-002`, {CacheClusterStatus: 'incompatible-network'}, 'incompatible-network'),
    )
    const r = await redis.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.summary).toBe(`${RG}: 1 of 2 nodes not available`)
    expect(r.details).toEqual([
      `${RG}-002: cluster status is incompatible-network`,
      `${RG}-002/0001: node status is incompatible-network`,
    ])
    expect(r.hint).toBe(
      `See what happened: aws elasticache describe-events --source-type cache-cluster --source-identifier ${RG}-002 --duration 1440`,
    )
  })

  it('warns while a node reboots', async () => {
    groupIs(group())
    clustersAre(
      cluster(`${RG}-001`),
      cluster(`${RG}-002`, {CacheClusterStatus: 'rebooting cache cluster nodes'}, 'rebooting'),
    )
    const r = await redis.run(ctxWith())
    expect(r.status).toBe('warn')
    expect(r.details).toContain(`${RG}-002/0001: node status is rebooting`)
  })

  it('finds members by MemberClusters when clusters do not name their group', async () => {
    groupIs(group())
    clustersAre(
      cluster(`${RG}-001`, {ReplicationGroupId: undefined}),
      cluster(`${RG}-002`, {ReplicationGroupId: undefined}, 'failed'),
    )
    const r = await redis.run(ctxWith())
    expect(r).toMatchObject({status: 'fail', details: [`${RG}-002/0001: node status is failed`]})
  })

  it('reports node status as unknown, not a failure, when no member clusters are listed', async () => {
    groupIs(group())
    clustersAre()
    const r = await redis.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(r.summary).toBe(`${RG} available, redis (version unknown) cache.t3.micro, 2 nodes, TLS on`)
    expect(r.details).toEqual([`${RG}: node status unknown: no member cache clusters were listed`])
    expect(r.data).toMatchObject({engineVersion: null, nodes: 2})
  })

  it.each([
    ['creating', 'warn'],
    ['modifying', 'warn'],
    ['snapshotting', 'warn'],
    ['create-failed', 'fail'],
    ['deleting', 'fail'],
  ])('reports replication group status %s as %s', async (status, expected) => {
    groupIs(group({Status: status}))
    clustersAre(...healthyMembers())
    const r = await redis.run(ctxWith())
    expect(r).toMatchObject({
      status: expected,
      summary: `${RG}: ${status}`,
      details: [`${RG}: replication group status is ${status}`],
    })
    expect(r.hint).toContain(`--source-type replication-group --source-identifier ${RG}`)
  })

  it('fails when in-transit encryption is off, with the two-step way to enable it', async () => {
    groupIs(group({TransitEncryptionEnabled: false, TransitEncryptionMode: undefined}))
    clustersAre(...healthyMembers())
    const r = await redis.run(ctxWith())
    expect(r).toMatchObject({
      status: 'fail',
      summary: `${RG}: TLS off`,
      details: [`${RG}: in-transit encryption (TLS) is off`],
    })
    expect(r.hint).toContain(
      `aws elasticache modify-replication-group --replication-group-id ${RG} --transit-encryption-enabled --transit-encryption-mode preferred`,
    )
    expect(r.hint).toContain('--transit-encryption-mode required')
    expect(r.hint).toContain('Redis 7+')
    expect(r.data).toMatchObject({transitEncryption: false})
  })

  it('warns while TLS is only preferred', async () => {
    groupIs(group({TransitEncryptionMode: 'preferred'}))
    clustersAre(...healthyMembers())
    const r = await redis.run(ctxWith())
    expect(r).toMatchObject({status: 'warn', summary: `${RG}: TLS not required`})
    expect(r.hint).toContain('--transit-encryption-mode required')
  })

  it('combines findings: worst status, every detail', async () => {
    groupIs(group({Status: 'modifying', TransitEncryptionEnabled: false}))
    clustersAre(cluster(`${RG}-001`), cluster(`${RG}-002`, {}, 'failed'))
    const r = await redis.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.summary).toBe(`${RG}: 1 of 2 nodes not available, TLS off, modifying`)
    expect(r.details).toEqual([
      `${RG}-002/0001: node status is failed`,
      `${RG}: in-transit encryption (TLS) is off`,
      `${RG}: replication group status is modifying`,
    ])
  })

  it('counts shards of a cluster-mode-enabled group and uses its configuration endpoint', async () => {
    const shard = (n: string) => ({
      NodeGroupId: n,
      Status: 'available',
      NodeGroupMembers: [
        {CacheClusterId: `${RG}-${n}-001`, CacheNodeId: '0001'},
        {CacheClusterId: `${RG}-${n}-002`, CacheNodeId: '0001'},
      ],
    })
    groupIs(
      group({
        ClusterEnabled: true,
        NodeGroups: [shard('0001'), shard('0002')],
        ConfigurationEndpoint: {Address: `clustercfg.${RG}.abc123.use1.cache.amazonaws.com`, Port: 6379},
        MemberClusters: [],
      }),
    )
    clustersAre(...['0001-001', '0001-002', '0002-001', '0002-002'].map((s) => cluster(`${RG}-${s}`)))
    const r = await redis.run(ctxWith())
    expect(r.summary).toBe(`${RG} available, redis 7.1.0 cache.t3.micro, 4 nodes in 2 shards, TLS on`)
    expect(r.data).toMatchObject({
      nodeGroups: 2,
      nodes: 4,
      clusterMode: true,
      endpoint: `clustercfg.${RG}.abc123.use1.cache.amazonaws.com:6379`,
    })
  })

  it('falls back to a single cache cluster of that id when there is no replication group', async () => {
    noGroup()
    clustersAre(cluster(RG, {ReplicationGroupId: undefined}))
    const r = await redis.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(r.summary).toBe(`${RG} available, redis 7.1.0 cache.t3.micro, single cluster, 1 node, TLS on`)
    expect(r.data).toMatchObject({
      id: RG,
      kind: 'cache-cluster',
      status: 'available',
      engineVersion: '7.1.0',
      nodes: 1,
      transitEncryption: true,
    })
  })

  it("checks the single cluster's status, nodes and TLS", async () => {
    noGroup()
    clustersAre(
      cluster(
        RG,
        {ReplicationGroupId: undefined, CacheClusterStatus: 'modifying', TransitEncryptionEnabled: false},
        'failed',
      ),
    )
    const r = await redis.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.details).toEqual([
      `${RG}/0001: node status is failed`,
      `${RG}: in-transit encryption (TLS) is off`,
      `${RG}: cluster status is modifying`,
    ])
    expect(r.hint).toContain('cannot turn TLS on in place')
  })

  it('fails naming the id when neither a replication group nor a cluster exists', async () => {
    noGroup()
    clustersAre(cluster('other-app-redis-001', {ReplicationGroupId: 'other-app-redis'}))
    const r = await redis.run(ctxWith())
    expect(r).toMatchObject({
      status: 'fail',
      summary: `${RG} not found`,
      details: [`${RG}: no ElastiCache replication group or cache cluster with this id in us-east-1`],
      data: {id: RG},
    })
    expect(r.hint).toContain(
      'aws elasticache describe-replication-groups --query "ReplicationGroups[].ReplicationGroupId"',
    )
    expect(r.hint).toContain('redis.replicationGroupId')
  })

  it('uses the configured replication group id', async () => {
    groupIs(group({ReplicationGroupId: 'legacy-redis', MemberClusters: ['legacy-redis-001']}))
    clustersAre(cluster('legacy-redis-001', {ReplicationGroupId: 'legacy-redis'}))
    const r = await redis.run(ctxWith({redis: {replicationGroupId: 'legacy-redis'}}))
    expect(mocks.elasticache).toHaveReceivedCommandWith(DescribeReplicationGroupsCommand, {
      ReplicationGroupId: 'legacy-redis',
    })
    expect(r.summary).toMatch(/^legacy-redis available/)
  })

  it.each([
    [DescribeReplicationGroupsCommand, 'elasticache:DescribeReplicationGroups'],
    [DescribeCacheClustersCommand, 'elasticache:DescribeCacheClusters'],
  ] as const)('is an error naming the action when %s is denied', async (Cmd, action) => {
    groupIs(group())
    clustersAre(...healthyMembers())
    mocks.elasticache.on(Cmd).rejects(accessDenied(action))
    await expect(redis.run(ctxWith())).rejects.toThrow(action)
    await expectErrorNaming(redis, action)
  })

  it('declares every IAM action it calls', () => {
    expect(redis.iam).toEqual(['elasticache:DescribeReplicationGroups', 'elasticache:DescribeCacheClusters'])
  })
})
