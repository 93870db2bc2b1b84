import {DescribeTasksCommand, ListTasksCommand, type Service, type Task} from '@aws-sdk/client-ecs'
import {beforeEach, describe, expect, it} from 'vitest'

import {celeryBeat} from '../../src/checks/celery-beat.js'
import {accessDenied, mocks, resetMocks} from '../helpers/aws.js'
import {ctxWith, expectErrorNaming} from '../helpers/context.js'
import {
  CLUSTER,
  describeServices as ecsDescribeServices,
  ECS_ARN as ARN,
  listTasks as liveTasks,
  noCluster,
  platformServices,
  service as ecsService,
  serviceArn,
  task as ecsTask,
  tdArn,
} from '../helpers/ecs.js'

const BEAT = 'production-allthrive-celery-beat'

const service = (key: string, extra: Partial<Service> = {}): Service =>
  ecsService(key, {
    deploymentController: {type: 'ECS'},
    deploymentConfiguration: {minimumHealthyPercent: 0, maximumPercent: 100},
    ...extra,
  })

/** The four services with `beat` as the beat service's overrides; null: ECS reports it MISSING. */
const describeServices = (beat: Partial<Service> | null = {}) =>
  ecsDescribeServices(
    platformServices({'celery-beat': beat}, service),
    beat ? [] : [{arn: serviceArn(BEAT), reason: 'MISSING'}],
  )

const task = (id: string, extra: Partial<Task> = {}): Task =>
  ecsTask('celery-beat', id, {startedAt: new Date('2026-11-26T10:00:00Z'), ...extra})

const DEPLOY_CONFIG = `aws ecs update-service --cluster ${CLUSTER} --service ${BEAT} --deployment-configuration minimumHealthyPercent=0,maximumPercent=100`

describe('celery-beat check', () => {
  beforeEach(() => resetMocks())

  it('passes with exactly one running task, listing RUNNING tasks of the beat service', async () => {
    describeServices()
    liveTasks([task('a1b2')])
    const r = await celeryBeat.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(r.summary).toBe('1 celery-beat task running (a1b2, production-allthrive-celery-beat:42)')
    expect(r.details).toEqual([
      'task a1b2: RUNNING production-allthrive-celery-beat:42, started 2026-11-26T10:00:00.000Z',
    ])
    expect(mocks.ecs).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: CLUSTER,
      serviceName: BEAT,
      desiredStatus: 'RUNNING',
    })
    expect(mocks.ecs).toHaveReceivedCommandWith(DescribeTasksCommand, {
      cluster: CLUSTER,
      tasks: [`${ARN}:task/${CLUSTER}/a1b2`],
    })
    expect(r.data).toMatchObject({
      desired: 1,
      running: 1,
      starting: 0,
      tasks: [{taskId: 'a1b2', taskDefinition: 'production-allthrive-celery-beat:42'}],
    })
  })

  it('passes but notes that deployments can overlap with the ECS defaults (100/200)', async () => {
    describeServices({deploymentConfiguration: {minimumHealthyPercent: 100, maximumPercent: 200}})
    liveTasks([task('a1b2')])
    const r = await celeryBeat.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(r.details).toContain(
      `deployments can overlap (minimumHealthyPercent 100, maximumPercent 200: a deployment can start the new beat before the old one stops); to avoid it: ${DEPLOY_CONFIG}`,
    )
    expect(r.data).toMatchObject({overlapRisk: expect.stringContaining('maximumPercent 200')})
  })

  it('fails with two running tasks during a rolling deployment, naming both tasks and revisions', async () => {
    describeServices({deploymentConfiguration: {minimumHealthyPercent: 100, maximumPercent: 200}, runningCount: 2})
    liveTasks([task('old1', {taskDefinitionArn: tdArn('celery-beat', 41)}), task('new2')])
    const r = await celeryBeat.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.summary).toBe('2 celery-beat tasks running: every scheduled job runs 2 times')
    expect(r.details).toEqual([
      '2 celery-beat tasks running: every scheduled job runs 2 times',
      'task old1: RUNNING production-allthrive-celery-beat:41, started 2026-11-26T10:00:00.000Z',
      'task new2: RUNNING production-allthrive-celery-beat:42, started 2026-11-26T10:00:00.000Z',
      `deployments can overlap (minimumHealthyPercent 100, maximumPercent 200: a deployment can start the new beat before the old one stops); to avoid it: ${DEPLOY_CONFIG}`,
    ])
    expect(r.hint).toBe(
      `Stop deployments from overlapping: ${DEPLOY_CONFIG}; then stop the older task: aws ecs stop-task --cluster ${CLUSTER} --task <id>`,
    )
  })

  it('fails when the desired count is above 1, with the scale-to-one command', async () => {
    describeServices({desiredCount: 3, runningCount: 3})
    liveTasks([task('t1'), task('t2'), task('t3')])
    const r = await celeryBeat.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.summary).toBe('3 celery-beat tasks running: every scheduled job runs 3 times')
    expect(r.details?.slice(0, 2)).toEqual([
      '3 celery-beat tasks running: every scheduled job runs 3 times',
      'celery-beat desired count is 3: every scheduled job runs 3 times once they all start',
    ])
    expect(r.hint).toBe(
      `Run exactly one: aws ecs update-service --cluster ${CLUSTER} --service ${BEAT} --desired-count 1`,
    )
  })

  it('fails when no beat task runs, without calling DescribeTasks for an empty list', async () => {
    describeServices({runningCount: 0})
    liveTasks([])
    const r = await celeryBeat.run(ctxWith())
    expect(r).toMatchObject({
      status: 'fail',
      summary: 'no celery-beat task running: scheduled jobs are not running',
      details: ['no celery-beat task running: scheduled jobs are not running'],
    })
    expect(r.hint).toContain('allthrive validate --only ecs-services -e production')
    expect(mocks.ecs).not.toHaveReceivedCommand(DescribeTasksCommand)
  })

  it('fails when the service is scaled to zero', async () => {
    describeServices({desiredCount: 0, runningCount: 0})
    liveTasks([])
    const r = await celeryBeat.run(ctxWith())
    expect(r).toMatchObject({
      status: 'fail',
      summary: 'celery-beat desired count is 0: scheduled jobs are not running',
      details: ['celery-beat desired count is 0: scheduled jobs are not running'],
    })
    expect(r.hint).toContain('--desired-count 1')
  })

  it('warns while a deployment runs one task and starts another', async () => {
    describeServices({deploymentConfiguration: {minimumHealthyPercent: 100, maximumPercent: 200}})
    liveTasks([
      task('old1', {taskDefinitionArn: tdArn('celery-beat', 41)}),
      task('new2', {lastStatus: 'PENDING', startedAt: undefined}),
    ])
    const r = await celeryBeat.run(ctxWith())
    expect(r.status).toBe('warn')
    expect(r.summary).toBe(
      '1 celery-beat task running, 1 starting: a deployment is in progress; once both run, every scheduled job runs twice until the old one stops',
    )
    expect(r.details).toContain('task new2: PENDING production-allthrive-celery-beat:42')
    expect(r.hint).toBe(`Stop deployments from overlapping: ${DEPLOY_CONFIG}`)
  })

  it('warns when the only task is still starting', async () => {
    describeServices({runningCount: 0, pendingCount: 1})
    liveTasks([task('new2', {lastStatus: 'PROVISIONING', startedAt: undefined})])
    const r = await celeryBeat.run(ctxWith())
    expect(r).toMatchObject({
      status: 'warn',
      summary: 'no celery-beat task running yet: 1 starting (PROVISIONING): scheduled jobs wait until it runs',
    })
  })

  it('counts only tasks of the beat service when ListTasks ignores serviceName (emulators)', async () => {
    describeServices()
    liveTasks([
      task('a1b2'),
      task('web1', {group: 'service:production-allthrive-web'}),
      task('web2', {group: 'service:production-allthrive-web'}),
    ])
    const r = await celeryBeat.run(ctxWith())
    expect(r.status).toBe('pass')
  })

  it('reads every page of ListTasks, passing the abort signal', async () => {
    describeServices()
    mocks.ecs
      .on(ListTasksCommand)
      .resolvesOnce({taskArns: [task('p1').taskArn!], nextToken: 'n1'})
      .resolvesOnce({taskArns: [task('p2').taskArn!]})
    mocks.ecs.on(DescribeTasksCommand).resolves({tasks: [task('p1'), task('p2')]})
    const ctx = ctxWith()
    const r = await celeryBeat.run(ctx)
    for (const call of mocks.ecs.calls()) expect((call.args as unknown[])[1]).toMatchObject({abortSignal: ctx.signal})
    expect(r.summary).toBe('2 celery-beat tasks running: every scheduled job runs 2 times')
    expect(mocks.ecs).toHaveReceivedCommandTimes(ListTasksCommand, 2)
    expect(mocks.ecs).toHaveReceivedNthCommandWith(ListTasksCommand, 2, {nextToken: 'n1'})
    expect(mocks.ecs).toHaveReceivedCommandWith(DescribeTasksCommand, {
      tasks: [task('p1').taskArn!, task('p2').taskArn!],
    })
  })

  it('fails when the beat service does not exist', async () => {
    describeServices(null)
    const r = await celeryBeat.run(ctxWith())
    expect(r).toMatchObject({
      status: 'fail',
      summary: `service ${BEAT} not found in cluster ${CLUSTER}: scheduled jobs are not running`,
    })
    expect(r.hint).toContain(`aws ecs list-services --cluster ${CLUSTER}`)
    expect(mocks.ecs).not.toHaveReceivedCommand(ListTasksCommand)
  })

  it('fails when the cluster does not exist', async () => {
    noCluster()
    const r = await celeryBeat.run(ctxWith())
    expect(r).toMatchObject({status: 'fail', summary: `cluster ${CLUSTER} not found: scheduled jobs are not running`})
  })

  it('is an error naming ecs:ListTasks when tasks cannot be listed', async () => {
    describeServices()
    mocks.ecs.on(ListTasksCommand).rejects(accessDenied('ecs:ListTasks'))
    await expectErrorNaming(celeryBeat, 'ecs:ListTasks')
  })

  it('is an error naming ecs:DescribeTasks when tasks cannot be described', async () => {
    describeServices()
    mocks.ecs.on(ListTasksCommand).resolves({taskArns: [task('a1b2').taskArn!]})
    mocks.ecs.on(DescribeTasksCommand).rejects(accessDenied('ecs:DescribeTasks'))
    await expectErrorNaming(celeryBeat, 'ecs:DescribeTasks')
  })
})
