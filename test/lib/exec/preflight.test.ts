import {
  type DescribeServicesCommandOutput,
  DescribeTaskDefinitionCommand,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs'
import {beforeEach, describe, expect, it} from 'vitest'

import {createAwsClients} from '../../../src/aws/clients.js'
import {serviceByKey} from '../../../src/config.js'
import {platformTooOld, runPreflight} from '../../../src/lib/exec/preflight.js'
import {mocks, resetMocks} from '../../helpers/aws.js'
import {envWith} from '../../helpers/context.js'
import {clusterNotFound, describeServices, listTasks, noCluster} from '../../helpers/ecs.js'
import {CLUSTER, service, task, taskDefinition, WEB} from './fixtures.js'

const env = envWith()
const web = serviceByKey(env, 'web')
const preflight = (o: {task?: string; container?: string; plugin?: string | undefined} = {}) =>
  runPreflight({
    env,
    aws: createAwsClients({region: 'us-east-1'}),
    service: web,
    task: o.task,
    container: o.container,
    findPlugin: () => ('plugin' in o ? o.plugin : '/usr/local/bin/session-manager-plugin'),
  })

function given(
  o: {service?: DescribeServicesCommandOutput['services']; tasks?: Task[]; taskRole?: boolean} = {},
): void {
  const tasks = o.tasks ?? [task('0aaa1111')]
  describeServices(o.service ?? [service()])
  listTasks(tasks)
  mocks.ecs
    .on(DescribeTaskDefinitionCommand)
    .resolves({taskDefinition: taskDefinition(o.taskRole === false ? {taskRoleArn: undefined} : {})})
}

const statuses = (items: {id: string; status: string}[]) => Object.fromEntries(items.map((i) => [i.id, i.status]))

describe('ECS Exec preflight', () => {
  beforeEach(() => resetMocks())

  it("is ready when every requirement holds, and targets the container's runtime id", async () => {
    given()
    const p = await preflight()
    expect(p.ready).toBe(true)
    expect(p.items.map((i) => i.status)).toEqual(Array.from({length: 9}, () => 'pass'))
    expect(p.target).toEqual({
      cluster: CLUSTER,
      service: WEB,
      taskArn: task('0aaa1111').taskArn,
      taskId: '0aaa1111',
      container: 'web',
      runtimeId: '0aaa1111-0123456789',
      taskDefinition: `${WEB}:42`,
      startedAt: new Date('2026-11-26T10:00:00Z'),
    })
    expect(mocks.ecs).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: CLUSTER,
      serviceName: WEB,
      desiredStatus: 'RUNNING',
    })
  })

  type Row = [string, Parameters<typeof given>[0], Parameters<typeof preflight>[0], RegExp, RegExp]
  it.each<Row>([
    [
      'plugin',
      {},
      {plugin: undefined},
      /session-manager-plugin is not on PATH/,
      /brew install --cask session-manager-plugin/,
    ],
    [
      'service-exec',
      {
        service: [service({enableExecuteCommand: false})],
        tasks: [task('0aaa1111', {enableExecuteCommand: false}, {managedAgents: []})],
      },
      {},
      /ECS Exec is turned off on production-allthrive-web/,
      /^aws ecs update-service --cluster production-allthrive-cluster --service production-allthrive-web --enable-execute-command --force-new-deployment/,
    ],
    [
      'running-task',
      {tasks: []},
      {},
      /has no running task/,
      /^Its tasks keep stopping: .*allthrive logs tail web -e production --previous/,
    ],
    [
      'running-task',
      {service: [service({desiredCount: 0, runningCount: 0})], tasks: []},
      {},
      /has no running task \(desired 0/,
      /--desired-count 1; .*validate -e production/,
    ],
    [
      'task-exec',
      {tasks: [task('0aaa1111', {enableExecuteCommand: false}, {managedAgents: []})]},
      {},
      /started before ECS Exec was turned on/,
      /--force-new-deployment/,
    ],
    [
      'platform-version',
      {tasks: [task('0aaa1111', {platformVersion: '1.3.0'})]},
      {},
      /Fargate platform 1\.3\.0; ECS Exec needs 1\.4\.0/,
      /--platform-version LATEST/,
    ],
    ['container', {}, {container: 'worker'}, /has no container named "worker" \(containers: web\)/, /--container/],
    [
      'exec-agent',
      {
        tasks: [
          task(
            '0aaa1111',
            {},
            {managedAgents: [{name: 'ExecuteCommandAgent', lastStatus: 'STOPPED', reason: 'failed to connect'}]},
          ),
        ],
      },
      {},
      /ExecuteCommandAgent in web is STOPPED: failed to connect/,
      /ssmmessages:CreateControlChannel/,
    ],
    ['task-role', {taskRole: false}, {}, /has no task role/, /ssmmessages:OpenDataChannel/],
  ])('names %s as the one blocking cause, with its fix', async (id, world, opts, summary, fix) => {
    given(world)
    const p = await preflight(opts)
    expect(p.ready).toBe(false)
    expect(p.blocking?.id).toBe(id)
    expect(p.blocking?.summary).toMatch(summary)
    expect(p.blocking?.fix).toMatch(fix)
    expect(p.target).toBeUndefined()
  })

  it('says when the agent is still starting', async () => {
    given({tasks: [task('0aaa1111', {}, {managedAgents: [{name: 'ExecuteCommandAgent', lastStatus: 'PENDING'}]})]})
    expect((await preflight()).blocking).toMatchObject({
      id: 'exec-agent',
      fix: 'The agent is still starting: try again in a minute.',
    })
  })

  it('skips what depends on a missing cluster instead of failing it', async () => {
    noCluster()
    mocks.ecs.on(ListTasksCommand).rejects(clusterNotFound())
    const p = await preflight()
    expect(statuses(p.items)).toMatchObject({
      plugin: 'pass',
      service: 'fail',
      'service-exec': 'skip',
      'task-role': 'skip',
    })
    expect(p.blocking?.summary).toBe('Cluster production-allthrive-cluster does not exist in this account and region.')
  })

  it('reports a missing service', async () => {
    given({service: []})
    expect((await preflight()).blocking?.summary).toBe(
      'Service production-allthrive-web was not found in production-allthrive-cluster.',
    )
  })

  it('ignores tasks of other services (emulators that ignore serviceName) and uses the task role override', async () => {
    const other = task('ffff0000', {
      group: 'service:production-allthrive-celery',
      startedAt: new Date('2026-11-26T12:00:00Z'),
    })
    given({
      tasks: [other, task('0aaa1111', {overrides: {taskRoleArn: 'arn:aws:iam::123456789012:role/override'}})],
      taskRole: false,
    })
    const p = await preflight()
    expect(p.target?.taskId).toBe('0aaa1111')
    expect(p.items.find((i) => i.id === 'task-role')?.summary).toMatch(/^override/)
    expect(mocks.ecs).not.toHaveReceivedCommand(DescribeTaskDefinitionCommand)
  })

  it("accepts Windows Fargate's own platform 1.0.0", async () => {
    given({tasks: [task('0aaa1111', {platformVersion: '1.0.0', platformFamily: 'WINDOWS_SERVER_2019_CORE'})]})
    expect((await preflight()).ready).toBe(true)
  })

  it('honours --task, and skips the platform check for EC2', async () => {
    given({tasks: [task('0aaa1111'), task('0bbb2222', {launchType: 'EC2', platformVersion: undefined})]})
    const p = await preflight({task: '0bbb'})
    expect(p.target?.taskId).toBe('0bbb2222')
    expect(statuses(p.items)['platform-version']).toBe('skip')
  })
})

describe('platformTooOld', () => {
  it('compares Fargate platform versions', () => {
    expect(platformTooOld('1.3.0')).toBe(true)
    expect(platformTooOld('1.4.0')).toBe(false)
    expect(platformTooOld('1.10.0')).toBe(false)
    expect(platformTooOld('LATEST')).toBe(false)
    expect(platformTooOld(undefined)).toBe(false)
  })
})
