import {
  FilterLogEventsCommand,
  type FilterLogEventsCommandOutput,
  type FilteredLogEvent,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs'
import {beforeEach, describe, expect, it} from 'vitest'

import {cloudwatchErrors} from '../../src/checks/cloudwatch-errors.js'
import {DEFAULT_THRESHOLDS, type Thresholds} from '../../src/config.js'
import {accessDenied, mocks, resetMocks} from '../helpers/aws.js'
import {ctxWith, everything, expectErrorNaming, NOW} from '../helpers/context.js'

const WEB = '/ecs/production-allthrive-web'
const CELERY = '/ecs/production-allthrive-celery'
const BEAT = '/ecs/production-allthrive-celery-beat'
const WEAVIATE = '/ecs/production-allthrive-weaviate'
const GROUPS = [WEB, CELERY, BEAT, WEAVIATE]

let seq = 0
const event = (message: string): FilteredLogEvent => {
  seq++
  return {
    logStreamName: 'ecs/web/4f0c9e2d',
    timestamp: NOW.getTime() - seq * 1000,
    ingestionTime: NOW.getTime(),
    eventId: `${seq}`,
    message,
  }
}

const page = (events: FilteredLogEvent[], nextToken?: string): FilterLogEventsCommandOutput => ({
  $metadata: {},
  events,
  ...(nextToken && {nextToken}),
})
const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({length: n}, (_, i) => f(i))

/** Realistic error lines, each in several variants that must group into one signature. */
const dbDown = (i: number) =>
  `2026-11-26 11:5${i % 10}:0${i % 6},${100 + i} ERROR    Exception inside application: could not connect to server on port ${5432 + (i % 3)}`
const celeryTask = (i: number) =>
  `[2026-11-26 11:58:0${i % 10},123: ERROR/ForkPoolWorker-${i % 4}] Task projects.tasks.sync_repo[${`${i}`.padStart(8, '0')}-8b1d-4c6e-9f7a-2d3b4c5d6e7f] raised unexpected: OperationalError('could not translate host name "db-${i}" to address')`

const ctxWithThresholds = (over: Partial<Thresholds['cloudwatchErrors']>) =>
  ctxWith({thresholds: {...DEFAULT_THRESHOLDS, cloudwatchErrors: {...DEFAULT_THRESHOLDS.cloudwatchErrors, ...over}}})

/** Every group answers with no events unless a test says otherwise. */
const groups = (pages: Partial<Record<string, FilterLogEventsCommandOutput>>) => {
  mocks.logs.on(FilterLogEventsCommand).resolves(page([]))
  for (const [logGroupName, out] of Object.entries(pages))
    mocks.logs.on(FilterLogEventsCommand, {logGroupName}).resolves(out!)
}

describe('cloudwatch-errors check', () => {
  beforeEach(() => resetMocks())

  it('passes with no errors, querying every group over the window ending now', async () => {
    groups({})
    const ctx = ctxWith()
    const r = await cloudwatchErrors.run(ctx)
    expect(r).toMatchObject({status: 'pass', summary: 'no errors in the last 15m in 4 log groups'})
    expect(r.details).toBeUndefined()
    expect(mocks.logs).toHaveReceivedCommandTimes(FilterLogEventsCommand, 4)
    for (const logGroupName of GROUPS) {
      expect(mocks.logs).toHaveReceivedCommandWith(FilterLogEventsCommand, {
        logGroupName,
        filterPattern: '?ERROR ?CRITICAL ?Traceback',
        startTime: Date.parse('2026-11-26T11:45:00Z'),
        endTime: Date.parse('2026-11-26T12:00:00Z'),
        limit: 5000,
      })
    }

    for (const call of mocks.logs.calls()) expect((call.args as unknown[])[1]).toEqual({abortSignal: ctx.signal})
    expect(r.data).toEqual({
      since: '15m',
      total: 0,
      perGroup: ['web', 'celery', 'celery-beat', 'weaviate'].map((service, i) => ({
        service,
        logGroup: GROUPS[i],
        count: 0,
        truncated: false,
        missing: false,
      })),
      top: [],
    })
  })

  it('uses thresholds.cloudwatchErrors.since for the window and the commands', async () => {
    groups({[WEB]: page([event(dbDown(1))])})
    const r = await cloudwatchErrors.run(ctxWithThresholds({since: '2h'}))
    expect(mocks.logs).toHaveReceivedCommandWith(FilterLogEventsCommand, {
      logGroupName: WEB,
      startTime: NOW.getTime() - 7_200_000,
      endTime: NOW.getTime(),
    })
    expect(r.summary).toBe('1 error event in the last 2h (web 1)')
    expect(r.details?.[0]).toContain('--since 2h ')
  })

  it('warns with one line per signature, each with the command that shows it', async () => {
    groups({
      [WEB]: page([event(dbDown(1)), event(dbDown(2)), event(dbDown(3))]),
      [CELERY]: page([event(celeryTask(1))]),
    })
    const r = await cloudwatchErrors.run(ctxWith())
    expect(r.status).toBe('warn')
    expect(r.summary).toBe('4 error events in the last 15m (web 3, celery 1)')
    expect(r.details).toEqual([
      'web ×3  Exception inside application: could not connect to server on port <n> — allthrive logs tail web -e production --since 15m --filter "application"',
      'celery ×1  Task projects.tasks.sync_repo[<uuid>] raised unexpected: OperationalError(<str>) — allthrive logs tail celery -e production --since 15m --filter "OperationalError"',
    ])
    expect(r.hint).toBe('Run the allthrive logs tail command of a line to read those events in context.')
    expect(r.data?.top).toEqual([
      {
        service: 'web',
        count: 3,
        message: 'Exception inside application: could not connect to server on port <n>',
        command: 'allthrive logs tail web -e production --since 15m --filter "application"',
      },
      {
        service: 'celery',
        count: 1,
        message: 'Task projects.tasks.sync_repo[<uuid>] raised unexpected: OperationalError(<str>)',
        command: 'allthrive logs tail celery -e production --since 15m --filter "OperationalError"',
      },
    ])
  })

  it('fails at failAt events, keeping the topMessages most frequent signatures overall', async () => {
    const traceback = (i: number) =>
      `ERROR Internal Server Error: /api/v1/projects/${i}/\nTraceback (most recent call last):\n  File "/app/db.py", line ${i}, in connect\npsycopg2.OperationalError: could not connect to server: Connection refused\n`
    groups({
      [WEB]: page([...times(30, (i) => event(traceback(i))), ...times(7, (i) => event(dbDown(i)))]),
      [CELERY]: page([
        ...times(14, (i) => event(celeryTask(i))),
        event('[2026-11-26 11:58:01,123: CRITICAL/MainProcess] Unrecoverable error: ConnectionRefusedError(111)'),
      ]),
      [BEAT]: page([
        event('ERROR beat: Connection error: Error 111 connecting to 10.0.3.12:6379. Connection refused.'),
      ]),
    })
    const r = await cloudwatchErrors.run(ctxWithThresholds({topMessages: 3}))
    expect(r.status).toBe('fail')
    expect(r.summary).toBe('53 error events in the last 15m (web 37, celery 15, celery-beat 1)')
    expect(r.details).toEqual([
      'web ×30  psycopg2.OperationalError: could not connect to server: Connection refused — allthrive logs tail web -e production --since 15m --filter "OperationalError"',
      'celery ×14  Task projects.tasks.sync_repo[<uuid>] raised unexpected: OperationalError(<str>) — allthrive logs tail celery -e production --since 15m --filter "OperationalError"',
      'web ×7  Exception inside application: could not connect to server on port <n> — allthrive logs tail web -e production --since 15m --filter "application"',
    ])
    expect((r.data?.top as unknown[]).length).toBe(3)
  })

  it('passes below warnAt, still listing what it saw', async () => {
    groups({[WEB]: page([event(dbDown(1)), event(dbDown(2))])})
    const r = await cloudwatchErrors.run(ctxWithThresholds({warnAt: 3, failAt: 10}))
    expect(r).toMatchObject({status: 'pass', summary: '2 error events in the last 15m (web 2)'})
    expect(r.details).toHaveLength(1)
  })

  it('warns at exactly warnAt and fails at exactly failAt', async () => {
    groups({[WEB]: page(times(3, (i) => event(dbDown(i))))})
    expect((await cloudwatchErrors.run(ctxWithThresholds({warnAt: 3, failAt: 4}))).status).toBe('warn')
    expect((await cloudwatchErrors.run(ctxWithThresholds({warnAt: 2, failAt: 3}))).status).toBe('fail')
  })

  it('stops paging at maxEventsPerGroup and reports a lower bound', async () => {
    groups({})
    mocks.logs
      .on(FilterLogEventsCommand, {logGroupName: WEB})
      .resolvesOnce(page([event(dbDown(1)), event(dbDown(2))], 'token-1'))
      .resolvesOnce(page([event(dbDown(3)), event(dbDown(4))], 'token-2'))
      .resolvesOnce(page([event(dbDown(5)), event(dbDown(6))], 'token-3'))
      .resolves(page([event(dbDown(7))]))
    const r = await cloudwatchErrors.run(ctxWithThresholds({maxEventsPerGroup: 3}))
    const webCalls = mocks.logs.commandCalls(FilterLogEventsCommand, {logGroupName: WEB})
    expect(webCalls).toHaveLength(2)
    expect(webCalls[0].args[0].input).toMatchObject({limit: 3})
    expect(r.summary).toBe('at least 3 error events in the last 15m (web ≥3)')
    expect(r.details).toContain(`${WEB}: stopped after 3 events (thresholds.cloudwatchErrors.maxEventsPerGroup)`)
    expect(r.data?.perGroup).toContainEqual({service: 'web', logGroup: WEB, count: 3, truncated: true, missing: false})
  })

  it('reads every page when the group holds exactly maxEventsPerGroup events', async () => {
    groups({})
    mocks.logs
      .on(FilterLogEventsCommand, {logGroupName: WEB})
      .resolvesOnce(page([event(dbDown(1))], 'token-1'))
      .resolvesOnce(page([], 'token-2'))
      .resolves(page([event(dbDown(2)), event(dbDown(3))]))
    const r = await cloudwatchErrors.run(ctxWithThresholds({maxEventsPerGroup: 3}))
    expect(mocks.logs.commandCalls(FilterLogEventsCommand, {logGroupName: WEB})).toHaveLength(3)
    expect(r.summary).toBe('3 error events in the last 15m (web 3)')
    expect(r.data?.perGroup).toContainEqual({service: 'web', logGroup: WEB, count: 3, truncated: false, missing: false})
  })

  it('warns about a log group that does not exist and still counts the others', async () => {
    groups({[CELERY]: page([event(celeryTask(1))])})
    mocks.logs.on(FilterLogEventsCommand, {logGroupName: WEAVIATE}).rejects(
      new ResourceNotFoundException({
        message: 'The specified log group does not exist.',
        $metadata: {httpStatusCode: 400},
      }),
    )
    const r = await cloudwatchErrors.run(ctxWith())
    expect(r.status).toBe('warn')
    expect(r.summary).toBe('1 error event in the last 15m (celery 1); 1 log group does not exist')
    expect(r.details).toEqual([
      'celery ×1  Task projects.tasks.sync_repo[<uuid>] raised unexpected: OperationalError(<str>) — allthrive logs tail celery -e production --since 15m --filter "OperationalError"',
      `log group ${WEAVIATE} does not exist`,
    ])
    expect(r.hint).toContain('aws logs describe-log-groups --log-group-name-prefix /ecs/production-allthrive')
    expect(r.data?.perGroup).toContainEqual({
      service: 'weaviate',
      logGroup: WEAVIATE,
      count: 0,
      truncated: false,
      missing: true,
    })
  })

  it('warns when a group is missing even with no errors anywhere', async () => {
    groups({})
    mocks.logs
      .on(FilterLogEventsCommand, {logGroupName: '/ecs/staging-allthrive-celery-beat'})
      .rejects(new ResourceNotFoundException({message: 'The specified log group does not exist.', $metadata: {}}))
    const r = await cloudwatchErrors.run(ctxWith({}, {name: 'staging'}))
    expect(r).toMatchObject({
      status: 'warn',
      summary: 'no errors in the last 15m in 3 log groups; 1 log group does not exist',
      details: ['log group /ecs/staging-allthrive-celery-beat does not exist'],
    })
    expect(r.hint).toBe(
      'A missing log group means the service has not logged yet or the name is wrong: aws logs describe-log-groups --log-group-name-prefix /ecs/staging-allthrive',
    )
  })

  it('counts only events that really match, case-sensitively, whatever the API returned', async () => {
    groups({
      [WEB]: page([
        event('2026-11-26 11:58:01,123 INFO     HTTP GET /api/health/ 200'),
        event('2026-11-26 11:58:02,123 WARNING  error rate is 0.1%'),
        event('INFO ERRORS_TOTAL metric exported'),
        event(
          '2026-11-26 11:58:03,123 ERROR    Exception inside application: could not connect to server on port 5432',
        ),
        event('Traceback (most recent call last):'),
      ]),
    })
    const r = await cloudwatchErrors.run(ctxWith())
    expect(r.summary).toBe('2 error events in the last 15m (web 2)')
    expect((r.data?.top as {message: string}[]).map((t) => t.message)).toEqual([
      'Exception inside application: could not connect to server on port <n>',
      'Traceback (most recent call last):',
    ])
  })

  it('shows log lines only masked: no e-mail addresses, quoted values or credentials', async () => {
    groups({
      [WEB]: page([
        event('ERROR Login failed for ana@example.com: "wrong password" redis://:hunter2@10.0.3.12:6379/0'),
      ]),
    })
    const r = await cloudwatchErrors.run(ctxWith())
    expect(r.details?.[0]).toMatch(/^web ×1 {2}Login failed for <email>: <str> redis:\/\/<credentials>@<ip>\/<n> — /)
    for (const s of ['ana@example.com', 'wrong password', 'hunter2', '10.0.3.12'])
      expect(everything(r)).not.toContain(s)
  })

  it('lets AccessDenied propagate: the runner reports an error naming logs:FilterLogEvents', async () => {
    groups({})
    mocks.logs.on(FilterLogEventsCommand, {logGroupName: CELERY}).rejects(accessDenied('logs:FilterLogEvents'))
    await expect(cloudwatchErrors.run(ctxWith())).rejects.toThrow(/not authorized to perform: logs:FilterLogEvents/)
    const {signal: _, ...base} = ctxWith()
    await expectErrorNaming(cloudwatchErrors, 'logs:FilterLogEvents', base)
  })
})

describe('cloudwatch-errors over one log group shared by every service', () => {
  beforeEach(() => resetMocks())

  it("reads each service's own streams (<prefix>/<container>/), and names a service that logs elsewhere", async () => {
    const SHARED = '/ecs/allthriveai-production'
    mocks.logs
      .on(FilterLogEventsCommand)
      .resolves(page([]))
      .on(FilterLogEventsCommand, {logGroupName: SHARED, logStreamNamePrefix: 'ecs/worker/'})
      .resolves(page([event(dbDown(1)), event(dbDown(2))]))
    const base = ctxWith().env.services.map((s) => ({...s, logGroup: SHARED, logStreamPrefix: 'ecs'}))
    const services = [
      ...base.slice(0, 3),
      {
        ...base[3],
        logElsewhere:
          'logs go to the splunk driver (splunk-url=https://splunk.example:8088), not CloudWatch Logs: they cannot be read here',
      },
      {
        key: 'celery-ai',
        name: 'allthriveai-production-celery-ai',
        container: 'worker',
        logGroup: SHARED,
        logStreamPrefix: 'ecs',
        requiredEnv: [],
      },
    ]
    const r = await cloudwatchErrors.run(ctxWith({services}))
    expect(r.summary).toBe('2 error events in the last 15m (celery-ai 2)')
    expect(r.details).toContain(
      'weaviate: logs go to the splunk driver (splunk-url=https://splunk.example:8088), not CloudWatch Logs: they cannot be read here',
    )
    const prefixes = mocks.logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input.logStreamNamePrefix)
    expect(prefixes.sort()).toEqual(['ecs/celery-beat/', 'ecs/celery/', 'ecs/web/', 'ecs/worker/'])
  })
})
