import {
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  StartLiveTailCommand,
  type StartLiveTailCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs'
import {DescribeTasksCommand, ListTasksCommand, type Task} from '@aws-sdk/client-ecs'
import {GetCallerIdentityCommand} from '@aws-sdk/client-sts'
import {captureOutput} from '@oclif/test'
import {beforeEach, describe, expect, it} from 'vitest'

import LogsTail, {noEventsNote} from '../../../src/commands/logs/tail.js'
import type {TailSummary} from '../../../src/lib/logs/tailer.js'
import {accessDenied, mocks, resetMocks} from '../../helpers/aws.js'
import {accountClusters} from '../../helpers/ecs.js'
import {FakeLogs, liveEvent, LiveStream, TASK_A, TASK_B} from '../../lib/logs/fakes.js'

const root = import.meta.url
const WEB = '/ecs/staging-allthrive-web'
const CELERY = '/ecs/staging-allthrive-celery'
const run = (argv: string[]) => captureOutput<TailSummary | undefined>(() => LogsTail.run(argv, root))

let logs: FakeLogs
let now: number

/** The notices of `logs tail` on stderr (oclif may add warnings of its own while another build rewrites dist/). */
const ourLines = (stderr: string): string[] =>
  stderr.split('\n').filter((l) => /^(Log group|Live Tail|Last stopped|No log stream|CloudWatch Logs)/.test(l))

describe('logs tail', () => {
  beforeEach(() => {
    resetMocks()
    // The account has the environment's cluster (discovery lists the clusters first).
    accountClusters([{name: 'staging-allthrive-cluster'}])
    process.env.AWS_REGION = 'us-east-1'
    delete process.env.ENVIRONMENT
    now = Date.now()
    logs = new FakeLogs({now: () => Date.now()})
    logs.groups.add(WEB).add(CELERY)
    mocks.logs.on(FilterLogEventsCommand).callsFake(logs.filter)
    mocks.sts
      .on(GetCallerIdentityCommand)
      .resolves({Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/oncall'})
    logs.put(WEB, `ecs/web/${TASK_A}`, now - 120_000, 'GET /api/health/ 200')
    logs.put(CELERY, `ecs/celery/${TASK_B}`, now - 90_000, 'Task app.tasks.sync succeeded')
    logs.put(WEB, `ecs/web/${TASK_B}`, now - 60_000, 'ERROR boom\nTraceback (most recent call last):')
    logs.put(WEB, `ecs/web/${TASK_A}`, now - 3_600_000, 'an hour ago')
  })

  it('interleaves the services by time, each line prefixed with the service and short task id', async () => {
    const {stdout, stderr, result} = await run(['web', 'celery', '-e', 'staging'])
    const stamp = (ms: number) => new Date(ms).toISOString()
    expect(stdout.split('\n')).toEqual([
      `web/aaaaaaaa    | ${stamp(now - 120_000)} GET /api/health/ 200`,
      `celery/bbbbbbbb | ${stamp(now - 90_000)} Task app.tasks.sync succeeded`,
      `web/bbbbbbbb    | ${stamp(now - 60_000)} ERROR boom`,
      `web/bbbbbbbb    |                          Traceback (most recent call last):`,
      '',
    ])
    expect(ourLines(stderr)).toEqual([])
    expect(result).toMatchObject({events: 3, mode: 'window', stopped: false})
    expect(process.exitCode).toBe(0)
    // Default window: the last 10 minutes, up to now.
    expect(logs.calls[0].startTime).toBeGreaterThanOrEqual(now - 600_000)
    expect(logs.calls[0].startTime).toBeLessThan(now - 590_000)
  })

  it('says on stderr that the window held no event, with a wider --since to try, and exits 0', async () => {
    const {stdout, stderr, result} = await run(['web', '-e', 'staging', '--since', '30s'])
    expect(stdout).toBe('')
    expect(stderr.trim().split('\n').at(-1)).toBe('no events in the last 30s; try --since 1h')
    expect(result).toMatchObject({events: 0})
    expect(process.exitCode).toBe(0)
    const week = await run(['web', '-e', 'staging', '--since', '3d', '--filter', 'NOPE'])
    expect(week.stderr.trim().split('\n').at(-1)).toBe('no events matching the filter in the last 3d; try --since 7d')
  })

  it('reads all four services when none is named', async () => {
    await run(['-e', 'staging', '--since', '2h'])
    expect(new Set(logs.calls.map((c) => c.logGroupName))).toEqual(
      new Set([WEB, CELERY, '/ecs/staging-allthrive-celery-beat', '/ecs/staging-allthrive-weaviate']),
    )
  })

  it('prints one JSON object per line with --json, and nothing else on stdout', async () => {
    const {stdout, result} = await run(['web', 'celery', '-e', 'staging', '--json'])
    const lines = stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(3)
    const events = lines.map((l) => JSON.parse(l))
    expect(events[0]).toEqual({
      timestamp: new Date(now - 120_000).toISOString(),
      service: 'web',
      group: WEB,
      stream: `ecs/web/${TASK_A}`,
      taskId: TASK_A,
      message: 'GET /api/health/ 200',
    })
    expect(events.map((e) => e.service)).toEqual(['web', 'celery', 'web'])
    expect(result).toBeUndefined()
    expect(process.exitCode).toBe(0)
  })

  it('passes --filter to AWS and --since/--until as the window', async () => {
    await run([
      'web',
      '-e',
      'staging',
      '--filter',
      '?ERROR ?Traceback',
      '--since',
      '2025-12-25T10:00:00Z',
      '--until',
      '2025-12-25T10:15:00+00:00',
    ])
    expect(mocks.logs).toHaveReceivedCommandWith(FilterLogEventsCommand, {
      logGroupName: WEB,
      filterPattern: '?ERROR ?Traceback',
      startTime: Date.parse('2025-12-25T10:00:00Z'),
      endTime: Date.parse('2025-12-25T10:15:00Z'),
    })
  })

  it('names a missing log group on stderr and shows the others (exit 0)', async () => {
    logs.groups.delete(CELERY)
    const {stdout, stderr} = await run(['web', 'celery', '-e', 'staging', '--json'])
    expect(stdout.trimEnd().split('\n')).toHaveLength(2)
    expect(ourLines(stderr)).toEqual([`Log group ${CELERY} (celery) does not exist: skipped.`])
    expect(process.exitCode).toBe(0)
  })

  it('exits 1 when no log group exists, as one JSON line with --json', async () => {
    logs.groups.clear()
    const {stdout} = await run(['celery', '-e', 'staging', '--json'])
    expect(stdout.trimEnd().split('\n')).toHaveLength(1)
    expect(JSON.parse(stdout)).toMatchObject({
      error: {
        code: 'LOG_GROUP_NOT_FOUND',
        message: expect.stringContaining(`No log group found: ${CELERY} (celery) does not exist`),
      },
    })
    expect(process.exitCode).toBe(1)
  })

  it('exits 1 naming the IAM action when reading is denied', async () => {
    mocks.logs.on(FilterLogEventsCommand).rejects(accessDenied('logs:FilterLogEvents'))
    const {error} = await run(['web', '-e', 'staging'])
    expect(error?.message).toMatch(/^AccessDeniedException \(HTTP 403, request req-1234\): .*logs:FilterLogEvents/)
    expect(error?.suggestions?.[0]).toContain('Grant logs:FilterLogEvents')
    expect(error?.oclif?.exit).toBe(1)
  })

  it("narrows to one task's stream with --task", async () => {
    mocks.logs
      .on(DescribeLogStreamsCommand)
      .resolves({logStreams: [{logStreamName: `ecs/web/${TASK_A}`}, {logStreamName: `ecs/web/${TASK_B}`}]})
    const {stdout} = await run(['web', '-e', 'staging', '--task', TASK_B.slice(0, 8)])
    expect(mocks.logs).toHaveReceivedCommandWith(FilterLogEventsCommand, {
      logGroupName: WEB,
      logStreamNamePrefix: `ecs/web/${TASK_B.slice(0, 8)}`,
    })
    expect(stdout).toContain('ERROR boom')
    expect(stdout).not.toContain('GET /api/health/')
  })

  it('shows the last stopped task, why it stopped, and its logs with --previous', async () => {
    const stoppedAt = now - 90_000
    const task: Task = {
      taskArn: `arn:aws:ecs:us-east-1:123456789012:task/staging-allthrive-cluster/${TASK_B}`,
      group: 'service:staging-allthrive-web',
      startedAt: new Date(now - 200_000),
      stoppedAt: new Date(stoppedAt),
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [{name: 'web', exitCode: 1}],
    }
    mocks.ecs.on(ListTasksCommand).resolves({taskArns: [task.taskArn!]})
    mocks.ecs.on(DescribeTasksCommand).resolves({tasks: [task]})
    mocks.logs
      .on(DescribeLogStreamsCommand)
      .resolves({logStreams: [{logStreamName: `ecs/web/${TASK_B}`}, {logStreamName: `ecs/web/${TASK_A}`}]})
    const {stdout, stderr} = await run(['web', '-e', 'staging', '--previous'])
    expect(stderr).toContain(
      `Last stopped task ${TASK_B} stopped ${new Date(stoppedAt).toISOString()} after 1m50s: EssentialContainerExited — Essential container in task exited; container web exit 1`,
    )
    expect(mocks.ecs).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: 'staging-allthrive-cluster',
      serviceName: 'staging-allthrive-web',
      desiredStatus: 'STOPPED',
    })
    expect(mocks.logs).toHaveReceivedCommandWith(FilterLogEventsCommand, {
      logGroupName: WEB,
      logStreamNamePrefix: `ecs/web/${TASK_B}`,
      startTime: now - 200_000 - 60_000,
      endTime: stoppedAt + 60_000,
    })
    expect(stdout).toContain('ERROR boom')
    expect(process.exitCode).toBe(0)
  })

  it('ends on Ctrl+C with exit 130 and no error, after following with Live Tail', async () => {
    const stream = new LiveStream().start()
    mocks.logs.on(StartLiveTailCommand).callsFake(async () => {
      setTimeout(() => {
        stream.update([liveEvent(WEB, `ecs/web/${TASK_A}`, Date.now(), 'live line')])
        setTimeout(() => process.emit('SIGINT'), 20)
      }, 20)
      return {$metadata: {}, responseStream: stream} as StartLiveTailCommandOutput
    })
    const {stdout, stderr, error, result} = await run(['web', '-e', 'staging', '--follow'])
    expect(error).toBeUndefined()
    expect(ourLines(stderr)).toEqual([])
    expect(stdout).toContain('ERROR boom')
    expect(stdout).toContain('live line')
    expect(result).toMatchObject({mode: 'live-tail', stopped: true})
    expect(mocks.logs).toHaveReceivedCommandWith(StartLiveTailCommand, {
      logGroupIdentifiers: [`arn:aws:logs:us-east-1:123456789012:log-group:${WEB}`],
    })
    expect(process.exitCode).toBe(130)
    expect(process.listenerCount('SIGINT')).toBe(0)
  })

  it('stops quietly (exit 0) when the reader closes the pipe (| head)', async () => {
    mocks.logs.on(StartLiveTailCommand).callsFake(async () => {
      // As a write to a closed pipe reports it (called directly: other listeners on stdout are not ours).
      setTimeout(
        () =>
          process.stdout
            .listeners('error')
            .at(-1)!
            .call(process.stdout, Object.assign(new Error('write EPIPE'), {code: 'EPIPE'})),
        20,
      )
      return {$metadata: {}, responseStream: new LiveStream().start()} as StartLiveTailCommandOutput
    })
    const {error, result} = await run(['web', '-e', 'staging', '--follow'])
    expect(error).toBeUndefined()
    expect(result).toMatchObject({stopped: true})
    expect(process.exitCode).toBe(0)
  })
})

describe('logs tail: usage errors (exit 2, nothing read)', () => {
  beforeEach(() => {
    resetMocks()
    // The account has the environment's cluster (discovery lists the clusters first).
    accountClusters([{name: 'staging-allthrive-cluster'}])
    process.env.AWS_REGION = 'us-east-1'
  })

  it.each([
    [['wbe'], 'Unknown service "wbe". Valid services: web, celery, celery-beat, weaviate.', 'Did you mean web?'],
    [
      ['celery_beat'],
      'Unknown service "celery_beat". Valid services: web, celery, celery-beat, weaviate.',
      'Did you mean celery-beat?',
    ],
    [
      ['web', '--since', 'yesterday'],
      'Invalid --since "yesterday": use a duration ago (30s, 15m, 2h or 1d) or an ISO 8601 time',
      undefined,
    ],
    [['web', '--until', '15 min'], 'Invalid --until "15 min"', undefined],
    [['web', '--since', '1h', '--until', '2h'], 'must be before --until', undefined],
    [
      ['web', 'celery', '--previous'],
      '--previous needs exactly one service.',
      'For example: allthrive logs tail web --previous --environment staging',
    ],
    [
      ['--task', 'abc12345'],
      '--task needs exactly one service.',
      'For example: allthrive logs tail web --task abc12345 --environment staging',
    ],
    [['web', '--previous', '--follow'], '--follow=true cannot also be provided when using --previous', undefined],
    [['web', '--until', '5m', '--follow'], 'cannot also be provided when using --until', undefined],
  ])('%j', async (argv, message, suggestion) => {
    const {error} = await run(['-e', 'staging', ...argv])
    expect(error?.message).toContain(message)
    if (suggestion) expect(error?.suggestions).toContain(suggestion)
    expect(error?.oclif?.exit).toBe(2)
    expect(mocks.logs.calls()).toHaveLength(0)
  })
})

describe('noEventsNote', () => {
  it.each([
    [{}, 'no events in the last 10m; try --since 1h'],
    [{since: '2h'}, 'no events in the last 2h; try --since 1d'],
    [{since: '30d'}, 'no events in the last 30d; try an earlier --since'],
    [{since: '2025-12-25T10:00:00Z'}, 'no events since 2025-12-25T10:00:00Z; try an earlier --since'],
    [{since: '2h', until: '1h'}, 'no events between --since 2h and --until 1h; try an earlier --since'],
    [{since: '10m', task: true}, 'no events in the last 10m'],
    [{previous: true}, "no events in the stopped task's log stream"],
  ])('%j -> %s', (opts, note) => {
    expect(noEventsNote(opts)).toBe(note)
  })
})
