import {
  ClusterNotFoundException,
  DescribeTaskDefinitionCommand,
  ECSClient,
  type RunTaskCommandInput,
  type Service,
} from '@aws-sdk/client-ecs'

import type {AwsClients} from '../../aws/clients.js'
import {type EnvConfig, serviceByKey} from '../../config.js'
import {EXIT, UserError} from '../../errors.js'
import {describeServicesOf, taskDefinitionLabel} from '../../resources/ecs.js'
import {type AwslogsTarget, awslogsTarget} from './logs.js'
import {buildRunTaskRequest} from './request.js'
import {shq} from '../../util/shell.js'

export interface PreparedMigration {
  request: RunTaskCommandInput
  service: Service
  container: string
  command: string[]
  /** "production-allthrive-web:42" */
  taskDefinition: string
  /** Where the container's lines go, or why they cannot be followed. */
  logs: AwslogsTarget | {reason: string}
}

/** Reads the web service and its task definition and builds the RunTask request (nothing is started). */
export async function prepareMigration(
  aws: AwsClients,
  env: EnvConfig,
  o: {plan: boolean; signal?: AbortSignal},
): Promise<PreparedMigration> {
  const web = serviceByKey(env, 'web')
  const ecs = aws.client(ECSClient)
  let service: Service | undefined
  try {
    const out = await describeServicesOf({aws, signal: o.signal}, env.cluster, [web.name])
    service = out.find((s) => s.status === 'ACTIVE' && (s.serviceName === web.name || s.serviceArn === web.name))
  } catch (error) {
    if (!(error instanceof ClusterNotFoundException)) throw error
  }

  if (!service) {
    throw new UserError(
      `The web service ${web.name} was not found (ACTIVE) in cluster ${env.cluster}: there is nothing to clone the migration task from.`,
      {
        code: 'WEB_SERVICE_NOT_FOUND',
        exit: EXIT.FAILED,
        suggestions: [
          `Check --environment, --region and --profile; list the services with: aws ecs list-services --cluster ${shq(env.cluster)}`,
        ],
      },
    )
  }

  const command = o.plan ? env.migrate.planCommand : env.migrate.command
  const request = buildRunTaskRequest({env, service, container: web.container, command, plan: o.plan})
  const td = await ecs.send(new DescribeTaskDefinitionCommand({taskDefinition: request.taskDefinition}), {
    abortSignal: o.signal,
  })
  const containers = (td.taskDefinition?.containerDefinitions ?? []).map((c) => c.name)
  if (!containers.includes(web.container)) {
    throw new UserError(
      `Task definition ${taskDefinitionLabel(request.taskDefinition)} has no container "${web.container}" (containers: ${containers.join(', ') || 'none'}).`,
      {
        code: 'CONTAINER_NOT_FOUND',
        suggestions: [`Set services.web.container in allthrive.config.json to one of: ${containers.join(', ')}.`],
      },
    )
  }

  return {
    request,
    service,
    container: web.container,
    command,
    taskDefinition: taskDefinitionLabel(request.taskDefinition),
    logs: awslogsTarget(td.taskDefinition, web.container),
  }
}
