import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  LimitExceededException,
  StartLiveTailCommand,
  type StartLiveTailCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs'
import {beforeEach, describe, expect, it} from 'vitest'

import type {LogLine} from '../../../src/lib/logs/format.js'
import {groupNameOf, liveTailRequest} from '../../../src/lib/logs/live-tail.js'
import type {TailOptions, TailSink, TargetState} from '../../../src/lib/logs/state.js'
import {tail} from '../../../src/lib/logs/tailer.js'
import {accessDenied, mocks, resetMocks} from '../../helpers/aws.js'
import {FakeLogs, liveEvent, LiveStream, settle, T0, TASK_A, TASK_B, TestClock} from './fakes.js'

const WEB = '/ecs/staging-allthrive-web'
const CELERY = '/ecs/staging-allthrive-celery'
const WEB_STREAM = `ecs/web/${TASK_A}`
const CELERY_STREAM = `ecs/celery/${TASK_B}`
const arnOf = (group: string): string => `arn:aws:logs:us-east-1:123456789012:log-group:${group}`
const client = new CloudWatchLogsClient({region: 'us-east-1'})

function collect(): TailSink & {lines: LogLine[]; notices: string[]; text(): string[]} {
  const lines: LogLine[] = []
  const notices: string[] = []
  return {
    lines,
    notices,
    event: (l) => void lines.push(l),
    notice: (m) => void notices.push(m),
    text: () => lines.map((l) => `${l.service} ${l.message}`),
  }
}

const output = (stream: AsyncIterable<unknown>): StartLiveTailCommandOutput =>
  ({$metadata: {httpStatusCode: 200}, responseStream: stream}) as StartLiveTailCommandOutput

describe('tail --follow with Live Tail', () => {
  let clock: TestClock
  let logs: FakeLogs
  let controller: AbortController
  let sink: ReturnType<typeof collect>

  beforeEach(() => {
    resetMocks()
    controller = new AbortController()
    sink = collect()
  })

  /** Sleeps shorter than 15 s (reconnect back-off, poll interval) pass at once; the stall watchdog and missing-group probe wait. */
  function setup(opts: {auto?: (ms: number) => boolean; onSleep?: (ms: number, c: TestClock) => void} = {}) {
    clock = new TestClock(T0, {auto: opts.auto ?? ((ms) => ms < 15_000), onSleep: opts.onSleep})
    logs = new FakeLogs(clock)
    logs.groups.add(WEB).add(CELERY)
    mocks.logs.on(FilterLogEventsCommand).callsFake(logs.filter)
  }

  const follow = (over: Partial<TailOptions> = {}) =>
    tail(
      client,
      {
        targets: [
          {service: 'web', group: WEB},
          {service: 'celery', group: CELERY},
        ],
        startTime: T0 - 600_000,
        follow: true,
        liveTail: {arnOf},
        signal: controller.signal,
        clock,
        ...over,
      },
      sink,
    )

  it('prints the backlog, then the live events of every group, each once', async () => {
    setup()
    logs.put(WEB, WEB_STREAM, T0 - 5000, 'backlog ERROR')
    const stream = new LiveStream().start()
    mocks.logs.on(StartLiveTailCommand).callsFake(async () => {
      // Ingested after the backlog was read, before the session started: the catch-up reads it.
      logs.put(CELERY, CELERY_STREAM, T0 - 10, 'between ERROR')
      return output(stream)
    })
    const done = follow({filterPattern: 'ERROR'})
    await settle()
    expect(mocks.logs).toHaveReceivedCommandWith(StartLiveTailCommand, {
      logGroupIdentifiers: [arnOf(WEB), arnOf(CELERY)],
      logEventFilterPattern: 'ERROR',
    })

    stream.update([
      liveEvent(CELERY, CELERY_STREAM, T0 - 10, 'between ERROR'), // also read by the catch-up: not again
      liveEvent(WEB, WEB_STREAM, T0 + 1500, 'live ERROR two'),
      liveEvent(CELERY, CELERY_STREAM, T0 + 1200, 'live ERROR one'),
    ])
    stream.update([])
    stream.update([liveEvent(WEB, WEB_STREAM, T0 + 2500, 'live ERROR three')], true)
    await settle()
    expect(sink.text()).toEqual([
      'web backlog ERROR',
      'celery between ERROR',
      'celery live ERROR one',
      'web live ERROR two',
      'web live ERROR three',
    ])
    expect(sink.lines[2]).toMatchObject({group: CELERY, stream: CELERY_STREAM, taskId: TASK_B, timestamp: T0 + 1200})
    expect(sink.notices).toEqual([
      'Live Tail is sampling: more than 500 events a second match. Narrow with --filter or a service to see every event.',
    ])

    controller.abort()
    await expect(done).resolves.toMatchObject({mode: 'live-tail', stopped: true, events: 5})
  })

  it('prints an event replayed by a new session once (an emulator replays what exists)', async () => {
    setup()
    logs.put(WEB, WEB_STREAM, T0 - 300_000, 'five minutes ago')
    const stream = new LiveStream().start()
    mocks.logs.on(StartLiveTailCommand).resolves(output(stream))
    const done = follow()
    await settle()
    stream.update([
      liveEvent(WEB, WEB_STREAM, T0 - 300_000, 'five minutes ago'),
      liveEvent(WEB, WEB_STREAM, T0 - 900_000, 'before --since'),
    ])
    await settle()
    expect(sink.text()).toEqual(['web five minutes ago'])
    controller.abort()
    await done
  })

  it('falls back to polling, saying so once, when StartLiveTail is denied', async () => {
    setup({onSleep: (_ms, c) => c.sleeps.length >= 3 && controller.abort()})
    mocks.logs.on(StartLiveTailCommand).rejects(accessDenied('logs:StartLiveTail'))
    logs.put(WEB, WEB_STREAM, T0 + 1000, 'seen by polling')
    const summary = await follow()
    expect(sink.notices).toEqual([
      'Live Tail is not allowed (logs:StartLiveTail denied): polling FilterLogEvents every 2s instead.',
    ])
    expect(sink.text()).toEqual(['web seen by polling'])
    expect(summary).toMatchObject({mode: 'poll', stopped: true})
    expect(mocks.logs).toHaveReceivedCommandTimes(StartLiveTailCommand, 1)
  })

  it('falls back to polling when Live Tail is at its session limit', async () => {
    setup({onSleep: (_ms, c) => c.sleeps.length >= 1 && controller.abort()})
    mocks.logs
      .on(StartLiveTailCommand)
      .rejects(new LimitExceededException({message: 'Too many sessions', $metadata: {httpStatusCode: 400}}))
    await follow()
    expect(sink.notices).toEqual([
      'Live Tail is at its limit of concurrent sessions for this account: polling FilterLogEvents every 2s instead.',
    ])
  })

  it('reconnects when a session reaches its 3-hour limit, printing what came in between once', async () => {
    setup()
    const first = new LiveStream().start()
    const second = new LiveStream().start()
    mocks.logs.on(StartLiveTailCommand).resolvesOnce(output(first)).resolvesOnce(output(second))
    const done = follow()
    await settle()

    logs.put(WEB, WEB_STREAM, T0 + 1000, 'first session')
    first.update([liveEvent(WEB, WEB_STREAM, T0 + 1000, 'first session')])
    await settle()
    clock.t = T0 + 3 * 3_600_000
    // Ingested while no session was open.
    logs.put(CELERY, CELERY_STREAM, clock.t - 500, 'between sessions')
    first.push({SessionTimeoutException: {message: 'Session timed out'} as never})
    await settle()
    second.update([liveEvent(WEB, WEB_STREAM, clock.t + 1000, 'second session')])
    await settle()

    expect(mocks.logs).toHaveReceivedCommandTimes(StartLiveTailCommand, 2)
    expect(sink.notices).toEqual(['Live Tail session reached its 3-hour limit: reconnecting.'])
    expect(sink.text()).toEqual(['web first session', 'celery between sessions', 'web second session'])
    controller.abort()
    await expect(done).resolves.toMatchObject({mode: 'live-tail', stopped: true})
  })

  it('reconnects when the stream just ends, and polls when sessions keep ending at once', async () => {
    setup({onSleep: (ms) => ms === 2000 && controller.abort()})
    mocks.logs.on(StartLiveTailCommand).callsFake(async () => output(new LiveStream().start().end()))
    const summary = await follow()
    expect(sink.notices).toEqual([
      'Live Tail session ended: reconnecting.',
      'Live Tail sessions keep ending right after they start: polling FilterLogEvents every 2s instead.',
    ])
    expect(mocks.logs).toHaveReceivedCommandTimes(StartLiveTailCommand, 2)
    expect(clock.sleeps).toContain(1500) // a jittered second between the quick sessions
    expect(summary.mode).toBe('poll')
  })

  it('falls back to polling when a session sends nothing (AWS sends an update every second)', async () => {
    setup({auto: (ms) => ms <= 20_000, onSleep: (ms) => ms === 2000 && controller.abort()})
    mocks.logs.on(StartLiveTailCommand).resolves(output(new LiveStream()))
    await follow()
    expect(sink.notices).toEqual([
      'Live Tail sent nothing for 20s (it sends an update every second): polling FilterLogEvents every 2s instead.',
    ])
  })

  it('does not print an event read by Live Tail again when polling takes over', async () => {
    setup({onSleep: (ms, c) => ms === 2000 && c.sleeps.filter((s) => s === 2000).length >= 2 && controller.abort()})
    const stream = new LiveStream().start()
    const refused = Object.assign(new Error('connect ECONNREFUSED'), {code: 'ECONNREFUSED'})
    mocks.logs.on(StartLiveTailCommand).resolvesOnce(output(stream)).rejectsOnce(refused)
    const done = follow()
    await settle()
    logs.put(WEB, WEB_STREAM, T0 + 100, 'live, then polled')
    stream.update([liveEvent(WEB, WEB_STREAM, T0 + 100, 'live, then polled')])
    await settle()
    // The connection drops and Live Tail cannot be reached again: polling re-reads the last 30 s.
    stream.fail(Object.assign(new Error('socket hang up'), {code: 'ECONNRESET'}))
    await done
    expect(sink.notices).toEqual([
      'Live Tail session ended (ECONNRESET: socket hang up): reconnecting.',
      'Live Tail is unavailable here (ECONNREFUSED: connect ECONNREFUSED): polling FilterLogEvents every 2s instead.',
    ])
    expect(logs.calls.at(-1)?.startTime).toBeLessThan(T0 + 100)
    expect(sink.text()).toEqual(['web live, then polled'])
  })

  it('restarts the session with a group that appears while following', async () => {
    let probes = 0
    setup({
      // The first missing-group probe (30 s in) passes; later ones wait.
      auto: (ms) => ms < 15_000 || (ms === 30_000 && probes++ === 0),
      onSleep(ms) {
        if (ms !== 30_000 || probes > 0) return
        logs.groups.add(CELERY)
        logs.put(CELERY, CELERY_STREAM, T0 + 20_000, 'celery first words')
      },
    })
    logs.groups.delete(CELERY)
    logs.put(WEB, WEB_STREAM, T0 - 1000, 'web backlog')
    mocks.logs
      .on(StartLiveTailCommand)
      .resolvesOnce(output(new LiveStream().start()))
      .resolvesOnce(output(new LiveStream().start()))
    const done = follow()
    await settle()
    expect(mocks.logs).toHaveReceivedNthCommandWith(StartLiveTailCommand, 1, {logGroupIdentifiers: [arnOf(WEB)]})
    expect(mocks.logs).toHaveReceivedNthCommandWith(StartLiveTailCommand, 2, {
      logGroupIdentifiers: [arnOf(WEB), arnOf(CELERY)],
    })
    expect(sink.text()).toEqual(['web web backlog', 'celery celery first words'])
    expect(sink.notices).toEqual([
      `Log group ${CELERY} (celery) does not exist yet: showing the other services, and looking for it again every 30s.`,
      `Log group ${CELERY} (celery) now exists: following it.`,
    ])
    controller.abort()
    await expect(done).resolves.toMatchObject({missing: [], stopped: true})
  })
})

describe('Live Tail request', () => {
  const state = (group: string, streamPrefix?: string): TargetState => ({
    target: {service: 'web', group, streamPrefix},
    status: 'active',
    lagging: false,
    nextProbeAt: 0,
  })

  it("takes log group ARNs, the filter pattern, and one task's stream prefix", () => {
    expect(liveTailRequest([state(WEB, `ecs/web/${TASK_A.slice(0, 8)}`)], arnOf, '?ERROR ?Traceback')).toEqual({
      logGroupIdentifiers: [arnOf(WEB)],
      logStreamNamePrefixes: [`ecs/web/${TASK_A.slice(0, 8)}`],
      logEventFilterPattern: '?ERROR ?Traceback',
    })
  })

  it('cannot take more than 10 groups', () => {
    expect(
      liveTailRequest(
        Array.from({length: 11}, (_, i) => state(`/g${i}`)),
        arnOf,
      ),
    ).toBe('Live Tail takes at most 10 log groups')
  })

  it('maps a group identifier back to the group name', () => {
    expect(groupNameOf(`${arnOf(WEB)}:*`)).toBe(WEB)
    expect(groupNameOf(arnOf(WEB))).toBe(WEB)
    expect(groupNameOf(WEB)).toBe(WEB)
  })
})
