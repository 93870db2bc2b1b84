import type {CloudWatchLogsClient} from '@aws-sdk/client-cloudwatch-logs'

import {classifyAwsError, describeAwsError} from '../../aws/errors.js'
import {EXIT, UserError} from '../../errors.js'
import {formatDuration} from '../../util/duration.js'
import {contentKey, idKey, RecentKeys} from './dedup.js'
import {type LogTarget, type ReadOutcome, readEvents} from './filter.js'
import type {LogLine} from './format.js'
import {followLiveTail} from './live-tail.js'
import {mergeByTimestamp} from './merge.js'
import {backoffMs} from '../../util/backoff.js'
import {type Clock, systemClock} from './time.js'

/**
 * `logs tail`: one window of FilterLogEvents across services merged by timestamp, or, when
 * following, that backlog and then Live Tail (or FilterLogEvents polling when Live Tail is
 * unavailable), never printing an event twice and tolerating log groups that do not exist yet.
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
  clock?: Clock
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

export interface TailSummary {
  /** Events printed. */
  events: number
  /** How it ended up reading. */
  mode: 'window' | 'live-tail' | 'poll'
  /** Log groups that did not exist (when it stopped). */
  missing: string[]
  /** Ended by the abort signal (Ctrl+C). */
  stopped: boolean
  /** Most event keys held at once for deduplication: stays flat however long it follows. */
  peakDedupKeys: number
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
  readonly clock: Clock
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
    this.clock = opts.clock ?? systemClock
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
        startTime: state.cursor === undefined ? this.opts.startTime : Math.max(this.opts.startTime, state.cursor - this.overlapMs),
        endTime: opts.endTime,
        filterPattern: this.opts.filterPattern,
        signal: this.signal,
        outcome,
        tolerateTransient: this.opts.follow,
        onFound: state.status === 'missing' ? () => this.sink.notice(`Log group ${state.target.group} (${state.target.service}) now exists: following it.`) : undefined,
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
          this.sink.notice(`Log group ${state.target.group} (${state.target.service}) no longer exists: looking for it again every ${formatDuration(this.missingRetryMs)}.`)
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

/**
 * Polls every group every interval (backing off while throttled) until the signal aborts.
 * `readFirst`: read at once (after Live Tail gave up) rather than one interval after the backlog.
 */
export async function poll(tail: Tail, opts: {readFirst: boolean}): Promise<void> {
  const interval = tail.opts.pollIntervalMs ?? 2000
  const maxBackoff = tail.opts.maxBackoffMs ?? 30_000
  let failures = 0
  for (let read = opts.readFirst; !tail.signal.aborted; read = true) {
    if (read) {
      const {retries} = await tail.round()
      if (tail.signal.aborted) return
      if (retries.length > 0) {
        failures++
        const throttled = classifyAwsError(retries[0]) === 'throttling'
        tail.noticeOnce(
          throttled ? 'poll-throttled' : 'poll-unavailable',
          throttled
            ? `CloudWatch Logs is throttling FilterLogEvents: backing off (up to ${formatDuration(maxBackoff)}) and resuming; no event is skipped.`
            : `CloudWatch Logs did not answer (${describeAwsError(retries[0])}): retrying with back-off; no event is skipped.`,
        )
      } else {
        failures = 0
      }
    }

    await tail.clock.sleep(failures > 0 ? backoffMs(failures, interval, maxBackoff, tail.clock.random) : interval, tail.signal)
  }
}

/** "No log group found" (exit 1): names every group and how to look for them. */
function noGroupError(states: TargetState[]): UserError {
  const groups = states.map((s) => `${s.target.group} (${s.target.service})`)
  const prefix = commonPrefix(states.map((s) => s.target.group))
  return new UserError(`No log group found: ${groups.join(', ')} ${groups.length > 1 ? 'do' : 'does'} not exist in this account and region.`, {
    exit: EXIT.FAILED,
    code: 'LOG_GROUP_NOT_FOUND',
    suggestions: [
      `List the log groups there: aws logs describe-log-groups --log-group-name-prefix ${prefix || '/ecs/'}`,
      'Check --environment and --region, or set services.<name>.logGroup in allthrive.config.json.',
    ],
  })
}

function commonPrefix(names: string[]): string {
  if (names.length === 0) return ''
  let p = names[0]
  for (const n of names) while (!n.startsWith(p)) p = p.slice(0, -1)
  return p
}

const missingNotice = (s: TargetState, retryMs?: number): string =>
  `Log group ${s.target.group} (${s.target.service}) does not exist${retryMs ? ` yet: showing the other services, and looking for it again every ${formatDuration(retryMs)}` : ': skipped'}.`

/**
 * Reads (and with `follow`, keeps reading) the targets' logs into `sink`.
 * Throws a UserError (exit 1) when none of the log groups exists.
 */
export async function tail(client: CloudWatchLogsClient, opts: TailOptions, sink: TailSink): Promise<TailSummary> {
  const t = new Tail(client, opts, sink)
  const summary = (mode: TailSummary['mode']): TailSummary => ({
    events: t.events,
    mode,
    missing: t.missingGroups().map((s) => s.target.group),
    stopped: opts.signal.aborted,
    peakDedupKeys: t.peakDedupKeys,
  })

  if (!opts.follow) {
    await t.round({endTime: opts.endTime ?? t.clock.now()})
    if (!opts.signal.aborted && t.missingGroups().length === t.states.length) throw noGroupError(t.states)
    for (const s of t.missingGroups()) sink.notice(missingNotice(s))
    return summary('window')
  }

  // The backlog (--since) first: it also tells which groups exist.
  await t.round()
  if (opts.signal.aborted) return summary('poll')
  if (t.missingGroups().length === t.states.length) throw noGroupError(t.states)
  for (const s of t.missingGroups()) sink.notice(missingNotice(s, t.missingRetryMs))

  if (opts.liveTail) {
    const outcome = await followLiveTail(t, opts.liveTail)
    if (outcome === 'stopped') return summary('live-tail')
    await poll(t, {readFirst: true})
    return summary('poll')
  }

  await poll(t, {readFirst: false})
  return summary('poll')
}


