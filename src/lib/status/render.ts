import {eventLine} from './events.js'
import type {DeploymentView, ServiceStatus, StatusPicture} from './gather.js'
import {ago, shortTime, visible} from './text.js'

const SOURCE = {
  'service-deployments': 'ECS service deployments (ListServiceDeployments)',
  service: "the services' deployments and events",
} as const

function deploymentLine(d: DeploymentView, nowMs: number): string {
  const started = d.startedAt ? ` started ${shortTime(d.startedAt)} (${ago(nowMs - Date.parse(d.startedAt))})` : ''
  return (
    [
      `deployment ${d.state}`,
      d.strategy,
      `revision ${d.revision ?? '?'}`,
      d.imageTag ? `image ${d.imageTag}` : undefined,
      `failed tasks ${d.failedTasks}`,
    ]
      .filter(Boolean)
      .join(' · ') +
    started +
    (d.reason ? ` — ${d.reason}` : '')
  )
}

function serviceBlock(s: ServiceStatus, nowMs: number, sharedNote: string | null): string[] {
  const lines = [
    `${visible(s.name)}  ${s.steady ? 'STEADY' : 'NOT STEADY'}  ` +
      `${s.running}/${s.desired} running, ${s.pending} pending  ` +
      `(${visible(s.serviceName)}${s.status === 'ACTIVE' ? '' : `, ${visible(s.status)}`})`,
  ]
  if (!s.steady) lines.push(`  ! ${s.problems.join('; ')}`)
  if (s.deployment) lines.push(`  ${deploymentLine(s.deployment, nowMs)}`)
  if (s.deploymentSourceNote && s.deploymentSourceNote !== sharedNote)
    lines.push(`  (deployments from the service: ${s.deploymentSourceNote})`)
  if (s.tasks.length > 0) {
    lines.push('  tasks')
    for (const t of s.tasks) {
      const target = t.targets
        .map((x) => `target ${x.state}${x.reason ? ` (${x.reason}${x.description ? `: ${x.description}` : ''})` : ''}`)
        .join(', ')
      lines.push(
        `    ${t.id.slice(0, 12)}  rev ${t.revision ?? '?'}  ${t.lastStatus}  health ${t.health}  ` +
          `started ${t.startedAt ? shortTime(t.startedAt) : '-'}  ${t.availabilityZone ?? '-'}` +
          `${target ? `  ${target}` : ''}`,
      )
    }
  } else {
    lines.push('  tasks: none running')
  }

  if (s.stoppedTasks.length > 0) {
    lines.push('  stopped in the window')
    for (const t of s.stoppedTasks)
      lines.push(
        `    ${t.id.slice(0, 12)}  rev ${t.revision ?? '?'}  ${shortTime(t.stoppedAt ?? undefined)}  ` +
          `${t.stopCode ?? ''}${t.stopCode ? ' — ' : ''}${t.reason}`,
      )
  }

  if (s.events.length > 0) {
    lines.push('  events')
    for (const e of s.events) lines.push(`    ${shortTime(e.at)}  ${eventLine(e)}`)
  }

  return lines
}

/** The status screen as lines of plain text (UTC times). */
export function renderStatus(p: StatusPicture): string[] {
  const nowMs = Date.parse(p.generatedAt)
  const sources = [...new Set(p.services.map((s) => s.deploymentSource))].map((s) => SOURCE[s]).join(' and ')
  const notes = [...new Set(p.services.map((s) => s.deploymentSourceNote))]
  const shared = notes.length === 1 ? notes[0] : null
  const lines = [
    `${p.environment} · ${p.cluster} · ${shortTime(p.generatedAt)} UTC · ` +
      `${p.steady ? 'all services steady' : 'NOT STEADY'}`,
    `deployments read from ${sources || '(no service)'}${shared ? ` (${shared})` : ''}`,
    '',
  ]
  for (const s of p.services) lines.push(...serviceBlock(s, nowMs, shared), '')
  if (p.missing.length > 0) lines.push(`missing services: ${p.missing.join(', ')}`, '')
  lines.push(p.alarms.length === 0 ? 'alarms in ALARM: none' : 'alarms in ALARM')
  for (const a of p.alarms)
    lines.push(`  ${a.name}${a.since ? ` since ${shortTime(a.since)}` : ''}${a.reason ? ` — ${a.reason}` : ''}`)
  lines.push('', `what changed since ${shortTime(p.since)} (newest first)`)
  if (p.timeline.length === 0) lines.push('  nothing')
  for (const e of p.timeline) {
    const mark = e.likelyTriggerOf ? `   ← likely trigger of: ${e.likelyTriggerOf.join('; ')}` : ''
    lines.push(`  ${shortTime(e.at)}  ${e.kind.padEnd(15)} ${e.summary}${mark}`)
  }

  if (p.gaps.length > 0) lines.push('', 'not shown (could not be read)', ...p.gaps.map((g) => `  ${g}`))
  return lines
}
