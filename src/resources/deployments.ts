import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  type Deployment,
  type Service,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs'

import type {RunContext} from '../aws/context.js'
import {classifyAwsError} from '../aws/errors.js'
import {chunk} from '../util/concurrency.js'

/** Where the deployment history came from: ECS's service-deployment APIs, or the service's own `deployments`. */
export type DeploymentSource = 'service-deployments' | 'service'

/** A deployment's state, one vocabulary for both sources. */
export type DeploymentState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'STOPPED' | 'ROLLING_BACK' | 'ROLLED_BACK'

export interface DeploymentFacts {
  /** The deployment id (ecs-svc/…) or the service deployment's ARN. */
  id: string
  /** ARN of the service deployment (service-deployments source only): what StopServiceDeployment takes. */
  arn?: string
  state: DeploymentState
  /** ECS's own word: PRIMARY/ACTIVE + rolloutState, or the service deployment's status. */
  rawStatus: string
  reason?: string
  startedAt?: Date
  finishedAt?: Date
  taskDefinition?: string
  failedTasks?: number
  desired?: number
  running?: number
  pending?: number
}

export interface DeploymentHistory {
  source: DeploymentSource
  /** Newest first. */
  deployments: DeploymentFacts[]
  /** Why the service-deployment APIs were not used (fallback only). */
  fallbackReason?: string
}

/** Deployments listed per service (the API's page holds at most 100; we describe at most this many). */
const MAX_DEPLOYMENTS = 10
const DESCRIBE_LIMIT = 20

/**
 * True when the error says the account or endpoint does not answer the service-deployment APIs:
 * UnknownOperationException, InvalidParameterException, an unsupported feature, or an emulator's
 * HTTP 500 "not implemented" (moto), which the SDK may surface as a parse error.
 */
export function isUnsupported(error: unknown): boolean {
  const e = error as {name?: string; message?: string; $metadata?: {httpStatusCode?: number}}
  if (!e || typeof e !== 'object') return false
  if (['UnknownOperationException', 'InvalidParameterException', 'UnsupportedFeatureException'].includes(e.name ?? ''))
    return true
  if (/not (been )?implemented|unknown operation/i.test(e.message ?? '')) return true
  return e.$metadata?.httpStatusCode === 500 && e.name === 'SyntaxError'
}

const SD_STATE: Record<string, DeploymentState> = {
  PENDING: 'IN_PROGRESS',
  IN_PROGRESS: 'IN_PROGRESS',
  SUCCESSFUL: 'COMPLETED',
  STOPPED: 'STOPPED',
  STOP_REQUESTED: 'STOPPED',
  ROLLBACK_REQUESTED: 'ROLLING_BACK',
  ROLLBACK_IN_PROGRESS: 'ROLLING_BACK',
  ROLLBACK_SUCCESSFUL: 'ROLLED_BACK',
  ROLLBACK_FAILED: 'FAILED',
}

/** A deployment of Service.deployments in the common shape. */
export function fromServiceDeployment(d: Deployment): DeploymentFacts {
  const rollout = d.rolloutState ?? (d.status === 'PRIMARY' ? 'IN_PROGRESS' : 'COMPLETED')
  const state: DeploymentState =
    rollout === 'FAILED' ? 'FAILED' : rollout === 'IN_PROGRESS' ? 'IN_PROGRESS' : 'COMPLETED'
  return {
    id: d.id ?? '?',
    state,
    rawStatus: `${d.status ?? '?'}/${rollout}`,
    ...(d.rolloutStateReason && {reason: d.rolloutStateReason}),
    startedAt: d.createdAt,
    ...(state !== 'IN_PROGRESS' && d.updatedAt && {finishedAt: d.updatedAt}),
    taskDefinition: d.taskDefinition,
    failedTasks: d.failedTasks ?? 0,
    desired: d.desiredCount,
    running: d.runningCount,
    pending: d.pendingCount,
  }
}

function fromApi(d: ServiceDeployment, taskDefinitions: Map<string, string>): DeploymentFacts {
  const raw = d.status ?? 'PENDING'
  const state: DeploymentState = d.rollback && raw === 'STOPPED' ? 'ROLLED_BACK' : (SD_STATE[raw] ?? 'IN_PROGRESS')
  const target = d.targetServiceRevision
  const breaker = d.deploymentCircuitBreaker
  return {
    id: d.serviceDeploymentArn ?? '?',
    arn: d.serviceDeploymentArn,
    state,
    rawStatus: raw,
    ...((d.statusReason ?? d.rollback?.reason) && {reason: d.statusReason ?? d.rollback?.reason}),
    startedAt: d.startedAt ?? d.createdAt,
    finishedAt: d.finishedAt ?? d.stoppedAt,
    taskDefinition: target?.arn ? taskDefinitions.get(target.arn) : undefined,
    failedTasks: breaker?.failureCount ?? 0,
    desired: target?.requestedTaskCount,
    running: target?.runningTaskCount,
    pending: target?.pendingTaskCount,
  }
}

/** The service's deployments from its own `deployments` field (every account and emulator has it). */
export const historyFromService = (service: Service, fallbackReason?: string): DeploymentHistory => ({
  source: 'service',
  deployments: (service.deployments ?? [])
    .map(fromServiceDeployment)
    .sort((a, b) => (b.startedAt?.getTime() ?? 0) - (a.startedAt?.getTime() ?? 0)),
  ...(fallbackReason && {fallbackReason}),
})

/**
 * The service's deployments created since `since`, newest first: ListServiceDeployments (one page, at most
 * 10 kept), DescribeServiceDeployments and DescribeServiceRevisions (for the task definitions), memoised per
 * service. Where the account or endpoint does not answer these APIs, the service's `deployments` (which
 * hold only the current and in-flight ones) with the reason.
 */
export function deploymentHistory(ctx: RunContext, service: Service, since: Date): Promise<DeploymentHistory> {
  const name = service.serviceArn ?? service.serviceName ?? '?'
  return ctx.memo(`ecs:deployments:${name}:${since.toISOString()}`, async () => {
    const client = ctx.aws.client(ECSClient)
    const opts = {abortSignal: ctx.signal}
    try {
      const listed = await client.send(
        new ListServiceDeploymentsCommand({
          cluster: ctx.env.cluster,
          service: name,
          createdAt: {after: since},
          maxResults: 100,
        }),
        opts,
      )
      const briefs = (listed.serviceDeployments ?? [])
        .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))
        .slice(0, MAX_DEPLOYMENTS)
      const arns = briefs.map((b) => b.serviceDeploymentArn).filter((a): a is string => Boolean(a))
      const described =
        arns.length === 0
          ? []
          : ((await client.send(new DescribeServiceDeploymentsCommand({serviceDeploymentArns: arns}), opts))
              .serviceDeployments ?? [])
      const revisionArns = [
        ...new Set(described.map((d) => d.targetServiceRevision?.arn).filter((a): a is string => Boolean(a))),
      ]
      const revisions = await Promise.all(
        chunk(revisionArns, DESCRIBE_LIMIT).map((serviceRevisionArns) =>
          client.send(new DescribeServiceRevisionsCommand({serviceRevisionArns}), opts),
        ),
      )
      const taskDefinitions = new Map(
        revisions
          .flatMap((r) => r.serviceRevisions ?? [])
          .map((r) => [r.serviceRevisionArn ?? '', r.taskDefinition ?? ''] as const),
      )
      const deployments = described
        .map((d) => fromApi(d, taskDefinitions))
        .sort((a, b) => (b.startedAt?.getTime() ?? 0) - (a.startedAt?.getTime() ?? 0))
      // An account that answers but has no deployment in the window: the service's own current one still counts.
      if (deployments.length === 0) return {...historyFromService(service), source: 'service-deployments'}
      return {source: 'service-deployments', deployments}
    } catch (error) {
      if (classifyAwsError(error) === 'access-denied') {
        return historyFromService(
          service,
          'ListServiceDeployments denied: add ecs:ListServiceDeployments, ecs:DescribeServiceDeployments ' +
            'and ecs:DescribeServiceRevisions to the policy',
        )
      }

      if (!isUnsupported(error)) throw error
      const why = (error as Error).name === 'SyntaxError' ? 'not implemented by this endpoint' : (error as Error).name
      return historyFromService(service, `ListServiceDeployments unavailable (${why})`)
    }
  })
}
