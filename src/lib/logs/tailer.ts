import type {CloudWatchLogsClient} from '@aws-sdk/client-cloudwatch-logs'

import {classifyAwsError, describeAwsError} from '../../aws/errors.js'
import {EXIT, UserError} from '../../errors.js'
import {formatDuration} from '../../util/duration.js'
import {followLiveTail} from './live-tail.js'
import {backoffMs} from '../../util/backoff.js'
import {Tail, type TailOptions, type TailSink, type TargetState} from './state.js'

/**
 * `logs tail`: one window of FilterLogEvents across services merged by timestamp, or, when
 * following, that backlog and then Live Tail (or FilterLogEvents polling when Live Tail is
 * unavailable), never printing an event twice and tolerating log groups that do not exist yet.
 */

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

    await tail.clock.sleep(
      failures > 0 ? backoffMs(failures, interval, maxBackoff, tail.clock.random) : interval,
      tail.signal,
    )
  }
}

/** "No log group found" (exit 1): names every group and how to look for them. */
function noGroupError(states: TargetState[]): UserError {
  const groups = states.map((s) => `${s.target.group} (${s.target.service})`)
  const prefix = commonPrefix(states.map((s) => s.target.group))
  return new UserError(
    `No log group found: ${groups.join(', ')} ${groups.length > 1 ? 'do' : 'does'} not exist in this account and region.`,
    {
      exit: EXIT.FAILED,
      code: 'LOG_GROUP_NOT_FOUND',
      suggestions: [
        `List the log groups there: aws logs describe-log-groups --log-group-name-prefix ${prefix || '/ecs/'}`,
        'Check --environment and --region, or set services.<name>.logGroup in allthrive.config.json.',
      ],
    },
  )
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
