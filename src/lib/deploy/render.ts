import {taskDefinitionLabel} from '../../resources/ecs.js'

import type {DeployPlan, DeployResult} from './apply.js'
import {shq} from '../../util/shell.js'

const CHOSEN = {
  to: 'named with --to',
  deployment: 'the revision deployed before',
  'stopped-task': "the revision of the service's recently stopped tasks",
  'previous-revision': "the family's previous revision",
} as const

/** The plan as the user sees it before anything happens (and with --dry-run). */
export function renderPlan(p: DeployPlan): string[] {
  const lines: string[] = []
  const from = taskDefinitionLabel(p.from.taskDefinition)
  const to = taskDefinitionLabel(p.to.taskDefinition)
  if (p.action === 'restart')
    lines.push(`Restart ${p.service} (${p.serviceName}): a new deployment of ${from} (force new deployment).`)
  else
    lines.push(
      `Roll back ${p.service} (${p.serviceName}) from ${from} to ${to}` +
        `${p.to.chosenBy ? ` (${CHOSEN[p.to.chosenBy]})` : ''}.`,
    )
  if (p.method === 'stop-deployment')
    lines.push(
      "A deployment is in progress: it is stopped with ECS's rollback (StopServiceDeployment, ROLLBACK) " +
        'instead of starting a new one.',
    )
  if (p.method === 'none') lines.push(`Nothing to send: ${p.why}.`)
  if (p.action === 'rollback' && p.method !== 'none') {
    lines.push(
      p.changes.length === 0
        ? 'What changes: nothing in images, variables, secret references, cpu or memory.'
        : 'What changes:',
    )
    for (const c of p.changes) lines.push(`  ${c.what}: ${c.from} → ${c.to}`)
  }

  for (const n of p.notes) lines.push(`Note: ${n}`)
  return lines
}

/** The last lines: what happened, and for a failure, why the tasks stopped. */
export function renderOutcome(r: DeployResult): string[] {
  const label = taskDefinitionLabel(r.plan.to.taskDefinition)
  switch (r.outcome) {
    case 'steady':
      return [`✔ ${r.plan.service} is steady on ${label}.`]
    case 'not-waited':
      return [
        `${r.plan.service}: ${r.plan.method === 'none' ? 'nothing sent' : 'deployment started'}; ` +
          `not waiting (--no-wait). Follow it with: allthrive status ${shq(r.plan.service)}`,
      ]
    case 'dry-run':
      return ['Dry run: nothing was changed.']
    case 'interrupted':
      return [
        `Interrupted: the deployment of ${r.plan.service} continues in ECS. ` +
          `Follow it with: allthrive status ${shq(r.plan.service)}`,
      ]
    default:
      return [
        `✖ ${r.plan.service}: ${r.outcome === 'timeout' ? 'timed out' : 'deployment failed'}` +
          `${r.reason ? `: ${r.reason.replace(/\.+$/, '')}` : ''}.`,
        ...r.stopReasons.map((s) => `  ${s}`),
      ]
  }
}
