import {CloudWatchLogsClient, GetLogEventsCommand, ResourceNotFoundException} from '@aws-sdk/client-cloudwatch-logs'
import {DescribeTasksCommand, ECSClient, ListTasksCommand, RunTaskCommand, type Task} from '@aws-sdk/client-ecs'
import {beforeEach, describe, expect, it} from 'vitest'

import {UserError} from '../../../src/errors.js'
import {awslogsTarget, LogFollower} from '../../../src/lib/migrate/logs.js'
import {migrateExitCode, summarize} from '../../../src/lib/migrate/result.js'
import {runningTasksStartedBy, startTask, type WaitClock, waitForTask} from '../../../src/lib/migrate/run-task.js'
import {accessDenied, mocks, resetMocks} from '../../helpers/aws.js'
import {CLUSTER, task, taskArn, taskDefinition} from '../exec/fixtures.js'

const ARN = taskArn('0aaa1111')
const oneOff = (overrides: Partial<Task> = {}, exitCode?: number): Task =>
  task(
    '0aaa1111',
    {startedBy: 'allthrive-migrate', group: 'allthrive-migrate', ...overrides},
    {exitCode, lastStatus: overrides.lastStatus, managedAgents: []},
  )

/** A clock that moves only when the code sleeps. */
function fakeClock(): WaitClock & {slept: number[]} {
  let t = 0
  const slept: number[] = []
  return {
    slept,
    now: () => t,
    async sleep(ms, signal) {
      if (signal?.aborted) return
      slept.push(ms)
      t += ms
    },
  }
}

const ecs = () => new ECSClient({region: 'us-east-1'})
const follower = () =>
  new LogFollower(
    new CloudWatchLogsClient({region: 'us-east-1'}),
    {group: '/ecs/production-allthrive-web', prefix: 'ecs', container: 'web'},
    '0aaa1111',
  )

describe('waitForTask', () => {
  beforeEach(() => resetMocks())

  it('reports each status once with elapsed time, streams the log lines in order, and returns the stopped task', async () => {
    mocks.ecs
      .on(DescribeTasksCommand)
      .resolvesOnce({tasks: [oneOff({lastStatus: 'PROVISIONING', startedAt: undefined})]})
      .resolvesOnce({tasks: [oneOff({lastStatus: 'PENDING', startedAt: undefined})]})
      .resolvesOnce({tasks: [oneOff({lastStatus: 'RUNNING'})]})
      .resolvesOnce({tasks: [oneOff({lastStatus: 'RUNNING'})]})
      .resolves({
        tasks: [
          oneOff(
            {lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', stoppedAt: new Date('2026-11-26T10:01:00Z')},
            0,
          ),
        ],
      })
    const notYet = new ResourceNotFoundException({message: 'The specified log stream does not exist.', $metadata: {}})
    mocks.logs
      .on(GetLogEventsCommand)
      .rejectsOnce(notYet)
      .rejectsOnce(notYet)
      .resolvesOnce({
        events: [
          {timestamp: 1, message: 'Operations to perform:\n'},
          {timestamp: 2, message: '  Apply all migrations: users'},
        ],
        nextForwardToken: 'f/1',
      })
      .resolvesOnce({events: [], nextForwardToken: 'f/1'})
      .resolvesOnce({events: [{timestamp: 3, message: '  Applying users.0042_profile... OK'}], nextForwardToken: 'f/2'})
      .resolves({events: [], nextForwardToken: 'f/2'})
    const statuses: string[] = []
    const lines: string[] = []
    const clock = fakeClock()
    const r = await waitForTask({
      ecs: ecs(),
      cluster: CLUSTER,
      taskArn: ARN,
      pollMs: 3000,
      logs: follower(),
      clock,
      onStatus: (s, ms) => statuses.push(`${s}@${ms}`),
      onLine: (l) => lines.push(l),
    })
    expect(statuses).toEqual(['PROVISIONING@0', 'PENDING@3000', 'RUNNING@6000', 'STOPPED@12000'])
    expect(lines).toEqual([
      'Operations to perform:',
      '  Apply all migrations: users',
      '  Applying users.0042_profile... OK',
    ])
    expect(r).toMatchObject({end: 'stopped', task: {lastStatus: 'STOPPED'}})
    expect(mocks.logs).toHaveReceivedNthCommandWith(GetLogEventsCommand, 3, {
      logGroupName: '/ecs/production-allthrive-web',
      logStreamName: 'ecs/web/0aaa1111',
      startFromHead: true,
    })
    expect(mocks.logs).toHaveReceivedNthCommandWith(GetLogEventsCommand, 4, {nextToken: 'f/1'})
  })

  it('stops waiting at the timeout and leaves the task running', async () => {
    mocks.ecs.on(DescribeTasksCommand).resolves({tasks: [oneOff({lastStatus: 'RUNNING'})]})
    const clock = fakeClock()
    const r = await waitForTask({ecs: ecs(), cluster: CLUSTER, taskArn: ARN, pollMs: 3000, timeoutMs: 10_000, clock})
    expect(r).toMatchObject({end: 'timeout', elapsedMs: 10_000})
    expect(clock.slept).toEqual([3000, 3000, 3000, 1000])
    expect(mocks.ecs).not.toHaveReceivedCommand(RunTaskCommand)
  })

  it('has no cap of its own: a long migration is waited for', async () => {
    let calls = 0
    mocks.ecs.on(DescribeTasksCommand).callsFake(() => ({
      tasks: [++calls < 500 ? oneOff({lastStatus: 'RUNNING'}) : oneOff({lastStatus: 'STOPPED'}, 0)],
    }))
    const r = await waitForTask({ecs: ecs(), cluster: CLUSTER, taskArn: ARN, pollMs: 3000, clock: fakeClock()})
    expect(r.end).toBe('stopped')
    expect(r.elapsedMs).toBeGreaterThan(20 * 60_000)
  })

  it('rides out a 15-second outage (DescribeTasks failing, then answering) and says so', async () => {
    const refused = () => Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), {code: 'ECONNREFUSED'})
    const timedOut = () => Object.assign(new Error('socket timed out'), {name: 'TimeoutError'})
    mocks.ecs
      .on(DescribeTasksCommand)
      .resolvesOnce({tasks: [oneOff({lastStatus: 'RUNNING'})]})
      .rejectsOnce(refused())
      .rejectsOnce(timedOut())
      .rejectsOnce(refused())
      .rejectsOnce(refused())
      .rejectsOnce(refused())
      .rejectsOnce(refused())
      .resolves({tasks: [oneOff({lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited'}, 0)]})
    const clock = fakeClock()
    const notes: string[] = []
    // Each failed poll takes 3 s of a fake clock: six of them are an outage of about 15 s.
    const slow: WaitClock = {now: clock.now, sleep: async (ms, signal) => clock.sleep(Math.max(ms, 3000), signal)}
    const r = await waitForTask({
      ecs: ecs(),
      cluster: CLUSTER,
      taskArn: ARN,
      pollMs: 3000,
      clock: slow,
      onNote: (l) => notes.push(l),
    })
    expect(r).toMatchObject({end: 'stopped', task: {lastStatus: 'STOPPED'}})
    expect(notes).toHaveLength(2)
    expect(notes[0]).toMatch(/^Lost contact with ECS \(.*ECONNREFUSED.*\): retrying; the task runs on\.$/)
    const outage = Number(/after (\d+)s/.exec(notes[1])?.[1])
    expect(outage).toBeGreaterThanOrEqual(15)
    expect(outage).toBeLessThan(60)
  })

  it('gives up after the outage budget, and at once on an error that retrying cannot fix', async () => {
    mocks.ecs
      .on(DescribeTasksCommand)
      .rejects(Object.assign(new Error('getaddrinfo ENOTFOUND ecs.us-east-1.amazonaws.com'), {code: 'ENOTFOUND'}))
    const clock = fakeClock()
    await expect(
      waitForTask({ecs: ecs(), cluster: CLUSTER, taskArn: ARN, pollMs: 3000, clock, outageMs: 60_000}),
    ).rejects.toMatchObject({code: 'ENOTFOUND'})
    expect(clock.now()).toBeGreaterThanOrEqual(60_000)
    expect(clock.now()).toBeLessThan(80_000)
    resetMocks()
    mocks.ecs.on(DescribeTasksCommand).rejects(accessDenied('ecs:DescribeTasks'))
    const other = fakeClock()
    await expect(
      waitForTask({ecs: ecs(), cluster: CLUSTER, taskArn: ARN, pollMs: 3000, clock: other}),
    ).rejects.toMatchObject({name: 'AccessDeniedException'})
    expect(other.slept).toEqual([])
  })

  it('ends as interrupted when the signal aborts', async () => {
    mocks.ecs.on(DescribeTasksCommand).resolves({tasks: [oneOff({lastStatus: 'RUNNING'})]})
    const ac = new AbortController()
    ac.abort()
    expect(
      (
        await waitForTask({
          ecs: ecs(),
          cluster: CLUSTER,
          taskArn: ARN,
          pollMs: 3000,
          signal: ac.signal,
          clock: fakeClock(),
        })
      ).end,
    ).toBe('interrupted')
  })
})

describe('startTask', () => {
  beforeEach(() => resetMocks())

  it('returns the started task', async () => {
    mocks.ecs.on(RunTaskCommand).resolves({tasks: [oneOff({lastStatus: 'PROVISIONING'})], failures: []})
    expect((await startTask(ecs(), {cluster: CLUSTER, taskDefinition: 'td'})).taskArn).toBe(ARN)
  })

  it("sends one clientToken per migration (RunTask's idempotency token)", async () => {
    mocks.ecs.on(RunTaskCommand).resolves({tasks: [oneOff({lastStatus: 'PROVISIONING'})], failures: []})
    await startTask(ecs(), {cluster: CLUSTER, taskDefinition: 'td'})
    await startTask(ecs(), {cluster: CLUSTER, taskDefinition: 'td'})
    const tokens = mocks.ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input.clientToken)
    expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/)
    expect(tokens[1]).not.toBe(tokens[0])
  })

  it('turns failures[] into a plain-words error, exit 1', async () => {
    mocks.ecs
      .on(RunTaskCommand)
      .resolves({tasks: [], failures: [{arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/x', reason: 'MISSING'}]})
    const e = (await startTask(ecs(), {cluster: CLUSTER, taskDefinition: 'td'}).catch(
      (error: unknown) => error,
    )) as UserError
    expect(e).toBeInstanceOf(UserError)
    expect(e.exit).toBe(1)
    expect(e.message).toMatch(
      /^The migration task could not be started: ECS could not find arn:aws:ecs:us-east-1:123456789012:cluster\/x \(MISSING\)\./,
    )
  })
})

describe('runningTasksStartedBy', () => {
  beforeEach(() => resetMocks())

  it('lists the not-yet-stopped tasks with that startedBy', async () => {
    mocks.ecs.on(ListTasksCommand).resolves({taskArns: [ARN, taskArn('0bbb2222')]})
    mocks.ecs
      .on(DescribeTasksCommand)
      .resolves({tasks: [oneOff({lastStatus: 'RUNNING'}), task('0bbb2222', {startedBy: 'someone-else'})]})
    const found = await runningTasksStartedBy(ecs(), CLUSTER, 'allthrive-migrate')
    expect(found.map((t) => t.taskArn)).toEqual([ARN])
    expect(mocks.ecs).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: CLUSTER,
      startedBy: 'allthrive-migrate',
      desiredStatus: 'RUNNING',
    })
  })

  it('asks nothing more when there are none', async () => {
    mocks.ecs.on(ListTasksCommand).resolves({taskArns: []})
    expect(await runningTasksStartedBy(ecs(), CLUSTER, 'allthrive-migrate')).toEqual([])
    expect(mocks.ecs).not.toHaveReceivedCommand(DescribeTasksCommand)
  })
})

describe('awslogsTarget', () => {
  it("reads group, prefix and region from the container's awslogs options", () => {
    expect(awslogsTarget(taskDefinition(), 'web')).toEqual({
      group: '/ecs/production-allthrive-web',
      prefix: 'ecs',
      container: 'web',
      region: 'us-east-1',
    })
    expect(
      awslogsTarget(
        taskDefinition({containerDefinitions: [{name: 'web', logConfiguration: {logDriver: 'awsfirelens'}}]}),
        'web',
      ),
    ).toEqual({reason: 'container web logs with awsfirelens, not awslogs'})
    expect(
      awslogsTarget(
        taskDefinition({
          containerDefinitions: [
            {name: 'web', logConfiguration: {logDriver: 'awslogs', options: {'awslogs-group': 'g'}}},
          ],
        }),
        'web',
      ),
    ).toMatchObject({reason: expect.stringContaining('awslogs-stream-prefix')})
  })
})

describe('summarize and exit codes', () => {
  const base = {
    container: 'web',
    command: ['python', 'manage.py', 'migrate', '--noinput'],
    cluster: CLUSTER,
    logLines: [],
  }

  it("exits with the container's code when it ran", () => {
    const ok = summarize(
      {
        end: 'stopped',
        elapsedMs: 60_000,
        task: oneOff({lastStatus: 'STOPPED', stoppedAt: new Date('2026-11-26T10:01:00Z')}, 0),
      },
      base,
    )
    expect(ok).toMatchObject({
      outcome: 'succeeded',
      exitCode: 0,
      durationMs: 120_000,
      startedAt: '2026-11-26T10:00:00.000Z',
      stoppedAt: '2026-11-26T10:01:00.000Z',
    })
    expect(migrateExitCode(ok)).toBe(0)
    const three = summarize({end: 'stopped', elapsedMs: 1, task: oneOff({lastStatus: 'STOPPED'}, 3)}, base)
    expect(three.outcome).toBe('failed')
    expect(migrateExitCode(three)).toBe(3)
  })

  it('never reports a task that did not start as a success', () => {
    const t = oneOff({
      lastStatus: 'STOPPED',
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'CannotPullContainerError: not found',
      startedAt: undefined,
    })
    const r = summarize({end: 'stopped', elapsedMs: 1, task: t}, base)
    expect(r).toMatchObject({
      outcome: 'not-started',
      exitCode: null,
      stopCode: 'TaskFailedToStart',
      explanation: {summary: expect.stringMatching(/could not pull/)},
    })
    expect(migrateExitCode(r)).toBe(1)
  })

  it('takes an exit code only from a container that STOPPED: a task stopped before its container ran is not "exited 0"', () => {
    const t = task(
      '0aaa1111',
      {
        lastStatus: 'STOPPED',
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'ResourceInitializationError: unable to pull secrets',
        startedAt: undefined,
      },
      {lastStatus: 'PENDING', exitCode: 0, managedAgents: []},
    )
    const r = summarize({end: 'stopped', elapsedMs: 1, task: t}, base)
    expect(r).toMatchObject({
      outcome: 'not-started',
      exitCode: null,
      stoppedReason: 'ResourceInitializationError: unable to pull secrets',
    })
    expect(r.explanation?.summary).toMatch(/secrets/)
    expect(migrateExitCode(r)).toBe(1)
  })

  it('maps timeout to 1 and interruption to 130', () => {
    expect(migrateExitCode({outcome: 'timeout', exitCode: null})).toBe(1)
    expect(migrateExitCode({outcome: 'interrupted', exitCode: null})).toBe(130)
  })
})
