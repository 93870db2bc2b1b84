import {
  ClusterNotFoundException,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListClustersCommand,
  ListServicesCommand,
} from '@aws-sdk/client-ecs'
import {beforeEach, describe, expect, it} from 'vitest'

import {ecsServices} from '../../src/checks/ecs-services.js'
import {describeEnvServices} from '../../src/resources/ecs.js'
import {
  clusterNotFoundText,
  discoverEnvironment,
  listEnvironments,
  resolveCluster,
} from '../../src/resources/discovery.js'
import {mocks, resetMocks} from '../helpers/aws.js'
import {ctxWith} from '../helpers/context.js'
import {accountClusters, ECS_ARN, listTasks, namedService} from '../helpers/ecs.js'
import {GROUP, OTHER, otherEnvironment, otherTd} from '../helpers/other-env.js'

describe('resolveCluster', () => {
  beforeEach(() => resetMocks())

  it('takes the configured name, even when the account does not have it (then found: false)', async () => {
    accountClusters([{name: 'production-allthrive-cluster'}])
    expect(await resolveCluster(ctxWith(), 'production', 'my-cluster')).toMatchObject({
      name: 'my-cluster',
      source: 'config file',
      found: false,
    })
  })

  it('takes <env>-allthrive-cluster first, then allthriveai-<env>', async () => {
    accountClusters([{name: 'allthriveai-production'}, {name: 'production-allthrive-cluster'}])
    expect(await resolveCluster(ctxWith(), 'production')).toMatchObject({
      name: 'production-allthrive-cluster',
      source: 'convention',
      found: true,
    })
    resetMocks()
    accountClusters([{name: 'allthriveai-production'}, {name: 'production-allthrive-cluster', status: 'INACTIVE'}])
    expect(await resolveCluster(ctxWith(), 'production')).toMatchObject({
      name: 'allthriveai-production',
      source: 'convention',
      found: true,
    })
  })

  it('finds a cluster by its tags Project=allthrive and Environment=<env>', async () => {
    accountClusters([
      {name: 'ops-cluster-7', tags: {Project: 'allthrive', Environment: 'demo'}},
      {name: 'other', tags: {Project: 'x', Environment: 'demo'}},
    ])
    expect(await resolveCluster(ctxWith(), 'demo')).toMatchObject({
      name: 'ops-cluster-7',
      source: 'discovered',
      how: 'tags Project=allthrive, Environment=demo',
      found: true,
    })
  })

  it('names what was searched when nothing is found', async () => {
    accountClusters([{name: 'unrelated'}])
    const r = await resolveCluster(ctxWith(), 'staging')
    expect(r).toMatchObject({
      found: false,
      searched: [
        'staging-allthrive-cluster',
        'allthriveai-staging',
        'a cluster tagged Project=allthrive and Environment=staging',
      ],
    })
    expect(clusterNotFoundText('staging', 'us-east-1', r.searched)).toBe(
      'No ECS cluster of environment staging in us-east-1: looked for staging-allthrive-cluster, allthriveai-staging and a cluster tagged Project=allthrive and Environment=staging.',
    )
  })

  it('reads ListClusters page by page and DescribeClusters 100 at a time with tags, once per run', async () => {
    const names = Array.from({length: 150}, (_, i) => `c-${i}`)
    const arn = (n: string) => `${ECS_ARN}:cluster/${n}`
    mocks.ecs
      .on(ListClustersCommand)
      .resolves({clusterArns: names.slice(100).map(arn)})
      .on(ListClustersCommand, {nextToken: undefined, maxResults: 100})
      .resolves({clusterArns: names.slice(0, 100).map(arn), nextToken: 't2'})
    // As ECS answers: the clusters that exist, a failure (left out here) for the others.
    mocks.ecs.on(DescribeClustersCommand).callsFake((input: {clusters: string[]}) => ({
      clusters: input.clusters
        .map((a) => a.split('/').pop()!)
        .filter((n) => names.includes(n))
        .map((n) => ({
          clusterArn: arn(n),
          clusterName: n,
          status: 'ACTIVE',
          tags:
            n === 'c-149'
              ? [
                  {key: 'Project', value: 'allthrive'},
                  {key: 'Environment', value: 'qa'},
                ]
              : [],
        })),
    }))
    const ctx = ctxWith()
    expect((await resolveCluster(ctx, 'qa')).name).toBe('c-149')
    expect((await resolveCluster(ctx, 'production')).found).toBe(false)
    expect(mocks.ecs.commandCalls(ListClustersCommand)).toHaveLength(2)
    const described = mocks.ecs.commandCalls(DescribeClustersCommand).map((c) => c.args[0].input)
    // The two names of each environment's conventions first (one call each), the account's clusters once.
    expect(described.map((d) => d.clusters?.length)).toEqual([2, 100, 50, 2])
    expect(described[0].clusters).toEqual(['qa-allthrive-cluster', 'allthriveai-qa'])
    expect(described.every((d) => d.include?.includes('TAGS'))).toBe(true)
  })

  it('takes a cluster of the convention from one DescribeClusters call, without listing the account', async () => {
    mocks.ecs.on(DescribeClustersCommand).resolves({
      clusters: [
        {clusterName: 'allthriveai-staging', clusterArn: `${ECS_ARN}:cluster/allthriveai-staging`, status: 'ACTIVE'},
      ],
      failures: [{arn: `${ECS_ARN}:cluster/staging-allthrive-cluster`, reason: 'MISSING'}],
    })
    const r = await resolveCluster(ctxWith(), 'staging')
    expect(r).toMatchObject({name: 'allthriveai-staging', found: true, how: 'naming convention allthriveai-staging'})
    expect(mocks.ecs.commandCalls(ListClustersCommand)).toHaveLength(0)
    expect(mocks.ecs.commandCalls(DescribeClustersCommand)).toHaveLength(1)
  })

  it('does not take an INACTIVE cluster of the convention: the tags decide then', async () => {
    accountClusters([
      {name: 'staging-allthrive-cluster', status: 'INACTIVE'},
      {name: 'ops-3', tags: {Project: 'allthrive', Environment: 'staging'}},
    ])
    const r = await resolveCluster(ctxWith(), 'staging')
    expect(r).toMatchObject({name: 'ops-3', found: true, source: 'discovered'})
  })
})

describe('listEnvironments', () => {
  beforeEach(() => resetMocks())

  it('lists built-in, configured and account environments with where each was found', async () => {
    accountClusters([
      {name: 'production-allthrive-cluster'},
      {name: 'allthriveai-demo'},
      {name: 'ops-7', tags: {Project: 'AllThrive', Environment: 'qa'}},
      {name: 'allthriveai-old', status: 'INACTIVE'},
      {name: 'unrelated'},
    ])
    const envs = await listEnvironments(ctxWith(), {environments: {preview: {}}})
    expect(envs).toEqual([
      {name: 'production', foundBy: ['built-in', 'cluster name'], clusters: ['production-allthrive-cluster']},
      {name: 'staging', foundBy: ['built-in'], clusters: []},
      {name: 'preview', foundBy: ['config file'], clusters: []},
      {name: 'demo', foundBy: ['cluster name'], clusters: ['allthriveai-demo']},
      {name: 'qa', foundBy: ['tags'], clusters: ['ops-7']},
    ])
  })
})

describe('describeEnvServices: every service of the cluster', () => {
  beforeEach(() => resetMocks())

  it('matches the roles by the other convention and keeps a fifth service under its short name', async () => {
    otherEnvironment()
    const ctx = ctxWith({cluster: OTHER})
    const r = await describeEnvServices(ctx)
    expect([...r.services.keys()]).toEqual(['web', 'celery', 'celery-beat', 'weaviate', 'celery-ai'])
    expect(r.services.get('web')?.serviceName).toBe('allthriveai-production-web')
    expect(r.missing).toEqual([])
    expect(r.others).toMatchObject([
      {key: 'celery-ai', name: 'allthriveai-production-celery-ai', sources: {name: 'discovered'}},
    ])
    expect(mocks.ecs).toHaveReceivedCommandWith(ListServicesCommand, {cluster: OTHER})
  })

  it('pages ListServices and describes 10 services a call', async () => {
    const names = Array.from({length: 23}, (_, i) => `production-allthrive-job-${i}`)
    const arn = (n: string) => `${ECS_ARN}:service/production-allthrive-cluster/${n}`
    mocks.ecs
      .on(ListServicesCommand)
      .resolves({serviceArns: names.slice(20).map(arn)})
      .on(ListServicesCommand, {nextToken: undefined})
      .resolves({serviceArns: names.slice(0, 20).map(arn), nextToken: 'p2'})
    mocks.ecs
      .on(DescribeServicesCommand)
      .callsFake((input: {services: string[]}) => ({services: input.services.map((n) => namedService(n))}))
    const r = await describeEnvServices(ctxWith())
    expect(r.others.map((o) => o.key)).toEqual(names.map((n) => n.replace('production-allthrive-', '')))
    // The names the 4 configured services may have (the conventions) while ListServices pages, then the 23 others;
    // at most 10 a call.
    const calls = mocks.ecs.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input.services ?? [])
    expect(calls.every((c) => c.length <= 10)).toBe(true)
    const others = calls.filter((c) => c.some((n) => names.includes(n)))
    expect(others.map((c) => c.length)).toEqual([10, 10, 3])
    expect(calls.flat().filter((n) => !names.includes(n))).toContain('production-allthrive-web')
  })
})

describe('discoverEnvironment', () => {
  beforeEach(() => resetMocks())

  it('resolves the other cluster name, every service, its container and its place in a shared log group', async () => {
    otherEnvironment()
    const {env, discovery} = await discoverEnvironment(ctxWith())
    expect(env.cluster).toBe(OTHER)
    expect(env.clusterOrigin).toMatchObject({source: 'convention', found: true})
    expect(env.services.map((s) => [s.key, s.name, s.container, s.logGroup, s.logStreamPrefix])).toEqual([
      ['web', 'allthriveai-production-web', 'web', GROUP, 'ecs'],
      ['celery', 'allthriveai-production-celery', 'celery', GROUP, 'ecs'],
      ['celery-beat', 'allthriveai-production-celery-beat', 'celery-beat', GROUP, 'ecs'],
      ['weaviate', 'allthriveai-production-weaviate', 'weaviate', GROUP, 'ecs'],
      ['celery-ai', 'allthriveai-production-celery-ai', 'worker', GROUP, 'ecs'],
    ])
    expect(env.services[0].sources).toEqual({name: 'discovered', container: 'discovered', logGroup: 'discovered'})
    expect(discovery.services.at(-1)).toMatchObject({
      key: 'celery-ai',
      status: 'ACTIVE',
      container: 'worker',
      logs: `${GROUP} (streams ecs/worker/<task-id>)`,
    })
  })

  it('says plainly where the logs of another driver go', async () => {
    otherEnvironment()
    mocks.ecs.on(DescribeTaskDefinitionCommand, {taskDefinition: otherTd('web')}).resolves({
      taskDefinition: {
        taskDefinitionArn: otherTd('web'),
        containerDefinitions: [
          {
            name: 'web',
            essential: true,
            logConfiguration: {
              logDriver: 'awsfirelens',
              options: {Name: 'datadog', Host: 'http-intake.logs.datadoghq.com'},
            },
          },
        ],
      },
    })
    const {env} = await discoverEnvironment(ctxWith())
    expect(env.services[0].logElsewhere).toBe(
      'logs go to the awsfirelens driver (Name=datadog), not CloudWatch Logs: they cannot be read here',
    )
  })

  it('keeps the convention and reports what was searched when the account has no cluster of the environment', async () => {
    accountClusters([])
    const {env, discovery} = await discoverEnvironment(ctxWith())
    expect(env.cluster).toBe('production-allthrive-cluster')
    expect(discovery).toMatchObject({
      cluster: {found: false},
      services: [],
      missing: ['web', 'celery', 'celery-beat', 'weaviate'],
    })
    expect(mocks.ecs.commandCalls(ListServicesCommand)).toHaveLength(0)
  })

  it('gives the fifth service the generic checks: its crash loop fails ecs-services', async () => {
    otherEnvironment()
    listTasks([])
    const ctx = ctxWith()
    const {env} = await discoverEnvironment(ctx)
    const r = await ecsServices.run({...ctx, env})
    expect(r.status).toBe('fail')
    expect(r.summary).toContain('celery-ai')
    expect(JSON.stringify(r.data)).toContain('allthriveai-production-celery-ai')
    // One ListServices for the whole run (discovery and the check share the memo); DescribeServices for the names the
    // configured services may have, then for the fifth service ListServices found.
    expect(mocks.ecs.commandCalls(ListServicesCommand)).toHaveLength(1)
    const described = mocks.ecs.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input.services ?? [])
    expect(described.flat()).toContain('allthriveai-production-web')
    expect(described.at(-1)).toEqual(['allthriveai-production-celery-ai'])
    expect(described.flat().filter((n) => n === 'allthriveai-production-celery-ai')).toHaveLength(1)
  })
})

describe('validate when the account has no cluster of the environment', () => {
  beforeEach(() => resetMocks())

  it('ecs-services names what discovery looked for', async () => {
    accountClusters([])
    mocks.ecs
      .on(ListServicesCommand)
      .rejects(new ClusterNotFoundException({message: 'Cluster not found.', $metadata: {}}))
    const ctx = ctxWith({}, {name: 'staging'})
    const {env} = await discoverEnvironment(ctx)
    const r = await ecsServices.run({...ctx, env})
    expect(r.status).toBe('fail')
    expect(r.details).toContain(
      'looked for staging-allthrive-cluster; allthriveai-staging; a cluster tagged Project=allthrive and Environment=staging',
    )
  })
})
