import type {Service, Task, TaskDefinition} from '@aws-sdk/client-ecs'

import type {RunContext} from '../../aws/context.js'
import {classifyAwsError, describeAwsError} from '../../aws/errors.js'
import {UserError} from '../../errors.js'
import {type Alarm, alarmHistory, environmentAlarms} from '../../resources/alarms.js'
import {type DeploymentFacts, deploymentHistory, type DeploymentSource} from '../../resources/deployments.js'
import {describeEnvServices, liveTasks, recentStoppedTasks, taskDefinition, taskId} from '../../resources/ecs.js'
import {secretChanges} from '../../resources/secret-changes.js'
import {targetHealthOf, type TargetHealthFacts} from '../../resources/target-health.js'
import {parseTaskDefinitionArn, revisionsRegisteredSince} from '../../resources/task-definitions.js'
import {errorOnsets} from './error-onset.js'
import {dedupEvents, type EventView} from './events.js'
import {imageTag, oneLine} from './text.js'
import {buildTimeline, type TimelineEntry} from './timeline.js'

/** The --json shape of `allthrive status` (field names documented in README). */
export interface DeploymentView {
  id: string
  state: DeploymentFacts['state']
  rawStatus: string
  reason: string | null
  strategy: string
  startedAt: string | null
  finishedAt: string | null
  taskDefinition: string | null
  revision: number | null
  imageTag: string | null
  failedTasks: number
}

export interface TaskView {
  id: string
  revision: number | null
  lastStatus: string
  health: string
  startedAt: string | null
  availabilityZone: string | null
  targets: {state: string; reason: string | null; description: string | null}[]
}

export interface StoppedTaskView {
  id: string
  revision: number | null
  stoppedAt: string | null
  stopCode: string | null
  reason: string
}

export interface ServiceStatus {
  name: string
  serviceName: string
  status: string
  desired: number
  running: number
  pending: number
  steady: boolean
  /** Why it is not steady (empty when steady). */
  problems: string[]
  deploymentSource: DeploymentSource
  deploymentSourceNote: string | null
  /** The deployment in progress, else the last completed one. */
  deployment: DeploymentView | null
  deployments: DeploymentView[]
  tasks: TaskView[]
  stoppedTasks: StoppedTaskView[]
  events: EventView[]
}

export interface StatusPicture {
  environment: string
  cluster: string
  generatedAt: string
  since: string
  steady: boolean
  services: ServiceStatus[]
  /** Services configured but not found in the cluster. */
  missing: string[]
  alarms: {name: string; state: string; since: string | null; reason: string | null}[]
  timeline: TimelineEntry[]
  /** Parts that could not be read (an API the endpoint does not answer, a denied action): the rest is shown. */
  gaps: string[]
}

const STOPPED_KEPT = 5
const iso = (d: Date | undefined): string | null => (d ? d.toISOString() : null)
const revisionOf = (arn: string | undefined): number | null =>
  arn ? (parseTaskDefinitionArn(arn)?.revision ?? null) : null
const essentialImage = (td: TaskDefinition | undefined): string | undefined =>
  (td?.containerDefinitions?.find((c) => c.essential !== false) ?? td?.containerDefinitions?.[0])?.image

/** The private IPv4 address of an awsvpc task: the id its ALB target has. */
const taskIp = (t: Task): string | undefined =>
  t.attachments?.flatMap((a) => a.details ?? []).find((d) => d.name === 'privateIPv4Address')?.value ??
  t.containers?.flatMap((c) => c.networkInterfaces ?? [])[0]?.privateIpv4Address

/** ROLLING, BLUE_GREEN… from deploymentConfiguration.strategy; else the controller (ECS = rolling update). */
function strategyOf(s: Service): string {
  const strategy = (s.deploymentConfiguration as {strategy?: string} | undefined)?.strategy
  const controller = s.deploymentController?.type ?? 'ECS'
  const word =
    strategy ??
    (controller === 'ECS' ? 'ROLLING' : controller === 'CODE_DEPLOY' ? 'CODE_DEPLOY_BLUE_GREEN' : controller)
  return word.toLowerCase().replaceAll('_', '-')
}

async function deploymentView(ctx: RunContext, d: DeploymentFacts, strategy: string): Promise<DeploymentView> {
  const td = d.taskDefinition ? await taskDefinition(ctx, d.taskDefinition).catch(() => undefined) : undefined
  return {
    id: d.id,
    state: d.state,
    rawStatus: d.rawStatus,
    reason: d.reason ? oneLine(d.reason) : null,
    strategy,
    startedAt: iso(d.startedAt),
    finishedAt: iso(d.finishedAt),
    taskDefinition: d.taskDefinition ?? null,
    revision: revisionOf(d.taskDefinition),
    imageTag: imageTag(essentialImage(td)) ?? null,
    failedTasks: d.failedTasks ?? 0,
  }
}

function judge(s: Service, current: DeploymentView | null): string[] {
  const problems: string[] = []
  if (s.status !== 'ACTIVE') problems.push(`service is ${s.status}`)
  if ((s.runningCount ?? 0) < (s.desiredCount ?? 0))
    problems.push(`${s.runningCount ?? 0} of ${s.desiredCount ?? 0} tasks running`)
  if ((s.pendingCount ?? 0) > 0) problems.push(`${s.pendingCount} pending`)
  if (current?.state === 'IN_PROGRESS' || current?.state === 'ROLLING_BACK')
    problems.push(`deployment ${current.state.toLowerCase().replace('_', ' ')}`)
  if (current?.state === 'FAILED') problems.push(`last deployment failed${current.reason ? `: ${current.reason}` : ''}`)
  if ((s.deployments ?? []).length > 1 && !problems.some((p) => p.startsWith('deployment')))
    problems.push(`${s.deployments!.length} deployments active`)
  return problems
}

/** Deployment entries of the time line: started, and completed / failed / rolled back. */
function deploymentEntries(name: string, views: DeploymentView[], since: number): TimelineEntry[] {
  const out: TimelineEntry[] = []
  for (const d of views) {
    const what = `deployment of revision ${d.revision ?? '?'}${d.imageTag ? ` (image ${d.imageTag})` : ''}`
    const end = {COMPLETED: 'completed', FAILED: 'failed', STOPPED: 'stopped', ROLLED_BACK: 'rolled back'}[
      d.state as string
    ]
    // The end first: entries of the same instant keep this order (newest first).
    if (end && d.finishedAt && Date.parse(d.finishedAt) >= since) {
      out.push({
        at: d.finishedAt,
        kind: 'deployment',
        service: name,
        summary: `${name}: ${what} ${end}${d.reason && end !== 'completed' ? `: ${d.reason}` : ''}`,
      })
    }

    if (d.startedAt && Date.parse(d.startedAt) >= since)
      out.push({at: d.startedAt, kind: 'deployment', service: name, summary: `${name}: ${what} started`})
  }

  return out
}

/** Deployment outcomes ECS wrote as service events (the fallback source keeps no history). */
function eventEntries(name: string, s: Service, since: number): TimelineEntry[] {
  const seen = new Set<string>()
  return (s.events ?? [])
    .filter(
      (e) =>
        e.createdAt &&
        e.createdAt.getTime() >= since &&
        /deployment (completed|failed)|rolling back|roll(ed)? back/i.test(e.message ?? ''),
    )
    .filter((e) => !seen.has(e.message!) && Boolean(seen.add(e.message!)))
    .map((e) => ({
      at: e.createdAt!.toISOString(),
      kind: 'deployment' as const,
      service: name,
      summary: `${name}: ${oneLine(e.message ?? '')}`,
    }))
}

/** Picks the asked services (short name or full service name), or every one; unknown names are a usage error. */
export function selectServices(all: Map<string, Service>, asked: string[]): [string, Service][] {
  if (asked.length === 0) return [...all.entries()]
  return asked.map((a) => {
    const hit = [...all.entries()].find(([k, s]) => k === a || s.serviceName === a)
    if (!hit) {
      throw new UserError(
        `No service "${a}" in this environment. Its services: ${[...all.keys()].join(', ') || '(none)'}.`,
        {
          code: 'UNKNOWN_SERVICE',
          suggestions: ['Name a service by its short name (web, celery-beat) or its full ECS service name.'],
        },
      )
    }

    return hit
  })
}

/** A part of the screen that failed to read becomes a gap (named, with the error) and an empty value. */
const tolerant =
  (gaps: string[]) =>
  async <T>(what: string, read: () => Promise<T>, empty: T): Promise<T> => {
    try {
      return await read()
    } catch (error) {
      if (
        (error as Error)?.name === 'AbortError' ||
        classifyAwsError(error).startsWith('credentials') ||
        classifyAwsError(error) === 'no-credentials'
      )
        throw error
      gaps.push(`${what}: ${oneLine(describeAwsError(error), 200)}`)
      return empty
    }
  }

/** Reads everything the status screen shows, concurrently, each resource once (ctx.memo). Read-only. */
export async function gatherStatus(ctx: RunContext, o: {services: string[]; since: Date}): Promise<StatusPicture> {
  const since = o.since.getTime()
  const gaps: string[] = []
  const soft = tolerant(gaps)
  const env = await describeEnvServices(ctx)
  const chosen = selectServices(env.services as Map<string, Service>, o.services)
  const names = chosen.map(([, s]) => s.serviceName!)
  // Everything starts at once: the environment-wide reads and each service's own.
  const tasksRead = Promise.all([liveTasks(ctx, names), recentStoppedTasks(ctx, names, STOPPED_KEPT)])
  // Awaited by each service below; a service failing first must not leave this rejection unhandled.
  tasksRead.catch(() => {})
  const alarmsRead = soft('alarms', () => environmentAlarms(ctx), [])
  const environmentWide = Promise.all([
    alarmsRead,
    soft(
      'secrets changed',
      () =>
        secretChanges(
          ctx,
          ctx.env.secrets.map((s) => s.id),
        ),
      [],
    ),
    alarmsRead.then((alarms) =>
      soft(
        'alarm state changes',
        () =>
          alarmHistory(
            ctx,
            alarms.map((a) => a.name),
            o.since,
          ),
        [],
      ),
    ),
  ])

  const perServiceRead = Promise.all(
    chosen.map(async ([name, s]) => {
      const strategy = strategyOf(s)
      const [td, hist, targets] = await Promise.all([
        s.taskDefinition ? taskDefinition(ctx, s.taskDefinition) : Promise.resolve(undefined),
        deploymentHistory(ctx, s, o.since),
        soft(
          `${name}: target health`,
          () =>
            targetHealthOf(
              ctx,
              (s.loadBalancers ?? []).map((l) => l.targetGroupArn).filter((a): a is string => Boolean(a)),
            ),
          [],
        ),
      ])
      const views = await Promise.all(hist.deployments.map((d) => deploymentView(ctx, d, strategy)))
      const current =
        views.find((d) => d.state === 'IN_PROGRESS' || d.state === 'ROLLING_BACK') ??
        views.find((d) => d.state !== 'STOPPED') ??
        views[0] ??
        null
      const [registered, onsets] = await Promise.all([
        td?.family
          ? soft(`${name}: task-definition revisions`, () => revisionsRegisteredSince(ctx, td.family!, o.since), [])
          : [],
        td ? soft(`${name}: error onsets`, () => errorOnsets(ctx, td, o.since), []) : [],
      ])
      const problems = judge(s, current)
      const [live, stopped] = await tasksRead
      const status: ServiceStatus = {
        name,
        serviceName: s.serviceName ?? name,
        status: s.status ?? '?',
        desired: s.desiredCount ?? 0,
        running: s.runningCount ?? 0,
        pending: s.pendingCount ?? 0,
        steady: problems.length === 0,
        problems,
        deploymentSource: hist.source,
        deploymentSourceNote: hist.fallbackReason ?? null,
        deployment: current,
        deployments: views,
        tasks: (live.get(s.serviceName!) ?? [])
          .filter((t) => t.desiredStatus !== 'STOPPED')
          .map((t) => taskView(t, targets)),
        stoppedTasks: (stopped.get(s.serviceName!) ?? [])
          .filter((t) => (t.stoppedAt ?? t.stoppingAt ?? new Date(0)).getTime() >= since)
          .map(stoppedView),
        events: dedupEvents(s.events ?? []),
      }
      const timeline: TimelineEntry[] = [
        ...registered.map((r) => ({
          at: r.registeredAt!.toISOString(),
          kind: 'task-definition' as const,
          service: name,
          summary:
            `${name}: task definition ${r.family}:${r.revision} registered` +
            `${imageTag(essentialImage(r)) ? ` (image ${imageTag(essentialImage(r))})` : ''}`,
        })),
        ...deploymentEntries(name, views, since),
        ...(hist.source === 'service' ? eventEntries(name, s, since) : []),
        ...onsets.map((e) => ({
          at: e.at.toISOString(),
          kind: 'error-onset' as const,
          service: name,
          breakage: true,
          summary: `${name}: errors begin (${e.count} in the burst): ${oneLine(e.message, 120)}`,
        })),
      ]
      return {status, timeline}
    }),
  )

  const [[alarms, secrets, history], perService] = await Promise.all([environmentWide, perServiceRead])
  const services = perService.map((p) => p.status)
  const timeline = buildTimeline([
    ...perService.flatMap((p) => p.timeline),
    ...secrets
      .filter((x) => x.lastChanged && x.lastChanged.getTime() >= since)
      .map((x) => ({
        at: x.lastChanged!.toISOString(),
        kind: 'secret' as const,
        summary: `secret ${oneLine(x.name)} changed`,
      })),
    ...history.map((h) => ({
      at: h.at.toISOString(),
      kind: 'alarm' as const,
      breakage: h.to === 'ALARM',
      summary: `alarm ${oneLine(h.alarm)}: ${h.from ?? '?'} → ${h.to}`,
    })),
    // Without the history, each alarm in ALARM still shows when it went there.
    ...(gaps.some((g) => g.startsWith('alarm state changes'))
      ? alarms
          .filter((a) => a.state === 'ALARM' && a.since && a.since.getTime() >= since)
          .map((a) => ({
            at: a.since!.toISOString(),
            kind: 'alarm' as const,
            breakage: true,
            summary: `alarm ${oneLine(a.name)}: → ALARM`,
          }))
      : []),
  ])
  // Read loosely: the discovery layer may report missing services differently, or not at all.
  const extra = Object(env) as {missing?: readonly unknown[]; clusterMissing?: boolean}
  const missing = o.services.length === 0 ? (extra.missing ?? []).map(String) : []
  return {
    environment: ctx.env.name,
    cluster: ctx.env.cluster,
    generatedAt: ctx.now.toISOString(),
    since: o.since.toISOString(),
    steady: services.every((s) => s.steady) && missing.length === 0 && !extra.clusterMissing,
    services,
    missing,
    alarms: alarms
      .filter((a: Alarm) => a.state === 'ALARM')
      .map((a) => ({
        name: oneLine(a.name),
        state: a.state,
        since: iso(a.since),
        reason: a.reason ? oneLine(a.reason) : null,
      })),
    timeline,
    gaps,
  }
}

function taskView(t: Task, targets: TargetHealthFacts[]): TaskView {
  const ip = taskIp(t)
  return {
    id: taskId(t.taskArn),
    revision: revisionOf(t.taskDefinitionArn),
    lastStatus: t.lastStatus ?? '?',
    health: t.healthStatus ?? 'UNKNOWN',
    startedAt: iso(t.startedAt),
    availabilityZone: t.availabilityZone ?? null,
    targets: ip
      ? targets
          .filter((x) => x.targetId === ip)
          .map((x) => ({
            state: x.state,
            reason: x.reason ?? null,
            description: x.description ? oneLine(x.description) : null,
          }))
      : [],
  }
}

const stoppedView = (t: Task): StoppedTaskView => ({
  id: taskId(t.taskArn),
  revision: revisionOf(t.taskDefinitionArn),
  stoppedAt: iso(t.stoppedAt ?? t.stoppingAt),
  stopCode: t.stopCode ?? null,
  reason: oneLine(t.stoppedReason ?? t.containers?.find((c) => c.reason)?.reason ?? 'stopped'),
})
