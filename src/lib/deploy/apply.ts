import {
  type DeploymentConfiguration,
  ECSClient,
  type Service,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs'

import type {RunContext} from '../../aws/context.js'
import {UserError} from '../../errors.js'
import {deploymentHistory, type DeploymentSource} from '../../resources/deployments.js'
import {describeEnvServices, taskDefinition, taskDefinitionLabel} from '../../resources/ecs.js'
import {familyRevisions, parseTaskDefinitionArn} from '../../resources/task-definitions.js'
import {selectServices} from '../status/gather.js'
import {beatPlan} from './beat.js'
import type {WaitOutcome} from './wait.js'
import {type Change, diffTaskDefinitions, historySince, rollbackTarget, type RollbackTarget} from './plan.js'

export type DeployAction = 'rollback' | 'restart'
/**
 * update-service: a new deployment; stop-deployment: ECS's own rollback of the deployment in progress;
 * none: nothing to send.
 */
export type DeployMethod = 'update-service' | 'stop-deployment' | 'none'

export interface DeployPlan {
  action: DeployAction
  service: string
  serviceName: string
  method: DeployMethod
  /** Why nothing is sent (method none). */
  why?: string
  from: {taskDefinition: string; revision: number | null}
  to: {taskDefinition: string; revision: number | null; chosenBy?: RollbackTarget['chosenBy']}
  changes: Change[]
  notes: string[]
  deploymentSource: DeploymentSource
  /** The request sent (update-service/stop-deployment), for --dry-run and --json. */
  request?: Record<string, unknown>
}

/** A deployment this recent that moved the service backwards is taken as the rollback already asked for. */
export type DeployOutcome = WaitOutcome | 'dry-run' | 'not-waited'

/** The --json result of `rollback` and `restart`. */
export interface DeployResult {
  plan: DeployPlan
  outcome: DeployOutcome
  reason?: string
  stopReasons: string[]
  elapsedMs?: number
}

export const RECENT_MS = 10 * 60_000

const revision = (arn: string | undefined): number | null =>
  arn ? (parseTaskDefinitionArn(arn)?.revision ?? null) : null

/** The service named (short name or ECS name) among the environment's services, with its short name. */
export async function findService(ctx: RunContext, name: string): Promise<[string, Service]> {
  const env = await describeEnvServices(ctx)
  return selectServices(env.services as Map<string, Service>, [name])[0]
}

/** UpdateService cannot change a CodeDeploy or external service's revision: say where to do it instead. */
function assertEcsController(s: Service, action: string): void {
  const type = s.deploymentController?.type ?? 'ECS'
  if (type === 'ECS') return
  const by = type === 'CODE_DEPLOY' ? 'CodeDeploy (blue/green)' : `an ${type} controller`
  throw new UserError(`${s.serviceName} is deployed by ${by}, not by ECS: allthrive cannot ${action}.`, {
    exit: 1,
    code: 'UNSUPPORTED_CONTROLLER',
    suggestions: [
      type === 'CODE_DEPLOY'
        ? 'Roll back or redeploy it in CodeDeploy (aws deploy stop-deployment --auto-rollback-enabled).'
        : 'Use the tool that deploys it.',
    ],
  })
}

/** A deployment is running: more than one deployment, or the primary one still rolling out. */
export const inFlight = (s: Service): boolean =>
  (s.deployments ?? []).length > 1 ||
  (s.deployments ?? []).some((d) => d.status === 'PRIMARY' && d.rolloutState === 'IN_PROGRESS')

const primaryCreated = (s: Service): number =>
  s.deployments?.find((d) => d.status === 'PRIMARY')?.createdAt?.getTime() ?? 0

function updateRequest(
  ctx: RunContext,
  s: Service,
  taskDefinitionArn: string,
  force: boolean,
  deploymentConfiguration?: DeploymentConfiguration,
) {
  return {
    cluster: ctx.env.cluster,
    service: s.serviceName!,
    taskDefinition: taskDefinitionArn,
    ...(force && {forceNewDeployment: true}),
    ...(deploymentConfiguration && {deploymentConfiguration}),
  }
}

/** What `rollback` will do: the target revision, what changes, how (new deployment or ECS rollback), beat's order. */
export async function planRollback(ctx: RunContext, name: string, to?: string): Promise<DeployPlan> {
  const [short, s] = await findService(ctx, name)
  assertEcsController(s, 'roll it back')
  const current = await taskDefinition(ctx, s.taskDefinition!)
  const history = await deploymentHistory(ctx, s, historySince(ctx))
  const base = {
    action: 'rollback' as const,
    service: short,
    serviceName: s.serviceName!,
    deploymentSource: history.source,
    from: {taskDefinition: s.taskDefinition!, revision: current.revision ?? null},
  }
  const beat = beatPlan(short, s)

  const rolling = history.deployments.find((d) => d.state === 'ROLLING_BACK')
  if (rolling && !to) {
    return {
      ...base,
      method: 'none',
      why: `ECS is already rolling back deployment ${rolling.id}`,
      to: {...base.from},
      changes: [],
      notes: beat.notes,
    }
  }

  const target = await rollbackTarget(ctx, s, current, to)
  const toTd = await taskDefinition(ctx, target.arn)
  const plan = {
    ...base,
    to: {taskDefinition: target.arn, revision: target.revision, chosenBy: target.chosenBy},
    changes: diffTaskDefinitions(current, toTd),
    notes: [
      'Database migrations already applied stay applied: a rollback changes the code, not the schema. ' +
        'Roll back a migration with its own command if the older code cannot run on the newer schema.',
      ...(target.chosenBy === 'previous-revision'
        ? [`Revision ${target.revision} is the family's previous revision; no deployment or recent task shows it ran.`]
        : []),
      ...beat.notes,
    ],
  }

  const inProgress = history.deployments.find((d) => d.state === 'IN_PROGRESS' && d.arn)
  if (inProgress && !to && history.source === 'service-deployments') {
    return {...plan, method: 'stop-deployment', request: {serviceDeploymentArn: inProgress.arn, stopType: 'ROLLBACK'}}
  }

  if (s.taskDefinition === target.arn) {
    return {...plan, method: 'none', why: `the service is already on ${taskDefinitionLabel(target.arn)}`, changes: []}
  }

  // A second `rollback` right after the first must not roll back once more.
  if (!to && ctx.now.getTime() - primaryCreated(s) < RECENT_MS) {
    const newest = revision((await familyRevisions(ctx, current.family!))[0])
    const newer =
      (s.deployments ?? []).some((d) => (revision(d.taskDefinition) ?? 0) > (current.revision ?? 0)) ||
      (newest ?? 0) > (current.revision ?? 0)
    if (newer) {
      return {
        ...plan,
        method: 'none',
        to: {...base.from},
        changes: [],
        why:
          `the service moved back to ${taskDefinitionLabel(s.taskDefinition)} ` +
          `less than ${RECENT_MS / 60_000} minutes ago` +
          ' (a rollback already asked for?); to go further back, name the revision with --to',
      }
    }
  }

  return {
    ...plan,
    method: 'update-service',
    request: updateRequest(ctx, s, target.arn, false, beat.deploymentConfiguration),
  }
}

/** What `restart` will do: a new deployment of the current revision, unless one is already under way. */
export async function planRestart(ctx: RunContext, name: string): Promise<DeployPlan> {
  const [short, s] = await findService(ctx, name)
  assertEcsController(s, 'restart it')
  const beat = beatPlan(short, s)
  const here = {taskDefinition: s.taskDefinition!, revision: revision(s.taskDefinition)}
  const base = {
    action: 'restart' as const,
    service: short,
    serviceName: s.serviceName!,
    deploymentSource: 'service' as const,
    from: here,
    to: here,
    changes: [],
    notes: beat.notes,
  }
  if (inFlight(s)) {
    return {
      ...base,
      method: 'none',
      why: 'a deployment of the service is already under way: not starting another (waiting for it instead)',
    }
  }

  return {
    ...base,
    method: 'update-service',
    request: updateRequest(ctx, s, s.taskDefinition!, true, beat.deploymentConfiguration),
  }
}

/** Sends the plan's request. Returns when ECS accepted it. */
export async function applyPlan(ctx: RunContext, plan: DeployPlan): Promise<void> {
  const ecs = ctx.aws.client(ECSClient)
  if (plan.method === 'update-service') {
    await ecs.send(
      new UpdateServiceCommand(plan.request as unknown as ConstructorParameters<typeof UpdateServiceCommand>[0]),
      {abortSignal: ctx.signal},
    )
  } else if (plan.method === 'stop-deployment') {
    try {
      await ecs.send(
        new StopServiceDeploymentCommand({
          serviceDeploymentArn: String(plan.request!.serviceDeploymentArn),
          stopType: 'ROLLBACK',
        }),
        {abortSignal: ctx.signal},
      )
    } catch (error) {
      // The deployment finished between the plan and the call: nothing left to stop.
      if ((error as Error).name === 'ConflictException') {
        throw new UserError(
          `The deployment could not be stopped: ${(error as Error).message}. ` +
            'Run the rollback again: it will start a new deployment.',
          {exit: 1, cause: error},
        )
      }

      throw error
    }
  }
}
