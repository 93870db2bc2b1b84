import {CloudWatchLogsClient, FilterLogEventsCommand, ThrottlingException} from '@aws-sdk/client-cloudwatch-logs'
import {beforeEach, describe, expect, it} from 'vitest'

import type {LogLine} from '../../../src/lib/logs/format.js'
import type {TailOptions, TailSink} from '../../../src/lib/logs/state.js'
import {tail} from '../../../src/lib/logs/tailer.js'
import {accessDenied, mocks, resetMocks} from '../../helpers/aws.js'
import {FakeLogs, T0, TASK_A, TASK_B, TestClock} from './fakes.js'

const WEB = '/ecs/staging-allthrive-web'
const CELERY = '/ecs/staging-allthrive-celery'
const targets = [
  {service: 'web', group: WEB},
  {service: 'celery', group: CELERY},
]

function collect(): TailSink & {lines: LogLine[]; notices: string[]; both: string[]; text(): string[]} {
  const lines: LogLine[] = []
  const notices: string[] = []
  const both: string[] = []
  return {
    lines,
    notices,
    both,
    event(l) {
      lines.push(l)
      both.push(`${l.service} ${l.message}`)
    },
    notice(m) {
      notices.push(m)
      both.push(m)
    },
    text: () => lines.map((l) => `${l.service} ${l.message}`),
  }
}

const client = new CloudWatchLogsClient({region: 'us-east-1'})

describe('tail: one window (no --follow)', () => {
  let clock: TestClock
  let logs: FakeLogs
  beforeEach(() => {
    resetMocks()
    clock = new TestClock(T0 + 600_000)
    logs = new FakeLogs(clock)
    logs.groups.add(WEB).add(CELERY)
    mocks.logs.on(FilterLogEventsCommand).callsFake(logs.filter)
  })

  const run = (sink: TailSink, over: Partial<TailOptions> = {}) =>
    tail(client, {targets, startTime: T0, follow: false, signal: new AbortController().signal, clock, ...over}, sink)

  it('interleaves the services by timestamp, reading each group page by page', async () => {
    logs.pageSize = 2
    logs.put(WEB, `ecs/web/${TASK_A}`, T0 + 1000, 'web 1')
    logs.put(CELERY, `ecs/celery/${TASK_B}`, T0 + 2000, 'celery 2')
    logs.put(WEB, `ecs/web/${TASK_B}`, T0 + 3000, 'web 3')
    logs.put(WEB, `ecs/web/${TASK_A}`, T0 + 5000, 'web 5')
    logs.put(CELERY, `ecs/celery/${TASK_B}`, T0 + 4000, 'celery 4')
    logs.put(CELERY, `ecs/celery/${TASK_B}`, T0 + 6000, 'celery 6')
    logs.put(WEB, `ecs/web/${TASK_A}`, T0 + 7000, 'web 7')
    const sink = collect()
    const summary = await run(sink)
    expect(sink.text()).toEqual([
      'web web 1',
      'celery celery 2',
      'web web 3',
      'celery celery 4',
      'web web 5',
      'celery celery 6',
      'web web 7',
    ])
    expect(sink.lines[0]).toMatchObject({group: WEB, stream: `ecs/web/${TASK_A}`, taskId: TASK_A, timestamp: T0 + 1000})
    expect(summary).toMatchObject({events: 7, mode: 'window', missing: [], stopped: false, peakDedupKeys: 0})
    expect(logs.calls.filter((c) => c.logGroupName === WEB)).toHaveLength(2) // two pages
  })

  it('passes the window and the filter pattern to AWS', async () => {
    await run(collect(), {endTime: T0 + 300_000, filterPattern: '?ERROR ?Traceback'})
    expect(mocks.logs).toHaveReceivedCommandWith(FilterLogEventsCommand, {
      logGroupName: WEB,
      startTime: T0,
      endTime: T0 + 300_000,
      filterPattern: '?ERROR ?Traceback',
    })
    expect(mocks.logs).toHaveReceivedCommandTimes(FilterLogEventsCommand, 2)
  })

  it('ends the window at the time it started without --until', async () => {
    await run(collect())
    expect(logs.calls[0]).toMatchObject({startTime: T0, endTime: T0 + 600_000})
  })

  it('shows the services whose group exists and names the one that does not', async () => {
    logs.groups.delete(CELERY)
    logs.put(WEB, `ecs/web/${TASK_A}`, T0 + 1000, 'still here')
    const sink = collect()
    const summary = await run(sink)
    expect(sink.text()).toEqual(['web still here'])
    expect(sink.notices).toEqual([`Log group ${CELERY} (celery) does not exist: skipped.`])
    expect(summary.missing).toEqual([CELERY])
  })

  it('fails with exit 1 naming every group when none exists', async () => {
    logs.groups.clear()
    await expect(run(collect())).rejects.toMatchObject({
      message: `No log group found: ${WEB} (web), ${CELERY} (celery) do not exist in this account and region.`,
      exit: 1,
      code: 'LOG_GROUP_NOT_FOUND',
      suggestions: expect.arrayContaining([
        'List the log groups there: aws logs describe-log-groups --log-group-name-prefix /ecs/staging-allthrive-',
      ]),
    })
  })

  it('throws AWS failures as they are (the command turns them into exit 1 with the fix)', async () => {
    const denied = accessDenied('logs:FilterLogEvents')
    mocks.logs.on(FilterLogEventsCommand).rejects(denied)
    await expect(run(collect())).rejects.toBe(denied)
  })

  it('stops when aborted, between two events', async () => {
    for (let i = 0; i < 5; i++) logs.put(WEB, `ecs/web/${TASK_A}`, T0 + i, `e${i}`)
    const controller = new AbortController()
    const sink = collect()
    const summary = await tail(
      client,
      {targets, startTime: T0, follow: false, signal: controller.signal, clock},
      {
        ...sink,
        event(line) {
          sink.event(line)
          if (sink.lines.length === 2) controller.abort()
        },
      },
    )
    expect(sink.lines).toHaveLength(2)
    expect(summary.stopped).toBe(true)
  })
})

describe('tail --follow by polling FilterLogEvents', () => {
  let clock: TestClock
  let logs: FakeLogs
  let controller: AbortController
  const stopAfter = (sleeps: number) => (_ms: number, c: TestClock) => {
    if (c.sleeps.length >= sleeps) controller.abort()
  }

  beforeEach(() => {
    resetMocks()
    controller = new AbortController()
  })

  function setup(
    opts: {stopAfterSleeps?: number; onSleep?: (ms: number, c: TestClock) => void; auto?: (ms: number) => boolean} = {},
  ) {
    clock = new TestClock(T0, {auto: opts.auto, onSleep: opts.onSleep ?? stopAfter(opts.stopAfterSleeps ?? 5)})
    logs = new FakeLogs(clock)
    logs.groups.add(WEB).add(CELERY)
    mocks.logs.on(FilterLogEventsCommand).callsFake(logs.filter)
  }

  const follow = (sink: TailSink, over: Partial<TailOptions> = {}) =>
    tail(client, {targets, startTime: T0 - 600_000, follow: true, signal: controller.signal, clock, ...over}, sink)

  it('reads overlapping windows and prints an event returned by two of them once', async () => {
    setup({
      stopAfterSleeps: 4,
      onSleep(_ms, c) {
        if (c.sleeps.length === 1) logs.put(WEB, `ecs/web/${TASK_A}`, c.t + 1000, 'after the first poll')
        if (c.sleeps.length >= 4) controller.abort()
      },
    })
    logs.put(WEB, `ecs/web/${TASK_A}`, T0 - 5000, 'in the backlog')
    const sink = collect()
    const summary = await follow(sink)
    expect(sink.text()).toEqual(['web in the backlog', 'web after the first poll'])
    const webCalls = logs.calls.filter((c) => c.logGroupName === WEB)
    expect(webCalls[0].startTime).toBe(T0 - 600_000)
    // Each window starts 30 s before the previous one was read: the same events come back…
    expect(webCalls[1].startTime).toBe(T0 - 30_000)
    expect(webCalls[2].startTime).toBe(T0 + 2000 - 30_000)
    expect(webCalls[1].endTime).toBeUndefined()
    // …and are printed once.
    expect(summary).toMatchObject({events: 2, mode: 'poll', stopped: true})
    expect(clock.sleeps).toEqual([2000, 2000, 2000, 2000])
  })

  it('prints an event that arrives late, stamped inside a window already read', async () => {
    setup({stopAfterSleeps: 6})
    // Stamped 1 s after the first poll, but only ingested 5 s later (after the second poll).
    logs.put(CELERY, `ecs/celery/${TASK_B}`, T0 + 1000, 'late', {visibleAt: T0 + 5000})
    logs.put(CELERY, `ecs/celery/${TASK_B}`, T0 + 3000, 'on time')
    const sink = collect()
    await follow(sink)
    expect(sink.text()).toEqual(['celery on time', 'celery late'])
  })

  it('backs off with jitter while throttled, says so once, and resumes without losing events', async () => {
    setup({stopAfterSleeps: 6})
    logs.put(WEB, `ecs/web/${TASK_A}`, T0 + 500, 'written while throttled')
    let throttledCalls = 0
    mocks.logs.on(FilterLogEventsCommand).callsFake(async (input) => {
      if (input.startTime !== T0 - 600_000 && input.logGroupName === WEB && throttledCalls < 3) {
        throttledCalls++
        throw new ThrottlingException({message: 'Rate exceeded', $metadata: {httpStatusCode: 400}})
      }

      return logs.filter(input)
    })
    const sink = collect()
    await follow(sink)
    // 3 throttled polls: 4 s, 8 s, 16 s ceilings, jittered to 3/4 (random 0.5); then back to every 2 s.
    expect(clock.sleeps).toEqual([2000, 3000, 6000, 12_000, 2000, 2000])
    expect(sink.text()).toEqual(['web written while throttled'])
    expect(sink.notices.filter((n) => n.includes('throttling'))).toEqual([
      'CloudWatch Logs is throttling FilterLogEvents: backing off (up to 30s) and resuming; no event is skipped.',
    ])
  })

  it('caps the back-off', async () => {
    setup({stopAfterSleeps: 12})
    mocks.logs.on(FilterLogEventsCommand).callsFake(async (input) => {
      if (input.startTime !== T0 - 600_000) throw new ThrottlingException({message: 'Rate exceeded', $metadata: {}})
      return logs.filter(input)
    })
    await follow(collect(), {maxBackoffMs: 30_000})
    expect(Math.max(...clock.sleeps)).toBe(22_500)
    expect(clock.sleeps.at(-1)).toBe(22_500)
  })

  it('keeps the dedup keys bounded however long it follows', async () => {
    setup({
      onSleep(_ms, c) {
        logs.put(WEB, `ecs/web/${TASK_A}`, c.t, `event ${c.sleeps.length}`)
        if (c.sleeps.length >= 400) controller.abort()
      },
    })
    const summary = await follow(collect())
    expect(summary.events).toBe(399)
    // One event per 2 s poll; keys older than the cursor minus twice the 30 s overlap are dropped.
    expect(summary.peakDedupKeys).toBeLessThanOrEqual(33)
  })

  it('keeps following the groups that exist, and picks up a group created later', async () => {
    setup({
      onSleep(_ms, c) {
        if (c.t === T0 + 10_000) {
          logs.groups.add(CELERY)
          logs.put(CELERY, `ecs/celery/${TASK_B}`, c.t, 'celery started')
        }

        if (c.t >= T0 + 50_000) controller.abort()
      },
    })
    logs.groups.delete(CELERY)
    logs.put(WEB, `ecs/web/${TASK_A}`, T0 - 1000, 'web is up')
    const sink = collect()
    const summary = await follow(sink, {missingRetryMs: 20_000})
    expect(sink.notices).toEqual([
      `Log group ${CELERY} (celery) does not exist yet: showing the other services, and looking for it again every 20s.`,
      `Log group ${CELERY} (celery) now exists: following it.`,
    ])
    expect(sink.text()).toEqual(['web web is up', 'celery celery started'])
    expect(sink.both.slice(-2)).toEqual([
      `Log group ${CELERY} (celery) now exists: following it.`,
      'celery celery started',
    ])
    // Looked for at 0 s and 20 s only (not at every poll), then followed like the others.
    const celery = logs.calls.filter((c) => c.logGroupName === CELERY)
    expect(celery.slice(0, 3).map((c) => [c.at - T0, c.startTime! - T0])).toEqual([
      [0, -600_000],
      [20_000, -600_000],
      [22_000, -10_000],
    ])
    expect(summary.missing).toEqual([])
  })

  it('says when a group it was following is deleted, and keeps following the others', async () => {
    setup({
      onSleep(_ms, c) {
        if (c.sleeps.length === 2) logs.groups.delete(CELERY)
        if (c.sleeps.length === 3) logs.put(WEB, `ecs/web/${TASK_A}`, c.t, 'web goes on')
        if (c.sleeps.length >= 5) controller.abort()
      },
    })
    const sink = collect()
    const summary = await follow(sink)
    expect(sink.notices).toEqual([`Log group ${CELERY} (celery) no longer exists: looking for it again every 30s.`])
    expect(sink.text()).toEqual(['web web goes on'])
    expect(summary.missing).toEqual([CELERY])
  })

  it('fails with exit 1 when no group exists at all', async () => {
    setup()
    logs.groups.clear()
    await expect(follow(collect())).rejects.toMatchObject({code: 'LOG_GROUP_NOT_FOUND', exit: 1})
  })

  it('stops cleanly when aborted while waiting between polls', async () => {
    setup({onSleep: () => {}, auto: () => false})
    const done = follow(collect())
    await new Promise((r) => setImmediate(r))
    controller.abort()
    await expect(done).resolves.toMatchObject({stopped: true, mode: 'poll'})
  })
})
