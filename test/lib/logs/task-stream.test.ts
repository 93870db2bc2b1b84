import {
  CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  type DescribeLogStreamsCommandOutput,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs'
import {beforeEach, describe, expect, it} from 'vitest'

import {findTaskStream, narrowToTask} from '../../../src/lib/logs/task-stream.js'
import {mocks, resetMocks} from '../../helpers/aws.js'
import {TASK_A, TASK_B} from './fakes.js'

const GROUP = '/ecs/staging-allthrive-web'
const client = new CloudWatchLogsClient({region: 'us-east-1'})
const streams = (...names: string[]): DescribeLogStreamsCommandOutput => ({
  $metadata: {},
  logStreams: names.map((logStreamName) => ({logStreamName})),
})
const find = (taskId: string) => findTaskStream(client, {group: GROUP, container: 'web', taskId})

describe("finding a task's log stream", () => {
  beforeEach(() => resetMocks())

  it('finds it among the most recent streams, by full or short id', async () => {
    mocks.logs.on(DescribeLogStreamsCommand).resolves(streams(`ecs/web/${TASK_B}`, `ecs/web/${TASK_A}`))
    expect(await find(TASK_A.slice(0, 8))).toEqual({
      kind: 'found',
      prefix: `ecs/web/${TASK_A.slice(0, 8)}`,
      streams: [`ecs/web/${TASK_A}`],
    })
    expect(mocks.logs).toHaveReceivedCommandWith(DescribeLogStreamsCommand, {
      logGroupName: GROUP,
      orderBy: 'LastEventTime',
      descending: true,
    })
  })

  it("prefers the service's container over a sidecar's stream of the same task", async () => {
    mocks.logs.on(DescribeLogStreamsCommand).resolves(streams(`ecs/xray/${TASK_A}`, `ecs/web/${TASK_A}`))
    expect(await find(TASK_A)).toMatchObject({kind: 'found', prefix: `ecs/web/${TASK_A}`})
  })

  it('looks under the stream prefix in use when the task is older than the recent streams', async () => {
    mocks.logs
      .on(DescribeLogStreamsCommand)
      .resolves(streams())
      .on(DescribeLogStreamsCommand, {orderBy: 'LastEventTime'})
      .resolves(streams(`web/web/${TASK_B}`))
      .on(DescribeLogStreamsCommand, {logStreamNamePrefix: `web/web/${TASK_A.slice(0, 8)}`})
      .resolves(streams(`web/web/${TASK_A}`))
    expect(await find(TASK_A.slice(0, 8))).toEqual({
      kind: 'found',
      prefix: `web/web/${TASK_A.slice(0, 8)}`,
      streams: [`web/web/${TASK_A}`],
    })
  })

  it('says where the stream would be when there is none', async () => {
    mocks.logs
      .on(DescribeLogStreamsCommand)
      .resolves(streams())
      .on(DescribeLogStreamsCommand, {orderBy: 'LastEventTime'})
      .resolves(streams(`ecs/web/${TASK_B}`))
    expect(await find('deadbeef')).toEqual({kind: 'none', prefix: 'ecs/web/deadbeef', example: `ecs/web/${TASK_B}`})
  })

  it('reports a missing group', async () => {
    mocks.logs
      .on(DescribeLogStreamsCommand)
      .rejects(new ResourceNotFoundException({message: 'The specified log group does not exist.', $metadata: {}}))
    expect(await find(TASK_A)).toEqual({kind: 'group-missing'})
  })
})

describe('narrowToTask', () => {
  beforeEach(() => {
    resetMocks()
    mocks.logs
      .on(DescribeLogStreamsCommand)
      .resolves(streams())
      .on(DescribeLogStreamsCommand, {orderBy: 'LastEventTime'})
      .resolves(streams(`ecs/web/${TASK_B}`))
  })

  const target = {service: 'web', group: GROUP}
  const opts = (follow: boolean, notices: string[] = []) => ({
    container: 'web',
    taskId: 'deadbeef',
    follow,
    notice: (m: string) => void notices.push(m),
    hint: 'Check the task id.',
  })

  it('is an error (exit 1) without --follow when the task has no stream', async () => {
    await expect(narrowToTask(client, target, opts(false))).rejects.toMatchObject({
      message: `No log stream of task deadbeef in ${GROUP} (its streams look like ecs/web/${TASK_B}).`,
      exit: 1,
      code: 'LOG_STREAM_NOT_FOUND',
      suggestions: ['Check the task id.'],
    })
  })

  it('waits for the stream with --follow', async () => {
    const notices: string[] = []
    expect(await narrowToTask(client, target, opts(true, notices))).toEqual({
      ...target,
      streamPrefix: 'ecs/web/deadbeef',
    })
    expect(notices).toEqual([`No log stream of task deadbeef in ${GROUP} yet: waiting for ecs/web/deadbeef.`])
  })
})
