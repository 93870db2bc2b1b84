import type {Service, TaskDefinition} from '@aws-sdk/client-ecs'

import type {RunContext} from '../../aws/context.js'
import {UserError} from '../../errors.js'
import {deploymentHistory} from '../../resources/deployments.js'
import {recentStoppedTasks, secretLabel, parseSecretRef, taskDefinition} from '../../resources/ecs.js'
import {familyRevisions, parseTaskDefinitionArn} from '../../resources/task-definitions.js'
import {imageTag, oneLine} from '../status/text.js'

/** One difference between the running revision and the target, by name only (never a value). */
export interface Change {
  what: string
  from: string
  to: string
}

const refLabel = (valueFrom: string | undefined): string => {
  const ref = parseSecretRef(valueFrom ?? '')
  if (ref.kind === 'secretsmanager') return `${secretLabel(ref.secretId)}${ref.jsonKey ? `:${ref.jsonKey}` : ''}`
  return ref.kind === 'ssm' ? ref.name : ref.valueFrom
}

/**
 * What changes from `from` to `to`: each container's image tag, variable names added or removed,
 * secret references added, removed or pointed elsewhere, and the task's cpu and memory.
 */
export function diffTaskDefinitions(from: TaskDefinition, to: TaskDefinition): Change[] {
  const changes: Change[] = []
  const names = [
    ...new Set([...(from.containerDefinitions ?? []), ...(to.containerDefinitions ?? [])].map((c) => c.name ?? '?')),
  ]
  for (const name of names) {
    const a = from.containerDefinitions?.find((c) => c.name === name)
    const b = to.containerDefinitions?.find((c) => c.name === name)
    if (!a || !b) {
      changes.push({what: `container ${name}`, from: a ? 'present' : 'absent', to: b ? 'present' : 'absent'})
      continue
    }

    if (a.image !== b.image)
      changes.push({
        what: `${name} image`,
        from: oneLine(imageTag(a.image) ?? '?'),
        to: oneLine(imageTag(b.image) ?? '?'),
      })
    const va = new Set((a.environment ?? []).map((e) => e.name ?? '?'))
    const vb = new Set((b.environment ?? []).map((e) => e.name ?? '?'))
    for (const v of [...vb].filter((x) => !va.has(x)).sort())
      changes.push({what: `${name} variable ${oneLine(v)}`, from: 'absent', to: 'set'})
    for (const v of [...va].filter((x) => !vb.has(x)).sort())
      changes.push({what: `${name} variable ${oneLine(v)}`, from: 'set', to: 'absent'})
    const sa = new Map((a.secrets ?? []).map((s) => [s.name ?? '?', refLabel(s.valueFrom)]))
    const sb = new Map((b.secrets ?? []).map((s) => [s.name ?? '?', refLabel(s.valueFrom)]))
    for (const key of [...new Set([...sa.keys(), ...sb.keys()])].sort()) {
      if (sa.get(key) !== sb.get(key))
        changes.push({
          what: `${name} secret ${oneLine(key)}`,
          from: oneLine(sa.get(key) ?? 'absent'),
          to: oneLine(sb.get(key) ?? 'absent'),
        })
    }
  }

  if (from.cpu !== to.cpu) changes.push({what: 'cpu', from: from.cpu ?? '-', to: to.cpu ?? '-'})
  if (from.memory !== to.memory) changes.push({what: 'memory', from: from.memory ?? '-', to: to.memory ?? '-'})
  return changes
}

export interface RollbackTarget {
  arn: string
  revision: number
  /** How it was chosen: --to, a deployment that ran it, a task that ran it, or the family's previous revision. */
  chosenBy: 'to' | 'deployment' | 'stopped-task' | 'previous-revision'
}

/** How far back deployments are searched for the revision that ran before. */
export const HISTORY_DAYS = 30

/** The start of the deployment history a rollback looks at (one read per run, shared with the plan). */
export const historySince = (ctx: RunContext): Date => new Date(ctx.now.getTime() - HISTORY_DAYS * 86_400_000)

/** "41", "production-allthrive-web:41" or a task-definition ARN → the family:revision to describe. */
export function parseTo(to: string, family: string): string {
  if (/^\d+$/.test(to)) return `${family}:${to}`
  const parsed = parseTaskDefinitionArn(to)
  if (!parsed) {
    throw new UserError(
      `--to "${to}" is not a revision: use a number (41), family:revision (${family}:41) or a task-definition ARN.`,
      {code: 'INVALID_REVISION'},
    )
  }

  if (parsed.family !== family) {
    throw new UserError(`--to ${to} is of family ${parsed.family}, not of this service's family ${family}.`, {
      code: 'INVALID_REVISION',
      suggestions: [`Use a revision of ${family}, e.g. --to ${family}:${parsed.revision}.`],
    })
  }

  return to
}

/**
 * The revision to roll back to: --to when given; else the newest other revision of the family that ran
 * (a deployment of it, then a recently stopped task of it); else the family's highest revision below the current.
 */
export async function rollbackTarget(
  ctx: RunContext,
  service: Service,
  current: TaskDefinition,
  to?: string,
): Promise<RollbackTarget> {
  const family = current.family!
  const other = (arn: string | undefined): arn is string =>
    Boolean(arn) &&
    parseTaskDefinitionArn(arn!)?.revision !== current.revision &&
    parseTaskDefinitionArn(arn!)?.family === family
  if (to) {
    const wanted = parseTo(to, family)
    const td = await taskDefinition(ctx, wanted).catch((error: unknown) => {
      throw new UserError(`Task definition ${wanted} was not found: ${(error as Error).message}`, {
        code: 'INVALID_REVISION',
        cause: error,
        suggestions: [`List the revisions: aws ecs list-task-definitions --family-prefix ${family} --sort DESC`],
      })
    })
    return {arn: td.taskDefinitionArn!, revision: td.revision!, chosenBy: 'to'}
  }

  const history = await deploymentHistory(ctx, service, historySince(ctx))
  const ran = history.deployments
    .filter((d) => d.state === 'COMPLETED' || d.state === 'IN_PROGRESS' || d.state === 'STOPPED')
    .map((d) => d.taskDefinition)
    .find(other)
  if (ran) return {arn: ran, revision: parseTaskDefinitionArn(ran)!.revision, chosenBy: 'deployment'}
  const stopped = (await recentStoppedTasks(ctx, [service.serviceName!], 20)).get(service.serviceName!) ?? []
  const byTask = stopped
    .map((t) => t.taskDefinitionArn)
    .find((a) => other(a) && parseTaskDefinitionArn(a!)!.revision < (current.revision ?? 0))
  if (byTask) return {arn: byTask, revision: parseTaskDefinitionArn(byTask)!.revision, chosenBy: 'stopped-task'}
  const previous = (await familyRevisions(ctx, family)).find(
    (a) => (parseTaskDefinitionArn(a)?.revision ?? 0) < (current.revision ?? 0),
  )
  if (!previous) {
    throw new UserError(
      `No earlier revision of ${family} to roll back to (the service runs revision ${current.revision}).`,
      {
        code: 'NO_PREVIOUS_REVISION',
        suggestions: ['Name one with --to REVISION.'],
      },
    )
  }

  return {arn: previous, revision: parseTaskDefinitionArn(previous)!.revision, chosenBy: 'previous-revision'}
}
