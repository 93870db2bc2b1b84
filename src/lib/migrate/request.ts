import type {CapacityProviderStrategyItem, RunTaskCommandInput, Service} from '@aws-sdk/client-ecs'

import type {EnvConfig} from '../../config.js'
import {EXIT, UserError} from '../../errors.js'
import {primaryDeployment} from '../exec/select-task.js'

/** `startedBy` (and `group`) of the one-off tasks, to find them again (ListTasks startedBy). At most 128 characters. */
export const STARTED_BY = {migrate: 'allthrive-migrate', plan: 'allthrive-migrate-plan'} as const

export interface RunTaskRequestOptions {
  env: Pick<EnvConfig, 'name' | 'cluster'>
  /** The web service, as DescribeServices returns it. */
  service: Service
  container: string
  command: string[]
  plan: boolean
}

const nonEmpty = <T>(items: T[] | undefined): T[] | undefined => (items && items.length > 0 ? items : undefined)

/**
 * The RunTask request of a migration: the web service's current (PRIMARY deployment) task
 * definition and network configuration, its capacity provider strategy or launch type and
 * platform version, and the command overridden on the web container.
 */
export function buildRunTaskRequest(o: RunTaskRequestOptions): RunTaskCommandInput {
  const {service} = o
  const primary = primaryDeployment(service)
  const taskDefinition = primary?.taskDefinition ?? service.taskDefinition
  if (!taskDefinition) {
    throw new UserError(`Service ${service.serviceName} has no task definition to clone.`, {
      exit: EXIT.FAILED,
      code: 'NO_TASK_DEFINITION',
    })
  }

  const strategy: CapacityProviderStrategyItem[] | undefined =
    nonEmpty(primary?.capacityProviderStrategy) ?? nonEmpty(service.capacityProviderStrategy)
  const launchType = strategy ? undefined : (primary?.launchType ?? service.launchType)
  const networkConfiguration = primary?.networkConfiguration ?? service.networkConfiguration
  const platformVersion = primary?.platformVersion ?? service.platformVersion
  const startedBy = o.plan ? STARTED_BY.plan : STARTED_BY.migrate
  return {
    cluster: o.env.cluster,
    taskDefinition,
    count: 1,
    ...(strategy ? {capacityProviderStrategy: strategy} : launchType ? {launchType} : {}),
    ...(platformVersion && {platformVersion}),
    ...(networkConfiguration && {networkConfiguration}),
    ...(nonEmpty(service.placementConstraints) && {placementConstraints: service.placementConstraints}),
    ...(nonEmpty(service.placementStrategy) && {placementStrategy: service.placementStrategy}),
    overrides: {containerOverrides: [{name: o.container, command: o.command}]},
    startedBy,
    group: startedBy,
    enableExecuteCommand: false,
    ...(service.enableECSManagedTags && {enableECSManagedTags: true}),
    propagateTags: 'TASK_DEFINITION',
    tags: [
      {key: 'allthrive:purpose', value: o.plan ? 'migrate-plan' : 'migrate'},
      {key: 'allthrive:environment', value: o.env.name},
    ],
  }
}
