import {
  DescribeServicesCommand,
  type DescribeServicesCommandOutput,
  DescribeTasksCommand,
  ListServicesCommand,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs'
import {beforeEach, describe, expect, it} from 'vitest'

import type {ServiceConfig, ServiceKey} from '../../src/config.js'
import {
  describeEnvServices,
  describeStoppedTask,
  likelyName,
  parseSecretRef,
  recentStoppedTasks,
  secretLabel,
  taskDefinitionLabel,
} from '../../src/resources/ecs.js'
import {accessDenied, mocks, resetMocks} from '../helpers/aws.js'
import {ctxWith, envWith} from '../helpers/context.js'
import {
  CLUSTER,
  listTasks,
  noCluster,
  namedService as svc,
  serviceArn,
  stoppedTask as ecsStoppedTask,
  taskArn,
} from '../helpers/ecs.js'

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:production/allthrive/stripe/credentials-AbCdEf'

const described = (out: Partial<DescribeServicesCommandOutput>): DescribeServicesCommandOutput => ({
  $metadata: {},
  ...out,
})

describe('parseSecretRef', () => {
  it('reads a full Secrets Manager ARN, keeping the 6-character suffix in the secretId', () => {
    expect(parseSecretRef(ARN)).toEqual({kind: 'secretsmanager', secretId: ARN})
  })

  it('reads json-key, version-stage and version-id, any of them empty', () => {
    expect(parseSecretRef(`${ARN}:STRIPE_SECRET_KEY::`)).toEqual({
      kind: 'secretsmanager',
      secretId: ARN,
      jsonKey: 'STRIPE_SECRET_KEY',
    })
    expect(parseSecretRef(`${ARN}:STRIPE_SECRET_KEY`)).toEqual({
      kind: 'secretsmanager',
      secretId: ARN,
      jsonKey: 'STRIPE_SECRET_KEY',
    })
    expect(parseSecretRef(`${ARN}::AWSPREVIOUS:`)).toEqual({
      kind: 'secretsmanager',
      secretId: ARN,
      versionStage: 'AWSPREVIOUS',
    })
    expect(parseSecretRef(`${ARN}:KEY::0123-abcd`)).toEqual({
      kind: 'secretsmanager',
      secretId: ARN,
      jsonKey: 'KEY',
      versionId: '0123-abcd',
    })
    expect(parseSecretRef(` ${ARN}:KEY:AWSCURRENT:v1 `)).toEqual({
      kind: 'secretsmanager',
      secretId: ARN,
      jsonKey: 'KEY',
      versionStage: 'AWSCURRENT',
      versionId: 'v1',
    })
  })

  it('reads ARNs of other partitions and a partial ARN without suffix', () => {
    const gov = 'arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:app'
    expect(parseSecretRef(`${gov}:SECRET_KEY::`)).toEqual({
      kind: 'secretsmanager',
      secretId: gov,
      jsonKey: 'SECRET_KEY',
    })
  })

  it('reads Parameter Store ARNs and bare names as SSM parameters', () => {
    const ssmArn = 'arn:aws:ssm:us-east-1:123456789012:parameter/production/allthrive/REDIS_URL'
    expect(parseSecretRef(ssmArn)).toEqual({kind: 'ssm', name: ssmArn})
    expect(parseSecretRef('/production/allthrive/REDIS_URL')).toEqual({
      kind: 'ssm',
      name: '/production/allthrive/REDIS_URL',
    })
    expect(parseSecretRef('REDIS_URL')).toEqual({kind: 'ssm', name: 'REDIS_URL'})
  })

  it("reads Parameter Store's pass-through to Secrets Manager as the secret", () => {
    expect(parseSecretRef('/aws/reference/secretsmanager/production/allthrive/app')).toEqual({
      kind: 'secretsmanager',
      secretId: 'production/allthrive/app',
    })
    expect(
      parseSecretRef(
        'arn:aws:ssm:us-east-1:123456789012:parameter/aws/reference/secretsmanager/production/allthrive/app',
      ),
    ).toEqual({kind: 'secretsmanager', secretId: 'production/allthrive/app'})
  })

  it('does not guess at other ARNs or an empty value', () => {
    expect(parseSecretRef('arn:aws:s3:::bucket/key')).toEqual({kind: 'unknown', valueFrom: 'arn:aws:s3:::bucket/key'})
    expect(parseSecretRef('')).toEqual({kind: 'unknown', valueFrom: ''})
  })
})

describe('labels', () => {
  it('shortens task definition ARNs and secret ARNs', () => {
    expect(taskDefinitionLabel('arn:aws:ecs:us-east-1:123456789012:task-definition/production-allthrive-web:42')).toBe(
      'production-allthrive-web:42',
    )
    expect(secretLabel(ARN)).toBe('production/allthrive/stripe/credentials-AbCdEf')
    expect(secretLabel('production/allthrive/app')).toBe('production/allthrive/app')
  })
})

describe('describeEnvServices', () => {
  beforeEach(() => resetMocks())

  it('describes every configured service in one call, once per run', async () => {
    mocks.ecs.on(DescribeServicesCommand).resolves(
      described({
        services: [
          svc('production-allthrive-web'),
          svc('production-allthrive-celery'),
          svc('production-allthrive-weaviate'),
        ],
        failures: [{arn: serviceArn('production-allthrive-celery-beat'), reason: 'MISSING'}],
      }),
    )
    const ctx = ctxWith()
    const [a, b] = await Promise.all([describeEnvServices(ctx), describeEnvServices(ctx)])
    expect(a).toBe(b)
    expect([...a.services.keys()]).toEqual(['web', 'celery', 'weaviate'])
    expect(a).toMatchObject({missing: ['celery-beat'], clusterMissing: false})
    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeServicesCommand, 1)
    expect(mocks.ecs).toHaveReceivedCommandWith(DescribeServicesCommand, {
      cluster: CLUSTER,
      services: [
        'production-allthrive-web',
        'production-allthrive-celery',
        'production-allthrive-celery-beat',
        'production-allthrive-weaviate',
      ],
    })
  })

  it('counts a service ECS leaves out without a failure entry as missing', async () => {
    mocks.ecs.on(DescribeServicesCommand).resolves(described({services: [svc('production-allthrive-web')]}))
    const r = await describeEnvServices(ctxWith())
    expect(r.missing).toEqual(['celery', 'celery-beat', 'weaviate'])
  })

  it('prefers the ACTIVE service when a re-created name comes back twice', async () => {
    mocks.ecs.on(DescribeServicesCommand).resolves(
      described({
        services: [
          svc('production-allthrive-web', {status: 'INACTIVE', desiredCount: 0}),
          svc('production-allthrive-web', {desiredCount: 2}),
        ],
      }),
    )
    const r = await describeEnvServices(ctxWith())
    expect(r.services.get('web')).toMatchObject({status: 'ACTIVE', desiredCount: 2})
  })

  it('describes the configured services while ListServices is still answering (one round trip, not two)', async () => {
    let listed: (v: {serviceArns: string[]}) => void = () => {}
    mocks.ecs.on(ListServicesCommand).callsFake(() => new Promise((resolve) => (listed = resolve)))
    mocks.ecs.on(DescribeServicesCommand).callsFake((input: {services: string[]}) => {
      // ListServices answers only once the configured services were asked for: a run that waited for the list
      // before describing would never get here.
      setTimeout(() => listed({serviceArns: [serviceArn('production-allthrive-web')]}), 0)
      return described({services: input.services.map((n) => svc(n))})
    })
    const r = await describeEnvServices(ctxWith())
    expect([...r.services.keys()]).toEqual(['web', 'celery', 'celery-beat', 'weaviate'])
    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeServicesCommand, 1)
  })

  it('guesses the service names of the cluster convention allthriveai-<env>, and a configured name as it is', () => {
    const env = envWith({cluster: 'allthriveai-production'})
    const web = env.services.find((s) => s.key === 'web')!
    expect(likelyName(env, web)).toBe('allthriveai-production-web')
    expect(likelyName(envWith(), web)).toBe('production-allthrive-web')
    const configured: ServiceConfig = {...web, name: 'my-web', sources: {name: 'config file'}}
    expect(likelyName(env, configured)).toBe('my-web')
  })

  it('splits more than 10 services into calls of 10', async () => {
    const base = envWith().services[0]
    const services: ServiceConfig[] = Array.from({length: 12}, (_, i) => ({
      ...base,
      key: `svc-${i}` as ServiceKey,
      name: `svc-${i}`,
    }))
    mocks.ecs.on(DescribeServicesCommand).resolves(described({services: services.map((s) => svc(s.name))}))
    const r = await describeEnvServices(ctxWith({services}))
    expect(r.services.size).toBe(12)
    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeServicesCommand, 2)
    expect(mocks.ecs).toHaveReceivedNthCommandWith(DescribeServicesCommand, 2, {services: ['svc-10', 'svc-11']})
  })

  it('reports a missing cluster', async () => {
    noCluster()
    const r = await describeEnvServices(ctxWith())
    expect(r).toMatchObject({clusterMissing: true, missing: ['web', 'celery', 'celery-beat', 'weaviate']})
  })

  it('lets other errors through', async () => {
    mocks.ecs.on(DescribeServicesCommand).rejects(accessDenied('ecs:DescribeServices'))
    await expect(describeEnvServices(ctxWith())).rejects.toThrow(/ecs:DescribeServices/)
  })
})

describe('recentStoppedTasks', () => {
  beforeEach(() => resetMocks())

  const stoppedTask = (id: string, group: string, minute: number): Task => ecsStoppedTask('web', id, minute, {group})

  it("keeps each service's newest stopped tasks, matched by group, with one DescribeTasks", async () => {
    const tasks = [
      stoppedTask('a1', 'service:production-allthrive-web', 10),
      stoppedTask('a2', 'service:production-allthrive-web', 30),
      stoppedTask('a3', 'service:production-allthrive-web', 20),
      stoppedTask('b1', 'service:production-allthrive-celery', 5),
      stoppedTask('z9', 'family:one-off', 59),
    ]
    // An emulator that ignores serviceName answers every ListTasks with every stopped task of the cluster.
    listTasks(tasks)
    const r = await recentStoppedTasks(ctxWith(), ['production-allthrive-web', 'production-allthrive-celery'], 2)
    expect(r.get('production-allthrive-web')!.map((t) => t.taskArn!.split('/').pop())).toEqual(['a2', 'a3'])
    expect(r.get('production-allthrive-celery')!.map((t) => t.taskArn!.split('/').pop())).toEqual(['b1'])
    expect(mocks.ecs).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: CLUSTER,
      serviceName: 'production-allthrive-web',
      desiredStatus: 'STOPPED',
    })
    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeTasksCommand, 1)
    expect(mocks.ecs.commandCalls(DescribeTasksCommand)[0].args[0].input.tasks).toHaveLength(5)
  })

  it('describes more than 100 tasks in calls of 100', async () => {
    const arns = (prefix: string) => Array.from({length: 80}, (_, i) => taskArn(`${prefix}${i}`))
    mocks.ecs.on(ListTasksCommand, {serviceName: 'web'}).resolves({taskArns: arns('w')})
    mocks.ecs.on(ListTasksCommand, {serviceName: 'celery'}).resolves({taskArns: arns('c')})
    mocks.ecs.on(DescribeTasksCommand).resolves({tasks: []})
    await recentStoppedTasks(ctxWith(), ['web', 'celery'], 3)
    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeTasksCommand, 2)
  })

  it('makes no call when nothing is to be shown', async () => {
    await recentStoppedTasks(ctxWith(), ['web'], 0)
    await recentStoppedTasks(ctxWith(), [], 3)
    expect(mocks.ecs.calls()).toHaveLength(0)
  })
})

describe('describeStoppedTask', () => {
  it('names the task, the stop code and reason, and each container that says why', () => {
    const task: Task = {
      taskArn: taskArn('1a2b3c4d'),
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'ResourceInitializationError: unable to pull secrets or registry auth',
      containers: [
        {name: 'web', exitCode: 1},
        {name: 'sidecar'},
        {name: 'init', reason: 'CannotPullContainerError: not found'},
      ],
    }
    expect(describeStoppedTask(task)).toBe(
      'task 1a2b3c4d: TaskFailedToStart — ResourceInitializationError: unable to pull secrets or registry auth (container web exit 1; container init: CannotPullContainerError: not found)',
    )
    expect(describeStoppedTask({taskArn: 'arn:aws:ecs:us-east-1:1:task/c/ff'})).toBe('task ff: stopped')
  })
})
