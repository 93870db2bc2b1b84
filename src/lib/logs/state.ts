import type {CloudWatchLogsClient} from '@aws-sdk/client-cloudwatch-logs'

import {formatDuration} from '../../util/duration.js'
import {systemTicker, type Ticker} from '../../util/sleep.js'
import {contentKey, idKey, RecentKeys} from './dedup.js'
import {type LogTarget, type ReadOutcome, readEvents} from './filter.js'
import type {LogLine} from './format.js'
import {mergeByTimestamp} from './merge.js'

/**
 * The state of one `logs tail` run (what was read, what was printed), shared by the window read,
 * polling (tailer.ts) and Live Tail (live-tail.ts), so that neither of those imports the other.
 */

export interface TailSink {
  /** Prints one event; may return a promise to apply backpressure (a slow pipe). */
  event(line: LogLine): Promise<void> | void
  /** One line for stderr: a missing group, a fallback, a reconnect. */
  notice(message: string): void
}

export interface TailOptions {
  targets: LogTarget[]
  startTime: number
  /** Without --follow: the end of the window (default: now). */
  endTime?: number
  filterPattern?: string
  follow: boolean
  /** Follow with Live Tail, which takes log group ARNs; undefined = poll FilterLogEvents. */
  liveTail?: {arnOf(group: string): string}
  /** Aborted by Ctrl+C: everything stops, tail() resolves with `stopped: true`. */
  signal: AbortSignal
  clock?: Ticker
  /** Between polls (default 2 s). */
  pollIntervalMs?: number
  /** Each poll re-reads this much before the previous one (late events), deduplicated (default 30 s). */
  overlapMs?: number
  /** A missing log group is looked for again this often when following (default 30 s). */
  missingRetryMs?: number
  /** Longest wait after throttling (default 30 s). */
  maxBackoffMs?: number
  /** Live Tail sends an update every second: this long without one means the session is dead (default 20 s). */
  stallMs?: number
}

export interface TargetState {
  target: LogTarget
  status: 'unknown' | 'active' | 'missing'
  /** Events up to this time (epoch ms, local clock) have been read; undefined = nothing read yet. */
  cursor?: number
  /** Its last read failed (throttled): read it again from the cursor. */
  lagging: boolean
  /** When to look for a missing group again. */
  nextProbeAt: number
}

export interface RoundResult {
  /** Groups that were missing and now exist. */
  appeared: TargetState[]
  /** Retryable failures (throttling) of this round. */
  retries: unknown[]
}

/** Content keys kept for Live Tail deduplication: a few minutes of a busy service, about 1 MB. */
const CONTENT_KEYS_KEPT = 10_000

/** Shared state of one `logs tail` run, used by the window read, polling and Live Tail. */
export class Tail {
  readonly clock: Ticker
  readonly states: TargetState[]
  readonly overlapMs: number
  readonly missingRetryMs: number
  /** Event ids printed (FilterLogEvents), dropped once older than any window still to be read. */
  readonly printedIds = new RecentKeys()
  /**
   * Content keys of the most recent printed events, for telling Live Tail events (no id) from
   * FilterLogEvents ones. Kept by count, not time: a reconnecting session may replay older events.
   */
  readonly printedContent = new RecentKeys(CONTENT_KEYS_KEPT)
  /** Events with a timestamp up to this may have been printed by Live Tail (no event id): compare content. */
  liveUntil = Number.NEGATIVE_INFINITY
  /** Events with a timestamp up to this may have been printed by FilterLogEvents. */
  filterUntil = Number.NEGATIVE_INFINITY
  events = 0
  peakDedupKeys = 0
  private readonly shown = new Set<string>()

  constructor(
    readonly client: CloudWatchLogsClient,
    readonly opts: TailOptions,
    readonly sink: TailSink,
  ) {
    this.clock = opts.clock ?? systemTicker
    this.overlapMs = opts.overlapMs ?? 30_000
    this.missingRetryMs = opts.missingRetryMs ?? 30_000
    this.states = opts.targets.map((target) => ({target, status: 'unknown', lagging: false, nextProbeAt: 0}))
  }

  get signal(): AbortSignal {
    return this.opts.signal
  }

  /** A notice printed once per key, however often its cause repeats. */
  noticeOnce(key: string, message: string): void {
    if (this.shown.has(key)) return
    this.shown.add(key)
    this.sink.notice(message)
  }

  /** Prints an event unless it was printed already. Window reads (no follow) keep no keys. */
  async emit(line: LogLine, source: 'filter' | 'live'): Promise<void> {
    if (this.opts.follow) {
      const id = idKey(line)
      // Content keys are only needed when Live Tail (events without ids) is in play.
      const content = this.opts.liveTail ? contentKey(line) : undefined
      const {printedContent, printedIds} = this
      if (source === 'filter') {
        if (id && printedIds.has(id)) return
        if (id) printedIds.add(id, line.timestamp)
        // Printed by Live Tail before this window was read?
        if (content && line.timestamp <= this.liveUntil && printedContent.has(content)) return
      } else if (content && line.timestamp <= this.filterUntil && printedContent.has(content)) {
        return
      }

      if (content) printedContent.add(content, line.timestamp)
      this.peakDedupKeys = Math.max(this.peakDedupKeys, printedIds.size + printedContent.size)
    }

    this.events++
    await this.sink.event(line)
  }

  /**
   * One FilterLogEvents pass over the chosen groups, merged by timestamp: from `startTime`
   * for a group read for the first time, else from its cursor minus the overlap (events can
   * arrive late), deduplicated by event id. A group that is missing is only read when its
   * next probe is due.
   */
  async round(opts: {include?: (s: TargetState) => boolean; endTime?: number} = {}): Promise<RoundResult> {
    const now = this.clock.now()
    const include = opts.include ?? (() => true)
    const due = this.states.filter((s) => include(s) && (s.status !== 'missing' || s.nextProbeAt <= now))
    const reads = due.map((state) => ({state, outcome: {value: {kind: 'ok'} as ReadOutcome}}))
    const sources = reads.map(({state, outcome}) =>
      readEvents(this.client, state.target, {
        startTime:
          state.cursor === undefined
            ? this.opts.startTime
            : Math.max(this.opts.startTime, state.cursor - this.overlapMs),
        endTime: opts.endTime,
        filterPattern: this.opts.filterPattern,
        signal: this.signal,
        outcome,
        tolerateTransient: this.opts.follow,
        onFound:
          state.status === 'missing'
            ? () =>
                this.sink.notice(`Log group ${state.target.group} (${state.target.service}) now exists: following it.`)
            : undefined,
      }),
    )
    for await (const line of mergeByTimestamp(sources)) {
      if (this.signal.aborted) break
      await this.emit(line, 'filter')
    }

    const result: RoundResult = {appeared: [], retries: []}
    if (this.signal.aborted) return result
    for (const {state, outcome} of reads) {
      const {value} = outcome
      if (value.kind === 'ok') {
        if (state.status === 'missing') result.appeared.push(state)
        state.status = 'active'
        state.cursor = now
        state.lagging = false
      } else if (value.kind === 'missing') {
        if (state.status === 'active') {
          this.sink.notice(
            `Log group ${state.target.group} (${state.target.service}) no longer exists: looking for it again every ${formatDuration(this.missingRetryMs)}.`,
          )
        }

        state.status = 'missing'
        state.nextProbeAt = now + this.missingRetryMs
      } else {
        state.lagging = true
        result.retries.push(value.error)
      }
    }

    this.filterUntil = Math.max(this.filterUntil, this.clock.now() + this.overlapMs)
    this.evict()
    return result
  }

  /** Drops keys no window can return again: older than the oldest cursor minus the overlap. */
  evict(): void {
    const cursors = this.states.filter((s) => s.status !== 'missing' && s.cursor !== undefined).map((s) => s.cursor!)
    if (cursors.length === 0) return
    this.printedIds.evictBefore(Math.min(...cursors) - this.overlapMs * 2)
  }

  missingGroups(): TargetState[] {
    return this.states.filter((s) => s.status === 'missing')
  }
}
