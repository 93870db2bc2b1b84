import type {RunContext} from '../../aws/context.js'
import {EXIT_INTERRUPTED} from '../logs/output.js'
import {applyPlan, type DeployPlan, type DeployResult} from './apply.js'
import {renderOutcome, renderPlan} from './render.js'
import {waitForSteady} from './wait.js'

export interface RunOptions {
  dryRun: boolean
  wait: boolean
  timeoutMs: number
  pollMs: number
  /** Ctrl+C. */
  signal: AbortSignal
  /** The production guard (confirmChange), asked once before anything is sent. */
  confirm: (plan: DeployPlan) => Promise<void>
  onLine: (line: string) => void
}

/** The run options `rollback` and `restart` take from their shared flags (deployFlags). */
export const runOptions = (
  flags: {'dry-run': boolean; wait: boolean; timeout: number; 'poll-interval': number},
  signal: AbortSignal,
  onLine: (line: string) => void,
): Omit<RunOptions, 'confirm'> => ({
  dryRun: flags['dry-run'],
  wait: flags.wait,
  timeoutMs: flags.timeout,
  pollMs: flags['poll-interval'],
  signal,
  onLine,
})

/** Shows the plan, asks, sends it (once), waits for steady with live progress. Never sends anything on --dry-run. */
export async function executePlan(ctx: RunContext, plan: DeployPlan, o: RunOptions): Promise<DeployResult> {
  for (const line of renderPlan(plan)) o.onLine(line)
  const finish = (r: DeployResult): DeployResult => {
    for (const line of renderOutcome(r)) o.onLine(line)
    return r
  }

  if (o.dryRun) {
    if (plan.request) o.onLine(`Request: ${JSON.stringify(plan.request)}`)
    return finish({plan, outcome: 'dry-run', stopReasons: []})
  }

  if (plan.method !== 'none') await o.confirm(plan)
  const startedAt = ctx.now
  await applyPlan(ctx, plan)
  if (plan.method !== 'none')
    o.onLine(plan.method === 'stop-deployment' ? 'ECS rollback requested.' : 'Deployment started.')
  if (!o.wait) return finish({plan, outcome: 'not-waited', stopReasons: []})
  o.onLine(
    `Waiting for ${plan.serviceName} to be steady on revision ${plan.to.revision ?? '?'} ` +
      `(at most ${Math.round(o.timeoutMs / 1000)}s):`,
  )
  const waited = await waitForSteady(ctx, {
    serviceName: plan.serviceName,
    target: plan.to.taskDefinition,
    startedAt,
    timeoutMs: o.timeoutMs,
    pollMs: o.pollMs,
    signal: o.signal,
    onLine: o.onLine,
  })
  return finish({
    plan,
    outcome: waited.outcome,
    reason: waited.reason,
    stopReasons: waited.stopReasons,
    elapsedMs: waited.elapsedMs,
  })
}

/** 0 steady (or dry run, or not waited), 1 failed or timed out, 130 interrupted. */
export function deployExitCode(results: DeployResult[]): number {
  if (results.some((r) => r.outcome === 'interrupted')) return EXIT_INTERRUPTED
  return results.some((r) => r.outcome === 'failed' || r.outcome === 'timeout') ? 1 : 0
}
