import {
  type Container,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type ListTasksCommandOutput,
  type Service,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs'
import {beforeEach, describe, expect, it} from 'vitest'

import {execReady} from '../../src/checks/exec-ready.js'
import {accessDenied, mocks, resetMocks} from '../helpers/aws.js'
import {ctxWith, expectErrorNaming} from '../helpers/context.js'
import {
  CLUSTER,
  describeServices as ecsDescribeServices,
  describeTaskDefinitions,
  type Key,
  noCluster,
  platformServices,
  TASK_ROLE_ARN as ROLE,
  service as ecsService,
  serviceName as name,
  task as ecsTask,
  taskArn,
  taskDefinition,
  tdArn,
} from '../helpers/ecs.js'

const NO_ROLE =
  'ECS Exec needs ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel, OpenDataChannel on the task role'

const service = (key: Key, extra: Partial<Service> = {}): Service =>
  ecsService(key, {launchType: 'FARGATE', platformVersion: 'LATEST', enableExecuteCommand: true, ...extra})

const describeServices = (over: Partial<Record<Key, Partial<Service> | null>> = {}) =>
  ecsDescribeServices(platformServices(over, service))

const container = (key: Key, agent: string | undefined = 'RUNNING', reason?: string): Container => ({
  name: key,
  lastStatus: 'RUNNING',
  runtimeId: `${key}-runtime`,
  managedAgents: agent ? [{name: 'ExecuteCommandAgent', lastStatus: agent, ...(reason && {reason})}] : [],
})

const task = (key: Key, id: string, extra: Partial<Task> = {}): Task =>
  ecsTask(key, id, {
    launchType: 'FARGATE',
    platformVersion: '1.4.0',
    enableExecuteCommand: true,
    containers: [container(key)],
    ...extra,
  })

/** ListTasks answers per service; one DescribeTasks answers for all. */
const liveTasks = (tasks: Task[]) => {
  mocks.ecs.on(ListTasksCommand).resolves({taskArns: []})
  for (const key of ['web', 'celery'] as const) {
    const mine = tasks.filter((t) => t.group === `service:${name(key)}`).map((t) => t.taskArn!)
    mocks.ecs
      .on(ListTasksCommand, {serviceName: name(key)})
      .resolves({taskArns: mine} satisfies Partial<ListTasksCommandOutput>)
  }

  mocks.ecs.on(DescribeTasksCommand).resolves({tasks, failures: []})
}

/** Revisions 41 and 42 of web and celery, with the task role unless `defs` (by ARN) says otherwise. */
const taskDefinitions = (defs: Record<string, Partial<TaskDefinition>> = {}) =>
  describeTaskDefinitions(
    (['web', 'celery'] as const).flatMap((key) =>
      [41, 42].map((rev) => taskDefinition(key, {taskRoleArn: ROLE, ...defs[tdArn(key, rev)]}, rev)),
    ),
  )

const healthyTasks = () => [task('web', 'web1'), task('web', 'web2'), task('celery', 'cel1')]

describe('exec-ready check', () => {
  beforeEach(() => resetMocks())

  it('passes when both services and their running tasks are ready, with one DescribeTasks for both services', async () => {
    describeServices()
    liveTasks(healthyTasks())
    taskDefinitions()
    const r = await execReady.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(r.summary).toBe('ECS Exec ready on web, celery (3 running tasks, agent RUNNING)')
    expect(r.details).toEqual([
      'web: task web1 ready (production-allthrive-web:42, platform 1.4.0, ExecuteCommandAgent RUNNING)',
      'web: task web2 ready (production-allthrive-web:42, platform 1.4.0, ExecuteCommandAgent RUNNING)',
      'celery: task cel1 ready (production-allthrive-celery:42, platform 1.4.0, ExecuteCommandAgent RUNNING)',
    ])
    expect(mocks.ecs).toHaveReceivedCommandTimes(ListTasksCommand, 2)
    expect(mocks.ecs).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: CLUSTER,
      serviceName: name('web'),
      desiredStatus: 'RUNNING',
    })
    expect(mocks.ecs).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: CLUSTER,
      serviceName: name('celery'),
      desiredStatus: 'RUNNING',
    })
    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeTasksCommand, 1)
    expect(mocks.ecs).toHaveReceivedCommandWith(DescribeTasksCommand, {
      cluster: CLUSTER,
      tasks: [taskArn('web1'), taskArn('web2'), taskArn('cel1')],
    })
    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 2)
    expect(r.data).toMatchObject({
      services: {
        web: {
          enableExecuteCommand: true,
          taskRoleArn: ROLE,
          tasks: [{taskId: 'web1', execAgent: 'RUNNING'}, {taskId: 'web2'}],
        },
      },
    })
  })

  it('fails when a service has ECS Exec off, with the update-service command', async () => {
    describeServices({celery: {enableExecuteCommand: false}})
    liveTasks([
      task('web', 'web1'),
      task('celery', 'cel1', {enableExecuteCommand: false, containers: [container('celery', undefined)]}),
    ])
    taskDefinitions()
    const r = await execReady.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.summary).toBe('ECS Exec: off on celery')
    expect(r.details).toEqual([
      'celery: ECS Exec is off on service production-allthrive-celery (enableExecuteCommand false)',
      'web: task web1 ready (production-allthrive-web:42, platform 1.4.0, ExecuteCommandAgent RUNNING)',
    ])
    expect(r.hint).toBe(
      `aws ecs update-service --cluster ${CLUSTER} --service production-allthrive-celery --enable-execute-command --force-new-deployment`,
    )
  })

  it('warns about a running task that predates the setting', async () => {
    describeServices()
    liveTasks([
      task('web', 'old1', {enableExecuteCommand: false, containers: [container('web', undefined)]}),
      task('web', 'web2'),
      task('celery', 'cel1'),
    ])
    taskDefinitions()
    const r = await execReady.run(ctxWith())
    expect(r.status).toBe('warn')
    expect(r.summary).toBe('ECS Exec: web task predates setting')
    expect(r.details?.[0]).toBe('web: running task old1 predates the setting: force a new deployment')
    expect(r.hint).toBe(
      `aws ecs update-service --cluster ${CLUSTER} --service production-allthrive-web --force-new-deployment`,
    )
  })

  it('warns naming the task and the agent status when the ExecuteCommandAgent is not running', async () => {
    describeServices()
    liveTasks([
      task('web', 'web1', {containers: [container('web', 'STOPPED', 'Failed to start: cannot reach ssmmessages')]}),
      task('celery', 'cel1', {containers: [container('celery', 'PENDING')]}),
    ])
    taskDefinitions()
    const r = await execReady.run(ctxWith())
    expect(r.status).toBe('warn')
    expect(r.summary).toBe('ECS Exec: web agent STOPPED, celery agent PENDING')
    expect(r.details).toEqual([
      'web: task web1 container web: ExecuteCommandAgent is STOPPED (Failed to start: cannot reach ssmmessages)',
      'celery: task cel1 container celery: ExecuteCommandAgent is PENDING',
    ])
    expect(r.hint).toContain(
      'ssmmessages.us-east-1.amazonaws.com (NAT gateway or VPC endpoint), then replace it: aws ecs stop-task --cluster production-allthrive-cluster --task web1',
    )
    expect(r.hint).toContain('The agent is still starting: check again in a minute')
  })

  it('fails on Fargate platform versions older than 1.4.0, on the service and on a task; LATEST and Windows 1.0.0 are fine', async () => {
    describeServices({
      web: {platformVersion: '1.3.0'},
      celery: {platformVersion: '1.0.0', platformFamily: 'WINDOWS_SERVER_2022_CORE'},
    })
    liveTasks([
      task('web', 'web1', {platformVersion: '1.3.0'}),
      task('celery', 'cel1', {platformVersion: '1.0.0', platformFamily: 'WINDOWS_SERVER_2022_CORE'}),
    ])
    taskDefinitions()
    const r = await execReady.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.details?.slice(0, 2)).toEqual([
      'web: service production-allthrive-web pins Fargate platform 1.3.0: ECS Exec needs 1.4.0 or later',
      'web: task web1 runs Fargate platform 1.3.0: ECS Exec needs 1.4.0 or later',
    ])
    expect(r.details).toHaveLength(3)
    expect(r.hint).toBe(
      `aws ecs update-service --cluster ${CLUSTER} --service production-allthrive-web --platform-version LATEST --force-new-deployment`,
    )
  })

  it('fails when the task definition has no task role', async () => {
    describeServices()
    liveTasks(healthyTasks())
    taskDefinitions({[tdArn('web')]: {taskRoleArn: undefined}})
    const r = await execReady.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.summary).toBe('ECS Exec: no task role for web')
    expect(r.details?.[0]).toBe(`web: task definition production-allthrive-web:42 has no task role: ${NO_ROLE}`)
    expect(r.details).toEqual([
      `web: task definition production-allthrive-web:42 has no task role: ${NO_ROLE}`,
      'celery: task cel1 ready (production-allthrive-celery:42, platform 1.4.0, ExecuteCommandAgent RUNNING)',
    ])
    expect(r.hint).toContain(
      'Set taskRoleArn in production-allthrive-web to a role allowing ssmmessages:CreateControlChannel',
    )
  })

  it('judges a task on an older revision by its own role, or the role its overrides give it', async () => {
    describeServices()
    liveTasks([
      task('web', 'old1', {taskDefinitionArn: tdArn('web', 41)}),
      task('celery', 'old2', {taskDefinitionArn: tdArn('celery', 41), overrides: {taskRoleArn: ROLE}}),
    ])
    taskDefinitions({[tdArn('web', 41)]: {taskRoleArn: undefined}, [tdArn('celery', 41)]: {taskRoleArn: undefined}})
    const r = await execReady.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.details).toEqual([
      `web: running task old1 (production-allthrive-web:41) has no task role: ${NO_ROLE}`,
      'celery: task old2 ready (production-allthrive-celery:41, platform 1.4.0, ExecuteCommandAgent RUNNING)',
    ])
    // The override made celery:41 unnecessary to describe.
    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 3)
    expect(mocks.ecs).not.toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, {
      taskDefinition: tdArn('celery', 41),
    })
  })

  it('warns when a service has no running task to confirm the agent', async () => {
    describeServices({celery: {runningCount: 0}})
    liveTasks([task('web', 'web1'), task('celery', 'cel1', {lastStatus: 'PENDING'})])
    taskDefinitions()
    const r = await execReady.run(ctxWith())
    expect(r.status).toBe('warn')
    expect(r.summary).toBe('ECS Exec: no celery task running')
    expect(r.details?.[0]).toBe('celery: no running task: cannot confirm the ExecuteCommandAgent')
    expect(r.hint).toBe('See why: allthrive validate --only ecs-services -e production')
  })

  it('ignores tasks of other services when ListTasks ignores serviceName (emulators)', async () => {
    describeServices()
    mocks.ecs.on(ListTasksCommand).resolves({taskArns: [taskArn('web1'), taskArn('cel1'), taskArn('beat1')]})
    mocks.ecs.on(DescribeTasksCommand).resolves({
      tasks: [task('web', 'web1'), task('celery', 'cel1'), task('celery-beat', 'beat1', {enableExecuteCommand: false})],
    })
    taskDefinitions()
    const r = await execReady.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeTasksCommand, 1)
  })

  it('fails when a service does not exist', async () => {
    describeServices({web: null})
    liveTasks([task('celery', 'cel1')])
    taskDefinitions()
    const r = await execReady.run(ctxWith())
    expect(r).toMatchObject({status: 'fail', summary: 'ECS Exec: web not found'})
    expect(r.details?.[0]).toBe(
      `web: service production-allthrive-web not found in cluster ${CLUSTER}: allthrive exec has nothing to connect to`,
    )
    expect(mocks.ecs).toHaveReceivedCommandTimes(ListTasksCommand, 1)
  })

  it('fails when the cluster does not exist', async () => {
    noCluster()
    const r = await execReady.run(ctxWith())
    expect(r).toMatchObject({status: 'fail', summary: `cluster ${CLUSTER} not found: nothing to exec into`})
  })

  it('is an error naming ecs:DescribeTaskDefinition when it is denied', async () => {
    describeServices()
    liveTasks(healthyTasks())
    mocks.ecs.on(DescribeTaskDefinitionCommand).rejects(accessDenied('ecs:DescribeTaskDefinition'))
    await expectErrorNaming(execReady, 'ecs:DescribeTaskDefinition')
  })

  it('is an error naming ecs:DescribeTasks when it is denied', async () => {
    describeServices()
    taskDefinitions()
    mocks.ecs.on(ListTasksCommand).resolves({taskArns: [taskArn('web1')]})
    mocks.ecs.on(DescribeTasksCommand).rejects(accessDenied('ecs:DescribeTasks'))
    await expectErrorNaming(execReady, 'ecs:DescribeTasks')
  })
})
