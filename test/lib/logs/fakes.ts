import {
  type FilteredLogEvent,
  type FilterLogEventsCommandInput,
  type FilterLogEventsCommandOutput,
  type LiveTailSessionLogEvent,
  ResourceNotFoundException,
  type StartLiveTailResponseStream,
} from '@aws-sdk/client-cloudwatch-logs'

import type {Ticker} from '../../../src/util/sleep.js'

/**
 * Test doubles for `logs tail`: a virtual clock, a CloudWatch Logs store that answers
 * FilterLogEvents the way AWS does (events become visible when ingested, pages, missing
 * groups), and a Live Tail stream the test pushes updates into.
 */

export const T0 = Date.parse('2025-12-25T10:00:00.000Z')
export const TASK_A = 'aaaaaaaa11112222333344445555aaaa'
export const TASK_B = 'bbbbbbbb11112222333344445555bbbb'

/**
 * Time only moves when the code sleeps. A sleep that `auto` accepts returns at once (time jumps
 * by its length); any other waits for its abort signal. `onSleep` sees every sleep (stop a loop there).
 */
export class TestClock implements Ticker {
  sleeps: number[] = []

  constructor(
    public t = T0,
    private readonly opts: {auto?: (ms: number) => boolean; onSleep?: (ms: number, clock: TestClock) => void} = {},
  ) {}

  now = (): number => this.t
  random = (): number => 0.5

  sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    this.sleeps.push(ms)
    this.opts.onSleep?.(ms, this)
    if (signal?.aborted) return
    if (this.opts.auto?.(ms) ?? true) {
      this.t += ms
      await Promise.resolve()
      return
    }

    await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), {once: true}))
  }
}

interface StoredEvent extends FilteredLogEvent {
  group: string
  /** When FilterLogEvents can first return it (ingestion). */
  visibleAt: number
}

/** A CloudWatch Logs account in memory, answering FilterLogEvents. */
export class FakeLogs {
  readonly groups = new Set<string>()
  /** Every FilterLogEvents input, with the (virtual) time it was called at. */
  readonly calls: (FilterLogEventsCommandInput & {at: number})[] = []
  pageSize = 10_000
  private readonly events: StoredEvent[] = []
  private seq = 0

  constructor(private readonly clock: {now(): number}) {}

  put(group: string, stream: string, timestamp: number, message: string, opts: {visibleAt?: number} = {}): string {
    const eventId = `${String(timestamp).padStart(20, '0')}${String(++this.seq).padStart(8, '0')}`
    this.events.push({
      group,
      logStreamName: stream,
      timestamp,
      message,
      eventId,
      ingestionTime: opts.visibleAt ?? timestamp,
      visibleAt: opts.visibleAt ?? timestamp,
    })
    return eventId
  }

  filter = async (input: FilterLogEventsCommandInput): Promise<FilterLogEventsCommandOutput> => {
    this.calls.push({...input, at: this.clock.now()})
    if (!this.groups.has(input.logGroupName!)) {
      throw new ResourceNotFoundException({
        message: 'The specified log group does not exist.',
        $metadata: {httpStatusCode: 400},
      })
    }

    const now = this.clock.now()
    const matching = this.events
      .filter((e) => e.group === input.logGroupName && e.visibleAt <= now)
      .filter(
        (e) => e.timestamp! >= (input.startTime ?? 0) && (input.endTime === undefined || e.timestamp! <= input.endTime),
      )
      .filter((e) => !input.logStreamNamePrefix || e.logStreamName!.startsWith(input.logStreamNamePrefix))
      .filter((e) => !input.filterPattern || e.message!.includes(input.filterPattern))
      .sort((a, b) => a.timestamp! - b.timestamp!)
    const from = Number(input.nextToken ?? 0)
    const page = matching.slice(from, from + this.pageSize)
    const nextToken = from + this.pageSize < matching.length ? String(from + this.pageSize) : undefined
    return {
      $metadata: {httpStatusCode: 200},
      events: page.map(({group: _g, visibleAt: _v, ...e}) => e),
      ...(nextToken && {nextToken}),
    }
  }
}

/** A Live Tail response stream the test feeds: push updates, end it, or make it fail. */
export class LiveStream implements AsyncIterable<StartLiveTailResponseStream> {
  private readonly queue: (StartLiveTailResponseStream | {end: true} | {error: Error})[] = []
  private wake?: () => void

  start(): this {
    return this.push({sessionStart: {sessionId: 'session-1', requestId: 'req-1'}})
  }

  update(events: LiveTailSessionLogEvent[], sampled = false): this {
    return this.push({sessionUpdate: {sessionMetadata: {sampled}, sessionResults: events}})
  }

  push(item: StartLiveTailResponseStream): this {
    this.queue.push(item)
    this.wake?.()
    return this
  }

  end(): this {
    this.queue.push({end: true})
    this.wake?.()
    return this
  }

  fail(error: Error): this {
    this.queue.push({error})
    this.wake?.()
    return this
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StartLiveTailResponseStream> {
    for (;;) {
      while (this.queue.length === 0) await new Promise<void>((resolve) => (this.wake = resolve))
      const item = this.queue.shift()!
      if ('end' in item) return
      if ('error' in item) throw item.error
      yield item
    }
  }
}

/** A Live Tail event as AWS sends it (the group identified by its ARN). */
export const liveEvent = (
  group: string,
  stream: string,
  timestamp: number,
  message: string,
): LiveTailSessionLogEvent => ({
  logGroupIdentifier: `arn:aws:logs:us-east-1:123456789012:log-group:${group}`,
  logStreamName: stream,
  timestamp,
  ingestionTime: timestamp,
  message,
})

/** Lets pending promise callbacks run (the code under test is driven by microtasks only). */
export async function settle(rounds = 50): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}
