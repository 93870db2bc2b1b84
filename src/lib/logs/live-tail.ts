import {
  type LiveTailSessionLogEvent,
  type LiveTailSessionUpdate,
  SessionTimeoutException,
  StartLiveTailCommand,
  type StartLiveTailCommandInput,
  type StartLiveTailResponseStream,
} from '@aws-sdk/client-cloudwatch-logs'

import {classifyAwsError, deniedAction, describeAwsError, errorTag} from '../../aws/errors.js'
import {type LogLine, taskIdFromStream} from './format.js'
import type {Tail, TargetState} from './state.js'
import {backoffMs} from '../../util/backoff.js'
import type {Ticker} from '../../util/sleep.js'

/**
 * Following with CloudWatch Logs Live Tail: one session for every group (up to 10), an update
 * a second. Each session is opened first and then caught up with FilterLogEvents from where
 * the last read ended, so nothing is lost between sessions (they end after 3 hours) and
 * nothing is printed twice. Resolves 'fallback' when Live Tail cannot be used: the caller polls.
 */

export type LiveOutcome = 'stopped' | 'fallback'

type SessionEnd =
  {kind: 'stopped'} | {kind: 'regroup'} | {kind: 'stall'} | {kind: 'ended'; timeout: boolean; error?: unknown}

const CREDENTIAL_KINDS = new Set([
  'no-credentials',
  'sso-expired',
  'credentials-expired',
  'credentials-invalid',
  'no-region',
])
/** A session that ends sooner than this did not really work. */
const HEALTHY_SESSION_MS = 60_000

/** An AbortController that also aborts with `parent`; `dispose` detaches it (no listener leaks). */
export function linkedController(parent: AbortSignal): AbortController & {dispose(): void} {
  const child = new AbortController()
  const onAbort = (): void => child.abort()
  if (parent.aborted) child.abort()
  else parent.addEventListener('abort', onAbort, {once: true})
  return Object.assign(child, {dispose: () => parent.removeEventListener('abort', onAbort)})
}

/** The StartLiveTail request for these groups, or why Live Tail cannot serve them. */
export function liveTailRequest(
  states: TargetState[],
  arnOf: (group: string) => string,
  filterPattern?: string,
): StartLiveTailCommandInput | string {
  if (states.length > 10) return 'Live Tail takes at most 10 log groups'
  const prefixes = states.flatMap((s) => (s.target.streamPrefix ? [s.target.streamPrefix] : []))
  if (prefixes.length > 0 && states.length > 1) return 'Live Tail filters the streams of one log group only'
  return {
    logGroupIdentifiers: states.map((s) => arnOf(s.target.group)),
    ...(prefixes.length > 0 && {logStreamNamePrefixes: prefixes}),
    ...(filterPattern && {logEventFilterPattern: filterPattern}),
  }
}

/** Why StartLiveTail was refused, for the one-line notice. */
function refusal(error: unknown): string {
  const name = (error as {name?: string})?.name
  switch (classifyAwsError(error)) {
    case 'access-denied':
      return `Live Tail is not allowed (${deniedAction(error) ?? 'logs:StartLiveTail'} denied)`
    case 'throttling':
      return name === 'LimitExceededException'
        ? 'Live Tail is at its limit of concurrent sessions for this account'
        : `Live Tail is throttled (${errorTag(error)})`
    default:
      return `Live Tail is unavailable here (${describeAwsError(error)})`
  }
}

type Step<T> =
  {kind: 'event'; value: T} | {kind: 'done'} | {kind: 'error'; error: unknown} | {kind: 'stall'} | {kind: 'aborted'}

/** The next item of a stream, unless it takes longer than `ms` (stall) or `signal` aborts first. */
export async function nextWithin<T>(
  it: AsyncIterator<T>,
  clock: Ticker,
  ms: number,
  signal: AbortSignal,
): Promise<Step<T>> {
  if (signal.aborted) return {kind: 'aborted'}
  const timer = linkedController(signal)
  try {
    return await Promise.race<Step<T>>([
      it.next().then(
        (r) => (r.done ? {kind: 'done'} : {kind: 'event', value: r.value}),
        (error: unknown) => ({kind: 'error', error}),
      ),
      clock.sleep(ms, timer.signal).then(() => (signal.aborted ? {kind: 'aborted'} : {kind: 'stall'})),
    ])
  } finally {
    timer.abort()
    timer.dispose()
  }
}

/** "arn:aws:logs:us-east-1:1234:log-group:/ecs/x:*" → "/ecs/x"; a name stays a name. */
export const groupNameOf = (identifier: string): string =>
  identifier.includes(':log-group:')
    ? identifier.slice(identifier.indexOf(':log-group:') + ':log-group:'.length).replace(/:\*$/, '')
    : identifier

function toLine(
  e: LiveTailSessionLogEvent,
  byGroup: Map<string, TargetState>,
  only?: TargetState,
): LogLine | undefined {
  const state = byGroup.get(groupNameOf(e.logGroupIdentifier ?? '')) ?? only
  const stream = e.logStreamName ?? ''
  // AWS applies logStreamNamePrefixes; an emulator may not.
  if (state?.target.streamPrefix && !stream.startsWith(state.target.streamPrefix)) return undefined
  return {
    timestamp: e.timestamp ?? 0,
    service: state?.target.service ?? groupNameOf(e.logGroupIdentifier ?? '?'),
    group: state?.target.group ?? groupNameOf(e.logGroupIdentifier ?? '?'),
    stream,
    taskId: taskIdFromStream(stream),
    message: e.message ?? '',
  }
}

/** Reads one session until it ends, stalls, is superseded (a missing group appeared) or stopped. */
async function runSession(
  t: Tail,
  stream: AsyncIterable<StartLiveTailResponseStream>,
  states: TargetState[],
  session: AbortController,
): Promise<SessionEnd> {
  const it = stream[Symbol.asyncIterator]()
  const stallMs = t.opts.stallMs ?? 20_000
  const byGroup = new Map(states.map((s) => [s.target.group, s]))
  const only = states.length === 1 ? states[0] : undefined
  let failure: unknown
  let lastEvict = t.clock.now()

  const update = async (u: LiveTailSessionUpdate): Promise<void> => {
    const now = t.clock.now()
    for (const s of states) if (!s.lagging) s.cursor = now
    t.liveUntil = now + t.overlapMs
    if (u.sessionMetadata?.sampled) {
      t.noticeOnce(
        'live-sampled',
        'Live Tail is sampling: more than 500 events a second match. Narrow with --filter or a service to see every event.',
      )
    }

    // Events stamped before --since are outside the window asked for (emulators replay old ones).
    const lines = (u.sessionResults ?? [])
      .map((e) => toLine(e, byGroup, only))
      .filter((l): l is LogLine => l !== undefined && l.timestamp >= t.opts.startTime)
    for (const line of lines.sort((a, b) => a.timestamp - b.timestamp)) {
      if (t.signal.aborted) return
      await t.emit(line, 'live')
    }

    if (now - lastEvict >= 5000) {
      t.evict()
      lastEvict = now
    }
  }

  const endOf = (step: Step<StartLiveTailResponseStream>): SessionEnd | undefined => {
    if (step.kind === 'aborted') return t.signal.aborted ? {kind: 'stopped'} : {kind: 'regroup'}
    if (step.kind === 'stall') return {kind: 'stall'}
    if (step.kind === 'done') return {kind: 'ended', timeout: false}
    if (step.kind === 'error') {
      if (t.signal.aborted) return {kind: 'stopped'}
      return {
        kind: 'ended',
        timeout:
          step.error instanceof SessionTimeoutException || (step.error as Error)?.name === 'SessionTimeoutException',
        error: step.error,
      }
    }

    const {value} = step
    if (value.SessionTimeoutException) return {kind: 'ended', timeout: true}
    if (value.SessionStreamingException)
      return {
        kind: 'ended',
        timeout: false,
        error: Object.assign(new Error(value.SessionStreamingException.message), {name: 'SessionStreamingException'}),
      }
    return undefined
  }

  const next = (): Promise<Step<StartLiveTailResponseStream>> => nextWithin(it, t.clock, stallMs, session.signal)

  // The session is live once AWS confirms it; then catch up on what came before it.
  let step = await next()
  const early = endOf(step)
  if (early) return early
  const caughtUp = await t.round()
  if (t.signal.aborted) return {kind: 'stopped'}
  if (caughtUp.appeared.length > 0) return {kind: 'regroup'}

  // Missing groups, and groups whose catch-up was throttled, are read again in the background.
  const background = (async () => {
    while (!session.signal.aborted) {
      await t.clock.sleep(t.missingRetryMs, session.signal)
      if (session.signal.aborted) return
      const r = await t.round({include: (s) => s.status === 'missing' || s.lagging})
      if (r.appeared.length > 0) session.abort() // restart the session with them
    }
  })().catch((error: unknown) => {
    failure = error
    session.abort()
  })

  try {
    for (;;) {
      if (step.kind === 'event' && step.value.sessionUpdate) await update(step.value.sessionUpdate)
      step = await next()
      const end = endOf(step)
      if (failure) throw failure
      if (end) return end
    }
  } finally {
    session.abort()
    await background
    it.return?.()?.catch(() => {})
  }
}

/** Follows every existing group with Live Tail until stopped, or until it has to fall back to polling. */
export async function followLiveTail(t: Tail, live: {arnOf(group: string): string}): Promise<LiveOutcome> {
  const fallback = (reason: string): LiveOutcome => {
    t.noticeOnce(
      'live-fallback',
      `${reason}: polling FilterLogEvents every ${(t.opts.pollIntervalMs ?? 2000) / 1000}s instead.`,
    )
    return 'fallback'
  }

  let unhealthy = 0
  for (;;) {
    if (t.signal.aborted) return 'stopped'
    const states = t.states.filter((s) => s.status !== 'missing')
    const request = liveTailRequest(states, live.arnOf, t.opts.filterPattern)
    if (typeof request === 'string') return fallback(request)
    const session = linkedController(t.signal)
    const started = t.clock.now()
    let end: SessionEnd
    try {
      let stream: AsyncIterable<StartLiveTailResponseStream> | undefined
      try {
        stream = (await t.client.send(new StartLiveTailCommand(request), {abortSignal: session.signal})).responseStream
      } catch (error) {
        if (t.signal.aborted) return 'stopped'
        if (CREDENTIAL_KINDS.has(classifyAwsError(error))) throw error
        return fallback(refusal(error))
      }

      if (!stream) return fallback('Live Tail returned no event stream')
      end = await runSession(t, stream, states, session)
    } finally {
      session.abort()
      session.dispose()
    }

    if (end.kind === 'stopped') return 'stopped'
    if (end.kind === 'stall')
      return fallback(
        `Live Tail sent nothing for ${Math.round((t.opts.stallMs ?? 20_000) / 1000)}s (it sends an update every second)`,
      )
    if (end.kind === 'regroup') continue
    const quick = t.clock.now() - started < HEALTHY_SESSION_MS
    unhealthy = quick ? unhealthy + 1 : 0
    const why = end.error ? ` (${describeAwsError(end.error)})` : ''
    if (unhealthy >= 2) return fallback(`Live Tail sessions keep ending right after they start${why}`)
    t.sink.notice(
      end.timeout
        ? 'Live Tail session reached its 3-hour limit: reconnecting.'
        : `Live Tail session ended${why}: reconnecting.`,
    )
    if (quick) await t.clock.sleep(backoffMs(unhealthy, 1000, 10_000, t.clock.random), t.signal)
  }
}
