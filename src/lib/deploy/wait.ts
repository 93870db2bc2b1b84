import type {Service} from '@aws-sdk/client-ecs'

import type {RunContext} from '../../aws/context.js'
import {describeServicesOf, describeStoppedTask, recentStoppedTasks, taskDefinitionLabel} from '../../resources/ecs.js'
import {formatDuration} from '../../util/duration.js'
import {oneLine, shortTime} from '../status/text.js'
import {sleep} from '../../util/sleep.js'

export type WaitOutcome = 'steady' | 'failed' | 'timeout' | 'interrupted'

export interface WaitResult {
  outcome: WaitOutcome
  reason?: string
  /** Why the target revision's tasks stopped (failed deployments). */
  stopReasons: string[]
  elapsedMs: number
}

export interface WaitOptions {
  serviceName: string
  /** The task-definition ARN the service must settle on. */
  target: string
  /** Events older than this are not shown. */
  startedAt: Date
  timeoutMs: number
  pollMs: number
  /** Ctrl+C. */
  signal: AbortSignal
  onLine: (line: string) => void
}

/** Where a service stands against its target: steady on it, failed (rolled back or rollout FAILED), or not yet. */
export function judgeRollout(
  s: Service,
  target: string,
  seenTarget = true,
): {state: 'steady' | 'failed' | 'progressing'; reason?: string} {
  const deployments = s.deployments ?? []
  const primary = deployments.find((d) => d.status === 'PRIMARY') ?? deployments[0]
  if (!primary) return {state: 'progressing'}
  if (primary.rolloutState === 'FAILED')
    return {state: 'failed', reason: oneLine(primary.rolloutStateReason ?? 'the deployment failed')}
  if (primary.taskDefinition !== target) {
    // Not yet picked up (DescribeServices lags UpdateService a moment): keep waiting, within the timeout.
    if (!seenTarget) return {state: 'progressing'}
    return {
      state: 'failed',
      reason:
        `ECS rolled the service back to ${taskDefinitionLabel(primary.taskDefinition)}` +
        `${primary.rolloutStateReason ? `: ${oneLine(primary.rolloutStateReason)}` : ''}`,
    }
  }

  const done =
    deployments.length === 1 &&
    (primary.rolloutState ?? 'COMPLETED') === 'COMPLETED' &&
    (s.runningCount ?? 0) === (s.desiredCount ?? 0) &&
    (s.pendingCount ?? 0) === 0
  return {state: done ? 'steady' : 'progressing'}
}

/**
 * Polls DescribeServices until the service is steady on `target`, the deployment fails, `timeoutMs` passes or
 * Ctrl+C: prints the service's events as they arrive and a progress line (running/desired, elapsed) when it changes.
 */
export async function waitForSteady(ctx: RunContext, o: WaitOptions): Promise<WaitResult> {
  const started = Date.now()
  const seen = new Set<string>()
  let lastProgress = ''
  let seenTarget = false
  for (;;) {
    const elapsedMs = Date.now() - started
    if (o.signal.aborted) return {outcome: 'interrupted', stopReasons: [], elapsedMs}
    // A fresh read each round (not the run's memo): the wait watches the service change.
    const [s] = await describeServicesOf(ctx, ctx.env.cluster, [o.serviceName])
    if (!s) return {outcome: 'failed', reason: `service ${o.serviceName} was not found`, stopReasons: [], elapsedMs}
    const fresh = (s.events ?? []).filter(
      (e) => e.id && !seen.has(e.id) && (e.createdAt?.getTime() ?? 0) >= o.startedAt.getTime() - 1000,
    )
    for (const e of fresh.reverse()) {
      seen.add(e.id!)
      o.onLine(`  ${shortTime(e.createdAt)}  ${oneLine(e.message ?? '', 240)}`)
    }

    const primary = s.deployments?.find((d) => d.status === 'PRIMARY')
    const progress =
      `running ${s.runningCount ?? 0}/${s.desiredCount ?? 0}, pending ${s.pendingCount ?? 0}, ` +
      `${s.deployments?.length ?? 0} deployment(s), rollout ${primary?.rolloutState ?? '?'}`
    if (progress !== lastProgress) o.onLine(`  … ${progress} (${formatDuration(elapsedMs)})`)
    lastProgress = progress
    seenTarget ||= (s.deployments ?? []).some((d) => d.taskDefinition === o.target)
    const verdict = judgeRollout(s, o.target, seenTarget)
    if (verdict.state === 'steady') return {outcome: 'steady', stopReasons: [], elapsedMs}
    if (verdict.state === 'failed')
      return {outcome: 'failed', reason: verdict.reason, stopReasons: await stopReasons(ctx, o), elapsedMs}
    if (elapsedMs >= o.timeoutMs) {
      const why = seenTarget
        ? `not steady after ${formatDuration(elapsedMs)}`
        : `no deployment of ${taskDefinitionLabel(o.target)} appeared in ${formatDuration(elapsedMs)}`
      return {outcome: 'timeout', reason: why, stopReasons: await stopReasons(ctx, o), elapsedMs}
    }

    await sleep(Math.min(o.pollMs, Math.max(0, o.timeoutMs - elapsedMs)), o.signal)
  }
}

/** Stop reasons of the target revision's tasks that stopped since the deployment started. */
async function stopReasons(ctx: RunContext, o: WaitOptions): Promise<string[]> {
  const stopped = (await recentStoppedTasks(ctx, [o.serviceName], 10)).get(o.serviceName) ?? []
  return stopped
    .filter(
      (t) =>
        t.taskDefinitionArn === o.target &&
        (t.stoppedAt ?? t.stoppingAt ?? new Date()).getTime() >= o.startedAt.getTime() - 1000,
    )
    .map((t) => oneLine(describeStoppedTask(t), 300))
}
