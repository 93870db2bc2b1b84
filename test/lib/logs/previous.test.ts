import {
  ClusterNotFoundException,
  DescribeTasksCommand,
  type DescribeTasksCommandOutput,
  ECSClient,
  ListTasksCommand,
  type ListTasksCommandOutput,
  type Task,
} from '@aws-sdk/client-ecs'
import {beforeEach, describe, expect, it} from 'vitest'

import {describeStoppedTaskInFull, lastStoppedTask, taskWindow} from '../../../src/lib/logs/previous.js'
import {mocks, resetMocks} from '../../helpers/aws.js'
import {T0, TASK_A, TASK_B} from './fakes.js'

const CLUSTER = 'staging-allthrive-cluster'
const SERVICE = 'staging-allthrive-celery'
const ecs = new ECSClient({region: 'us-east-1'})
const arn = (id: string): string => `arn:aws:ecs:us-east-1:123456789012:task/${CLUSTER}/${id}`

const stopped = (id: string, stoppedAt: number, over: Partial<Task> = {}): Task => ({
  taskArn: arn(id),
  group: `service:${SERVICE}`,
  lastStatus: 'STOPPED',
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/staging-allthrive-celery:42',
  startedAt: new Date(stoppedAt - 180_000),
  stoppedAt: new Date(stoppedAt),
  ...over,
})

describe('lastStoppedTask', () => {
  beforeEach(() => resetMocks())

  it('picks the latest stopped task of the service, describing up to 100 tasks a call', async () => {
    const ids = Array.from({length: 150}, (_, i) => `${String(i).padStart(4, '0')}${'0'.repeat(28)}`)
    const tasks: Task[] = ids.map((id, i) => stopped(id, T0 - 3_600_000 + i * 1000))
    tasks[7] = stopped(TASK_A, T0 - 1000, {
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
    })
    tasks[9] = stopped(TASK_B, T0, {group: 'service:staging-allthrive-web'}) // another service's (an emulator ignoring serviceName)
    const list: ListTasksCommandOutput = {$metadata: {}, taskArns: tasks.map((t) => t.taskArn!)}
    mocks.ecs.on(ListTasksCommand).resolves(list)
    mocks.ecs.on(DescribeTasksCommand).callsFake(async (input): Promise<DescribeTasksCommandOutput> => ({
      $metadata: {},
      tasks: tasks.filter((t) => input.tasks.includes(t.taskArn!)),
    }))
    const task = await lastStoppedTask(ecs, {cluster: CLUSTER, serviceName: SERVICE})
    expect(task?.taskArn).toBe(arn(TASK_A))
    expect(mocks.ecs).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: CLUSTER,
      serviceName: SERVICE,
      desiredStatus: 'STOPPED',
    })
    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeTasksCommand, 2)
  })

  it('finds nothing when no task stopped recently', async () => {
    mocks.ecs.on(ListTasksCommand).resolves({taskArns: []})
    expect(await lastStoppedTask(ecs, {cluster: CLUSTER, serviceName: SERVICE})).toBeUndefined()
    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeTasksCommand, 0)
  })

  it('names a cluster that does not exist (exit 1)', async () => {
    mocks.ecs.on(ListTasksCommand).rejects(new ClusterNotFoundException({message: 'Cluster not found.', $metadata: {}}))
    await expect(lastStoppedTask(ecs, {cluster: CLUSTER, serviceName: SERVICE})).rejects.toMatchObject({
      message: `ECS cluster ${CLUSTER} does not exist in this account and region.`,
      exit: 1,
    })
  })
})

describe('a stopped task', () => {
  const task = stopped(TASK_A, T0, {
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    containers: [{name: 'celery', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage'}],
  })

  it('says which task it was, when and why it stopped', () => {
    expect(describeStoppedTaskInFull(task)).toBe(
      `task ${TASK_A} (staging-allthrive-celery:42) stopped 2025-12-25T10:00:00.000Z after 3m: EssentialContainerExited — Essential container in task exited; container celery exit 137: OutOfMemoryError: Container killed due to memory usage`,
    )
    expect(
      describeStoppedTaskInFull(
        stopped(TASK_B, T0, {startedAt: undefined, stoppedReason: 'CannotPullContainerError: pull access denied'}),
      ),
    ).toBe(
      `task ${TASK_B} (staging-allthrive-celery:42) stopped 2025-12-25T10:00:00.000Z before it started: CannotPullContainerError: pull access denied`,
    )
  })

  it('spans its lifetime, a minute either side', () => {
    expect(taskWindow(task, T0 + 3_600_000)).toEqual({startTime: T0 - 180_000 - 60_000, endTime: T0 + 60_000})
  })
})
