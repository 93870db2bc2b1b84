import {
  type Deployment,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs'
import {beforeEach, describe, expect, it} from 'vitest'

import {ecsServices} from '../../src/checks/ecs-services.js'
import {DEFAULT_THRESHOLDS} from '../../src/config.js'
import {accessDenied, mocks, resetMocks} from '../helpers/aws.js'
import {ctxWith, expectErrorNaming} from '../helpers/context.js'
import {
  CLUSTER,
  CLUSTER_ARN,
  deployment as ecsDeployment,
  describeServices,
  type Key,
  KEYS,
  listTasks as stoppedTasks,
  noCluster,
  platformServices,
  service as ecsService,
  serviceArn,
  stoppedTask,
  tdArn,
} from '../helpers/ecs.js'

/** Tasks a healthy service runs. */
const count = (key: Key) => (key === 'web' ? 2 : 1)

const deployment = (key: Key, extra: Partial<Deployment> = {}): Deployment =>
  ecsDeployment(key, {
    desiredCount: count(key),
    runningCount: count(key),
    rolloutStateReason: 'ECS deployment ecs-svc/1 completed.',
    ...extra,
  })

/** A healthy service: web runs 2 tasks, the others 1. */
const service = (key: Key, extra: Partial<Service> = {}): Service =>
  ecsService(key, {
    clusterArn: CLUSTER_ARN,
    desiredCount: count(key),
    runningCount: count(key),
    deployments: [deployment(key)],
    events: [],
    ...extra,
  })

const healthy = (over: Partial<Record<Key, Partial<Service>>> = {}): Service[] => platformServices(over, service)

const stopped = (id: string, key: Key, minute: number, extra: Partial<Task> = {}): Task =>
  stoppedTask(key, id, minute, {
    stopCode: 'TaskFailedToStart',
    stoppedReason:
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed',
    containers: [{name: key, exitCode: 1}],
    ...extra,
  })

describe('ecs-services check', () => {
  beforeEach(() => resetMocks())

  it('passes with every service running, in one DescribeServices call and no task lookups', async () => {
    describeServices(healthy())
    const r = await ecsServices.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(r.summary).toBe('4 services running (web 2/2, celery 1/1, celery-beat 1/1, weaviate 1/1)')
    expect(r.details).toBeUndefined()
    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeServicesCommand, 1)
    expect(mocks.ecs).toHaveReceivedCommandWith(DescribeServicesCommand, {
      cluster: CLUSTER,
      services: KEYS.map((k) => `production-allthrive-${k}`),
    })
    expect(mocks.ecs).not.toHaveReceivedCommand(ListTasksCommand)
    expect(mocks.ecs).not.toHaveReceivedCommand(DescribeTasksCommand)
    expect(r.data).toEqual({
      cluster: CLUSTER,
      services: expect.objectContaining({
        web: {
          name: 'production-allthrive-web',
          status: 'ACTIVE',
          desired: 2,
          running: 2,
          pending: 0,
          rolloutState: 'COMPLETED',
          deployments: 1,
          taskDefinition: 'production-allthrive-web:42',
          stoppedTasks: [],
        },
      }),
    })
  })

  it('fails naming the cluster when it does not exist', async () => {
    noCluster()
    const r = await ecsServices.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.summary).toBe(`cluster ${CLUSTER} not found`)
    expect(r.hint).toContain('aws ecs list-clusters')
  })

  it('fails on a missing and an inactive service without looking up their tasks', async () => {
    describeServices(
      [service('web'), service('celery', {status: 'INACTIVE'}), service('weaviate')],
      [{arn: serviceArn('production-allthrive-celery-beat'), reason: 'MISSING'}],
    )
    const r = await ecsServices.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.summary).toBe('2 of 4 services failing: celery, celery-beat')
    expect(r.details).toEqual([
      'celery: service production-allthrive-celery is INACTIVE',
      `celery-beat: service production-allthrive-celery-beat not found in cluster ${CLUSTER}`,
    ])
    expect(r.hint).toBe(
      `See why: allthrive logs tail celery -e production --since 30m; aws ecs describe-services --cluster ${CLUSTER} --services production-allthrive-celery`,
    )
    expect(mocks.ecs).not.toHaveReceivedCommand(ListTasksCommand)
    expect(r.data).toMatchObject({services: {'celery-beat': {status: 'MISSING'}}})
  })

  it('points at the service names when the failing services do not exist', async () => {
    describeServices(healthy().filter((s) => s.serviceName !== 'production-allthrive-weaviate'))
    const r = await ecsServices.run(ctxWith())
    expect(r).toMatchObject({status: 'fail', summary: '1 of 4 services failing: weaviate'})
    expect(r.hint).toBe(
      `Compare the service names in the configuration with: aws ecs list-services --cluster ${CLUSTER}`,
    )
  })

  it('fails on a service short of tasks with a failed rollout, showing events and why tasks stopped', async () => {
    const events = Array.from({length: 5}, (_, i) => ({
      id: `e${i}`,
      createdAt: new Date(Date.UTC(2026, 10, 26, 11, 50 + i)),
      message: `(service production-allthrive-web) event ${i}`,
    }))
    describeServices(
      healthy({
        web: {
          runningCount: 0,
          pendingCount: 1,
          events,
          deployments: [
            deployment('web', {
              id: 'ecs-svc/777',
              runningCount: 0,
              failedTasks: 4,
              rolloutState: 'FAILED',
              rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
            }),
          ],
        },
        celery: {runningCount: 0},
      }),
    )
    stoppedTasks([
      stopped('aaa111', 'web', 10),
      stopped('bbb222', 'web', 40, {
        containers: [{name: 'web', exitCode: 1, reason: 'OutOfMemoryError: Container killed due to memory usage'}],
      }),
      stopped('ccc333', 'web', 30),
      stopped('ddd444', 'web', 20),
      stopped('eee555', 'celery', 5, {
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        containers: [{name: 'celery', exitCode: 137}],
      }),
    ])
    const r = await ecsServices.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.summary).toBe('2 of 4 services failing: web, celery')
    expect(r.details).toEqual([
      'web: running 0 of 2 (1 pending)',
      'web: deployment ecs-svc/777 (production-allthrive-web:42) FAILED: ECS deployment circuit breaker: tasks failed to start. (running 0/2, 4 failed tasks)',
      'web: event 2026-11-26T11:54:00Z (service production-allthrive-web) event 4',
      'web: event 2026-11-26T11:53:00Z (service production-allthrive-web) event 3',
      'web: event 2026-11-26T11:52:00Z (service production-allthrive-web) event 2',
      'web: task bbb222: TaskFailedToStart — ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed (container web exit 1: OutOfMemoryError: Container killed due to memory usage)',
      'web: task ccc333: TaskFailedToStart — ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed (container web exit 1)',
      'web: task ddd444: TaskFailedToStart — ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed (container web exit 1)',
      'celery: running 0 of 1',
      'celery: task eee555: EssentialContainerExited — Essential container in task exited (container celery exit 137)',
    ])
    // A crash loop (desired 2, running 0, tasks stopping): the hint leads with the stop reason, not the desired count.
    expect(r.hint).toBe(
      `Its tasks keep stopping (${r.details![5].slice('web: '.length)}): read the last one's logs with: allthrive logs tail web -e production --previous`,
    )
    expect(r.hint).not.toMatch(/desired-count/)
    expect(mocks.ecs).toHaveReceivedCommandTimes(ListTasksCommand, 2)
    expect(mocks.ecs).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: CLUSTER,
      serviceName: 'production-allthrive-celery',
      desiredStatus: 'STOPPED',
    })
    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeTasksCommand, 1)
    expect(mocks.ecs).toHaveReceivedCommandWith(DescribeTasksCommand, {
      cluster: CLUSTER,
      tasks: expect.arrayContaining([expect.stringMatching(/eee555$/), expect.stringMatching(/aaa111$/)]),
    })
    expect(r.data).toMatchObject({
      services: {
        web: {
          running: 0,
          desired: 2,
          pending: 1,
          rolloutState: 'FAILED',
          stoppedTasks: [
            {taskId: 'bbb222', stopCode: 'TaskFailedToStart', stoppedAt: '2026-11-26T11:40:00.000Z'},
            {taskId: 'ccc333'},
            {taskId: 'ddd444'},
          ],
        },
      },
    })
  })

  it('shows as many stopped tasks as thresholds.ecsServices.stoppedTasksShown, none when 0', async () => {
    describeServices(healthy({web: {runningCount: 1}}))
    stoppedTasks([stopped('aaa111', 'web', 10), stopped('bbb222', 'web', 20)])
    const one = await ecsServices.run(
      ctxWith({thresholds: {...DEFAULT_THRESHOLDS, ecsServices: {stoppedTasksShown: 1}}}),
    )
    expect(one.details!.filter((d) => d.includes('task '))).toEqual([expect.stringMatching(/^web: task bbb222:/)])

    resetMocks()
    describeServices(healthy({web: {runningCount: 1}}))
    const none = await ecsServices.run(
      ctxWith({thresholds: {...DEFAULT_THRESHOLDS, ecsServices: {stoppedTasksShown: 0}}}),
    )
    expect(none.status).toBe('fail')
    expect(mocks.ecs).not.toHaveReceivedCommand(ListTasksCommand)
  })

  it('warns on a service scaled to zero', async () => {
    describeServices(
      healthy({
        'celery-beat': {
          desiredCount: 0,
          runningCount: 0,
          deployments: [deployment('celery-beat', {desiredCount: 0, runningCount: 0})],
        },
      }),
    )
    const r = await ecsServices.run(ctxWith())
    expect(r.status).toBe('warn')
    expect(r.summary).toBe('1 of 4 services need attention: celery-beat')
    expect(r.details).toEqual(['celery-beat: scaled to zero (desired 0)'])
    expect(r.hint).toBe(
      `If production-allthrive-celery-beat should run: aws ecs update-service --cluster ${CLUSTER} --service production-allthrive-celery-beat --desired-count 1`,
    )
    expect(mocks.ecs).not.toHaveReceivedCommand(ListTasksCommand)
  })

  it('warns on a rollout in progress, naming the deployment and the one it replaces', async () => {
    describeServices(
      healthy({
        web: {
          deployments: [
            deployment('web', {
              id: 'ecs-svc/900',
              taskDefinition: tdArn('web', 43),
              runningCount: 1,
              rolloutState: 'IN_PROGRESS',
              rolloutStateReason: 'ECS deployment ecs-svc/900 in progress.',
            }),
            deployment('web', {id: 'ecs-svc/800', status: 'ACTIVE'}),
          ],
        },
      }),
    )
    const r = await ecsServices.run(ctxWith())
    expect(r.status).toBe('warn')
    expect(r.details).toEqual([
      'web: deployment ecs-svc/900 (production-allthrive-web:43) IN_PROGRESS (running 1/2, 0 failed tasks)',
      'web: rollout under way: 2 deployments (ACTIVE production-allthrive-web:42 still running)',
    ])
    expect(r.hint).toBe(
      `Follow the rollout: aws ecs wait services-stable --cluster ${CLUSTER} --services production-allthrive-web`,
    )
  })

  it('keeps a rollout reason that says more than the deployment id', async () => {
    describeServices(
      healthy({
        web: {
          deployments: [
            deployment('web', {
              id: 'ecs-svc/900',
              runningCount: 0,
              rolloutState: 'FAILED',
              rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
            }),
          ],
        },
      }),
    )
    mocks.ecs.on(ListTasksCommand).resolves({taskArns: []})
    const r = await ecsServices.run(ctxWith())
    expect(r.details?.[0]).toContain('FAILED: ECS deployment circuit breaker: tasks failed to start.')
  })

  it('shows stopped tasks of a healthy service whose deployment lost tasks, without failing it', async () => {
    describeServices(healthy({celery: {deployments: [deployment('celery', {failedTasks: 2})]}}))
    stoppedTasks([
      stopped('fff666', 'celery', 15, {
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        containers: [{name: 'celery', exitCode: 137}],
      }),
    ])
    const r = await ecsServices.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(r.details).toEqual([
      'celery: deployment ecs-svc/celery-1 (production-allthrive-celery:42): running 1/1, 2 failed tasks',
      'celery: task fff666: EssentialContainerExited — Essential container in task exited (container celery exit 137)',
    ])
    expect(mocks.ecs).toHaveReceivedCommandTimes(ListTasksCommand, 1)
    expect(mocks.ecs).toHaveReceivedCommandWith(ListTasksCommand, {serviceName: 'production-allthrive-celery'})
  })

  it('is an error naming ecs:DescribeServices when it is denied', async () => {
    mocks.ecs.on(DescribeServicesCommand).rejects(accessDenied('ecs:DescribeServices'))
    await expectErrorNaming(ecsServices, 'ecs:DescribeServices')
  })

  it('is an error naming ecs:ListTasks when stopped tasks cannot be listed', async () => {
    describeServices(healthy({web: {runningCount: 0}}))
    mocks.ecs.on(ListTasksCommand).rejects(accessDenied('ecs:ListTasks'))
    await expect(ecsServices.run(ctxWith())).rejects.toThrow(/ecs:ListTasks/)
  })
})
